/**
 * "Where journeys stall": the shape of the funnel managers see (per origin
 * trust, specialty and week of listing) and the reporting weeks it is counted
 * in. Pure: the counting itself is SQL in db/funnel.ts; the weekly managers'
 * digest carries these shapes through the outbox to chat, which checks them
 * against the schemas here before showing a single number.
 */
import { z } from 'zod';
import { WITHDRAW_REASONS, type CaseState } from './journey-states';
import { WAIT_SUPPRESSION_REASONS } from './waits';

/** Reporting weeks start on Monday at midnight in England, whatever the server's time zone. */
export const REPORTING_TIME_ZONE = 'Europe/London';

/** States a case can leave, so a completed stay in them has a length. Final states have none. */
export const STAY_STATES = [
  'LISTED',
  'OPEN_FOR_OFFERS',
  'RELISTED',
  'CHOOSING',
  'AWAITING_APPROVAL',
  'APPROVED',
] as const satisfies readonly CaseState[];
export type StayState = (typeof STAY_STATES)[number];

/**
 * Why a move did not go ahead after offers: the patient declined every offer,
 * chose to stay with the local hospital, or a manager rejected the transfer
 * (which side). Free-text rejection reasons stay in the approvals table.
 */
export const DECLINE_REASONS = [
  'DECLINED_ALL',
  'STAYED_LOCAL',
  'ORIGIN_RELEASE_REJECTED',
  'RECEIVING_ACCEPTANCE_REJECTED',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * Which clock ran out, with nobody deciding: an offer window closed with no
 * offers; a live offer passed its validity; the patient's choice deadline
 * passed; the managers' approval deadline (and its grace) passed; a
 * patient-initiated case was not approved by its match deadline.
 */
export const TIMEOUT_KINDS = [
  'NO_OFFERS',
  'OFFER_EXPIRED',
  'CHOICE_LAPSED',
  'APPROVAL_LAPSED',
  'MATCH_DEADLINE',
] as const;
export type TimeoutKind = (typeof TIMEOUT_KINDS)[number];

export interface Breakdown<Reason extends string> {
  /** Cases with at least one of the reasons; a case may have several, so reasons can add up to more. */
  cases: number;
  reasons: Record<Reason, number>;
}

export interface Stay {
  /** The median of completed stays in the state, in hours. */
  medianHours: number;
  /** How many completed stays the median is taken over. */
  stays: number;
}

/**
 * How many cases reached each stage (at least once, in any round), so the
 * stages are not exclusive: a case declined in round 1 and transferred in
 * round 2 counts under both.
 */
export interface FunnelCounts {
  listed: number;
  /** At least one offer made. */
  offered: number;
  /** The patient accepted an offer. */
  chosen: number;
  /** Both managers approved (the case entered APPROVED). */
  approved: number;
  transferred: number;
  declined: Breakdown<DeclineReason>;
  timedOut: Breakdown<TimeoutKind>;
  /** Withdrawn by the origin trust, by the reason it gave. */
  withdrawn: Breakdown<(typeof WITHDRAW_REASONS)[number]>;
  /** Not yet transferred, withdrawn or closed. */
  inProgress: number;
  /** Completed stays per state; a state with none is absent. */
  timeInState: Partial<Record<StayState, Stay>>;
}

// ─── Validation of what travels through the outbox ────────────────────────────

const count = z.number().int().min(0);
const breakdown = <R extends string>(reasons: readonly [R, ...R[]]) =>
  z.object({ cases: count, reasons: z.record(z.enum(reasons), count) });

export const funnelCountsSchema = z.object({
  listed: count,
  offered: count,
  chosen: count,
  approved: count,
  transferred: count,
  declined: breakdown(DECLINE_REASONS),
  timedOut: breakdown(TIMEOUT_KINDS),
  withdrawn: breakdown(WITHDRAW_REASONS),
  inProgress: count,
  timeInState: z.partialRecord(
    z.enum(STAY_STATES),
    z.object({ medianHours: z.number().finite().min(0), stays: count.min(1) }),
  ),
}) satisfies z.ZodType<FunnelCounts>;

const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Treatment function codes are three characters (`110`, `X02`): nothing else passes. */
const specialtyCode = z.string().regex(/^[0-9A-Z]{3}$/);
const weeks = z.number().finite().min(0);

/**
 * One specialty in a trust's weekly digest: last week's funnel and today's waits, either may be absent. With
 * too few patients waiting the waits are the count and why there are no figures (domain/waits.ts).
 */
export const digestSpecialtySchema = z.object({
  specialtyCode,
  week: funnelCountsSchema.optional(),
  waits: z
    .union([
      z.object({ patients: count, meanWeeks: weeks, p92Weeks: weeks }),
      z.object({ patients: count, suppressed: z.enum(WAIT_SUPPRESSION_REASONS) }),
    ])
    .optional(),
});
export type DigestSpecialty = z.infer<typeof digestSpecialtySchema>;

/** A trust's weekly digest: aggregate figures only, no case references, nothing about a patient. */
export const weeklyDigestSchema = z.object({
  /** The Monday of the week whose listings the funnel follows. */
  weekStarting: calendarDate,
  /** The trust's funnel for that week, all specialties. */
  week: funnelCountsSchema,
  /** The trust's funnel for the longer period ending with that week, for stall points with numbers behind them. */
  period: z.object({ weeks: z.number().int().min(1), from: calendarDate, all: funnelCountsSchema }),
  /** The patient-initiated route over the same period; absent when nobody came that way. */
  patientInitiated: funnelCountsSchema.optional(),
  specialties: z.array(digestSpecialtySchema),
});
export type WeeklyDigest = z.infer<typeof weeklyDigestSchema>;

/** The notification's `data`: flat, as every notification's is, with the digest as one JSON field. */
export function weeklyDigestData(digest: WeeklyDigest): Record<string, string> {
  return { weekStarting: digest.weekStarting, digest: JSON.stringify(digest) };
}

/** The digest in a notification's `data`, checked field by field; undefined for anything else. */
export function readWeeklyDigest(data: Record<string, unknown>): WeeklyDigest | undefined {
  if (typeof data.digest !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.digest);
  } catch {
    return undefined;
  }
  const checked = weeklyDigestSchema.safeParse(parsed);
  return checked.success ? checked.data : undefined;
}

