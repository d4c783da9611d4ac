/**
 * Proves the Teams test harness against the real teams-ai stack: a minimal
 * `Application` on a `TeamsAdapter` behind express, fed Teams-shaped
 * activities, answering through the fake Bot Connector. Covers the
 * unauthenticated (Playground) mode, real JWT validation against the fake's
 * OpenID keys with outgoing tokens from its token endpoint, and what
 * botbuilder's ConnectorClient does on 429 and 5xx answers.
 */
import { once } from 'node:events';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Application, TeamsAdapter, type AdaptiveCard } from '@microsoft/teams-ai';
import { MemoryStorage, TeamsInfo } from 'botbuilder';
import express from 'express';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  activitiesFor,
  adaptiveCardAction,
  channelConversation,
  conversationReferenceOf,
  message,
  personalConversation,
  TeamsRequester,
  teamsUser,
} from '../support/teams/activities';
import {
  botAuthOptions,
  startFakeBotConnector,
  TEST_BOT_APP_ID,
  TEST_BOT_PASSWORD,
  TEST_TENANT_ID,
  type BotAuthOptions,
  type FakeBotConnector,
} from '../support/teams/fake-bot-connector';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

interface TestBot {
  url: string;
  adapter: TeamsAdapter;
  /** Errors thrown out of `app.run` (what CloudAdapter turns into HTTP 500). */
  errors: unknown[];
  close(): Promise<void>;
}

function pongCard(data: Record<string, unknown>): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text: `PONG ${String(data.n)}` }],
  };
}

/** The minimal bot: echoes messages and answers `Action.Execute` verb PING with a card. */
async function startTestBot(adapter: TeamsAdapter, botAppId = ''): Promise<TestBot> {
  const errors: unknown[] = [];
  const app = new Application({ adapter, botAppId, storage: new MemoryStorage() });
  app.message(/.*/, async (context) => {
    await context.sendActivity(`echo: ${context.activity.text}`);
  });
  app.adaptiveCards.actionExecute<Record<string, unknown>>('PING', (_context, _state, data) =>
    Promise.resolve(pongCard(data)),
  );
  const web = express();
  web.use(express.json());
  web.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      try {
        await app.run(context);
      } catch (error) {
        errors.push(error);
        throw error;
      }
    });
  });
  const server: Server = web.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    adapter,
    errors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

let fake: FakeBotConnector;

