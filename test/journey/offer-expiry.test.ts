import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import {
  caseRow,
  choiceRows,
  notificationKinds,
  offerRows,
  offerStatuses,
  refusals,
  waitForNotification,
  waitForOfferStatus,
  waitForRound,
} from '../support/journey-assertions';
import { auditActions, expectRefused, makeOffer, waitForState } from '../support/journey-helpers';
import { listWithOffers, toChoosing } from '../support/journey-stages';

describe.concurrent('an offer that expires before the patient chooses', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('marks an offer EXPIRED in the database and the journey when its validity ends, tells both sides, and relists when no live offer is left at the end of the window', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 4_000, reminderBeforeMs: 500, maxRounds: 2 });
    const { caseRef, offers } = await listWithOffers(journeys, world, [world.independent], { validForMs: 2_000 });
    const offerId = offers[0]!.offerId;

    const expired = await waitForOfferStatus(journeys, caseRef, offerId, 'EXPIRED');
    expect(expired.state).toBe('OPEN_FOR_OFFERS');
    const [row] = await offerRows(database.db, caseRef);
    expect(row).toMatchObject({ id: offerId, status: 'EXPIRED' });
    expect(row?.closedAt).toBeInstanceOf(Date);

    await waitForRound(journeys, caseRef, 'RELISTED', 2);
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'RELISTED', round: 2 });
    const notifications = await notificationsForCase(database.db, caseRef);
    const expiredNotices = notifications.filter((n) => n.kind === 'OFFER_EXPIRED');
    expect(expiredNotices.map((n) => n.audience)).toEqual([
      { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
      { kind: 'ORGANISATION', organisationId: world.independent.id, roles: ['CLINICIAN', 'COORDINATOR'] },
    ]);
    expect(expiredNotices.every((n) => (n.payload as { offerId: string }).offerId === offerId)).toBe(true);
    // With its only offer gone, the window ends as if no offer had come.
    expect(notifications.map((n) => n.kind)).toEqual(
      expect.arrayContaining(['OFFER_RECEIVED', 'OFFER_EXPIRED', 'OFFER_WINDOW_CLOSING', 'NO_OFFERS_ESCALATION']),
    );
    expect(notifications.map((n) => n.kind)).not.toContain('CHOICE_NEEDED');
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_MADE',
      'OFFER_EXPIRED',
      'CASE_RELISTED',
    ]);
  });

  it('refuses a choice for an expired offer with OFFER.NOT_LIVE, changes nothing, and still accepts the offer that is live', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 2_000, reminderBeforeMs: 500, choiceWindowMs: 30_000 });
    const { caseRef, offers } = await listWithOffers(journeys, world, [world.independent], { validForMs: 3_000 });
    const lasting = await makeOffer(journeys, caseRef, world.nhsProvider, { validForMs: 50_000 });
    const shortLived = offers[0]!;
    await waitForState(journeys, caseRef, 'CHOOSING');
    await waitForOfferStatus(journeys, caseRef, shortLived.offerId, 'EXPIRED');

    const refused = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), {
      kind: 'ACCEPT',
      offerId: shortLived.offerId,
    });
    expectRefused(refused, 'OFFER.NOT_LIVE');
    expect(!refused.ok && refused.message).toMatch(/no longer open/);
    const byLink = await journeys.patientChoice(caseRef, { kind: 'ACCEPT', offerId: shortLived.offerId });
    expectRefused(byLink, 'OFFER.NOT_LIVE');

    const status = await journeys.status(caseRef);
    expect(status.ok && status.value.state).toBe('CHOOSING');
    expect(await offerStatuses(database.db, caseRef)).toEqual({
      [shortLived.offerId]: 'EXPIRED',
      [lasting.offerId]: 'LIVE',
    });
    expect(await choiceRows(database.db, caseRef)).toEqual([]);
    // Both refusals are audited: the coordinator's, and the patient's own link (no person behind it).
    expect(await refusals(database.db, caseRef)).toEqual([
      { action: 'recordChoice', code: 'OFFER.NOT_LIVE', personId: world.origin.staff.coordinator },
      { action: 'recordChoice', code: 'OFFER.NOT_LIVE', personId: null },
    ]);

    const chose = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), {
      kind: 'ACCEPT',
      offerId: lasting.offerId,
    });
    expect(chose.ok && chose.value).toMatchObject({ state: 'AWAITING_APPROVAL', chosenOfferId: lasting.offerId });
    expect(await offerStatuses(database.db, caseRef)).toEqual({
      [shortLived.offerId]: 'EXPIRED',
      [lasting.offerId]: 'CHOSEN',
    });
  });

  it('relists the case when its only offer expires while the patient is choosing, without a choice escalation', async () => {
    const { world, database } = env;
    const journeys = env.journeys({
      offerWindowMs: 2_000,
      reminderBeforeMs: 500,
      choiceWindowMs: 30_000,
      maxRounds: 2,
    });
    const { caseRef, offers } = await toChoosing(journeys, world, [world.independent], { validForMs: 3_500 });
    const offerId = offers[0]!.offerId;

    const relisted = await waitForRound(journeys, caseRef, 'RELISTED', 2);
    expect(relisted.offers).toMatchObject([{ offerId, status: 'EXPIRED', round: 1 }]);
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'RELISTED', round: 2 });
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offerId]: 'EXPIRED' });
    expect(await choiceRows(database.db, caseRef)).toEqual([]);

    await waitForNotification(database.db, caseRef, 'CASE_RELISTED');
    const kinds = await notificationKinds(database.db, caseRef);
    expect(kinds.indexOf('CHOICE_NEEDED')).toBeLessThan(kinds.indexOf('OFFER_EXPIRED'));
    expect(kinds.indexOf('OFFER_EXPIRED')).toBeLessThan(kinds.indexOf('CASE_RELISTED'));
    expect(kinds).not.toContain('CHOICE_OVERDUE_ESCALATION');
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_MADE',
      'CASE_CHOOSING',
      'OFFER_EXPIRED',
      'CASE_RELISTED',
    ]);
  });
});
