import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import {
  caseRow,
  choiceRows,
  offerStatuses,
  outcomeOf,
  waitForNotification,
  waitForRound,
} from '../support/journey-assertions';
import { auditActions } from '../support/journey-helpers';
import { toChoosing } from '../support/journey-stages';

const CHOICE = { offerWindowMs: 2_000, choiceWindowMs: 2_500, reminderBeforeMs: 1_000 };

describe.concurrent('a patient who does not choose before the choice deadline', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('reminds the origin team, escalates to the region once the deadline passes, lapses every offer and relists the case', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...CHOICE, maxRounds: 2 });
    const { caseRef, offers } = await toChoosing(journeys, world, [world.independent, world.nhsProvider]);
    const [york, sheffield] = offers.map((offer) => offer.offerId) as [string, string];

    const relisted = await waitForRound(journeys, caseRef, 'RELISTED', 2);
    expect(relisted.offers.map((offer) => [offer.offerId, offer.status])).toEqual([
      [york, 'LAPSED'],
      [sheffield, 'LAPSED'],
    ]);
    expect(relisted.declinedOfferCount).toBe(0);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [york]: 'LAPSED', [sheffield]: 'LAPSED' });
    expect(await caseRow(database.db, caseRef)).toMatchObject({
      state: 'RELISTED',
      round: 2,
      declinedOfferCount: 0,
      flaggedForReviewAt: null,
    });
    expect(await choiceRows(database.db, caseRef)).toEqual([]);

    await waitForNotification(database.db, caseRef, 'CASE_RELISTED');
    const notifications = await notificationsForCase(database.db, caseRef);
    const kinds = notifications.map((n) => n.kind);
    const reminder = kinds.indexOf('CHOICE_REMINDER');
    const escalation = kinds.indexOf('CHOICE_OVERDUE_ESCALATION');
    expect(kinds.indexOf('CHOICE_NEEDED')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('CHOICE_NEEDED')).toBeLessThan(reminder);
    expect(reminder).toBeLessThan(escalation);
    expect(escalation).toBeLessThan(kinds.indexOf('CASE_RELISTED'));
    expect(notifications[reminder]?.audience).toEqual({
      kind: 'ORGANISATION',
      organisationId: world.origin.id,
      roles: ['COORDINATOR', 'CLINICIAN'],
    });
    expect(notifications[escalation]).toMatchObject({
      audience: { kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' },
      payload: { round: 1 },
    });
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_MADE',
      'OFFER_MADE',
      'CASE_CHOOSING',
      'OFFER_LAPSED',
      'CASE_RELISTED',
    ]);
  });

  it('closes the case with ROUNDS_EXHAUSTED when the choice deadline passes in the last round the policy allows', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...CHOICE, maxRounds: 1 });
    const { caseRef, offers } = await toChoosing(journeys, world, [world.nhsProvider]);
    const offerId = offers[0]!.offerId;

    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'CLOSED', reason: 'ROUNDS_EXHAUSTED', rounds: 1 });
    expect(await caseRow(database.db, caseRef)).toMatchObject({
      state: 'CLOSED',
      round: 1,
      closedReason: 'ROUNDS_EXHAUSTED',
    });
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offerId]: 'LAPSED' });
    const kinds = (await notificationsForCase(database.db, caseRef)).map((n) => n.kind);
    expect(kinds.slice(kinds.indexOf('CHOICE_NEEDED'))).toEqual([
      'CHOICE_NEEDED',
      'CHOICE_REMINDER',
      'CHOICE_OVERDUE_ESCALATION',
      'CASE_CLOSED',
    ]);
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_MADE',
      'CASE_CHOOSING',
      'OFFER_LAPSED',
      'CASE_CLOSED',
    ]);
  });
});
