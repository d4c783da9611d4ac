/**
 * The weekly managers' digest: a Temporal Schedule (Monday 08:00, England)
 * that, when it fires (here: triggered), sends each origin trust's managers
 * last week's funnel by specialty and the trust's waits, once per trust and
 * week however often it runs.
 */
import { randomUUID } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageBlocks, SLACK_LIMITS } from '../../bot/slack/blocks';
import { cardBytes, MAX_CARD_BYTES, messageCard } from '../../bot/teams/cards';
import { notificationMessage } from '../../bot/core/notification-message';
import { renderNotification } from '../../bot/console/render-notification';
import { cases } from '../../db/schema';
import { previousReportingWeek, readWeeklyDigest } from '../../domain/funnel';
import type { Audience, JourneyNotification } from '../../domain/notifications';
import type { weeklyManagersDigest } from '../../workflows/notifications/weekly-managers-digest';
import { loadConfig } from '../../workflows/config';
import { ensureSchedules } from '../../workflows/schedules';
import { outboxOfKind, waitForOutbox } from '../support/capacity-helpers';
import { as, listingFor } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { listPatient, waitForState } from '../support/journey-helpers';
import { expectOk } from '../support/journey-stages';

describe('the weekly managers’ digest', () => {
  let env: JourneyEnv;
  const scheduleId = `escalation-test-${randomUUID()}`;
  const weeklyScheduleId = `weekly-test-${randomUUID()}`;
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

  it('sends each trust with cases one digest of last week’s funnel and its waits, to its managers, once a week', async () => {
    const { world, database, client } = env;
    const journeys = env.journeys({ offerWindowMs: 300_000 });
    // Leeds: one patient still waiting for offers, one withdrawn. Sheffield lists one patient too.
    const waiting = await listPatient(journeys, world);
    const withdrawn = await listPatient(journeys, world, { rttClockStart: '2025-01-06' });
    const listed = await journeys.listPatient(
      listingFor(world, {
        originOds: world.nhsProvider.ods,
        appropriatenessJudgedBy: world.nhsProvider.staff.clinician,
      }),
      as(world.nhsProvider, 'coordinator'),
    );
    if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
    const sheffield = listed.caseRef;
    for (const caseRef of [waiting, withdrawn, sheffield]) await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    expectOk(await journeys.withdrawCase(withdrawn, as(world.origin, 'coordinator'), 'TREATED_LOCALLY'));
    // Listed a week ago: the digest reports on the last complete week.
    await database.db
      .update(cases)
      .set({ listedAt: sql`${cases.listedAt} - interval '7 days'` })
      .where(inArray(cases.caseRef, [waiting, withdrawn, sheffield]));

    const target = {
      taskQueue: env.taskQueue,
      notificationsTaskQueue: env.notifications.notificationsTaskQueue,
      escalation: { stalledAfterMs: 7 * 86_400_000, hour: 7, minute: 0, timezone: 'Europe/London' },
      weeklyDigest: { dayOfWeek: 'MONDAY' as const, hour: 8, minute: 0, timezone: 'Europe/London' },
      scheduleId,
      weeklyScheduleId,
    };
    expect(await ensureSchedules(client, target)).toEqual({ escalation: scheduleId, weeklyDigest: weeklyScheduleId });
    // Idempotent: a second start-up finds the schedules and brings them up to date.
    await ensureSchedules(client, { ...target, weeklyDigest: { ...target.weeklyDigest, minute: 30 } });
    const schedule = client.schedule.getHandle(weeklyScheduleId);
    const described = await schedule.describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.spec.calendars?.[0]).toMatchObject({
      dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }],
      hour: [{ start: 8, end: 8, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
    });

    await schedule.trigger();
    const digests = await waitForOutbox(database.db, 'WEEKLY_DIGEST', undefined, 2);
    const audiences = digests.map((row) => row.audience as Audience);
    expect(audiences).toEqual(
      expect.arrayContaining([
        { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['MANAGER'] },
        { kind: 'ORGANISATION', organisationId: world.nhsProvider.id, roles: ['MANAGER'] },
      ]),
    );
    expect(digests).toHaveLength(2);

    const { weekStarting } = previousReportingWeek(new Date());
    const leedsRow = digests.find(
      (row) => (row.audience as { organisationId: string }).organisationId === world.origin.id,
    )!;
    expect(leedsRow.idempotencyKey).toBe(`weekly-digest/${world.origin.id}/${weekStarting}`);
    expect(leedsRow.caseRef).toBeNull();
    const leeds = readWeeklyDigest(leedsRow.payload as Record<string, unknown>)!;
    expect(leeds).toMatchObject({
      weekStarting,
      week: { listed: 2, offered: 0, inProgress: 1, withdrawn: { cases: 1, reasons: { TREATED_LOCALLY: 1 } } },
      period: { weeks: 12, all: { listed: 2 } },
    });
    expect(leeds.patientInitiated).toBeUndefined();
    expect(leeds.specialties).toEqual([
      {
        specialtyCode: '110',
        week: expect.objectContaining({ listed: 2 }) as unknown,
        // Only the patient still waiting counts towards the trust's waits: too few for figures.
        waits: { patients: 1, suppressed: 'TOO_FEW_PATIENTS' },
      },
    ]);
    expect(leeds.week.timeInState.LISTED?.stays).toBe(2);
    expect(leeds.week.timeInState.OPEN_FOR_OFFERS?.stays).toBe(1);

    // Aggregates only: no case reference anywhere in what was sent.
    const sent = JSON.stringify(digests.map((row) => row.payload));
    for (const caseRef of [waiting, withdrawn, sheffield]) expect(sent).not.toContain(caseRef);

    // Rendered for every platform from the stored notification.
    const notification: JourneyNotification = {
      key: leedsRow.idempotencyKey,
      kind: 'WEEKLY_DIGEST',
      audience: leedsRow.audience as Audience,
      data: leedsRow.payload as JourneyNotification['data'],
    };
    const chat = await notificationMessage(database.db, notification, new Date());
    expect(chat.title).toBe('Weekly mutual-aid digest: where journeys stall');
    expect(chat.body).toMatch(
      new RegExp(
        `^Patients listed in the week starting ${weekStarting}: Listed 2 → offered 0 → chosen 0 → approved 0 → transferred 0\\. ` +
          'Declined 0 · timed out 0 · withdrawn 1 \\(treated locally 1\\) · in progress 1\\. ' +
          'Longest median stay: (listed|open for offers), median [^(]+ \\((1 stay|2 stays)\\)\\.$',
      ),
    );
    expect(chat.sections.map((section) => section.title)).toEqual(['110 Trauma & Orthopaedics']);
    expect(chat.actions).toEqual([]);
    const slack = messageBlocks(chat);
    expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(cardBytes(messageCard(chat))).toBeLessThanOrEqual(MAX_CARD_BYTES);
    const line = renderNotification(
      { kind: 'WEEKLY_DIGEST', caseRef: null, audience: notification.audience, data: notification.data ?? {} },
      undefined,
      { organisationName: () => 'Leeds Teaching Hospitals NHS Trust' },
    );
    expect(line).toContain(
      '[WEEKLY_DIGEST] (no case) → Leeds Teaching Hospitals NHS Trust (managers): Patients listed',
    );
    expect(line).toContain(' | 110 Trauma & Orthopaedics: Listed 2 → offered 0');
    for (const caseRef of [waiting, withdrawn, sheffield]) {
      expect(JSON.stringify([slack, messageCard(chat), line])).not.toContain(caseRef);
    }

    // Run again (a retried or repeated run in the same week): nothing is sent twice.
    const again = await client.workflow.execute<typeof weeklyManagersDigest>('weeklyManagersDigest', {
      taskQueue: env.taskQueue,
      workflowId: `weekly-digest-rerun-${randomUUID()}`,
      args: [{ notificationsTaskQueue: env.notifications.notificationsTaskQueue }],
    });
    expect(again).toEqual({ weekStarting, organisations: 2 });
    expect(await outboxOfKind(database.db, 'WEEKLY_DIGEST')).toHaveLength(2);
  });
});

describe('WEEKLY_DIGEST_AT', () => {
  it('reads a day and a time in England, and names a bad value', () => {
    expect(loadConfig({}).weeklyDigest).toEqual({
      dayOfWeek: 'MONDAY',
      hour: 8,
      minute: 0,
      timezone: 'Europe/London',
    });
    expect(loadConfig({ WEEKLY_DIGEST_AT: 'fri 17:30' }).weeklyDigest).toMatchObject({
      dayOfWeek: 'FRIDAY',
      hour: 17,
      minute: 30,
    });
    expect(() => loadConfig({ WEEKLY_DIGEST_AT: 'Monday 8am' })).toThrow(
      /WEEKLY_DIGEST_AT must be a day and time such as MON 08:00/,
    );
  });
});
