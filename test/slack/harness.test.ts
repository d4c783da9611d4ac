/**
 * Proves the Slack test harness itself: the fake Web API answers a real
 * `WebClient` (blocks decoded, 429s retried, injected errors surfaced), and
 * signed requests reach a real Bolt `App` on an `ExpressReceiver` the way
 * Slack's do — including what Bolt answers to forged and stale signatures.
 */
import { type AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import { retryPolicies, WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/slack/fake-slack';
import { SlackRequester, signSlackRequest, stateValue } from '../support/slack/signed-requests';

const SIGNING_SECRET = 'test-signing-secret';
const TEAM_ID = 'T0MUTUAL';

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

describe('fake Slack Web API', () => {
  const client = () =>
    new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      retryConfig: retryPolicies.rapidRetryPolicy,
      logLevel: LogLevel.ERROR,
    });

  it('records chat.postMessage from a real WebClient with blocks decoded', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*A bed is free*' } }];
    const first = await client().chat.postMessage({ channel: 'C1', text: 'A bed is free', blocks });
    const second = await client().chat.postMessage({ channel: 'C1', text: 'again' });

    expect(first).toMatchObject({ ok: true, channel: 'C1', message: { text: 'A bed is free', blocks } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(fake.calls[0]).toMatchObject({
      method: 'chat.postMessage',
      token: 'xoxb-test',
      body: { channel: 'C1', text: 'A bed is free', blocks },
    });
    expect(fake.texts()).toContain('*A bed is free*');
  });

  it('answers 429 with Retry-After, which WebClient waits out and retries', async () => {
    fake.rateLimitNext('chat.postMessage', { times: 1, retryAfterSeconds: 1 });

    const result = await client().chat.postMessage({ channel: 'C1', text: 'after the limit' });

    expect(result.ok).toBe(true);
    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(limited?.rateLimited).toBe(true);
    expect(retried?.rateLimited).toBeUndefined();
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(990);
  });

  it('answers injected errors with ok: false, and views, DMs and users in Slack shape', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const failure = client()
      .chat.postMessage({ channel: 'CGONE', text: 'x' })
      .catch((error: unknown) => error);
    expect(await failure).toBeInstanceOf(WebAPIPlatformError);
    expect(((await failure) as WebAPIPlatformError).data.error).toBe('channel_not_found');
    expect(fake.calls[0]?.failedWith).toBe('channel_not_found');

    const opened = await client().views.open({
      trigger_id: 't',
      view: { type: 'modal', callback_id: 'listing', title: { type: 'plain_text', text: 'List' }, blocks: [] },
    });
    expect(opened.view).toMatchObject({ callback_id: 'listing', type: 'modal' });
    expect(opened.view?.id).toMatch(/^V/);
    const updated = await client().views.update({
      view_id: opened.view!.id!,
      view: { type: 'modal', title: { type: 'plain_text', text: 'List' }, blocks: [] },
    });
    expect(updated.view?.id).toBe(opened.view?.id);

    const dm1 = await client().conversations.open({ users: 'U1' });
    const dm2 = await client().conversations.open({ users: 'U1' });
    expect(dm1.channel?.id).toMatch(/^D/);
    expect(dm2.channel?.id).toBe(dm1.channel?.id);
    expect((await client().users.info({ user: 'U1' })).user).toMatchObject({ id: 'U1', tz: 'Europe/London' });
    expect(await client().auth.test()).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: TEAM_ID });
  });

  it('waitFor resolves when calls arrive and times out listing what was recorded', async () => {
    const waiting = fake.waitFor('chat.update', { count: 2 });
    await client().chat.update({ channel: 'C1', ts: '1.1', text: 'one' });
    await client().chat.update({ channel: 'C1', ts: '1.1', text: 'two' });
    expect((await waiting).map((call) => call.body.text)).toEqual(['one', 'two']);

    await expect(fake.waitFor('chat.delete', { timeoutMs: 50 })).rejects.toThrow(
      /chat\.delete.*recorded: chat\.update×2/,
    );
  });
});

