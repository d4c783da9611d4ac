/**
 * Properties of the two identifiers every listing carries, whatever is typed:
 * NHS numbers (domain/nhs-number.ts) and postcodes (domain/postcode.ts).
 *
 * What modulus 11 guarantees, and is checked here: a valid number's digits,
 * weighted 10, 9, …, 2 and 1 (the check digit), sum to a multiple of 11.
 * Changing one digit by δ (1 ≤ |δ| ≤ 9) changes that sum by weight·δ, and
 * swapping two different digits changes it by (difference of weights)·(difference
 * of digits); no factor is a multiple of 11, which is prime, so every
 * single-digit error and every transposition (adjacent or not) is refused. Two
 * errors can cancel out (the last test shows one): modulus 11 promises one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, normaliseNhsNumber } from '../../domain/nhs-number';
import { isOutcode, parsePostcode } from '../../domain/postcode';
import {
  RUNS,
  anyCase,
  anyString,
  digit,
  nhsCheckDigit,
  nhsWeightedSum,
  postcodeParts,
  validNhsNumber,
  whitespace,
} from './arbitraries';

const tenDigits = fc.array(digit, { minLength: 10, maxLength: 10 }).map((digits) => digits.join(''));

describe('NHS numbers, whatever is typed', () => {
  it('accepts exactly the ten-digit strings whose weighted sum is a multiple of 11', () => {
    fc.assert(
      fc.property(fc.oneof(tenDigits, validNhsNumber), (digits) => {
        const stemHasCheckDigit = nhsCheckDigit(digits.slice(0, 9)) !== undefined;
        expect(isValidNhsNumber(digits)).toBe(stemHasCheckDigit && nhsWeightedSum(digits) % 11 === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts every valid number in the spaced and hyphenated forms people type, and normalises it to its digits', () => {
    const typed = validNhsNumber.chain((digits) =>
      fc
        .array(fc.constantFrom('', ' ', '-', '  ', '\t', '\u00a0'), { minLength: 11, maxLength: 11 })
        .map((gaps) => ({ digits, typed: [...digits].map((d, i) => `${gaps[i]}${d}`).join('') + gaps[10] })),
    );
    fc.assert(
      fc.property(typed, ({ digits, typed }) => {
        expect(isValidNhsNumber(typed)).toBe(true);
        expect(normaliseNhsNumber(typed)).toBe(digits);
      }),
      RUNS,
    );
  });

  it('refuses every single-digit change to a valid number', () => {
    const changed = fc
      .tuple(validNhsNumber, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }))
      .map(([digits, at, by]) => {
        const replaced = (Number(digits[at]) + by) % 10;
        return `${digits.slice(0, at)}${replaced}${digits.slice(at + 1)}`;
      });
    fc.assert(
      fc.property(changed, (wrong) => {
        expect(isValidNhsNumber(wrong)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses every transposition of two different digits, adjacent or not', () => {
    const swapped = fc
      .tuple(validNhsNumber, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.boolean())
      .map(([digits, i, j, adjacent]) => {
        const a = adjacent ? Math.min(i, 8) : Math.min(i, j);
        const b = adjacent ? a + 1 : Math.max(i, j);
        const chars = [...digits];
        [chars[a], chars[b]] = [chars[b]!, chars[a]!];
        return { original: digits, swapped: chars.join('') };
      })
      .filter(({ original, swapped }) => original !== swapped);
    fc.assert(
      fc.property(swapped, ({ swapped }) => {
        expect(isValidNhsNumber(swapped)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any string, and accepts nothing that is not ten digits once spaces and hyphens go', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const valid = isValidNhsNumber(text);
        expect(typeof valid).toBe('boolean');
        if (valid) expect(normaliseNhsNumber(text)).toMatch(/^\d{10}$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('is fooled by two errors that cancel out: modulus 11 promises to catch one', () => {
    // +1 on the first digit adds 10 to the weighted sum, +1 on the check digit adds 1: 11 in all.
    expect(isValidNhsNumber('4010232137')).toBe(true);
    expect(isValidNhsNumber('5010232138')).toBe(true);
  });
});

const CANONICAL_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9][A-Z]{2})$/;

describe('postcodes, whatever is typed', () => {
  it('parses every postcode shape to its outward and inward parts, whatever the case and spacing', () => {
    const typed = postcodeParts.chain(({ outward, inward }) =>
      fc
        .tuple(anyCase(outward), anyCase(inward), whitespace(0, 3), whitespace(0, 3), whitespace(0, 3))
        .map(([out, inn, before, between, after]) => ({
          outward,
          inward,
          typed: `${before}${out}${between}${inn}${after}`,
        })),
    );
    fc.assert(
      fc.property(typed, ({ outward, inward, typed }) => {
        expect(parsePostcode(typed)).toEqual({ postcode: `${outward} ${inward}`, outcode: outward });
        expect(isOutcode(outward)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any string, and anything it parses is a canonical postcode whose district is its first part', () => {
    const postcodeLike = fc.oneof(
      anyString,
      postcodeParts.map(({ outward, inward }) => `${outward}${inward}`),
      fc.string({ unit: fc.constantFrom(...'AZ09 s\u017f\u00df\u0131\u212a\u00a0-'), maxLength: 10 }),
    );
    fc.assert(
      fc.property(postcodeLike, (text) => {
        const parsed = parsePostcode(text);
        if (parsed === undefined) return;
        expect(parsed.postcode).toMatch(CANONICAL_POSTCODE);
        expect(parsed.outcode).toBe(parsed.postcode.split(' ')[0]);
        expect(isOutcode(parsed.outcode)).toBe(true);
        // Canonical means parsing it again changes nothing.
        expect(parsePostcode(parsed.postcode)).toEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });
});
