/**
 * The bot's configuration: the HTTP server, Slack (HTTP or Socket Mode),
 * Teams (an Azure Bot's credentials, or local mode for the Agents
 * Playground), the patient-link secret and the directory file that seeds who
 * is who. Slack is on when SLACK_BOT_TOKEN is set, Teams when TEAMS_APP_ID is
 * (or TEAMS_LOCAL); each missing or wrong setting is named.
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
    // The patient's links and pages' addresses are this URL's origin and path (a reverse proxy's prefix), then theirs.
    PUBLIC_BASE_URL: z
      .url({
        protocol: /^https?$/,
        error: 'PUBLIC_BASE_URL must be a URL such as https://mutual-aid.example.nhs.uk (http or https)',
      })
      .refine((url) => !/[?#]/.test(url), {
        error:
          'PUBLIC_BASE_URL must have no query (?…) or fragment (#…): it is where the patient pages are, such as ' +
          'https://mutual-aid.example.nhs.uk or, behind a proxy, https://apps.trust.nhs.uk/mutual-aid',
      })
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
    TEAMS_APP_ID: z.uuid({ error: 'TEAMS_APP_ID must be the Azure Bot’s Microsoft App ID (a GUID)' }).optional(),
    TEAMS_APP_PASSWORD: z.string().min(1).optional(),
    TEAMS_APP_TYPE: z
      .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
        error: 'TEAMS_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI',
      })
      .optional(),
    TEAMS_APP_TENANT_ID: z.uuid({ error: 'TEAMS_APP_TENANT_ID must be a tenant id (a GUID)' }).optional(),
    TEAMS_LOCAL: z
      .enum(['true', 'false'], { error: 'TEAMS_LOCAL must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'SLACK_SIGNING_SECRET is needed for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    if (env.TEAMS_APP_ID && !env.TEAMS_APP_PASSWORD && env.TEAMS_APP_TYPE !== 'UserAssignedMSI') {
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_APP_PASSWORD'],
        message: 'TEAMS_APP_PASSWORD is needed with TEAMS_APP_ID',
      });
    }
    if (env.TEAMS_APP_TYPE === 'SingleTenant' && !env.TEAMS_APP_TENANT_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_APP_TENANT_ID'],
        message: 'TEAMS_APP_TENANT_ID is needed for a SingleTenant bot',
      });
    }
    if (env.TEAMS_APP_ID && env.TEAMS_LOCAL) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_LOCAL'],
        message: 'TEAMS_LOCAL (unauthenticated, for the Agents Playground) cannot be on with TEAMS_APP_ID',
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

export interface TeamsConfig {
  appId?: string;
  appPassword?: string;
  appType?: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
  /** No app id: activities are not authenticated. Only for the local Agents Playground. */
  local: boolean;
}

export interface BotConfig {
  httpPort: number;
  publicBaseUrl?: string;
  patientLink?: { secret: string; ttlMs: number };
  slack?: SlackConfig;
  directoryFile?: string;
  teams?: TeamsConfig;
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
    teams:
      c.TEAMS_APP_ID || c.TEAMS_LOCAL
        ? {
            appId: c.TEAMS_APP_ID,
            appPassword: c.TEAMS_APP_PASSWORD,
            appType: c.TEAMS_APP_TYPE,
            tenantId: c.TEAMS_APP_TENANT_ID,
            local: c.TEAMS_LOCAL,
          }
        : undefined,
  };
}
