/**
 * Configuration, read and validated once in a composition root (worker, bot,
 * `npm start`) and passed down. Durations are written the way people say
 * them (`14 days`, `36h`, `5s`); a bad value stops start-up with the name of
 * the variable and what is wrong.
 */
import { existsSync } from 'node:fs';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { describeFieldErrors, validateWith } from '../domain/field-errors';
import { REPORTING_TIME_ZONE } from '../domain/funnel';
import { DEFAULT_NOTIFY_MAX_ATTEMPTS } from './activities/notify-activities';
import { DEFAULT_ELIGIBILITY, type EligibilityRules } from '../domain/patient-initiated';
import type { DigestSettings, JourneyPolicy, PatientInitiatedPolicy } from './contract';
import { JOURNEY_TASK_QUEUE, NOTIFICATIONS_TASK_QUEUE } from './contract';

export const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
        if (Number.isFinite(ms) && ms > 0) return ms;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: `${name} must be a duration such as "14 days" or "36h"` });
      return z.NEVER;
    });

const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(JOURNEY_TASK_QUEUE),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' })
    .optional(),
  JOURNEY_OFFER_WINDOW: duration('JOURNEY_OFFER_WINDOW', '14 days'),
  JOURNEY_MAX_OFFER_VALIDITY: duration('JOURNEY_MAX_OFFER_VALIDITY', '21 days'),
  JOURNEY_CHOICE_WINDOW: duration('JOURNEY_CHOICE_WINDOW', '7 days'),
  JOURNEY_APPROVAL_WINDOW: duration('JOURNEY_APPROVAL_WINDOW', '3 days'),
  JOURNEY_APPROVAL_GRACE: duration('JOURNEY_APPROVAL_GRACE', '4 days'),
  JOURNEY_TRANSFER_WINDOW: duration('JOURNEY_TRANSFER_WINDOW', '42 days'),
  JOURNEY_REMINDER_BEFORE: duration('JOURNEY_REMINDER_BEFORE', '2 days'),
  JOURNEY_MAX_ROUNDS: z.coerce
    .number()
    .int()
    .min(1, { error: 'JOURNEY_MAX_ROUNDS must be at least 1' })
    .max(10, { error: 'JOURNEY_MAX_ROUNDS must be at most 10' })
    .default(3),
  JOURNEY_ON_NO_OFFERS: z
    .enum(['RELIST', 'CLOSE'], { error: 'JOURNEY_ON_NO_OFFERS must be RELIST or CLOSE' })
    .default('RELIST'),
  NOTIFY_TASK_QUEUE: z.string().min(1).default(NOTIFICATIONS_TASK_QUEUE),
  NOTIFY_DIGEST_WINDOW: duration('NOTIFY_DIGEST_WINDOW', '15 minutes'),
  NOTIFY_CHANNEL_INTERVAL: duration('NOTIFY_CHANNEL_INTERVAL', '1s'),
  NOTIFY_MAX_PER_SECOND: z.coerce
    .number({ error: 'NOTIFY_MAX_PER_SECOND must be a number' })
    .positive({ error: 'NOTIFY_MAX_PER_SECOND must be more than 0' })
    .max(1000, { error: 'NOTIFY_MAX_PER_SECOND must be at most 1000' })
    .default(20),
  NOTIFY_MAX_ATTEMPTS: z.coerce
    .number({ error: 'NOTIFY_MAX_ATTEMPTS must be a number' })
    .int({ error: 'NOTIFY_MAX_ATTEMPTS must be a whole number' })
    .min(1, { error: 'NOTIFY_MAX_ATTEMPTS must be at least 1' })
    .max(1000, { error: 'NOTIFY_MAX_ATTEMPTS must be at most 1000' })
    .default(DEFAULT_NOTIFY_MAX_ATTEMPTS),
  STALLED_AFTER: duration('STALLED_AFTER', '7 days'),
  ESCALATION_DIGEST_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'ESCALATION_DIGEST_AT must be a time such as 07:00' })
    .default('07:00'),
  ESCALATION_DIGEST_TIMEZONE: z
    .string()
    .refine(isTimeZone, { error: 'ESCALATION_DIGEST_TIMEZONE must be an IANA time zone such as Europe/London' })
    .default('Europe/London'),
  PATIENT_INITIATED_MIN_WEEKS: z.coerce
    .number({ error: 'PATIENT_INITIATED_MIN_WEEKS must be a number of weeks' })
    .int({ error: 'PATIENT_INITIATED_MIN_WEEKS must be a whole number of weeks' })
    .min(0, { error: 'PATIENT_INITIATED_MIN_WEEKS must be 0 or more' })
    .max(104, { error: 'PATIENT_INITIATED_MIN_WEEKS must be at most 104' })
    .default(DEFAULT_ELIGIBILITY.minWeeksWaiting),
  PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS: z.coerce
    .number({ error: 'PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS must be a number of weeks' })
    .int({ error: 'PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS must be a whole number of weeks' })
    .min(0, { error: 'PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS must be 0 or more' })
    .max(52, { error: 'PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS must be at most 52' })
    .default(DEFAULT_ELIGIBILITY.noDateWithinWeeks),
  PATIENT_INITIATED_MIN_AGE: z.coerce
    .number({ error: 'PATIENT_INITIATED_MIN_AGE must be an age in years' })
    .int({ error: 'PATIENT_INITIATED_MIN_AGE must be a whole number of years' })
    .min(0, { error: 'PATIENT_INITIATED_MIN_AGE must be 0 or more' })
    .max(120, { error: 'PATIENT_INITIATED_MIN_AGE must be at most 120' })
    .default(DEFAULT_ELIGIBILITY.minAge),
  PATIENT_INITIATED_EXCLUDE_TERTIARY: z
    .enum(['true', 'false'], { error: 'PATIENT_INITIATED_EXCLUDE_TERTIARY must be true or false' })
    .default(DEFAULT_ELIGIBILITY.excludeTertiaryReferrals ? 'true' : 'false')
    .transform((value) => value === 'true'),
  PATIENT_INITIATED_REGIONAL_FOR: duration('PATIENT_INITIATED_REGIONAL_FOR', '14 days'),
  PATIENT_INITIATED_MATCH_WITHIN: duration('PATIENT_INITIATED_MATCH_WITHIN', '56 days'),
  PATIENT_INITIATED_DECIDE_REMINDER: duration('PATIENT_INITIATED_DECIDE_REMINDER', '5 days'),
  PATIENT_INITIATED_INVITATION_TTL: duration('PATIENT_INITIATED_INVITATION_TTL', '28 days'),
  WEEKLY_DIGEST_AT: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):[0-5]\d$/, {
      error: 'WEEKLY_DIGEST_AT must be a day and time such as MON 08:00',
    })
    .default('MON 08:00'),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How notifications are batched and paced (Slack: about one message a second per channel). */
