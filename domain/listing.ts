/**
 * What a listing team must say to list a patient for mutual aid, validated
 * field by field. Identifiers (NHS number, name, date of birth, full postcode,
 * local ids) stay in the database; the journey sees only the clinical summary.
 */
import { z } from 'zod';
import { CARE_TYPES, DIAGNOSTIC_MODALITIES, PRIORITIES, TRAVEL_NEEDS, isTreatmentFunctionCode } from './codes';
import { validateWith, type Validated } from './field-errors';
import { isValidNhsNumber, normaliseNhsNumber } from './nhs-number';
import { parsePostcode } from './postcode';
import { ageInYears, parseCalendarDate } from './rtt';
import { calendarDate, decimalNumber, odsCode, oneOf, requiredText } from './schema-parts';

export const MAX_BMI = 80;
export const MIN_BMI = 10;
/** Grades V (moribund) and VI (organ donor) are never elective. */
export const MAX_ELECTIVE_ASA = 4;
export const MAX_TRAVEL_MILES = 1000;

const notAfter = (now: Date) => (value: string) => (parseCalendarDate(value)?.getTime() ?? Infinity) <= now.getTime();

/** The patient, their pathway and their clinical summary: what a listing and a patient-initiated invitation share. */
export function patientFields(now: Date) {
  return {
    originOds: odsCode('Origin trust'),
    nhsNumber: z
      .string({ error: 'NHS number is required' })
      .refine(isValidNhsNumber, { error: 'NHS number must be 10 digits with a valid check digit' })
      .transform(normaliseNhsNumber),
    givenName: requiredText('Given name', 100),
    familyName: requiredText('Family name', 100),
    dateOfBirth: calendarDate('Date of birth')
      .refine(notAfter(now), { error: 'Date of birth cannot be in the future' })
      .refine((value) => ageInYears(value, now) <= 120, { error: 'Date of birth gives an age over 120' }),
    postcode: z.string({ error: 'Postcode is required' }).transform((value, ctx) => {
      const parsed = parsePostcode(value);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: 'Postcode must be a full UK postcode, such as LS6 2AB' });
        return z.NEVER;
      }
      return parsed;
    }),
    localPatientId: requiredText('Local patient identifier', 30),
    gpPracticeCode: odsCode('GP practice code'),
    referringOrgOds: odsCode('Referring organisation'),
    ppid: requiredText('Patient pathway identifier', 20),
    ppidIssuerOds: odsCode('Pathway identifier issuer'),
    specialtyCode: z.string({ error: 'Specialty is required' }).trim().toUpperCase().refine(isTreatmentFunctionCode, {
      error: 'Specialty must be an RTT treatment function code, such as 110 for Trauma & Orthopaedics',
    }),
    procedure: requiredText('Procedure', 120),
    opcsCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]\d{2}(\.\d)?$/, { error: 'OPCS-4 code must look like W37.1' })
      .optional(),
    careType: oneOf('Care type', CARE_TYPES),
    diagnosticModality: oneOf('Diagnostic test', DIAGNOSTIC_MODALITIES).optional(),
    priority: oneOf('Clinical priority', PRIORITIES),
    rttClockStart: calendarDate('RTT clock start').refine(notAfter(now), {
      error: 'RTT clock start cannot be in the future',
    }),
    bmi: decimalNumber('BMI')
      .meta({ minimum: MIN_BMI, maximum: MAX_BMI })
      .pipe(
        z
          .number()
          .min(MIN_BMI, { error: `BMI must be between ${MIN_BMI} and ${MAX_BMI}` })
          .max(MAX_BMI, { error: `BMI must be between ${MIN_BMI} and ${MAX_BMI}` }),
      )
      .transform((bmi) => Math.round(bmi * 10) / 10),
    asa: decimalNumber('ASA grade')
      .meta({ minimum: 1, maximum: MAX_ELECTIVE_ASA })
      .pipe(
        z
          .number()
          .int({ error: 'ASA grade must be a whole number from 1 to 4' })
          .min(1, { error: 'ASA grade must be from 1 to 4' })
          .max(MAX_ELECTIVE_ASA, { error: 'ASA grade must be from 1 to 4: grades V and VI are not elective' }),
      ),
    needsCriticalCare: z.boolean({ error: 'Critical care need must be yes or no' }).default(false),
    travelNeeds: z.array(oneOf('Travel need', TRAVEL_NEEDS)).max(TRAVEL_NEEDS.length).default([]),
  };
}

/** Checks across fields, for any schema built on `patientFields`. */
export function checkPatientFields(
  listing: { careType: string; diagnosticModality?: string; rttClockStart: string; dateOfBirth: string },
  ctx: z.RefinementCtx,
): void {
  const diagnostic = listing.careType === 'DIAGNOSTIC';
  if (diagnostic && !listing.diagnosticModality) {
    ctx.addIssue({ code: 'custom', path: ['diagnosticModality'], message: 'A diagnostic listing must name the test' });
  }
  if (!diagnostic && listing.diagnosticModality) {
    ctx.addIssue({
      code: 'custom',
      path: ['diagnosticModality'],
      message: 'Only a diagnostic listing names a diagnostic test',
    });
  }
  if (parseCalendarDate(listing.rttClockStart)! < parseCalendarDate(listing.dateOfBirth)!) {
    ctx.addIssue({ code: 'custom', path: ['rttClockStart'], message: 'RTT clock start is before the date of birth' });
  }
}

export function listingSchema(now: Date) {
  return z
    .object({
      ...patientFields(now),
      maxTravelMiles: z
        .number({ error: 'Maximum travel distance must be a number of miles, or null for anywhere in England' })
        .int({ error: 'Maximum travel distance must be a whole number of miles' })
        .positive({ error: 'Maximum travel distance must be more than 0 miles' })
        .max(MAX_TRAVEL_MILES, { error: `Maximum travel distance must be at most ${MAX_TRAVEL_MILES} miles` })
        .nullable(),
      appropriatenessJudgedBy: z.uuid({
        error: 'Say which clinician judged the move clinically and socially appropriate',
      }),
    })
    .superRefine(checkPatientFields);
}

export type ListingInput = z.input<ReturnType<typeof listingSchema>>;
export type Listing = z.output<ReturnType<typeof listingSchema>>;

export function validateListing(input: unknown, now: Date): Validated<Listing> {
  return validateWith(listingSchema(now), input);
}
