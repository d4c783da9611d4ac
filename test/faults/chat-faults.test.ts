/**
 * Slack's Web API and Teams' Bot Connector misbehave for a while and then
 * recover — transient errors, server errors, 429s with Retry-After, answers
 * so slow the client gives up — while a journey runs from listing to
 * transfer. Every notification reaches every channel it is for exactly once,
 * and each channel gets the journey's messages in the order the journey
 * sent them, even when a message is retried while the journey sends the next
 * one (the journey queues its sends: `workflows/journey/send-queue.ts`). The
 * real notifiers in the real workers, against the local fakes
 * (`test/support/slack/fake-slack.ts`, `test/support/teams/fake-bot-connector.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDeadLetters } from '../../db/schema';
import type { JourneyPolicy } from '../../workflows/contract';
import type { JourneyClient } from '../../workflows/client';
import {
  deliveredPerConversation,
  sentPerConversation,
  type AcceptedPost,
  type PerConversation,
} from '../support/chat-order';
import { as, type World } from '../support/fixtures';
import { outcomeOf } from '../support/journey-assertions';
import { eventually, type JourneyEnv } from '../support/journey-env';
import { listPatient, makeOffer, waitForState } from '../support/journey-helpers';
import {
  acceptAndTransfer,
  expectOk,
  LONG_OFFER,
  LONG_WAIT_MS,
  LONG_WAITS_AFTER_OFFERS,
} from '../support/journey-stages';
import type { ConnectorCall } from '../support/teams/fake-bot-connector';
import { CHANNELS, createSlackEnv, type SlackEnv } from '../support/slack/slack-env';
import type { RecordedCall } from '../support/slack/fake-slack';
import { createTeamsEnv, type TeamsEnv } from '../support/teams/teams-env';

/** Long enough for the faults of the first three steps; every other deadline out of reach. */
const POLICY: Partial<JourneyPolicy> = { ...LONG_WAITS_AFTER_OFFERS, offerWindowMs: 15_000 };
/** Plenty of notify attempts: these faults pass, and nothing may end as a dead letter. */
const NOTIFICATIONS = { maxAttempts: 100 };

interface Deliveries {
  /** Per conversation, the case's notifications in the order the journey sent them. */
  sent: PerConversation;
  /** Per conversation, the notifications behind the messages the platform accepted, in the order it did. */
  delivered: PerConversation;
}

/** Waits (bounded) until every notification of the case has reached every conversation it is for. */
async function deliveries(
  env: JourneyEnv,
  platform: 'SLACK' | 'TEAMS',
  caseRef: string,
  accepted: () => AcceptedPost[],
): Promise<Deliveries> {
  const { db } = env.database;
  let sent: PerConversation = {};
  let delivered: PerConversation = {};
  const count = (perConversation: PerConversation) =>
    Object.values(perConversation).reduce((sum, keys) => sum + keys.length, 0);
  await eventually(async () => {
    sent = await sentPerConversation(db, platform, caseRef);
    delivered = await deliveredPerConversation(db, platform, caseRef, accepted());
    return count(delivered) >= count(sent);
  }, 30_000).catch(() => undefined); // the comparison after says what is missing
  expect(await db.select().from(notificationDeadLetters)).toEqual([]);
  return { sent, delivered };
}

/** The same messages in each conversation, ignoring their order. */
const inAnyOrder = (perConversation: PerConversation): PerConversation =>
  Object.fromEntries(Object.entries(perConversation).map(([conversation, keys]) => [conversation, [...keys].sort()]));

/**
 * A journey with two offers, the first chosen, to transfer. Each fault is set before its step and waited out
 * after it; the choice and approvals go on while theirs is still failing (the journey waits for its messages).
 */
async function journeyThroughFaults(
  journeys: JourneyClient,
  world: World,
  faults: {
    listing(): (caseRef: string) => Promise<void>;
    firstOffer(): (caseRef: string) => Promise<void>;
    secondOffer(): (caseRef: string) => Promise<void>;
    windowCloses(caseRef: string): Promise<void>;
    choiceAndApprovals(caseRef: string): () => Promise<void>;
  },
): Promise<string> {
  const listed = faults.listing();
  const caseRef = await listPatient(journeys, world);
  await listed(caseRef);
  const firstOffered = faults.firstOffer();
  const first = await makeOffer(journeys, caseRef, world.independent, LONG_OFFER);
  await firstOffered(caseRef);
  const secondOffered = faults.secondOffer();
  await makeOffer(journeys, caseRef, world.nhsProvider, LONG_OFFER);
  await secondOffered(caseRef);
  await faults.windowCloses(caseRef);
  await waitForState(journeys, caseRef, 'CHOOSING', 60_000);
  const recovered = faults.choiceAndApprovals(caseRef);
  await Promise.all([acceptAndTransfer(journeys, world, caseRef, first, world.independent), recovered()]);
  return caseRef;
}