export interface NotificationSettings extends DigestSettings {
  /** Temporal's task-queue rate limit for notification sends, across all workers. */
  maxPerSecond: number;
  /** The notify step's attempts before a chat target still failing gets a dead letter. */
  maxAttempts: number;
}

export interface EscalationSettings {
  stalledAfterMs: number;
  /** Local time of the daily digest. */
  hour: number;
  minute: number;
  timezone: string;
}

const DAYS_OF_WEEK = {
  MON: 'MONDAY',
  TUE: 'TUESDAY',
  WED: 'WEDNESDAY',
  THU: 'THURSDAY',
  FRI: 'FRIDAY',
  SAT: 'SATURDAY',
  SUN: 'SUNDAY',
} as const;

/** When the weekly managers' digest goes out: a day and local time in England, where its weeks are counted. */
export interface WeeklyDigestSettings {
  dayOfWeek: (typeof DAYS_OF_WEEK)[keyof typeof DAYS_OF_WEEK];
  hour: number;
  minute: number;
  timezone: string;
}

/** Patient-initiated mutual aid: who may ask, and how a request moves. */
export interface PatientInitiatedSettings {
  rules: EligibilityRules;
  policy: PatientInitiatedPolicy;
  invitationTtlMs: number;
}

export interface AppConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  databaseUrl?: string;
  journeyPolicy: JourneyPolicy;
  notifications: NotificationSettings;
  escalation: EscalationSettings;
  patientInitiated: PatientInitiatedSettings;
  weeklyDigest: WeeklyDigestSettings;
}

