/**
 * The operator API over real HTTP: the bot's server (with the API mounted at
 * /api/v1) in front of a real journey environment, keys issued for the test
 * world's staff, and a `call` that checks every answer against the schema
 * the OpenAPI document promises for that route and status, and keeps every
 * body it saw for the privacy check.
 */
import { expect } from 'vitest';
import { issueApiKey } from '../../api/api-keys';
import type { AnyRoute } from '../../api/route';
import { ROUTE_GROUPS } from '../../api/routes';
import { ErrorSchema } from '../../api/schemas';
import { loadBotConfig } from '../../bot/config';
import { startBotServer, type BotServer, type BotServerDeps } from '../../bot/server';
import { DEFAULT_ELIGIBILITY } from '../../domain/patient-initiated';
import type { JourneyClient } from '../../workflows/client';
import type { JourneyPolicy } from '../../workflows/contract';
import type { Org } from '../support/fixtures';
import { FAST_POLICY, createJourneyEnv, type JourneyEnv } from '../support/journey-env';

/** Long enough that a case stays open for offers for the whole test. */
export const API_POLICY: Partial<JourneyPolicy> = { offerWindowMs: 10 * 60_000, maxOfferValidityMs: 20 * 60_000 };

export type Staff = keyof Org['staff'];

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as it is: malformed bodies, CSV uploads, bytes in another encoding. */
  rawBody?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** Another server to call (its base URL), such as one started without PATIENT_LINK_SECRET. */
  server?: string;
}

export interface ApiEnvOptions {
  /**
   * Patient-initiated requests on: the server gets a PATIENT_LINK_SECRET and
   * the requests' settings (short, for the dev server), so `bot.patientRequests` exists.
   */
  patientRequests?: boolean;
}

/** The PATIENT_LINK_SECRET of an ApiEnv with patient requests on. */
export const PATIENT_LINK_SECRET = 'an-api-test-secret-long-enough-for-hmac-signing';

export interface ApiEnv {
  env: JourneyEnv;
  bot: BotServer;
  journeys: JourneyClient;
  /** Every response body seen, for the privacy check. */
  seen: string[];
  keyFor(org: Org, who: Staff): Promise<string>;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: CallOptions): Promise<ApiAnswer>;
  close(): Promise<void>;
}

const ROUTES: { route: AnyRoute; pattern: RegExp }[] = ROUTE_GROUPS.flatMap((group) =>
  group.routes.map((route) => ({
    route,
    pattern: new RegExp(`^/api/v1${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  })),
);

/** The documented shape of this answer: the route's own schema for the status, or the Error shape. */
function expectDocumented(method: string, path: string, answer: ApiAnswer): void {
  const pathOnly = path.split('?')[0]!;
  const found = ROUTES.find((r) => r.route.method === method.toLowerCase() && r.pattern.test(pathOnly));
  const schema = found?.route.responses[answer.status]?.schema ?? (answer.status >= 400 ? ErrorSchema : undefined);
  if (!schema) {
    if (found) expect.fail(`${method} ${pathOnly} answered ${answer.status}, which its route does not document`);
    return;
  }
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) {
    expect.fail(`${method} ${pathOnly} ${answer.status} does not match its documented schema: ${parsed.error.message}`);
  }
}

export async function startApiEnv(
  policy: Partial<JourneyPolicy> = API_POLICY,
  options: ApiEnvOptions = {},
): Promise<ApiEnv> {
  const env = await createJourneyEnv();
  await env.startWorker();
  const fullPolicy = { ...FAST_POLICY, ...policy };
  const journeys = env.journeys(fullPolicy);
  const patientInitiated: BotServerDeps['patientInitiated'] = options.patientRequests
    ? {
        client: env.client,
        taskQueue: env.taskQueue,
        journeyPolicy: fullPolicy,
        policy: { regionalForMs: 60_000, matchWithinMs: 300_000, decideReminderMs: 60_000 },
        rules: DEFAULT_ELIGIBILITY,
        invitationTtlMs: 7 * 86_400_000,
      }
    : undefined;
  const bot = await startBotServer({
    db: env.database.db,
    journeys,
    capacity: env.capacity(),
    policy: fullPolicy,
    host: '127.0.0.1',
    config: options.patientRequests ? loadBotConfig({ HTTP_PORT: '0', PATIENT_LINK_SECRET }) : { httpPort: 0 },
    patientInitiated,
  });
  const keys = new Map<string, string>();
  const seen: string[] = [];
  return {
    env,
    bot,
    journeys,
    seen,
    async keyFor(org, who) {
      const name = `${org.ods}/${who}`;
      const existing = keys.get(name);
      if (existing) return existing;
      const issued = await issueApiKey(env.database.db, {
        organisationOds: org.ods,
        person: org.staff[who],
        label: `test ${name}`,
        channel: 'CLI',
      });
      keys.set(name, issued.key);
      return issued.key;
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      let body: string | Uint8Array | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const response = await fetch(`${options.server ?? bot.url}${path}`, { method, headers, body });
      const text = await response.text();
      seen.push(text);
      const answer: ApiAnswer = {
        status: response.status,
        headers: response.headers,
        text,
        body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined,
      };
      expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
      expectDocumented(method, path, answer);
      return answer;
    },
    async close() {
      await bot.close();
      await env.close();
    },
  };
}

/** The answer's body, as the test expects it to be shaped. */
export function bodyOf<T = Record<string, unknown>>(answer: ApiAnswer): T {
  return answer.body as T;
}
