/**
 * Everything a Teams end-to-end test needs: the journey environment (real
 * Temporal, real PostgreSQL) with the Teams notifier in its workers, the bot
 * server running the real teams-ai stack with app credentials on (so every
 * activity's JWT is validated against the fake's keys), a fake Bot Connector
 * that receives replies and proactive sends, the world's staff as Teams
 * users, and a channel per audience with the bot installed in it.
 */
import type { Db } from '../../../db/client';
import { linkChannel, linkChatUser } from '../../../db/chat-directory';
import { chatIdentities } from '../../../db/schema';
import { allNotifiers } from '../../../domain/notifications';
import { startBotServer, type BotServer } from '../../../bot/server';
import { createTeamsAdapter } from '../../../bot/teams/teams-app';
import { TeamsNotifier } from '../../../bot/teams/teams-notifier';
import type { JourneyPolicy } from '../../../workflows/contract';
import type { JourneyClient } from '../../../workflows/client';
import type { Org, World } from '../fixtures';
import { createJourneyEnv, FAST_POLICY, type JourneyEnv } from '../journey-env';
import {
  activitiesFor,
  channelConversation,
  conversationReferenceOf,
  personalConversation,
  TeamsRequester,
  teamsUser,
  type TeamsConversation,
  type TeamsUser,
} from './activities';
import {
  botAuthOptions,
  startFakeBotConnector,
  TEST_TENANT_ID,
  uuidFrom,
  type BotAuthOptions,
  type FakeBotConnector,
} from './fake-bot-connector';

export const PATIENT_LINK_SECRET = 'patient-link-secret-for-tests-only-0123456789';

type Staff = keyof Org['staff'];

export interface TeamsEnv {
  env: JourneyEnv;
  db: Db;
  world: World;
  journeys: JourneyClient;
  fake: FakeBotConnector;
  auth: BotAuthOptions;
  bot: BotServer;
  teams: TeamsRequester;
  /** Activity builders bound to the fake's serviceUrl, the bot and the tenant. */
  activities: ReturnType<typeof activitiesFor>;
  /** The Teams user of a member of staff. */
  user(org: Org, who: Staff): TeamsUser;
  admin: TeamsUser;
  stranger: TeamsUser;
  /** The channel each audience listens in. */
  channels: Record<
    'originTeam' | 'originManagers' | 'independentClinicians' | 'independentManagers' | 'nhsProviderClinicians',
    TeamsConversation
  >;
  /** A personal chat with a user (the bot installed there first, as Teams does). */
  personalChat(user: TeamsUser): Promise<TeamsConversation>;
  close(): Promise<void>;
}

export async function createTeamsEnv(options: { policy?: Partial<JourneyPolicy>; answerBudgetMs?: number } = {}) {
  const fake = await startFakeBotConnector({ requireAuth: true });
  const auth = botAuthOptions(fake);
  const settings = {
    appId: auth.appId,
    appPassword: auth.password,
    authOverrides: auth.config,
    credentialsFactory: auth.credentialsFactory,
  };
  const late: { db?: Db } = {};
  const env = await createJourneyEnv({
    notifier: (outbox) =>
      allNotifiers(
        outbox,
        new TeamsNotifier({ db: late.db!, adapter: createTeamsAdapter(settings), appId: auth.appId }),
      ),
  });
  const db = env.database.db;
  late.db = db;
  const { world } = env;
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
      teams: { appId: auth.appId, appPassword: auth.password, local: false },
      patientLink: { secret: PATIENT_LINK_SECRET, ttlMs: 3_600_000 },
      publicBaseUrl: 'https://mutual-aid.test.nhs.uk',
    },
    teams: {
      authOverrides: auth.config,
      credentialsFactory: auth.credentialsFactory,
      answerBudgetMs: options.answerBudgetMs,
    },
  });
  const teams = new TeamsRequester({
    url: `${bot.url}/api/messages`,
    token: () => fake.channelToken(auth.appId),
  });
  const activities = activitiesFor({
    serviceUrl: fake.serviceUrl,
    bot: { appId: auth.appId, name: 'Mutual Aid' },
    tenantId: TEST_TENANT_ID,
  });

  const users = new Map<string, TeamsUser>();
  const user = (org: Org, who: Staff): TeamsUser => {
    const key = `${org.ods}/${who}`;
    const found = users.get(key) ?? teamsUser(`${org.ods} ${who}`, { aadObjectId: uuidFrom(key) });
    users.set(key, found);
    return found;
  };
  for (const org of [world.origin, world.independent, world.nhsProvider]) {
    for (const who of ['clinician', 'manager', 'coordinator'] as const) {
      await db.insert(chatIdentities).values({
        personId: org.staff[who],
        platform: 'TEAMS',
        workspaceId: TEST_TENANT_ID,
        externalUserId: user(org, who).aadObjectId,
      });
    }
  }
  const admin = teamsUser('RR8 admin', { aadObjectId: uuidFrom('RR8/admin') });
  await linkChatUser(db, {
    platform: 'TEAMS',
    workspaceId: TEST_TENANT_ID,
    externalUserId: admin.aadObjectId,
    displayName: 'RR8 mutual-aid admin',
    organisationId: world.origin.id,
    roles: ['ADMIN'],
  });
  const stranger = teamsUser('Not linked', { aadObjectId: uuidFrom('stranger') });

  await env.startWorker();

  /** Installs the bot in a channel (Teams sends conversationUpdate) and links the channel to an audience. */
  const channel = async (name: string, organisationId: string, roles: ('CLINICIAN' | 'MANAGER' | 'COORDINATOR')[]) => {
    const conversation = channelConversation({ teamName: name });
    const installed = activities.conversationUpdateBotAdded({ conversation, from: admin });
    const response = await teams.post(installed);
    if (response.status !== 200) throw new Error(`Installing in ${name} answered ${response.status}`);
    for (const role of roles) {
      await linkChannel(db, {
        platform: 'TEAMS',
        workspaceId: TEST_TENANT_ID,
        channelId: conversation.id,
        audience: { organisationId, role },
        conversationReference: conversationReferenceOf(installed),
      });
    }
    return conversation;
  };
  const channels = {
    originTeam: await channel('Leeds mutual aid', world.origin.id, ['COORDINATOR', 'CLINICIAN']),
    originManagers: await channel('Leeds managers', world.origin.id, ['MANAGER']),
    independentClinicians: await channel('Nuffield York clinicians', world.independent.id, ['CLINICIAN']),
    independentManagers: await channel('Nuffield York managers', world.independent.id, ['MANAGER']),
    nhsProviderClinicians: await channel('Sheffield clinicians', world.nhsProvider.id, ['CLINICIAN']),
  };
  // The welcome cards the installs sent are not what tests look for.
  fake.reset();

  return {
    env,
    db,
    world,
    journeys,
    fake,
    auth,
    bot,
    teams,
    activities,
    user,
    admin,
    stranger,
    channels,
    async personalChat(who: TeamsUser) {
      const conversation = personalConversation();
      await teams.post(activities.conversationUpdateBotAdded({ conversation, from: who }));
      return conversation;
    },
    async close() {
      await bot.close();
      await env.close();
      await fake.close();
    },
  } satisfies TeamsEnv;
}