/** Reads `.env` into the environment when there is one; variables already set win. */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const result = validateWith(configSchema, env);
  if (!result.ok) throw new Error(`Invalid configuration: ${describeFieldErrors(result.errors)}`);
  const c = result.value;
  return {
    temporal: { address: c.TEMPORAL_ADDRESS, namespace: c.TEMPORAL_NAMESPACE, taskQueue: c.TEMPORAL_TASK_QUEUE },
    databaseUrl: c.DATABASE_URL,
    journeyPolicy: {
      offerWindowMs: c.JOURNEY_OFFER_WINDOW,
      maxOfferValidityMs: c.JOURNEY_MAX_OFFER_VALIDITY,
      choiceWindowMs: c.JOURNEY_CHOICE_WINDOW,
      approvalWindowMs: c.JOURNEY_APPROVAL_WINDOW,
      approvalGraceMs: c.JOURNEY_APPROVAL_GRACE,
      transferWindowMs: c.JOURNEY_TRANSFER_WINDOW,
      reminderBeforeMs: c.JOURNEY_REMINDER_BEFORE,
      maxRounds: c.JOURNEY_MAX_ROUNDS,
      onNoOffers: c.JOURNEY_ON_NO_OFFERS,
    },
    notifications: {
      notificationsTaskQueue: c.NOTIFY_TASK_QUEUE,
      windowMs: c.NOTIFY_DIGEST_WINDOW,
      channelIntervalMs: c.NOTIFY_CHANNEL_INTERVAL,
      maxPerSecond: c.NOTIFY_MAX_PER_SECOND,
      maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
    },
    escalation: {
      stalledAfterMs: c.STALLED_AFTER,
      hour: Number(c.ESCALATION_DIGEST_AT.slice(0, 2)),
      minute: Number(c.ESCALATION_DIGEST_AT.slice(3, 5)),
      timezone: c.ESCALATION_DIGEST_TIMEZONE,
    },
    patientInitiated: {
      rules: {
        minWeeksWaiting: c.PATIENT_INITIATED_MIN_WEEKS,
        noDateWithinWeeks: c.PATIENT_INITIATED_NO_DATE_WITHIN_WEEKS,
        minAge: c.PATIENT_INITIATED_MIN_AGE,
        excludeTertiaryReferrals: c.PATIENT_INITIATED_EXCLUDE_TERTIARY,
      },
      policy: {
        regionalForMs: c.PATIENT_INITIATED_REGIONAL_FOR,
        matchWithinMs: c.PATIENT_INITIATED_MATCH_WITHIN,
        decideReminderMs: c.PATIENT_INITIATED_DECIDE_REMINDER,
      },
      invitationTtlMs: c.PATIENT_INITIATED_INVITATION_TTL,
    },
    weeklyDigest: {
      dayOfWeek: DAYS_OF_WEEK[c.WEEKLY_DIGEST_AT.slice(0, 3) as keyof typeof DAYS_OF_WEEK],
      hour: Number(c.WEEKLY_DIGEST_AT.slice(4, 6)),
      minute: Number(c.WEEKLY_DIGEST_AT.slice(7, 9)),
      timezone: REPORTING_TIME_ZONE,
    },
  };
}
