/**
 * Configuration, read and validated once in a composition root (worker, bot,
 * `npm start`) and passed down. Durations are written the way people say
 * them (`14 days`, `36h`, `5s`); a bad value stops start-up with the name of
 * the variable and what is wrong.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { describeFieldErrors, validateWith } from '../domain/field-errors';
import type { JourneyPolicy } from './contract';
import { JOURNEY_TASK_QUEUE } from './contract';

const duration = (name: string, fallback: string) =>
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
});

export interface AppConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  databaseUrl?: string;
  journeyPolicy: JourneyPolicy;
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
  };
}
