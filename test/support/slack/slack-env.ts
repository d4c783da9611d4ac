/**
 * Everything a Slack end-to-end test needs: the journey environment (real
 * Temporal, real PostgreSQL) with the Slack notifier in its workers, the bot
 * server on a free port running the real Bolt stack, a fake Slack Web API
 * the bot and notifier talk to, a requester that signs requests exactly as
 * Slack does, and the test world's staff linked to Slack users and channels.
 * With `socketMode`, the bot connects to a fake Socket Mode server instead,
 * with an app-level token and no signing secret.
 */
import { retryPolicies, WebClient } from '@slack/web-api';
import { LogLevel } from '@slack/bolt';
import type { Db } from '../../../db/client';
import { linkChannel, linkChatUser } from '../../../db/chat-directory';
import { chatIdentities } from '../../../db/schema';
import { allNotifiers } from '../../../domain/notifications';
import { startBotServer, type BotServer } from '../../../bot/server';
import { notifierClientOptions, SlackNotifier } from '../../../bot/slack/slack-notifier';
import type { JourneyPolicy } from '../../../workflows/contract';
import type { JourneyClient } from '../../../workflows/client';
import type { Org, World } from '../fixtures';
import { DEFAULT_ELIGIBILITY } from '../../../domain/patient-initiated';
import { createJourneyEnv, FAST_POLICY, type JourneyEnv, type JourneyEnvOptions } from '../journey-env';
import { startFakeSlack, type FakeSlack } from './fake-slack';
import { startFakeSocketMode, type FakeSocketMode } from './fake-socket-mode';
import { SlackRequester } from './signed-requests';

export const TEAM_ID = 'T0MUTUAL';
export const SIGNING_SECRET = 'test-signing-secret-8f2b1c9d4e7a';
export const BOT_TOKEN = 'xoxb-test-bot-token';
/** The app-level token the bot opens Socket Mode with (`socketMode: true`). */
export const APP_TOKEN = 'xapp-1-A0MUTUAL-1-test-app-token';
export const PATIENT_LINK_SECRET = 'patient-link-secret-for-tests-only-0123456789';

/** Slack user id of a member of staff: `U` + ODS + role, e.g. `URR8COORDINATOR`. */
export const slackUser = (org: Org, who: keyof Org['staff']): string => `U${org.ods}${who.toUpperCase()}`;

/** The channels the world's audiences listen in. */
export const CHANNELS = {
  originTeam: 'CRR8TEAM',
  originManagers: 'CRR8MANAGERS',
  independentClinicians: 'CNT2CLINICIANS',
  independentManagers: 'CNT2MANAGERS',
  nhsProviderClinicians: 'CRHQCLINICIANS',
  nhsProviderManagers: 'CRHQMANAGERS',
  escalation: 'CNEYESCALATION',
} as const;

export const ADMIN_USER = 'URR8ADMIN';
export const STRANGER_USER = 'UNOBODY';

export interface SlackEnv {
  env: JourneyEnv;
  db: Db;
  world: World;
  journeys: JourneyClient;
  fake: FakeSlack;
  bot: BotServer;
  /** Signed HTTP requests to `/slack/events` (which does not exist in Socket Mode). */
  slack: SlackRequester;
  /** Socket Mode only: the Slack end of the bot's WebSocket. */
  socket?: FakeSocketMode;
  close(): Promise<void>;
}

export interface SlackEnvOptions extends Pick<JourneyEnvOptions, 'notifications'> {
  policy?: Partial<JourneyPolicy>;
  ackBudgetMs?: number;
  /** How many submissions in flight make the bot busy (`SlackAppOptions.busyWithSubmissions`). */
  busyWithSubmissions?: number;
  /** Links the world's channels (default true). */
  channels?: boolean;
  /** Runs the bot over Socket Mode against a fake socket server instead of over HTTP (default false). */
  socketMode?: boolean;
  /** The notifier's WebClient gives up on a request after this long (`timeout`); by default it waits. */
  requestTimeoutMs?: number;
  /**
   * The notifier's WebClient configured as a worker configures it (`notifierClientOptions`: its request
   * timeout, retries and 429 handling), instead of the tests' quick retries (`requestTimeoutMs` is ignored).
   */
  workerClient?: boolean;
}