// ─── Reporting weeks ──────────────────────────────────────────────────────────

const DAY_MS = 86_400_000;

/** The calendar date (YYYY-MM-DD) of an instant in `timeZone`. */
export function zonedCalendarDate(at: Date, timeZone = REPORTING_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Minutes `timeZone` is ahead of UTC at an instant (60 in British Summer Time). */
function offsetMinutes(instant: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** The instant a calendar date (YYYY-MM-DD) begins in `timeZone`. */
export function zonedMidnight(date: string, timeZone = REPORTING_TIME_ZONE): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(utcMidnight)) throw new Error('Expected a YYYY-MM-DD date');
  const guess = utcMidnight - offsetMinutes(utcMidnight, timeZone) * 60_000;
  return new Date(utcMidnight - offsetMinutes(guess, timeZone) * 60_000);
}

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The Monday (YYYY-MM-DD) of the reporting week an instant falls in. */
export function weekStartingOf(at: Date): string {
  const date = zonedCalendarDate(at);
  const dayOfWeek = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((dayOfWeek + 6) % 7));
}

export interface ReportingWeek {
  weekStarting: string;
  /** Its first instant, inclusive. */
  from: Date;
  /** The next week's first instant, exclusive. */
  to: Date;
}

export function reportingWeek(weekStarting: string): ReportingWeek {
  return { weekStarting, from: zonedMidnight(weekStarting), to: zonedMidnight(addDays(weekStarting, 7)) };
}

/** The last complete reporting week before the one `at` falls in. */
export function previousReportingWeek(at: Date): ReportingWeek {
  return reportingWeek(addDays(weekStartingOf(at), -7));
}
