/**
 * Issue 7: a chat send that hangs for longer than the notify step's
 * start-to-close timeout. Temporal abandons the attempt and retries the
 * step, but nothing stops the abandoned attempt: with Slack's WebClient as
 * it comes (no request timeout, ten retries over half an hour) or the Bot
 * Connector client (no timeout, Retry-After waited out however long), its
 * post went out when Slack finally answered, after the retry had posted the
 * same message. Now every send ends within a budget derived from the step's
 * timeout (`workflows/shared/step-timeout.ts`), so the step fails by itself, is
 * retried, and the message is posted once.
 *
 * The fakes hold a stalled request before acting on it, and do nothing with
 * it if the client hangs up first: a platform slow to take the post. What no
 * bound can fix is the other case, a post the platform took whose answer was
 * lost: neither chat.postMessage nor the Bot Connector takes an idempotency
 * key, so the retry posts again. That case is not tested here; what is, is
 * the part that is guaranteed: a request the sender has given up on never
 * posts later.
 *
 * Real Temporal and PostgreSQL, the real notifiers in the real workers (the
 * Slack WebClient configured as the worker configures it), the local fakes.
 */
import { eq } from 'drizzle-orm';
import { WebAPIRequestError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverOnceToEach } from '../../bot/core/deliver-once';
import { SLACK_SEND_ERRORS } from '../../bot/slack/slack-errors';
import { TEAMS_SEND_ERRORS } from '../../bot/teams/teams-errors';
import type { ChannelRow } from '../../db/chat-directory';
import { chatDeliveries, notificationDeadLetters } from '../../db/schema';
import type { JourneyNotification } from '../../domain/notifications';
import {
  CHAT_REQUEST_TIMEOUT_MS,
  CHAT_REQUEST_TRIES,
  CHAT_SEND_BUDGET_MS,
  NOTIFY_SEND_WINDOW_MS,
  STEP_START_TO_CLOSE_MS,
} from '../../workflows/shared/step-timeout';
import type { JourneyPolicy } from '../../workflows/contract';
import { deliveredPerConversation, sentPerConversation, type AcceptedPost } from '../support/chat-order';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually, type JourneyEnv } from '../support/journey-env';
import { listPatient, makeOffer, waitForState } from '../support/journey-helpers';
import type { RecordedCall } from '../support/slack/fake-slack';
import { LONG_OFFER, LONG_WAIT_MS, LONG_WAITS_AFTER_OFFERS } from '../support/journey-stages';
import { CHANNELS, createSlackEnv, type SlackEnv } from '../support/slack/slack-env';
import type { ConnectorCall } from '../support/teams/fake-bot-connector';
import { createTeamsEnv, type TeamsEnv } from '../support/teams/teams-env';

/** No deadline of the journey's falls within the test. */
const POLICY: Partial<JourneyPolicy> = { ...LONG_WAITS_AFTER_OFFERS, offerWindowMs: LONG_WAIT_MS };
/** Longer than the step's timeout: a client still waiting would be waiting when Temporal retried the step. */
const STALL_MS = STEP_START_TO_CLOSE_MS + 5_000;
const LISTED = 'Listed for mutual aid: ';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * The case's notifications per conversation, as sent and as the platform accepted them (each list sorted),
 * once the notifier has recorded the deliveries of the posts accepted so far (it does so just after each post).
 */
async function deliveries(
  env: JourneyEnv,
  platform: 'SLACK' | 'TEAMS',
  caseRef: string,
  accepted: () => AcceptedPost[],
) {
  const sorted = (perConversation: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(perConversation).map(([conversation, keys]) => [conversation, keys.sort()]));
  const { db } = env.database;
  let found = { sent: {}, delivered: {} };
  await eventually(async () => {
    found = {
      sent: sorted(await sentPerConversation(db, platform, caseRef)),
      delivered: sorted(await deliveredPerConversation(db, platform, caseRef, accepted())),
    };
    return !JSON.stringify(found.delivered).includes('UNRECORDED');
  }, 10_000).catch(() => undefined); // the comparison after says what is wrong
  return found;
}

