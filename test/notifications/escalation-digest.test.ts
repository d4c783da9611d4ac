/**
 * The daily escalation digest: a Temporal Schedule (07:00 Europe/London) that,
 * when it fires (here: triggered), tells each region's escalation leads which
 * cases have stalled and which patients are nearing 52, 65 or 78 weeks.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../db/schema';
import { ensureSchedules } from '../../workflows/schedules';
import { waitForOutbox } from '../support/capacity-helpers';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { listPatient, waitForState } from '../support/journey-helpers';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

describe('the daily escalation digest', () => {
  let env: JourneyEnv;
  const scheduleId = `escalation-test-${randomUUID()}`;
  const weeklyScheduleId = `${scheduleId}-weekly`;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(async () => {
    for (const id of [scheduleId, weeklyScheduleId]) {
      await env.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await env.close();
  });

  it('sends each region one digest of its stalled cases and patients nearing 52, 65 and 78 weeks when the schedule fires', async () => {
    const { world, database, client } = env;
    const journeys = env.journeys({ offerWindowMs: 300_000 });
    const nearing52 = await listPatient(journeys, world, { rttClockStart: daysAgo(50 * 7 + 3) });
    const nearing78 = await listPatient(journeys, world, { rttClockStart: daysAgo(75 * 7 + 1) });
    const stalled = await listPatient(journeys, world, { rttClockStart: daysAgo(20 * 7) });
    const fresh = await listPatient(journeys, world, { rttClockStart: daysAgo(10 * 7) });
    for (const caseRef of [nearing52, nearing78, stalled, fresh])
      await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    await database.db
      .update(cases)
      .set({ stateChangedAt: sql`now() - interval '10 days'` })
      .where(eq(cases.caseRef, stalled));

    const target = {
      taskQueue: env.taskQueue,
      notificationsTaskQueue: env.notifications.notificationsTaskQueue,
      escalation: { stalledAfterMs: 7 * 86_400_000, hour: 7, minute: 0, timezone: 'Europe/London' },
      weeklyDigest: { dayOfWeek: 'MONDAY' as const, hour: 8, minute: 0, timezone: 'Europe/London' },
      scheduleId,
      weeklyScheduleId,
    };
    await ensureSchedules(client, target);
    // Idempotent: a second start-up finds the schedule and brings it up to date.
    await ensureSchedules(client, target);
    const schedule = client.schedule.getHandle(scheduleId);
    const described = await schedule.describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }] });

    await schedule.trigger();
    const [digest, ...more] = await waitForOutbox(database.db, 'ESCALATION_DIGEST', undefined);
    expect(more).toEqual([]);
    expect(digest?.audience).toEqual({ kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' });
    const data = digest?.payload as Record<string, string | number>;
    expect(data).toMatchObject({
      stalledCount: 1,
      approachingCount: 2,
      approaching52: 1,
      approaching65: 0,
      approaching78: 1,
    });
    expect(data.stalled).toBe(`${stalled} OPEN_FOR_OFFERS 10d 20w`);
    expect(String(data.approaching).split(', ').sort()).toEqual([`${nearing52} 50w→52`, `${nearing78} 75w→78`].sort());
    expect(JSON.stringify(data)).not.toContain(fresh);
  });
});
