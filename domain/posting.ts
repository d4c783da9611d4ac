/**
 * What a provider must say to post spare capacity for one of its sites,
 * validated field by field: specialty, care type (with the test for
 * diagnostics), OPCS-4 procedures covered, slots, dates and the clinical
 * limits of that capacity. The same schema checks a new posting and an
 * edited one (the edit merged onto the current terms), so an edit is never
 * half-applied. Pure: the posting workflow runs it in its Update validators.
 */
import { z } from 'zod';
import { CARE_TYPES, DIAGNOSTIC_MODALITIES, isTreatmentFunctionCode } from './codes';
import { validateWith, type Validated } from './field-errors';
import { parseCalendarDate, toCalendarDate } from './rtt';
import { calendarDate, oneOf } from './schema-parts';

export const MAX_SLOTS = 500;
export const MAX_PROCEDURE_CODES = 50;
/** Capacity further ahead than this is a plan, not spare capacity. */
export const MAX_POSTING_DAYS_AHEAD = 366;
const DAY_MS = 86_400_000;
// The database's limits (capacity_postings checks), as for a listing.
const MIN_BMI = 10;
const MAX_BMI = 80;
const MAX_ELECTIVE_ASA = 4;

/** An OPCS-4 code (`W37.1`) or a prefix of one (`W37`, `W3`, `W`). */
const OPCS_CODE_OR_PREFIX = /^[A-Z](\d{1,2}|\d{2}\.\d)?$/;

const whole = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int({ error: `${label} must be a whole number` })
    .min(min, { error: `${label} must be from ${min} to ${max}` })
    .max(max, { error: `${label} must be from ${min} to ${max}` });

export function postingSchema(now: Date) {
  const today = toCalendarDate(now);
  const latest = toCalendarDate(new Date(now.getTime() + MAX_POSTING_DAYS_AHEAD * DAY_MS));
  return z
    .object({
      siteId: z.uuid({ error: 'Choose one of your organisation’s sites' }),
      specialtyCode: z.string({ error: 'Specialty is required' }).trim().toUpperCase().refine(isTreatmentFunctionCode, {
        error: 'Specialty must be an RTT treatment function code, such as 110 for Trauma & Orthopaedics',
      }),
      careType: oneOf('Care type', CARE_TYPES),
      diagnosticModality: oneOf('Diagnostic test', DIAGNOSTIC_MODALITIES).optional(),
      procedureCodes: z
        .array(
          z
            .string({ error: 'Each procedure must be an OPCS-4 code or prefix' })
            .trim()
            .toUpperCase()
            .regex(OPCS_CODE_OR_PREFIX, {
              error: 'Each procedure must be an OPCS-4 code or prefix, such as W37 or W37.1',
            }),
        )
        .max(MAX_PROCEDURE_CODES, { error: `List at most ${MAX_PROCEDURE_CODES} procedure codes` })
        .default([])
        .transform((codes) => [...new Set(codes)]),
      slots: whole('Slots', 1, MAX_SLOTS),
      availableFrom: calendarDate('Available from'),
      availableUntil: calendarDate('Available until')
        .refine((value) => value >= today, { error: 'Available until cannot be in the past' })
        .refine((value) => value <= latest, {
          error: `Available until must be within ${MAX_POSTING_DAYS_AHEAD} days`,
        }),
      maxBmi: z
        .number({ error: 'Maximum BMI must be a number' })
        .min(MIN_BMI, { error: `Maximum BMI must be between ${MIN_BMI} and ${MAX_BMI}` })
        .max(MAX_BMI, { error: `Maximum BMI must be between ${MIN_BMI} and ${MAX_BMI}` })
        .transform((bmi) => Math.round(bmi * 10) / 10),
      maxAsa: whole('Maximum ASA grade', 1, MAX_ELECTIVE_ASA),
      minAge: whole('Minimum age', 0, 120).default(18),
      maxAge: whole('Maximum age', 0, 120).default(120),
      hasCriticalCare: z.boolean({ error: 'Critical care cover must be yes or no' }),
    })
    .superRefine((posting, ctx) => {
      const diagnostic = posting.careType === 'DIAGNOSTIC';
      if (diagnostic && !posting.diagnosticModality) {
        ctx.addIssue({
          code: 'custom',
          path: ['diagnosticModality'],
          message: 'Diagnostic capacity must name the test',
        });
      }
      if (!diagnostic && posting.diagnosticModality) {
        ctx.addIssue({
          code: 'custom',
          path: ['diagnosticModality'],
          message: 'Only diagnostic capacity names a diagnostic test',
        });
      }
      if (posting.availableUntil < posting.availableFrom) {
        ctx.addIssue({
          code: 'custom',
          path: ['availableUntil'],
          message: 'Available until must be on or after available from',
        });
      }
      if (posting.maxAge < posting.minAge) {
        ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'Maximum age must be at least the minimum age' });
      }
    });
}

export type PostingTermsInput = z.input<ReturnType<typeof postingSchema>>;
export type PostingTerms = z.output<ReturnType<typeof postingSchema>>;

export function validatePosting(input: unknown, now: Date): Validated<PostingTerms> {
  return validateWith(postingSchema(now), input);
}

/** An edit: the changed fields merged onto the current terms, then checked as a whole. */
export function validatePostingEdit(current: PostingTerms, changes: unknown, now: Date): Validated<PostingTerms> {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    return { ok: false, errors: [{ field: '(input)', message: 'Say which fields of the posting to change' }] };
  }
  if ('siteId' in changes && (changes as { siteId?: unknown }).siteId !== current.siteId) {
    return {
      ok: false,
      errors: [{ field: 'siteId', message: 'A posting stays with its site: withdraw it and post for the other site' }],
    };
  }
  return validatePosting({ ...current, ...changes }, now);
}

/** The moment a posting expires: the end (UTC) of its last available day. */
export function postingExpiresAt(terms: Pick<PostingTerms, 'availableUntil'>): number {
  return parseCalendarDate(terms.availableUntil)!.getTime() + DAY_MS;
}
