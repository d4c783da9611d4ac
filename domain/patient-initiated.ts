/**
 * Patient-initiated mutual aid (PIDMAS): a trust invites the patients its
 * rules make eligible; each says how far they will travel; the origin team
 * confirms the move is clinically and socially appropriate; the case is then
 * listed in the region first and nationally later, and closes with the
 * patient keeping their place if no transfer is agreed in time.
 *
 * The reasons a patient is not eligible are written to the patient, in plain
 * English, because their own page shows them.
 */
import { z } from 'zod';
import { validateWith, type Validated } from './field-errors';
import { checkPatientFields, patientFields } from './listing';
import { ageInYears, parseCalendarDate, weeksWaiting } from './rtt';
import { calendarDate } from './schema-parts';

export interface EligibilityRules {
  /** Waiting more than this many weeks (national scheme: 40). */
  minWeeksWaiting: number;
  /** No treatment date booked within this many weeks (national scheme: 8). */
  noDateWithinWeeks: number;
  minAge: number;
  excludeTertiaryReferrals: boolean;
}

export const DEFAULT_ELIGIBILITY: EligibilityRules = {
  minWeeksWaiting: 40,
  noDateWithinWeeks: 8,
  minAge: 18,
  excludeTertiaryReferrals: true,
};

/** How far the patient will travel, as the national scheme asks it. */
export const TRAVEL_CHOICES = {
  MILES_50: { miles: 50, label: 'Up to 50 miles' },
  MILES_100: { miles: 100, label: 'Up to 100 miles' },
  ENGLAND: { miles: null, label: 'Anywhere in England' },
} as const;
export type TravelChoice = keyof typeof TRAVEL_CHOICES;
export const isTravelChoice = (value: unknown): value is TravelChoice =>
  typeof value === 'string' && Object.hasOwn(TRAVEL_CHOICES, value);

/** What a trust says to invite a patient: the listing without the travel answer and the clinician's judgement. */
export function invitationSchema(now: Date) {
  return z
    .object({
      ...patientFields(now),
      /** A treatment date already booked at the trust, if any. */
      bookedTreatmentDate: calendarDate('Booked treatment date').optional(),
      tertiaryReferral: z.boolean({ error: 'Tertiary referral must be yes or no' }).default(false),
    })
    .superRefine(checkPatientFields);
}

export type InvitationInput = z.input<ReturnType<typeof invitationSchema>>;
export type Invitation = z.output<ReturnType<typeof invitationSchema>>;

export function validateInvitation(input: unknown, now: Date): Validated<Invitation> {
  return validateWith(invitationSchema(now), input);
}

const WEEK_MS = 7 * 86_400_000;

/** Why the patient cannot ask to move under the trust's rules; empty when they can. */
export function ineligibilityReasons(invitation: Invitation, rules: EligibilityRules, now: Date): string[] {
  const reasons: string[] = [];
  const weeks = weeksWaiting(invitation.rttClockStart, now);
  if (weeks <= rules.minWeeksWaiting) {
    reasons.push(
      `You have been waiting ${weeks} ${weeks === 1 ? 'week' : 'weeks'}. You can ask to move once you have waited more than ${rules.minWeeksWaiting} weeks.`,
    );
  }
  const booked = invitation.bookedTreatmentDate && parseCalendarDate(invitation.bookedTreatmentDate);
  if (booked && booked.getTime() >= now.getTime() - 86_400_000) {
    if (booked.getTime() - now.getTime() <= rules.noDateWithinWeeks * WEEK_MS) {
      reasons.push(
        `You already have a date for your treatment within the next ${rules.noDateWithinWeeks} weeks, so moving would not be quicker.`,
      );
    }
  }
  if (ageInYears(invitation.dateOfBirth, now) < rules.minAge) {
    reasons.push(`This scheme is for people aged ${rules.minAge} or over.`);
  }
  if (rules.excludeTertiaryReferrals && invitation.tertiaryReferral) {
    reasons.push('You are being treated by a specialist (tertiary) service, which is not part of this scheme.');
  }
  return reasons;
}
