/**
 * Properties of listing and invitation validation (domain/listing.ts,
 * domain/patient-initiated.ts) against anything a chat form, a CSV row or an
 * API body could hand them: they never throw; every refusal names a field
 * the schema has; one bad field is refused on that field (or on the field a
 * cross-field rule ties it to); a value is only accepted in a type the field
 * means; and no message repeats the value it refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listingSchema, validateListing, type ListingInput } from '../../domain/listing';
import { invitationSchema, validateInvitation, type InvitationInput } from '../../domain/patient-initiated';
import { validateWith, type Validated } from '../../domain/field-errors';
import { LISTING_NOW, RUNS, anyInput, anyString, validListing } from './arbitraries';

const NOW = LISTING_NOW;
// Built once: validateListing and validateInvitation build theirs per call, which would cost most of each run.
const LISTING = listingSchema(NOW);
const INVITATION = invitationSchema(NOW);
const LISTING_FIELDS = Object.keys(LISTING.shape);
const INVITATION_FIELDS = Object.keys(INVITATION.shape);

/** A field's refusal may land on another field only through a cross-field rule (domain/listing.ts checkPatientFields). */
const TIED: Record<string, string[]> = {
  // A later date of birth can put the RTT clock start before it.
  dateOfBirth: ['rttClockStart'],
  // DIAGNOSTIC needs a test named; anything else must not name one.
  careType: ['diagnosticModality'],
};

/** The type a field's accepted value must have had: a number field takes a number or a decimal written as text. */
const DECIMAL_TEXT = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
const ACCEPTED_AS: Record<string, (value: unknown) => boolean> = {
  bmi: (v) => typeof v === 'number' || (typeof v === 'string' && DECIMAL_TEXT.test(v)),
  asa: (v) => typeof v === 'number' || (typeof v === 'string' && DECIMAL_TEXT.test(v)),
  needsCriticalCare: (v) => v === undefined || typeof v === 'boolean',
  tertiaryReferral: (v) => v === undefined || typeof v === 'boolean',
  travelNeeds: (v) => v === undefined || Array.isArray(v),
  maxTravelMiles: (v) => v === null || typeof v === 'number',
  opcsCode: (v) => v === undefined || typeof v === 'string',
  diagnosticModality: (v) => v === undefined || typeof v === 'string',
  bookedTreatmentDate: (v) => v === undefined || typeof v === 'string',
};
const acceptedAs = (field: string, value: unknown) => (ACCEPTED_AS[field] ?? ((v) => typeof v === 'string'))(value);

/** The fields a person types freely; everything else is a code, a number, a date or a choice. */
const FREE_TEXT = ['givenName', 'familyName', 'localPatientId', 'ppid', 'procedure'];

const head = (field: string) => field.split('.')[0]!;

/** The valid listing without what only a listing says (how far the patient will travel, and who judged the move). */
function validInvitation(): InvitationInput {
  const patient: Partial<ListingInput> = validListing();
  delete patient.maxTravelMiles;
  delete patient.appropriatenessJudgedBy;
  return { ...(patient as InvitationInput), bookedTreatmentDate: '2026-09-01', tertiaryReferral: false };
}

/** Near misses as well as nonsense: numbers in and out of range, codes, dates, booleans as text. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  anyInput,
  fc.constantFrom('1', '2', '4', '5', '2.5', '0x1E', '1e1', '+30', ' 30 ', 'true', 'yes', '110', 'P3', 'W37.1'),
  fc.constantFrom('2025-02-29', '1961-02-30', '2026-03-11', '1900-01-01', 'DIAGNOSTIC', 'MRI', 'LS6 2QN', 'RR8'),
  fc.constantFrom(true, false, [30], [2], ['WHEELCHAIR_ACCESS'], ['A_PONY'], { bmi: 30 }),
  fc.double({ min: -10, max: 1100, noNaN: true }),
);

const refusedFields = (result: Validated<unknown>) => (result.ok ? [] : result.errors.map((e) => head(e.field)));

function checkValidator(
  name: string,
  fields: string[],
  valid: () => Record<string, unknown>,
  validate: (input: unknown) => Validated<unknown>,
) {
  describe(name, () => {
    it('never throws on anything, and names only fields it has (or the input as a whole)', () => {
      const record = fc.dictionary(fc.constantFrom(...fields, 'nhs_number', '__proto__', 'constructor'), fieldValue);
      fc.assert(
        fc.property(fc.oneof(anyInput, record), (input) => {
          const result = validate(input);
          if (result.ok) return;
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) {
            expect([...fields, '(input)']).toContain(head(error.field));
            expect(error.message).toMatch(/\w/);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('refuses a valid one with one field changed on that field, or accepts it only in a type the field means', () => {
      fc.assert(
        fc.property(fc.constantFrom(...fields), fieldValue, (field, value) => {
          const input = { ...valid(), [field]: value };
          const result = validate(input);
          if (result.ok) {
            expect(acceptedAs(field, value), `${field} accepted ${JSON.stringify(value)}`).toBe(true);
            return;
          }
          const allowed = [field, ...(TIED[field] ?? [])];
          for (const refused of refusedFields(result)) expect(allowed).toContain(refused);
        }),
        { numRuns: 1000 },
      );
    });

    it('never repeats in its messages a value it refuses', () => {
      // A marker no message could contain by chance.
      const marker = fc.stringMatching(/^zq[a-km-z2-9]{8,16}$/);
      fc.assert(
        fc.property(fc.constantFrom(...fields), marker, (field, value) => {
          const result = validate({ ...valid(), [field]: value });
          if (!result.ok) expect(JSON.stringify(result.errors)).not.toContain(value);
        }),
        RUNS,
      );
    });

    it('refuses free text holding a control character (PostgreSQL cannot store NUL), on that field', () => {
      const control = fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f');
      const withControl = fc
        .tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 }))
        .map(([before, ch, after]) => `x${before}${ch}${after}x`);
      fc.assert(
        fc.property(fc.constantFrom(...FREE_TEXT), withControl, (field, value) => {
          const result = validate({ ...valid(), [field]: value });
          expect(result.ok).toBe(false);
          expect([...new Set(refusedFields(result))]).toEqual([field]);
          expect(JSON.stringify(result)).toContain('must not contain control characters');
        }),
        RUNS,
      );
    });

    it('keeps text it accepts as typed, apart from the spaces around it', () => {
      const text = anyString.filter((s) => s.trim().length > 0 && s.length <= 20);
      fc.assert(
        fc.property(text, (given) => {
          const result = validate({ ...valid(), givenName: given });
          if (result.ok) expect((result.value as { givenName: string }).givenName).toBe(given.trim());
        }),
        RUNS,
      );
    });
  });
}

checkValidator(
  'listing validation, whatever it is given',
  LISTING_FIELDS,
  () => ({ ...validListing() }),
  (input) => validateWith(LISTING, input),
);

checkValidator(
  'invitation validation, whatever it is given',
  INVITATION_FIELDS,
  () => ({ ...validInvitation() }),
  (input) => validateWith(INVITATION, input),
);

describe('the valid examples the properties start from', () => {
  it('are valid, by the schemas built once and by the validators themselves', () => {
    expect(validateWith(LISTING, validListing()).ok).toBe(true);
    expect(validateWith(INVITATION, validInvitation()).ok).toBe(true);
    expect(validateListing(validListing() satisfies ListingInput, NOW).ok).toBe(true);
    expect(validateInvitation(validInvitation(), NOW).ok).toBe(true);
  });
});