describe('signed requests to a Bolt app on an ExpressReceiver', () => {
  let app: App;
  let slack: SlackRequester;
  const seen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const receiver = new ExpressReceiver({
      signingSecret: SIGNING_SECRET,
      endpoints: '/slack/events',
      logLevel: LogLevel.ERROR,
    });
    app = new App({
      receiver,
      token: 'xoxb-test',
      clientOptions: { slackApiUrl: fake.url, retryConfig: retryPolicies.rapidRetryPolicy },
      logLevel: LogLevel.ERROR,
    });
    // Bolt calls auth.test as soon as the App is constructed (unless given botId and botUserId).
    await fake.waitFor('auth.test');

    app.command('/mutualaid', async ({ ack }) => {
      await ack('hi');
    });
    app.action(
      { type: 'block_actions', action_id: 'approve_offer' },
      async ({ ack, action, body, client, respond }) => {
        seen.push({ kind: 'action', action, body });
        await ack();
        if (body.container.type === 'message') {
          await respond({ text: 'Approved', replace_original: false });
          await client.chat.update({ channel: body.channel!.id, ts: body.message!.ts, text: 'Approved' });
        }
      },
    );
    app.view('listing_form', async ({ ack, view }) => {
      seen.push({ kind: 'view', view });
      await ack({ response_action: 'errors', errors: { date_block: 'Pick a date in the future' } });
    });
    app.event('app_home_opened', async ({ event, context, client }) => {
      seen.push({ kind: 'event', event, retryNum: context.retryNum, retryReason: context.retryReason });
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
    });

    const server = await app.start(0);
    const { port } = server.address() as AddressInfo;
    slack = new SlackRequester({
      url: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      teamId: TEAM_ID,
      responseUrlFor: (id) => fake.responseUrl(id),
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('acks a correctly signed slash command with 200 and the ack body', async () => {
    const response = await slack.slashCommand({ userId: 'U1', command: '/mutualaid', text: 'help', channelId: 'C1' });

    expect(response.status).toBe(200);
    expect(response.body).toContain('hi');
    expect(response.elapsedMs).toBeLessThan(3000);
  });

  it('answers 401 with an empty body to a forged or stale signature, and to none', async () => {
    const forged = await slack.slashCommand(
      { userId: 'U1', text: '', channelId: 'C1' },
      { signature: 'v0=' + '0'.repeat(64) },
    );
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const stale = await slack.slashCommand(
      { userId: 'U1', text: '', channelId: 'C1' },
      { timestampSeconds: tenMinutesAgo },
    );
    const unsigned = await slack.raw('command=%2Fmutualaid', { 'content-type': 'application/x-www-form-urlencoded' });

    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(forged.body).toBe('');
  });

  it('answers 400 to a signed form body whose content-type carries a charset', async () => {
    const body = 'command=%2Fmutualaid&text=&user_id=U1&team_id=T0MUTUAL';
    const headers = signSlackRequest(
      SIGNING_SECRET,
      body,
      undefined,
      'application/x-www-form-urlencoded; charset=utf-8',
    );

    expect((await slack.raw(body, { ...headers })).status).toBe(400);
  });

  it('delivers a block action from a message, whose handler can respond and update', async () => {
    const response = await slack.blockAction({
      userId: 'U2',
      actionId: 'approve_offer',
      blockId: 'offer_block',
      value: 'offer-42',
      channelId: 'C1',
      messageTs: '1700000000.000100',
    });

    expect(response.status).toBe(200);
    expect(seen[0]).toMatchObject({
      kind: 'action',
      action: { type: 'button', action_id: 'approve_offer', block_id: 'offer_block', value: 'offer-42' },
      body: { user: { id: 'U2' }, team: { id: TEAM_ID }, container: { type: 'message' } },
    });
    const [update] = await fake.waitFor('chat.update');
    expect(update).toMatchObject({
      token: 'xoxb-test',
      body: { channel: 'C1', ts: '1700000000.000100', text: 'Approved', team_id: TEAM_ID },
    });
    expect(fake.callsTo('response_url')[0]?.body).toMatchObject({ text: 'Approved' });
  });

  it('delivers a block action from a modal with its state', async () => {
    const values = { date_block: { date: stateValue.date('2030-01-31') } };
    await slack.blockAction({
      userId: 'U2',
      actionId: 'approve_offer',
      value: 'v',
      view: { id: 'V1', callbackId: 'listing_form', values },
    });

    expect(seen[0]).toMatchObject({
      body: { container: { type: 'view', view_id: 'V1' }, view: { state: { values } } },
    });
  });

  it('delivers a view submission with its values and returns the ack body', async () => {
    const values = {
      date_block: { date: stateValue.date('2020-01-01') },
      site_block: { site: stateValue.select('RRK', 'Birmingham') },
      note_block: { note: stateValue.text('no stairs') },
    };
    const response = await slack.viewSubmission({
      userId: 'U3',
      callbackId: 'listing_form',
      privateMetadata: '{"listing":"L1"}',
      values,
    });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      response_action: 'errors',
      errors: { date_block: 'Pick a date in the future' },
    });
    expect(seen[0]).toMatchObject({
      view: { callback_id: 'listing_form', private_metadata: '{"listing":"L1"}', state: { values } },
    });
  });

  it('acks events at once and exposes x-slack-retry-num as context.retryNum', async () => {
    const first = await slack.event({ type: 'app_home_opened', userId: 'U4', tab: 'home', channel: 'D4' });
    const retry = await slack.event(
      { type: 'app_home_opened', userId: 'U4', tab: 'home', channel: 'D4' },
      { retryNum: 1, retryReason: 'http_timeout', eventId: first.sent.event_id as string },
    );

    expect([first.status, first.body, retry.status]).toEqual([200, '', 200]);
    await fake.waitFor('views.publish', { count: 2 });
    expect(seen).toMatchObject([
      { event: { user: 'U4', tab: 'home' }, retryNum: undefined, retryReason: undefined },
      { retryNum: 1, retryReason: 'http_timeout' },
    ]);
  });
});
