/**
 * Everything `npm start` is told, read once from the environment and the
 * command line and validated; start-up is handed this object and nothing
 * below it reads `process.env`.
 *
 * The journey policy comes from workflows/config.ts (the JOURNEY_* variables),
 * with demo defaults in seconds to minutes filled in only where a variable is
 * unset, so a person watching sees journeys move.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { describeFieldErrors, validateWith } from '../../domain/field-errors';
import type { JourneyPolicy } from '../../workflows/contract';
import {
  loadConfig,
  type AppConfig,
  type EscalationSettings,
  type NotificationSettings,
  type PatientInitiatedSettings,
  type WeeklyDigestSettings,
} from '../../workflows/config';
import { statePaths, type StatePaths } from './state-dir';

type Env = Record<string, string | undefined>;

/** Short enough to watch, long enough to read: the demo's journey timings. */
export const DEMO_JOURNEY_DEFAULTS = {
  JOURNEY_OFFER_WINDOW: '15s',
  JOURNEY_MAX_OFFER_VALIDITY: '10m',
  JOURNEY_CHOICE_WINDOW: '10m',
  JOURNEY_APPROVAL_WINDOW: '10m',
  JOURNEY_APPROVAL_GRACE: '1m',
  JOURNEY_TRANSFER_WINDOW: '5m',
  JOURNEY_REMINDER_BEFORE: '5s',
  JOURNEY_MAX_ROUNDS: '3',
  JOURNEY_ON_NO_OFFERS: 'RELIST',
} as const;

export type TemporalTarget =
  { mode: 'embedded'; port: number; uiPort: number; dbFile: string } | { mode: 'external'; address: string };

export interface StartOptions {
  once: boolean;
  paths: StatePaths;
  /** Set: use this database (migrated on start); unset: the embedded cluster in `paths.postgresDir`. */
  databaseUrl?: string;
  temporal: TemporalTarget & { namespace: string; taskQueue: string };
  policy: JourneyPolicy;
  /** Digest batching, pacing and rate (the NOTIFY_* variables). */
  notifications: NotificationSettings;
  /** The daily escalation digest (STALLED_AFTER, ESCALATION_DIGEST_*). */
  escalation: EscalationSettings;
  /** The weekly managers' digest (WEEKLY_DIGEST_AT). */
  weeklyDigest: WeeklyDigestSettings;
  /** Patient-initiated requests: eligibility rules and timings (the PATIENT_INITIATED_* variables). */
  patientInitiated: PatientInitiatedSettings;
  /** Pause between the demo's actions. */
  pauseMs: number;
  /** The Agents Playground (a local Teams client), unless real Teams credentials are set or PLAYGROUND=off. */
  playground?: { port: number };
}

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int({ error: `${name} must be a whole number` })
    .min(1, { error: `${name} must be from 1 to 65535` })
    .max(65535, { error: `${name} must be from 1 to 65535` })
    .default(fallback);

const startSchema = z.object({
  TEMPORAL_PORT: port('TEMPORAL_PORT', 7233),
  TEMPORAL_UI_PORT: port('TEMPORAL_UI_PORT', 8233),
  PLAYGROUND_PORT: port('PLAYGROUND_PORT', 56150),
  PLAYGROUND: z.enum(['on', 'off'], { error: 'PLAYGROUND must be on or off' }).default('on'),
  MUTUAL_AID_ONCE: z.enum(['', '0', '1', 'true', 'false'], { error: 'MUTUAL_AID_ONCE must be 1 or 0' }).default(''),
  MUTUAL_AID_DEMO_PAUSE: z
    .string()
    .default('1.5s')
    .transform((value, ctx) => {
      try {
        const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
        if (Number.isFinite(ms) && ms >= 0) return ms;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'MUTUAL_AID_DEMO_PAUSE must be a duration such as "1.5s"' });
      return z.NEVER;
    }),
});

export const USAGE = 'Usage: npm start [-- --once]   (--once: exit after the demo; same as MUTUAL_AID_ONCE=1)';

/** Fills the demo's journey timings into a copy of `env`, never overriding what is set. */
export function withDemoDefaults(env: Env): Env {
  const filled: Env = { ...env };
  for (const [name, value] of Object.entries(DEMO_JOURNEY_DEFAULTS)) {
    if (filled[name] === undefined || filled[name] === '') filled[name] = value;
  }
  return filled;
}

export function readStartOptions(env: Env, argv: string[], machine: { repoRoot: string; uid: number }): StartOptions {
  const unknown = argv.filter((arg) => arg !== '--once');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown.join(' ')}. ${USAGE}`);
  const parsed = validateWith(startSchema, env);
  // Both sets of settings are checked before refusing, so every bad setting is named at once.
  let config: AppConfig | undefined;
  let configProblem = '';
  try {
    config = loadConfig(withDemoDefaults(env));
  } catch (error) {
    configProblem = (error as Error).message.replace(/^Invalid configuration: /, '');
  }
  if (!parsed.ok || !config) {
    const problems = [parsed.ok ? '' : describeFieldErrors(parsed.errors), configProblem].filter(Boolean);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const paths = statePaths(machine.repoRoot, machine.uid);
  const { namespace, taskQueue } = config.temporal;
  const target: TemporalTarget =
    env.TEMPORAL_ADDRESS !== undefined && env.TEMPORAL_ADDRESS !== ''
      ? { mode: 'external', address: config.temporal.address }
      : {
          mode: 'embedded',
          port: parsed.value.TEMPORAL_PORT,
          uiPort: parsed.value.TEMPORAL_UI_PORT,
          dbFile: paths.temporalDbFile,
        };
  if (target.mode === 'embedded' && target.port === target.uiPort) {
    throw new Error('Invalid configuration: TEMPORAL_PORT and TEMPORAL_UI_PORT must differ');
  }
  return {
    once: argv.includes('--once') || ['1', 'true'].includes(parsed.value.MUTUAL_AID_ONCE),
    paths,
    databaseUrl: config.databaseUrl,
    temporal: { ...target, namespace, taskQueue },
    policy: config.journeyPolicy,
    notifications: config.notifications,
    escalation: config.escalation,
    weeklyDigest: config.weeklyDigest,
    patientInitiated: config.patientInitiated,
    pauseMs: parsed.value.MUTUAL_AID_DEMO_PAUSE,
    playground:
      parsed.value.PLAYGROUND === 'on' && !env.TEAMS_APP_ID ? { port: parsed.value.PLAYGROUND_PORT } : undefined,
  };
}