describe('Slack notifications through failures, 429s and timeouts', () => {
  let s: SlackEnv;
  beforeAll(async () => {
    s = await createSlackEnv({ notifications: NOTIFICATIONS, policy: POLICY, requestTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await s?.close();
  });

  const posts = (): AcceptedPost[] =>
    s.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.response?.ok === true)
      .map((call) => ({ channelId: String(call.body.channel), messageRef: String(call.response?.ts) }));
  const about = (caseRef: string, channel: string, title: string) => (call: RecordedCall) =>
    call.method === 'chat.postMessage' &&
    call.body.channel === channel &&
    String(call.body.text).includes(`${title}: ${caseRef}`);
  const accepted = (caseRef: string, channel: string, title: string) =>
    s.fake.waitFor((call) => about(caseRef, channel, title)(call) && call.response?.ok === true, { timeoutMs: 30_000 });
  const refused = (match: (call: RecordedCall) => boolean, count: number) =>
    s.fake.waitFor((call) => match(call) && call.response === undefined, { count, timeoutMs: 30_000 });

  it(
    'posts every notification once to each channel, in the order the journey sent them',
    { timeout: 120_000 },
    async () => {
      const caseRef = await journeyThroughFaults(s.journeys, s.world, {
        // Slack answers ok:false for a while: each failed post fails the notify step, and Temporal retries it.
        listing() {
          s.fake.failNext('chat.postMessage', { times: 2, error: 'internal_error' });
          return (ref) => accepted(ref, CHANNELS.originTeam, 'Listed for mutual aid').then(() => undefined);
        },
        // 429 with Retry-After: the WebClient waits it out and posts again.
        firstOffer() {
          s.fake.rateLimitNext('chat.postMessage', { times: 2, retryAfterSeconds: 1 });
          return (ref) => accepted(ref, CHANNELS.originTeam, 'New offer').then(() => undefined);
        },
        // Slack holds the posts past the client's timeout: the client gives up, Slack never posts them, the client tries again.
        secondOffer() {
          s.fake.stallNext('chat.postMessage', { times: 2, ms: 3_000 });
          return async (ref) => {
            await s.fake.waitFor((call) => call.timedOut === true, { count: 2, timeoutMs: 30_000 });
            await accepted(ref, CHANNELS.originTeam, 'New offer');
          };
        },
        // The listing team's channel answers HTTP 500 for a while when the window closes.
        async windowCloses(ref) {
          s.fake.failChannel(CHANNELS.originTeam, { status: 500 });
          await refused((call) => call.body.channel === CHANNELS.originTeam && call.failedWith === 'HTTP 500', 12);
          s.fake.clearChannel(CHANNELS.originTeam);
          await accepted(ref, CHANNELS.originTeam, "Patient's choice needed");
        },
        // The origin managers' channel fails while approval is asked for, then recovers.
        choiceAndApprovals(ref) {
          s.fake.failChannel(CHANNELS.originManagers, { status: 500 });
          return async () => {
            await refused((call) => call.body.channel === CHANNELS.originManagers, 12);
            s.fake.clearChannel(CHANNELS.originManagers);
            await accepted(ref, CHANNELS.originManagers, 'Transfer approved');
          };
        },
      });
      expect((await outcomeOf(s.env, caseRef)).state).toBe('TRANSFERRED');
      // Each fault happened as set: two ok:false answers, two 429s, two posts abandoned, and two notify attempts of 500s.
      const posting = s.fake.callsTo('chat.postMessage');
      const count = (what: (call: RecordedCall) => boolean) => posting.filter(what).length;
      expect({
        platformErrors: count((call) => call.failedWith === 'internal_error'),
        rateLimited: count((call) => call.rateLimited === true),
        timedOut: count((call) => call.timedOut === true),
      }).toEqual({ platformErrors: 2, rateLimited: 2, timedOut: 2 });
      expect(count((call) => call.failedWith === 'HTTP 500')).toBeGreaterThanOrEqual(24);
      const { sent, delivered } = await deliveries(s.env, 'SLACK', caseRef, posts);
      expect(delivered).toEqual(sent);
    },
  );

  /** The journey of the next two tests: one message retried while the next is sent. */
  let overtaken: Deliveries | undefined;

  it('posts each message once when one is retried while the next is sent', { timeout: 60_000 }, async () => {
    const journeys = s.env.journeys({ ...POLICY, offerWindowMs: LONG_WAIT_MS });
    const caseRef = await listPatient(journeys, s.world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    await accepted(caseRef, CHANNELS.originTeam, 'Listed for mutual aid');
    // The first offer's message fails three times; the second offer comes in while it waits for its retries.
    const firstOffersMessage = (call: RecordedCall) =>
      about(caseRef, CHANNELS.originTeam, 'New offer')(call) && String(call.body.text).includes('Nuffield Health York');
    s.fake.failNext('chat.postMessage', { times: 3, error: 'internal_error', match: firstOffersMessage });
    await makeOffer(journeys, caseRef, s.world.independent, LONG_OFFER);
    await makeOffer(journeys, caseRef, s.world.nhsProvider, LONG_OFFER);
    await s.fake.waitFor(
      (call) => about(caseRef, CHANNELS.originTeam, 'New offer')(call) && call.response?.ok === true,
      { count: 2, timeoutMs: 30_000 },
    );
    expectOk(await journeys.withdrawCase(caseRef, as(s.world.origin, 'coordinator'), 'NO_LONGER_NEEDED'));
    overtaken = await deliveries(s.env, 'SLACK', caseRef, posts);
    expect(inAnyOrder(overtaken.delivered)).toEqual(inAnyOrder(overtaken.sent));
  });

  // The journey sends "New offer" without waiting (so the provider's answer is quick), but its sends leave one at
  // a time: the second offer's message waits for the first one's retries instead of overtaking it.
  it('keeps them in the order the journey sent them, in each channel', () => {
    expect(overtaken, 'the journey of the test before').toBeDefined();
    expect(overtaken?.delivered).toEqual(overtaken?.sent);
  });
});

describe('Teams notifications through failures, 429s and slow answers', () => {
  let t: TeamsEnv;
  beforeAll(async () => {
    t = await createTeamsEnv({ policy: POLICY });
  });
  afterAll(async () => {
    await t?.close();
  });

  const posts = (): AcceptedPost[] =>
    t.fake.sent().map((activity) => ({ channelId: activity.toConversationId, messageRef: activity.id }));
  const to = (conversationId: string) => (call: ConnectorCall) =>
    (call.operation === 'send' || call.operation === 'reply') && call.conversationId === conversationId;
  const textOf = (call: ConnectorCall) => JSON.stringify(call.body);
  const accepted = (caseRef: string, conversationId: string, title: string) =>
    t.fake.waitFor(
      (call) => to(conversationId)(call) && call.status === 201 && textOf(call).includes(`${title}: ${caseRef}`),
      {
        timeoutMs: 30_000,
      },
    );

  it(
    'sends every notification once to each conversation, in the order the journey sent them',
    { timeout: 120_000 },
    async () => {
      const originTeam = t.channels.originTeam.id;
      const originManagers = t.channels.originManagers.id;
      const caseRef = await journeyThroughFaults(t.journeys, t.world, {
        // Four 500s: the connector's own three retries run out, the notify step fails once and Temporal retries it.
        listing() {
          t.fake.failNext(4, 500, { match: to(originTeam) });
          return (ref) => accepted(ref, originTeam, 'Listed for mutual aid').then(() => undefined);
        },
        // 429 with Retry-After: the connector waits it out and sends again.
        firstOffer() {
          t.fake.rateLimitNext(2, 1, { match: to(originTeam) });
          return (ref) => accepted(ref, originTeam, 'New offer').then(() => undefined);
        },
        // A slow connector: the send waits for its answer (the connector has no request timeout of its own).
        secondOffer() {
          t.fake.stallNext(1, 3_000, { match: to(originTeam) });
          return (ref) => accepted(ref, originTeam, 'New offer').then(() => undefined);
        },
        // 429s without Retry-After when the window closes: the connector gives up at once, Temporal retries the step.
        async windowCloses(ref) {
          t.fake.rateLimitNext(3, null, { match: to(originTeam) });
          await t.fake.waitFor((call) => to(originTeam)(call) && call.status === 429, { count: 3, timeoutMs: 30_000 });
          await accepted(ref, originTeam, "Patient's choice needed");
        },
        // The origin managers' conversation answers 503 while approval is asked for: the connector retries.
        choiceAndApprovals(ref) {
          t.fake.failNext(2, 503, { match: to(originManagers) });
          return async () => {
            await accepted(ref, originManagers, 'Transfer approved');
          };
        },
      });
      expect((await outcomeOf(t.env, caseRef)).state).toBe('TRANSFERRED');
      const faulted = (status: number) =>
        t.fake.calls.filter((call) => call.status === status && (call.failed || call.rateLimited));
      expect({
        serverErrors: faulted(500).length,
        rateLimited: faulted(429).length,
        unavailable: faulted(503).length,
        stalled: t.fake.calls.filter((call) => call.stalled).length,
        timedOut: t.fake.calls.filter((call) => call.timedOut).length,
      }).toEqual({ serverErrors: 4, rateLimited: 5, unavailable: 2, stalled: 1, timedOut: 0 });
      const { sent, delivered } = await deliveries(t.env, 'TEAMS', caseRef, posts);
      expect(delivered).toEqual(sent);
    },
  );
});
