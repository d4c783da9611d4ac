/**
 * fast-check arbitraries the hostile-input properties share: valid NHS
 * numbers and postcodes as people type them, valid listings, chat references,
 * and the strings an attacker (or a careless export) sends instead.
 */
import fc from 'fast-check';
import { CASE_REF_ALPHABET } from '../../domain/case-ref';
import type { ListingInput } from '../../domain/listing';

/** The sum of an NHS number's digits weighted 10 down to 1: a valid number's is a multiple of 11. */
export function nhsWeightedSum(digits: string): number {
  return [...digits].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0);
}

/** The check digit for nine digits, or undefined when modulus 11 leaves none (a remainder of 1 gives 10). */
export function nhsCheckDigit(stem: string): number | undefined {
  const check = 11 - (nhsWeightedSum(stem) % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

export const digit = fc.integer({ min: 0, max: 9 }).map(String);

/** Ten digits with a valid modulus-11 check digit: every valid NHS number is one of these. */
export const validNhsNumber: fc.Arbitrary<string> = fc
  .array(digit, { minLength: 9, maxLength: 9 })
  .map((digits) => digits.join(''))
  .filter((stem) => nhsCheckDigit(stem) !== undefined)
  .map((stem) => `${stem}${nhsCheckDigit(stem)}`);

const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');

/** A UK postcode's two parts in the shapes the format allows: A9, A99, AA9, AA99, A9A, AA9A; then 9AA. */
export const postcodeParts: fc.Arbitrary<{ outward: string; inward: string }> = fc.record({
  outward: fc
    .tuple(fc.array(upper, { minLength: 1, maxLength: 2 }), digit, fc.option(alnum, { nil: '' }))
    .map(([letters, d, last]) => `${letters.join('')}${d}${last}`),
  inward: fc.tuple(digit, upper, upper).map((parts) => parts.join('')),
});

/** Whitespace people and spreadsheets put around and inside what they type. */
export const whitespace = (minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0'), { minLength, maxLength }).map((ws) => ws.join(''));

/** Each letter in upper or lower case at random. */
export const anyCase = (text: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((flips) => [...text].map((ch, i) => (flips[i] ? ch.toLowerCase() : ch.toUpperCase())).join(''));

export const caseRef: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...CASE_REF_ALPHABET), { minLength: 8, maxLength: 8 })
  .map((body) => `MA-${body.join('')}`);

/** Version-4 UUIDs, as `randomUUID` makes every id here. */
export const uuid = fc.uuid({ version: 4 });

/** Strings that have broken other systems: SQL, markup, controls, bidi overrides, lone surrogates, huge. */
export const HOSTILE_STRINGS = [
  "'; drop table cases; --",
  '" or 1=1 --',
  '\\0',
  'a\u0000b',
  'Hip \u202Eecalper\u202C',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x.invalid","hip")',
  '{"$ne":null}',
  '__proto__',
  '\ud800',
  'x'.repeat(100 * 1024),
] as const;

/** Any string at all: printable, binary (controls, lone surrogates), or one of the known hostile ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(...HOSTILE_STRINGS),
);

/** Any value JSON (or a form, or a careless caller) could hand a validator. */
export const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  anyString,
  fc.constantFrom(undefined, null, NaN, Infinity, -Infinity, -0, '', ' ', [], {}),
  fc.double(),
  fc.integer(),
);

/** A valid listing, as `test/domain/listing.test.ts` builds one, for `NOW` below. */
export const LISTING_NOW = new Date('2026-03-10T09:00:00Z');
export const JUDGE_ID = '5b0d7c1e-2f43-4e2a-9d55-7f1f5c3a9b10';

export function validListing(): ListingInput {
  return {
    originOds: 'RR8',
    nhsNumber: '943 476 5919',
    givenName: 'Testforename',
    familyName: 'Testsurname',
    dateOfBirth: '1961-04-12',
    postcode: 'LS6 2QN',
    localPatientId: 'RR8-0001',
    gpPracticeCode: 'B86001',
    referringOrgOds: 'B86001',
    ppid: 'PP00000001',
    ppidIssuerOds: 'RR8',
    specialtyCode: '110',
    procedure: 'Primary total hip replacement',
    opcsCode: 'W37.1',
    careType: 'ADMITTED',
    priority: 'P3',
    rttClockStart: '2025-09-01',
    bmi: 31.5,
    asa: 2,
    needsCriticalCare: false,
    maxTravelMiles: 60,
    travelNeeds: ['WHEELCHAIR_ACCESS'],
    appropriatenessJudgedBy: JUDGE_ID,
  };
}

/** Runs each property a modest number of times, so a file takes seconds; failures still report their seed. */
export const RUNS = { numRuns: 300 } as const;
