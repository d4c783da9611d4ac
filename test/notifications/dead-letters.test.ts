/**
 * A notification that can never reach a chat channel ends in a dead letter
 * an operator sees, not in an endless retry, and the rest goes on: other
 * channels get their messages and the journey keeps moving. Real Bolt's
 * WebClient against the fake Slack Web API, the journey on the real
 * Temporal server and PostgreSQL, with three attempts per notification.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDeadLetters } from '../../db/schema';
import { runDeadLetterCommand } from '../../scripts/dead-letters';
import { as, listingFor } from '../support/fixtures';
import { eventually } from '../support/journey-env';
import { waitForState } from '../support/journey-helpers';
import { linkChannel } from '../../db/chat-directory';
import { CHANNELS, createSlackEnv, TEAM_ID, type SlackEnv } from '../support/slack/slack-env';
import { postedTo } from '../support/slack/slack-steps';

const LISTED_TITLE = 'Listed for mutual aid';

describe('notifications that cannot be delivered', () => {
  let s: SlackEnv;
  /** The origin team's second channel, which works: the same messages must still reach it. */
  const SECOND = 'CRR8WARD';
  beforeAll(async () => {
    s = await createSlackEnv({ notifications: { maxAttempts: 3 }, policy: { offerWindowMs: 60_000 } });
    await linkChannel(s.db, {
      platform: 'SLACK',
      workspaceId: TEAM_ID,
      channelId: SECOND,
      audience: { organisationId: s.world.origin.id, role: 'COORDINATOR' },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const list = async () => {
    const listed = await s.journeys.listPatient(listingFor(s.world), as(s.world.origin, 'coordinator'));
    if (!listed.ok) throw new Error(JSON.stringify(listed.errors));
    return listed.caseRef;
  };
  const deadLettersFor = (caseRef: string) =>
    s.db.select().from(notificationDeadLetters).where(eq(notificationDeadLetters.caseRef, caseRef));
  /** The posts of the case's "listed" message to the origin team's channel, failed ones included. */
  const listedPosts = (caseRef: string) =>
    s.fake.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === CHANNELS.originTeam &&
        JSON.stringify(c.body).includes(`${LISTED_TITLE}: ${caseRef}`),
    );

  it('dead-letters a channel Slack says is gone at the first answer, and delivers everything else', async () => {
    s.fake.failChannel(CHANNELS.originTeam, { error: 'channel_not_found' });
    try {
      const caseRef = await list();
      await waitForState(s.journeys, caseRef, 'OPEN_FOR_OFFERS');
      // The team's other channel still hears of the case.
      await postedTo(s.fake, SECOND, `${LISTED_TITLE}: ${caseRef}`);
      const [letter] = await eventually(async () => {
        const rows = await deadLettersFor(caseRef);
        return rows.length > 0 ? rows : undefined;
      });
      expect(letter).toMatchObject({
        kind: 'CASE_OPEN_FOR_OFFERS',
        platform: 'SLACK',
        channelId: CHANNELS.originTeam,
        reason: 'PERMANENT',
        errorCode: 'channel_not_found',
        attempts: 1,
        resolvedAt: null,
      });
      expect(listedPosts(caseRef)).toHaveLength(1);

      // The operator sees it: in the health check, and from the command line; and resolves it.
      const health = (await (await fetch(`${s.bot.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true });
      expect(health.undeliveredNotifications).toBeGreaterThanOrEqual(1);
      const printed: string[] = [];
      const io = { print: (line: string) => printed.push(line), error: (line: string) => printed.push(line) };
      expect(await runDeadLetterCommand(s.db, ['list'], io)).toBe(0);
      expect(printed.join('\n')).toMatch(new RegExp(`CASE_OPEN_FOR_OFFERS  ${caseRef}  SLACK .*channel_not_found`));
      expect(await runDeadLetterCommand(s.db, ['resolve', String(letter!.id), '--by', 'Ops on call'], io)).toBe(0);
      expect(await runDeadLetterCommand(s.db, ['resolve', String(letter!.id), '--by', 'Ops on call'], io)).toBe(1);
      const [resolved] = await s.db
        .select()
        .from(notificationDeadLetters)
        .where(eq(notificationDeadLetters.id, letter!.id));
      expect(resolved?.resolvedBy).toBe('Ops on call');
    } finally {
      s.fake.clearChannel(CHANNELS.originTeam);
    }
  });

  it('gives up on a channel whose sends keep failing after the last attempt, instead of retrying for ever', async () => {
    s.fake.failChannel(CHANNELS.originTeam, { status: 500 });
    try {
      const caseRef = await list();
      await postedTo(s.fake, SECOND, `${LISTED_TITLE}: ${caseRef}`);
      const [letter] = await eventually(async () => {
        const rows = await s.db
          .select()
          .from(notificationDeadLetters)
          .where(
            and(eq(notificationDeadLetters.caseRef, caseRef), eq(notificationDeadLetters.kind, 'CASE_OPEN_FOR_OFFERS')),
          );
        return rows.length > 0 ? rows : undefined;
      }, 45_000);
      expect(letter).toMatchObject({ reason: 'RETRIES_EXHAUSTED', errorCode: 'HTTP 500', attempts: 3 });
      const tried = listedPosts(caseRef).length;
      expect(tried).toBeGreaterThanOrEqual(3);
      // Nothing more is tried once the dead letter is written.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(listedPosts(caseRef)).toHaveLength(tried);
      const status = await s.journeys.status(caseRef);
      expect(status.ok && status.value.state).toBe('OPEN_FOR_OFFERS');
    } finally {
      s.fake.clearChannel(CHANNELS.originTeam);
    }
  }, 90_000);
});
