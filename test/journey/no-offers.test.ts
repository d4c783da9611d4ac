import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { caseRow, outcomeOf, waitForNotification, waitForRound } from '../support/journey-assertions';
import { auditActions, listPatient, waitForState } from '../support/journey-helpers';

const WINDOW = { offerWindowMs: 1_500, reminderBeforeMs: 700 };

describe.concurrent('an offer window that closes with no offers', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('reminds the origin team before the window closes, escalates to the region, relists for round 2, and closes with NO_OFFERS once the rounds run out', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...WINDOW, onNoOffers: 'RELIST', maxRounds: 2 });
    const caseRef = await listPatient(journeys, world);

    const relisted = await waitForRound(journeys, caseRef, 'RELISTED', 2);
    expect(relisted.offers).toEqual([]);
    const kaseInRound2 = await caseRow(database.db, caseRef);
    expect(kaseInRound2).toMatchObject({ state: 'RELISTED', round: 2, closedReason: null });

    await waitForNotification(database.db, caseRef, 'CASE_RELISTED');
    const firstRound = (await notificationsForCase(database.db, caseRef))
      .slice(0, 4)
      .map((n) => ({ kind: n.kind, audience: n.audience, payload: n.payload }));
    expect(firstRound).toEqual([
      {
        kind: 'CASE_OPEN_FOR_OFFERS',
        audience: { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
        payload: { round: 1 },
      },
      // The reminder goes out while the window is still open, before anything else happens to the case.
      {
        kind: 'OFFER_WINDOW_CLOSING',
        audience: { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
        payload: { round: 1, liveOffers: 0 },
      },
      {
        kind: 'NO_OFFERS_ESCALATION',
        audience: { kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' },
        payload: { round: 1 },
      },
      {
        kind: 'CASE_RELISTED',
        audience: { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
        payload: { round: 2 },
      },
    ]);

    const closed = await waitForState(journeys, caseRef, 'CLOSED');
    expect(closed).toMatchObject({ round: 2, closedReason: 'NO_OFFERS' });
    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'CLOSED', reason: 'NO_OFFERS', rounds: 2 });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'CLOSED', round: 2, closedReason: 'NO_OFFERS' });

    const all = await notificationsForCase(database.db, caseRef);
    expect(all.map((n) => `${n.kind}@${(n.payload as { round: number }).round}`)).toEqual([
      'CASE_OPEN_FOR_OFFERS@1',
      'OFFER_WINDOW_CLOSING@1',
      'NO_OFFERS_ESCALATION@1',
      'CASE_RELISTED@2',
      'OFFER_WINDOW_CLOSING@2',
      'NO_OFFERS_ESCALATION@2',
      'CASE_CLOSED@2',
    ]);
    expect(all.at(-1)?.payload).toEqual({ round: 2, reason: 'NO_OFFERS' });
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'CASE_RELISTED',
      'CASE_CLOSED',
    ]);
  });

  it('closes with NO_OFFERS after the first window when the policy allows only one round, without relisting', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...WINDOW, onNoOffers: 'RELIST', maxRounds: 1 });
    const caseRef = await listPatient(journeys, world);

    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'CLOSED', reason: 'NO_OFFERS', rounds: 1 });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'CLOSED', round: 1, closedReason: 'NO_OFFERS' });
    const kinds = (await notificationsForCase(database.db, caseRef)).map((n) => n.kind);
    expect(kinds).toEqual(['CASE_OPEN_FOR_OFFERS', 'OFFER_WINDOW_CLOSING', 'NO_OFFERS_ESCALATION', 'CASE_CLOSED']);
    expect(await auditActions(database.db, caseRef)).toEqual(['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'CASE_CLOSED']);
  });

  it('closes straight away with NO_OFFERS when the policy says CLOSE, even though more rounds are allowed', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...WINDOW, onNoOffers: 'CLOSE', maxRounds: 3 });
    const caseRef = await listPatient(journeys, world);

    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'CLOSED', reason: 'NO_OFFERS', rounds: 1 });
    const status = await journeys.status(caseRef);
    expect(status.ok && status.value).toMatchObject({ state: 'CLOSED', round: 1, closedReason: 'NO_OFFERS' });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'CLOSED', round: 1, closedReason: 'NO_OFFERS' });
    const notifications = await notificationsForCase(database.db, caseRef);
    expect(notifications.map((n) => n.kind)).toEqual([
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_WINDOW_CLOSING',
      'NO_OFFERS_ESCALATION',
      'CASE_CLOSED',
    ]);
    expect(notifications.find((n) => n.kind === 'NO_OFFERS_ESCALATION')?.audience).toEqual({
      kind: 'REGION_ESCALATION',
      region: 'NORTH_EAST_AND_YORKSHIRE',
    });
    expect(await auditActions(database.db, caseRef)).toEqual(['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'CASE_CLOSED']);
  });
});