describe('Slack: a post that hangs past the notify step’s timeout', () => {
  let s: SlackEnv;
  beforeAll(async () => {
    s = await createSlackEnv({ workerClient: true, policy: POLICY });
  });
  afterAll(async () => {
    await s?.close();
  });

  const isPost = (call: RecordedCall, channel: string, text: string) =>
    call.method === 'chat.postMessage' && call.body.channel === channel && String(call.body.text).includes(text);
  const listedInTeam = (call: RecordedCall) => isPost(call, CHANNELS.originTeam, LISTED);
  const ok = (call: RecordedCall) => call.response?.ok === true;
  const accepted = (): AcceptedPost[] =>
    s.fake
      .callsTo('chat.postMessage')
      .filter(ok)
      .map((call) => ({ channelId: String(call.body.channel), messageRef: String(call.response?.ts) }));

  it('is given up on within the step, posted once by its retry, and the journey goes on', async () => {
    // Every try of the first attempt is held past the step's timeout.
    s.fake.stallNext('chat.postMessage', { times: CHAT_REQUEST_TRIES, ms: STALL_MS, match: listedInTeam });
    const started = Date.now();
    const caseRef = await listPatient(s.journeys, s.world);

    // The WebClient hangs up on each held try at its request timeout, so Slack never acts on it.
    const abandoned = await s.fake.waitFor((call) => listedInTeam(call) && call.timedOut === true, {
      count: CHAT_REQUEST_TRIES,
      timeoutMs: STEP_START_TO_CLOSE_MS,
    });
    const gap = abandoned[1]!.at - abandoned[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(CHAT_REQUEST_TIMEOUT_MS);
    expect(gap).toBeLessThan(CHAT_REQUEST_TIMEOUT_MS + 2_000);

    // The attempt failed by itself and Temporal retried the step: posted before the step's timeout was even up.
    const [posted] = await s.fake.waitFor((call) => listedInTeam(call) && ok(call), {
      timeoutMs: STEP_START_TO_CLOSE_MS,
    });
    expect(posted!.at - started).toBeLessThan(STEP_START_TO_CLOSE_MS);

    // The journey goes on: an offer comes in and the listing team hears of it.
    await waitForState(s.journeys, caseRef, 'OPEN_FOR_OFFERS');
    await makeOffer(s.journeys, caseRef, s.world.independent, LONG_OFFER);
    await s.fake.waitFor((call) => isPost(call, CHANNELS.originTeam, `New offer: ${caseRef}`) && ok(call), {
      timeoutMs: 20_000,
    });

    // Past the end of the stall: a held try nobody had hung up on would have been posted by now.
    await sleep(abandoned[0]!.at + STALL_MS + 1_000 - Date.now());
    expect(s.fake.calls.filter((call) => listedInTeam(call) && call.stalled === true)).toEqual([]);
    expect(s.fake.calls.filter((call) => listedInTeam(call) && ok(call))).toHaveLength(1);
    const { sent, delivered } = await deliveries(s.env, 'SLACK', caseRef, accepted);
    expect(delivered).toEqual(sent);
    expect(await s.db.select().from(notificationDeadLetters)).toEqual([]);
  });

  it('hands a 429 back to the step, which tries again after Retry-After, and posts once', async () => {
    const retryAfterSeconds = 3;
    s.fake.rateLimitNext('chat.postMessage', { times: 1, retryAfterSeconds, match: listedInTeam });
    const caseRef = await listPatient(s.journeys, s.world);
    const listedHere = (call: RecordedCall) => isPost(call, CHANNELS.originTeam, `${LISTED}${caseRef}`);
    const [limited] = await s.fake.waitFor((call) => listedHere(call) && call.rateLimited === true, {
      timeoutMs: 10_000,
    });
    const [posted] = await s.fake.waitFor((call) => listedHere(call) && ok(call), { timeoutMs: 20_000 });
    // Not waited out in the client, nor retried after the step's first backoff (1 s): after Slack's Retry-After.
    expect(posted!.at - limited!.at).toBeGreaterThanOrEqual(retryAfterSeconds * 1_000);
    expect(s.fake.calls.filter(listedHere).map((call) => (call.rateLimited ? '429' : ok(call) ? 'ok' : '?'))).toEqual([
      '429',
      'ok',
    ]);
    const { sent, delivered } = await deliveries(s.env, 'SLACK', caseRef, accepted);
    expect(delivered).toEqual(sent);
    expect(await s.db.select().from(notificationDeadLetters)).toEqual([]);
  });
});

describe('Teams: a send that hangs past the notify step’s timeout', () => {
  let t: TeamsEnv;
  beforeAll(async () => {
    t = await createTeamsEnv({ policy: POLICY });
  });
  afterAll(async () => {
    await t?.close();
  });

  const isSend = (call: ConnectorCall, conversationId: string, text: string) =>
    (call.operation === 'send' || call.operation === 'reply') &&
    call.conversationId === conversationId &&
    JSON.stringify(call.body).includes(text);
  const listedInTeam = (call: ConnectorCall) => isSend(call, t.channels.originTeam.id, LISTED);
  const ok = (call: ConnectorCall) => call.status === 201;
  const accepted = (): AcceptedPost[] =>
    t.fake.sent().map((activity) => ({ channelId: activity.toConversationId, messageRef: activity.id }));

  it('is given up on within the step, sent once by a retry, and the journey goes on', async () => {
    // The first two tries are held past the step's timeout (a try timed out is not retried by the connector
    // client: each one fails its attempt, and Temporal retries the step).
    t.fake.stallNext(2, STALL_MS, { match: listedInTeam });
    const started = Date.now();
    const caseRef = await listPatient(t.journeys, t.world);

    const abandoned = await t.fake.waitFor((call) => listedInTeam(call) && call.timedOut === true, {
      count: 2,
      timeoutMs: STEP_START_TO_CLOSE_MS,
    });
    expect(abandoned[1]!.at - abandoned[0]!.at).toBeGreaterThanOrEqual(CHAT_REQUEST_TIMEOUT_MS);

    const [sent] = await t.fake.waitFor((call) => listedInTeam(call) && ok(call), {
      timeoutMs: STEP_START_TO_CLOSE_MS,
    });
    expect(sent!.at - started).toBeLessThan(STEP_START_TO_CLOSE_MS);

    await waitForState(t.journeys, caseRef, 'OPEN_FOR_OFFERS');
    await makeOffer(t.journeys, caseRef, t.world.independent, LONG_OFFER);
    await t.fake.waitFor((call) => isSend(call, t.channels.originTeam.id, `New offer: ${caseRef}`) && ok(call), {
      timeoutMs: 20_000,
    });

    await sleep(abandoned[0]!.at + STALL_MS + 1_000 - Date.now());
    expect(t.fake.calls.filter((call) => listedInTeam(call) && call.stalled === true)).toEqual([]);
    expect(t.fake.calls.filter((call) => listedInTeam(call) && ok(call))).toHaveLength(1);
    const { sent: expected, delivered } = await deliveries(t.env, 'TEAMS', caseRef, accepted);
    expect(delivered).toEqual(expected);
    expect(await t.db.select().from(notificationDeadLetters)).toEqual([]);
  });
});

describe('a notify attempt with no time left for a send', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
  });
  afterAll(async () => {
    await database?.drop();
  });

  const notification: JourneyNotification = {
    key: 'chat-timeouts/window/1',
    kind: 'NEW_MATCHES_DIGEST',
    audience: { kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' },
  };
  const targets: ChannelRow[] = ['CFIRST', 'CSECOND'].map((channelId) => ({
    workspaceId: 'T0MUTUAL',
    channelId,
    conversationReference: null,
  }));

  it('does not start it, and leaves it to the next attempt rather than to a dead letter', async () => {
    const { db } = database;
    const sentTo: string[] = [];
    const send = async (target: ChannelRow) => {
      sentTo.push(target.channelId);
      await sleep(300);
      return `ref-${target.channelId}`;
    };
    const quiet = { errors: SLACK_SEND_ERRORS, log: () => undefined };
    // Room for one whole send and a little more: the second could not end in time. Even on a last attempt.
    const sendBy = Date.now() + CHAT_SEND_BUDGET_MS + 200;
    await expect(
      deliverOnceToEach(db, 'SLACK', notification, targets, send, {
        ...quiet,
        attempt: { number: 20, final: true, sendBy },
      }),
    ).rejects.toThrow(/No time left/);
    expect(sentTo).toEqual(['CFIRST']);
    expect(await db.select().from(notificationDeadLetters)).toEqual([]);

    await deliverOnceToEach(db, 'SLACK', notification, targets, send, {
      ...quiet,
      attempt: { number: 21, final: true, sendBy: Date.now() + NOTIFY_SEND_WINDOW_MS },
    });
    expect(sentTo).toEqual(['CFIRST', 'CSECOND']);
    const recorded = await db.select().from(chatDeliveries).where(eq(chatDeliveries.notificationKey, notification.key));
    expect(recorded.map((row) => row.channelId).sort()).toEqual(['CFIRST', 'CSECOND']);
  });

  it('reads a request the client stopped waiting for as worth retrying, on both platforms', () => {
    const slackTimeout = new WebAPIRequestError(new DOMException('The operation timed out', 'TimeoutError'));
    expect(SLACK_SEND_ERRORS.permanent(slackTimeout)).toBe(false);
    expect(SLACK_SEND_ERRORS.code(slackTimeout)).toBe('request_timeout');
    const teamsTimeout = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    expect(TEAMS_SEND_ERRORS.permanent(teamsTimeout)).toBe(false);
    expect(TEAMS_SEND_ERRORS.code(teamsTimeout)).toBe('request_timeout');
  });
});