export async function createSlackEnv(options: SlackEnvOptions = {}): Promise<SlackEnv> {
  const socket = options.socketMode ? await startFakeSocketMode({ appId: 'A0MUTUAL' }) : undefined;
  const fake = await startFakeSlack({ teamId: TEAM_ID, socketModeUrl: socket?.url });
  const quick = { ...retryPolicies.rapidRetryPolicy };
  // The workers start after the environment exists, so the notifier reads the database from here.
  const late: { db?: Db } = {};
  const env = await createJourneyEnv({
    notifications: options.notifications,
    notifier: (outbox) =>
      allNotifiers(
        outbox,
        new SlackNotifier({
          db: late.db!,
          client: new WebClient(
            BOT_TOKEN,
            options.workerClient
              ? { ...notifierClientOptions(fake.url), logLevel: LogLevel.ERROR }
              : {
                  slackApiUrl: fake.url,
                  retryConfig: quick,
                  ...(options.requestTimeoutMs ? { timeout: options.requestTimeoutMs } : {}),
                },
          ),
        }),
      ),
  });
  const db = env.database.db;
  late.db = db;
  const { world } = env;
  await linkWorld(db, world, options.channels ?? true);
  const policy = { ...FAST_POLICY, ...options.policy };
  const journeys = env.journeys(policy);
  const bot = await startBotServer({
    db,
    journeys,
    capacity: env.capacity(),
    policy,
    host: '127.0.0.1',
    config: {
      httpPort: 0,
      slack: socket
        ? { botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: fake.url }
        : { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: fake.url },
      patientLink: { secret: PATIENT_LINK_SECRET, ttlMs: 3_600_000 },
      publicBaseUrl: 'https://mutual-aid.test.nhs.uk',
    },
    slack: {
      botUserId: 'UBOT',
      retryConfig: quick,
      logLevel: LogLevel.ERROR,
      ackBudgetMs: options.ackBudgetMs,
      busyWithSubmissions: options.busyWithSubmissions,
    },
    patientInitiated: {
      client: env.client,
      taskQueue: env.taskQueue,
      journeyPolicy: policy,
      policy: { regionalForMs: 60_000, matchWithinMs: 600_000, decideReminderMs: 600_000 },
      rules: DEFAULT_ELIGIBILITY,
      invitationTtlMs: 3_600_000,
    },
  });
  const slack = new SlackRequester({
    url: `${bot.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    teamId: TEAM_ID,
    responseUrlFor: (id) => fake.responseUrl(id),
  });
  await env.startWorker();
  return {
    env,
    db,
    world,
    journeys,
    fake,
    bot,
    slack,
    ...(socket ? { socket } : {}),
    async close() {
      await bot.close();
      try {
        // Bolt's stop() returns before the close handshake: wait for the app to close its socket itself.
        await socket?.waitForDisconnect();
      } finally {
        await env.close();
        await fake.close();
        await socket?.close();
      }
    },
  };
}

async function linkWorld(db: Db, world: World, channels: boolean): Promise<void> {
  const orgs = [world.origin, world.independent, world.nhsProvider];
  for (const org of orgs) {
    for (const who of ['clinician', 'manager', 'coordinator'] as const) {
      await db.insert(chatIdentities).values({
        personId: org.staff[who],
        platform: 'SLACK',
        workspaceId: TEAM_ID,
        externalUserId: slackUser(org, who),
      });
    }
  }
  await linkChatUser(db, {
    platform: 'SLACK',
    workspaceId: TEAM_ID,
    externalUserId: ADMIN_USER,
    displayName: 'RR8 mutual-aid admin',
    organisationId: world.origin.id,
    roles: ['ADMIN'],
  });
  if (!channels) return;
  const link = (channelId: string, organisationId: string, role: 'CLINICIAN' | 'MANAGER' | 'COORDINATOR') =>
    linkChannel(db, { platform: 'SLACK', workspaceId: TEAM_ID, channelId, audience: { organisationId, role } });
  await link(CHANNELS.originTeam, world.origin.id, 'COORDINATOR');
  await link(CHANNELS.originTeam, world.origin.id, 'CLINICIAN');
  await link(CHANNELS.originManagers, world.origin.id, 'MANAGER');
  await link(CHANNELS.independentClinicians, world.independent.id, 'CLINICIAN');
  await link(CHANNELS.independentManagers, world.independent.id, 'MANAGER');
  await link(CHANNELS.nhsProviderClinicians, world.nhsProvider.id, 'CLINICIAN');
  await link(CHANNELS.nhsProviderManagers, world.nhsProvider.id, 'MANAGER');
  await linkChannel(db, {
    platform: 'SLACK',
    workspaceId: TEAM_ID,
    channelId: CHANNELS.escalation,
    audience: { region: 'NORTH_EAST_AND_YORKSHIRE' },
  });
}