beforeAll(async () => {
  fake = await startFakeBotConnector();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

describe('unauthenticated bot (no app id, as in the local Playground)', () => {
  let bot: TestBot;
  let requester: TeamsRequester;
  const user = teamsUser('Alice Example');
  const teams = () => activitiesFor({ serviceUrl: fake.serviceUrl, bot: { appId: 'playground-bot' }, from: user });

  beforeAll(async () => {
    bot = await startTestBot(new TeamsAdapter({}));
    requester = new TeamsRequester({ url: bot.url });
  });

  afterAll(async () => {
    await bot.close();
  });

  afterEach(() => {
    bot.errors.length = 0;
  });

  it('answers a personal message with a reply that lands at the fake connector, unsigned', async () => {
    const incoming = teams().message('hello');

    const response = await requester.post(incoming);

    expect(response.status).toBe(200);
    const [reply] = await fake.waitForSent();
    expect(reply).toMatchObject({
      type: 'message',
      text: 'echo: hello',
      via: 'reply',
      replyToId: incoming.id,
      toConversationId: incoming.conversation.id,
      conversation: { id: incoming.conversation.id },
      recipient: { id: user.id, aadObjectId: user.aadObjectId },
      from: { id: incoming.recipient.id },
    });
    expect(reply?.id).toMatch(/^\d{13,}$/);
    const call = fake.calls.find((c) => c.operation === 'reply');
    expect(call).toMatchObject({ kind: 'connector', method: 'POST', activityId: incoming.id, status: 201 });
    expect(call?.authorization).toBeUndefined();
    expect(fake.texts()).toContain('echo: hello');
  });

  it('strips the @mention in a channel thread and replies to the encoded thread conversation id', async () => {
    const thread = channelConversation({ rootMessageId: '1712345678901', teamName: 'Capacity' });
    const incoming = teams().message('beds free?', { conversation: thread });
    expect(incoming.text).toBe('<at>Mutual Aid</at> beds free?');

    expect((await requester.post(incoming)).status).toBe(200);

    const [reply] = await fake.waitForSent();
    expect(reply).toMatchObject({ text: 'echo: beds free?', toConversationId: thread.id });
    expect(fake.calls[0]?.path).toContain(encodeURIComponent(thread.id));
  });

  it('answers an Action.Execute invoke in the HTTP response with the card', async () => {
    const invoke = adaptiveCardAction({
      serviceUrl: fake.serviceUrl,
      bot: { appId: 'playground-bot' },
      from: user,
      verb: 'PING',
      data: { n: 7 },
      replyToId: '1712345678901',
    });
    expect(invoke).toMatchObject({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'PING', data: { n: 7 } }, trigger: 'manual' },
    });

    const response = await requester.post(invoke);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ statusCode: 200, type: ADAPTIVE_CARD, value: pongCard({ n: 7 }) });
    expect(fake.sent()).toEqual([]);
  });

  it('sends proactively as a reply to a random GUID, whatever the stored reference holds', async () => {
    const incoming = teams().message('remember me', { conversation: personalConversation() });
    const reference = conversationReferenceOf(incoming);
    let member: Awaited<ReturnType<typeof TeamsInfo.getMember>> | undefined;

    await bot.adapter.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('a bed is free');
      member = await TeamsInfo.getMember(context, user.id);
    });
    await bot.adapter.continueConversationAsync('', { ...reference, activityId: undefined }, async (context) => {
      await context.sendActivity('another');
    });

    // CloudAdapter's continuation activity gets a fresh uuid as its id, and sendActivity replies to it.
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(fake.sent()).toMatchObject([
      { via: 'reply', toConversationId: incoming.conversation.id, replyToId: expect.stringMatching(guid) as unknown },
      { via: 'reply', toConversationId: incoming.conversation.id, replyToId: expect.stringMatching(guid) as unknown },
    ]);
    expect(fake.sent().map((a) => a.text)).toEqual(['a bed is free', 'another']);
    expect(member).toMatchObject({ id: user.id, aadObjectId: expect.any(String) as unknown });
    expect(fake.calls.map((c) => c.operation)).toEqual(['reply', 'getMember', 'reply']);
  });

  it('records updates and deletes of sent activities', async () => {
    const reference = conversationReferenceOf(teams().message('x'));

    await bot.adapter.continueConversationAsync('', reference, async (context) => {
      const sent = await context.sendActivity('offer: 2 beds');
      await context.updateActivity({ id: sent?.id, type: 'message', text: 'offer withdrawn' });
      await context.deleteActivity(sent?.id ?? '');
    });

    const [sent] = fake.sent();
    expect(fake.updates()).toEqual([
      {
        activityId: sent?.id,
        conversationId: reference.conversation?.id,
        activity: expect.objectContaining({ id: sent?.id, text: 'offer withdrawn' }) as unknown,
      },
    ]);
    expect(fake.calls.map((c) => [c.operation, c.method, c.activityId ?? '', c.status])).toEqual([
      ['reply', 'POST', expect.any(String), 201],
      ['update', 'PUT', sent?.id, 200],
      ['delete', 'DELETE', sent?.id, 200],
    ]);
  });

  it('creates a 1:1 conversation (the same id again for the same user) and posts into it', async () => {
    const created: string[] = [];
    const create = () =>
      bot.adapter.createConversationAsync(
        '',
        'msteams',
        fake.serviceUrl,
        '',
        {
          isGroup: false,
          bot: { id: '28:playground-bot', name: 'Mutual Aid' },
          members: [{ id: user.id, name: user.name }],
          tenantId: TEST_TENANT_ID,
          channelData: { tenant: { id: TEST_TENANT_ID } },
        },
        async (context) => {
          created.push(context.activity.conversation.id);
          await context.sendActivity('hello in a new chat');
        },
      );

    await create();
    await create();

    expect(created[0]).toMatch(/^a:new\d+$/);
    expect(created[1]).toBe(created[0]);
    // CloudAdapter gives the synthetic createConversation event the conversation id as its activity id,
    // so the first send is a reply to `…/activities/<conversation id>`.
    expect(fake.sent().map((a) => [a.via, a.toConversationId, a.replyToId])).toEqual([
      ['reply', created[0], created[0]],
      ['reply', created[0], created[0]],
    ]);
    expect(fake.calls.find((c) => c.operation === 'createConversation')?.body).toMatchObject({
      members: [{ id: user.id }],
      tenantId: TEST_TENANT_ID,
    });
  });

  it('counts an activity posted with createConversation as sent, with its activityId', async () => {
    const response = await fetch(`${fake.url}v3/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        isGroup: false,
        bot: { id: '28:playground-bot' },
        members: [{ id: user.id }],
        tenantId: TEST_TENANT_ID,
        activity: { type: 'message', text: 'first words' },
      }),
    });
    const created = (await response.json()) as { id: string; activityId: string };

    expect(response.status).toBe(201);
    expect(fake.sent()).toEqual([
      {
        type: 'message',
        text: 'first words',
        id: created.activityId,
        toConversationId: created.id,
        via: 'createConversation',
      },
    ]);
  });

  it('answers 404 for calls it does not implement, and records them', async () => {
    const response = await fetch(`${fake.url}v3/teams/19%3Aabc/conversations`);

    expect(response.status).toBe(404);
    expect(fake.calls).toMatchObject([{ operation: 'unknown', method: 'GET', status: 404 }]);
  });
});

describe('bot with app id and password, validating against the fake Bot Framework', () => {
  // A fake of its own, strict like the real service: tokens only for these credentials, connector calls need one.
  let strict: FakeBotConnector;
  let auth: BotAuthOptions;
  let bot: TestBot;
  let unsigned: TeamsRequester;
  let teams: ReturnType<typeof activitiesFor>;
  const user = teamsUser('Bob Example');

  beforeAll(async () => {
    strict = await startFakeBotConnector({ clients: { [TEST_BOT_APP_ID]: TEST_BOT_PASSWORD }, requireAuth: true });
    auth = botAuthOptions(strict);
    bot = await startTestBot(new TeamsAdapter(auth.config, auth.credentialsFactory), auth.appId);
    unsigned = new TeamsRequester({ url: bot.url });
    teams = activitiesFor({ serviceUrl: strict.serviceUrl, bot: { appId: auth.appId }, from: user });
  });

  afterAll(async () => {
    await bot.close();
    await strict.close();
  });

  beforeEach(() => {
    strict.reset();
  });

  afterEach(() => {
    bot.errors.length = 0;
  });

  it('accepts a signChannelToken request and replies with a bearer token from the fake token endpoint', async () => {
    const signed = new TeamsRequester({ url: bot.url, token: () => strict.channelToken(auth.appId) });
    const incoming = teams.message('signed hello');

    const response = await signed.post(incoming);

    expect(response.status).toBe(200);
    const [reply] = await strict.waitForSent();
    expect(reply?.text).toBe('echo: signed hello');
    // First authenticated request against this fake: metadata and keys fetched (then cached per URL by
    // botbuilder for 24 h), then a token for the reply.
    expect(strict.calls.map((c) => c.operation)).toEqual(['openIdMetadata', 'jwks', 'token', 'reply']);
    const tokenCall = strict.calls.find((c) => c.operation === 'token');
    expect(tokenCall).toMatchObject({
      kind: 'auth',
      path: '/botframework.com/oauth2/v2.0/token',
      body: {
        grant_type: 'client_credentials',
        client_id: auth.appId,
        client_secret: auth.password,
        scope: 'https://api.botframework.com/.default',
      },
    });
    const replyCall = strict.calls.find((c) => c.operation === 'reply');
    const token = /^Bearer (.+)$/.exec(replyCall?.authorization ?? '')?.[1];
    expect(strict.issuedTokens).toContain(token);
    expect(jwt.decode(token ?? '')).toMatchObject({ aud: 'https://api.botframework.com', appid: auth.appId });
    expect(auth.credentialsFactory.fetched).toEqual([
      { scope: 'https://api.botframework.com/.default', accessToken: token },
    ]);
    expect(strict.texts()).not.toContain(auth.password);
  });

  it('reuses the cached token and carries it on proactive sends too', async () => {
    const reference = conversationReferenceOf(teams.message('for the reference'));

    await bot.adapter.continueConversationAsync(auth.appId, reference, async (context) => {
      await context.sendActivity('proactive, signed');
    });

    const [sent] = await strict.waitForSent();
    expect(sent).toMatchObject({ via: 'reply', text: 'proactive, signed' });
    expect(strict.calls.map((c) => c.operation)).toEqual(['reply']);
    expect(strict.calls[0]?.authorization).toBe(`Bearer ${strict.issuedTokens[0]}`);
  });

  it('rejects a request without Authorization with 401', async () => {
    const response = await unsigned.post(teams.message('no token'));

    expect(response.status).toBe(401);
    expect(strict.sent()).toEqual([]);
  });

  it.each([
    ['a token that is not a JWT', () => 'Bearer not-a-jwt'],
    ['a non-Bearer scheme', () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
    [
      'a token signed with an unpublished key',
      () => `Bearer ${strict.channelToken(auth.appId, { forge: 'unknown-kid' })}`,
    ],
    ['an expired token', () => `Bearer ${strict.channelToken(auth.appId, { expiresInSeconds: -600 })}`],
    ['a token for another bot', () => `Bearer ${strict.channelToken('another-app-id')}`],
    [
      'a token from another issuer',
      () => `Bearer ${strict.channelToken(auth.appId, { issuer: 'https://evil.example' })}`,
    ],
    [
      'a token for another serviceUrl',
      () => `Bearer ${strict.channelToken(auth.appId, { serviceUrl: 'https://smba.trafficmanager.net/uk/' })}`,
    ],
  ])('rejects %s with 401', async (_what, authorization) => {
    const response = await unsigned.post(teams.message('forged'), { authorization: authorization() });

    expect(response.status).toBe(401);
    expect(strict.sent()).toEqual([]);
  });

  it('rejects a token whose key is not endorsed for the activity channel with 401', async () => {
    const webchat = { ...teams.message('from webchat'), channelId: 'webchat' };

    const response = await unsigned.post(webchat, { authorization: `Bearer ${strict.channelToken(auth.appId)}` });

    expect(response.status).toBe(401);
  });

  it('answers 500, not 401, to a token forged with the published key id (botbuilder rethrows the bad signature)', async () => {
    const forged = strict.channelToken(auth.appId, { forge: 'same-kid' });

    const response = await unsigned.post(teams.message('forged'), { authorization: `Bearer ${forged}` });

    expect(response.status).toBe(500);
    expect(response.body).toContain('invalid signature');
    expect(strict.sent()).toEqual([]);
  });

  it('fails the turn when the token endpoint refuses the password', async () => {
    const wrong = botAuthOptions(strict, { password: 'not-the-password' });
    const misconfigured = await startTestBot(new TeamsAdapter(wrong.config, wrong.credentialsFactory), wrong.appId);
    try {
      const signed = new TeamsRequester({ url: misconfigured.url, token: () => strict.channelToken(wrong.appId) });

      const response = await signed.post(teams.message('hello'));

      expect(response.status).toBe(500);
      expect(String(misconfigured.errors[0])).toContain('invalid_client');
      expect(strict.calls.map((c) => [c.operation, c.status])).toEqual([['token', 401]]);
    } finally {
      await misconfigured.close();
    }
  });
});

describe('token endpoint and SDK credentials', () => {
  it('serves OpenID metadata, keys and tokens recorded as auth calls', async () => {
    const metadata = (await (await fetch(fake.openIdMetadataUrl)).json()) as Record<string, unknown>;
    const keys = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    const token = await fetch(`${fake.url}token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'app',
        client_secret: 'secret',
        scope: 'https://api.botframework.com/.default',
      }).toString(),
    });

    expect(metadata).toMatchObject({
      issuer: 'https://api.botframework.com',
      jwks_uri: `${fake.url}openid/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(keys.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', endorsements: ['msteams'], kid: expect.any(String) as unknown }),
    ]);
    expect(await token.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(fake.calls.map((c) => [c.kind, c.operation])).toEqual([
      ['auth', 'openIdMetadata'],
      ['auth', 'jwks'],
      ['auth', 'token'],
    ]);
    expect(fake.texts()).toEqual([]);
  });

  it("with the SDK's own credentials factory (MSAL), outgoing sends cannot reach the fake", async () => {
    const auth = botAuthOptions(fake, { appId: '00000000-0000-4000-8000-00000000a5a1' });
    const bot = await startTestBot(new TeamsAdapter(auth.config), auth.appId);
    try {
      const signed = new TeamsRequester({ url: bot.url, token: () => fake.channelToken(auth.appId) });
      const teams = activitiesFor({ serviceUrl: fake.serviceUrl, bot: { appId: auth.appId } });

      const response = await signed.post(teams.message('hello'));

      expect(response.status).toBe(500);
      expect(String(bot.errors[0])).toMatch(/authority/i);
      expect(fake.calls.filter((c) => c.kind === 'connector' || c.operation === 'token')).toEqual([]);
    } finally {
      await bot.close();
    }
  });
});

describe('429 and 5xx from the connector (botbuilder ConnectorClient retry policy)', () => {
  let bot: TestBot;
  let requester: TeamsRequester;
  const teams = () => activitiesFor({ serviceUrl: fake.serviceUrl, bot: { appId: 'retry-bot' } });

  beforeAll(async () => {
    bot = await startTestBot(new TeamsAdapter({}));
    requester = new TeamsRequester({ url: bot.url });
  });

  afterAll(async () => {
    await bot.close();
  });

  afterEach(() => {
    bot.errors.length = 0;
  });

  const replies = () => fake.calls.filter((c) => c.operation === 'reply');

  it('waits out Retry-After on a 429 and retries the same request', async () => {
    fake.rateLimitNext(1, 1);

    const response = await requester.post(teams().message('after the limit'));

    expect(response.status).toBe(200);
    const [limited, delivered] = replies();
    expect(limited).toMatchObject({ status: 429, rateLimited: true });
    expect(delivered).toMatchObject({ status: 201, body: limited?.body });
    expect((delivered?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(response.elapsedMs).toBeGreaterThanOrEqual(950);
  });

  it('gives up after three retries: the send throws a RestError with statusCode 429', async () => {
    fake.rateLimitNext(4, 0);

    const response = await requester.post(teams().message('never delivered'));

    expect(response.status).toBe(500);
    expect(replies().map((c) => c.status)).toEqual([429, 429, 429, 429]);
    expect(bot.errors[0]).toMatchObject({ name: 'RestError', statusCode: 429 });
  });

  it('does not retry a 429 without Retry-After', async () => {
    fake.rateLimitNext(1, null);

    const response = await requester.post(teams().message('no header'));

    expect(response.status).toBe(500);
    expect(replies().map((c) => c.status)).toEqual([429]);
    expect(bot.errors[0]).toMatchObject({ statusCode: 429 });
  });

  it.each([500, 503])('retries a %i with exponential backoff', async (status) => {
    fake.failNext(1, status);

    const response = await requester.post(teams().message(`after a ${status}`));

    expect(response.status).toBe(200);
    const [failed, delivered] = replies();
    expect(failed).toMatchObject({ status, failed: true });
    expect(delivered).toMatchObject({ status: 201 });
    const gap = (delivered?.at ?? 0) - (failed?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(450);
    expect(gap).toBeLessThan(1500);
  });

  it('surfaces a persistent 429 to proactive senders as a rejected promise', async () => {
    fake.rateLimitNext(4, 0);
    const reference = conversationReferenceOf(
      message('x', { serviceUrl: fake.serviceUrl, bot: { appId: 'retry-bot' } }),
    );

    const sending = bot.adapter.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('proactive');
    });

    await expect(sending).rejects.toMatchObject({ name: 'RestError', statusCode: 429 });
    expect(fake.calls.map((c) => c.status)).toEqual([429, 429, 429, 429]);
  });

  it('lets a fault target only matching calls', async () => {
    fake.rateLimitNext(1, 0, { match: (call) => call.operation === 'send' });

    expect((await requester.post(teams().message('reply unaffected'))).status).toBe(200);

    expect(replies().map((c) => c.status)).toEqual([201]);
  });
});
