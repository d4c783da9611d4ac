/**
 * Notification fan-out through provider digest workflows: matching providers
 * hear of a listed case in one batched digest, never twice however the
 * fan-out or the send is retried, and sends to one channel are paced by a
 * Temporal timer (asserted from the workflow history, not the wall clock).
 */
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyNotification, Notifier } from '../../domain/notifications';
import { digestStatusQuery, digestWorkflowId } from '../../workflows/contract';
import { digestStarter } from '../../workflows/worker';
import { outboxOfKind, postCapacity, waitForOutbox } from '../support/capacity-helpers';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { listPatient, waitForState } from '../support/journey-helpers';

const EventType = temporal.api.enums.v1.EventType;
const WINDOW_MS = 1_500;
const CHANNEL_INTERVAL_MS = 2_000;

/** Records every digest sent to it and loses the first acknowledgement, as a flaky chat API would. */
class LosesFirstAck implements Notifier {
  readonly attempts: string[] = [];
  constructor(private readonly inner: Notifier) {}
  async notify(notification: JourneyNotification): Promise<void> {
    await this.inner.notify(notification);
    if (notification.kind !== 'NEW_MATCHES_DIGEST') return;
    this.attempts.push(notification.key);
    if (this.attempts.filter((key) => key === notification.key).length === 1) {
      throw new Error('chat API timed out after delivering');
    }
  }
}

describe('notifying matching providers of new cases', () => {
  let env: JourneyEnv;
  let notifier: LosesFirstAck | undefined;
  beforeAll(async () => {
    env = await createJourneyEnv({
      notifications: { windowMs: WINDOW_MS, channelIntervalMs: CHANNEL_INTERVAL_MS },
      notifier: (outbox) => (notifier = new LosesFirstAck(outbox)),
    });
    await env.startWorker();
    // Both providers have hip capacity that every default listing matches; the origin trust has none.
    await postCapacity(env.capacity(), env.world.independent);
    await postCapacity(env.capacity(), env.world.nhsProvider);
  });
  afterAll(() => env.close());

  const digestHistory = async (organisationId: string) =>
    (await env.client.workflow.getHandle(digestWorkflowId(organisationId)).fetchHistory()).events ?? [];

  it('sends each matching provider one digest for the cases listed within its batching window', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 120_000 });
    const listed = await Promise.all([1, 2, 3].map(() => listPatient(journeys, world)));
    for (const caseRef of listed) await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');

    for (const provider of [world.independent, world.nhsProvider]) {
      const [digest, ...others] = await waitForOutbox(database.db, 'NEW_MATCHES_DIGEST', provider.id);
      expect(others).toEqual([]);
      expect(digest?.caseRef).toBeNull();
      expect(digest?.audience).toEqual({ kind: 'ORGANISATION', organisationId: provider.id, roles: ['CLINICIAN'] });
      const payload = digest?.payload as { count: number; caseRefs: string };
      expect(payload.count).toBe(3);
      expect(payload.caseRefs.split(',').sort()).toEqual([...listed].sort());
    }
    // The listing trust is never told of its own patients.
    expect(await outboxOfKind(database.db, 'NEW_MATCHES_DIGEST', world.origin.id)).toEqual([]);
  });

  it('never notifies twice when the fan-out is repeated or a send is retried after delivering', async () => {
    const { world, database, client } = env;
    const journeys = env.journeys({ offerWindowMs: 120_000 });
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    const starter = digestStarter(client, env.taskQueue, env.notifications);
    // The fan-out activity retried twice more, as after a lost acknowledgement.
    await starter.addMatches(world.independent.id, [{ caseRef, round: 1 }]);
    await starter.addMatches(world.independent.id, [{ caseRef, round: 1 }]);

    const handle = client.workflow.getHandle(digestWorkflowId(world.independent.id));
    const mentioning = async () =>
      (await outboxOfKind(database.db, 'NEW_MATCHES_DIGEST', world.independent.id)).filter((row) =>
        (row.payload as { caseRefs: string }).caseRefs.includes(caseRef),
      );
    await eventually(async () => (await mentioning()).length > 0);
    await eventually(async () => (await handle.query(digestStatusQuery)).pending === 0);
    expect(await mentioning()).toHaveLength(1);

    // Each digest send failed once after delivering and was retried under the same key: one row per key.
    const keys = notifier!.attempts;
    expect(keys.length).toBeGreaterThan(new Set(keys).size);
    const rows = await outboxOfKind(database.db, 'NEW_MATCHES_DIGEST');
    expect(new Set(rows.map((row) => row.idempotencyKey)).size).toBe(rows.length);
    expect(rows.length).toBe(new Set(keys).size);

    // The history shows the retry: the digest's send activity started on a second attempt.
    const events = await digestHistory(world.independent.id);
    const attempts = events
      .filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
      .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 1);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  });

  it('separates two sends to the same channel by a timer of the configured channel interval', async () => {
    const { world, database, client } = env;
    const journeys = env.journeys({ offerWindowMs: 120_000 });
    const first = await listPatient(journeys, world);
    await waitForState(journeys, first, 'OPEN_FOR_OFFERS');
    const before = (await outboxOfKind(database.db, 'NEW_MATCHES_DIGEST', world.nhsProvider.id)).length;
    await waitForOutbox(database.db, 'NEW_MATCHES_DIGEST', world.nhsProvider.id, before + 1);
    // A second case matched just after the first digest went out: it waits for the channel, then its own window.
    const second = await listPatient(journeys, world);
    await waitForState(journeys, second, 'OPEN_FOR_OFFERS');
    await waitForOutbox(database.db, 'NEW_MATCHES_DIGEST', world.nhsProvider.id, before + 2);
    const handle = client.workflow.getHandle(digestWorkflowId(world.nhsProvider.id));
    await eventually(async () => (await handle.query(digestStatusQuery)).pending === 0);

    const events = await digestHistory(world.nhsProvider.id);
    const sends = events.filter(
      (event) =>
        event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
        event.activityTaskScheduledEventAttributes?.activityType?.name === 'notify',
    );
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const send of sends) {
      expect(send.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(env.notifications.notificationsTaskQueue);
    }
    const timers = events.filter((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    const fired = new Set(
      events
        .filter((event) => event.eventType === EventType.EVENT_TYPE_TIMER_FIRED)
        .map((event) => Number(event.timerFiredEventAttributes?.startedEventId)),
    );
    const millis = (event: (typeof events)[number]) => {
      const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
      return Number(timeout?.seconds ?? 0) * 1000 + Math.round((timeout?.nanos ?? 0) / 1e6);
    };
    for (let i = 1; i < sends.length; i += 1) {
      const [from, to] = [Number(sends[i - 1]!.eventId), Number(sends[i]!.eventId)];
      const between = timers.filter((timer) => Number(timer.eventId) > from && Number(timer.eventId) < to);
      // The pacing timer, then the next batching window, both fired before the next send was scheduled.
      expect(between.map(millis)).toEqual([CHANNEL_INTERVAL_MS, WINDOW_MS]);
      for (const timer of between) expect(fired.has(Number(timer.eventId))).toBe(true);
    }
  });
});
