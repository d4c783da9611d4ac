/**
 * The bot's configuration: the HTTP server, Slack (HTTP or Socket Mode), the
 * patient-link secret and the directory file that seeds who is who. Slack is
 * on when SLACK_BOT_TOKEN is set; then everything it needs must be valid, and
 * each missing or wrong setting is named.
 */
import { z } from 'zod';
import { describeFieldErrors, validateWith } from '../domain/field-errors';
import { duration } from '../workflows/config';

const schema = z
  .object({
    HTTP_PORT: z.coerce
      .number({ error: 'HTTP_PORT must be a port number' })
      .int({ error: 'HTTP_PORT must be a port number' })
      .min(0, { error: 'HTTP_PORT must be from 0 to 65535' })
      .max(65535, { error: 'HTTP_PORT must be from 0 to 65535' })
      .default(3000),
    PUBLIC_BASE_URL: z
      .url({ error: 'PUBLIC_BASE_URL must be a URL such as https://mutual-aid.example.nhs.uk' })
      .optional(),
    PATIENT_LINK_SECRET: z.string().min(32, { error: 'PATIENT_LINK_SECRET must be at least 32 characters' }).optional(),
    PATIENT_LINK_TTL: duration('PATIENT_LINK_TTL', '7 days'),
    SLACK_BOT_TOKEN: z
      .string()
      .regex(/^xoxb-/, { error: 'SLACK_BOT_TOKEN must be a bot token (xoxb-…)' })
      .optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, { error: 'SLACK_APP_TOKEN must be an app-level token (xapp-…) for Socket Mode' })
      .optional(),
    SLACK_API_URL: z.url({ error: 'SLACK_API_URL must be a URL ending in /api/' }).optional(),
    CHAT_DIRECTORY_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'SLACK_SIGNING_SECRET is needed for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    if ((env.SLACK_APP_TOKEN || env.SLACK_SIGNING_SECRET) && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'SLACK_BOT_TOKEN is needed to use Slack' });
    }
  });

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
}

export interface BotConfig {
  httpPort: number;
  publicBaseUrl?: string;
  patientLink?: { secret: string; ttlMs: number };
  slack?: SlackConfig;
  directoryFile?: string;
}

export function loadBotConfig(env: Record<string, string | undefined> = process.env): BotConfig {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = validateWith(schema, blankless);
  if (!result.ok) throw new Error(`Invalid configuration: ${describeFieldErrors(result.errors)}`);
  const c = result.value;
  return {
    httpPort: c.HTTP_PORT,
    publicBaseUrl: c.PUBLIC_BASE_URL,
    patientLink: c.PATIENT_LINK_SECRET ? { secret: c.PATIENT_LINK_SECRET, ttlMs: c.PATIENT_LINK_TTL } : undefined,
    slack: c.SLACK_BOT_TOKEN
      ? {
          botToken: c.SLACK_BOT_TOKEN,
          signingSecret: c.SLACK_SIGNING_SECRET,
          appToken: c.SLACK_APP_TOKEN,
          apiUrl: c.SLACK_API_URL,
        }
      : undefined,
    directoryFile: c.CHAT_DIRECTORY_FILE,
  };
}
