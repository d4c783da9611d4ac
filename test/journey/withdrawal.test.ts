import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import type { WithdrawReason } from '../../domain/journey-states';
import type { Org } from '../support/fixtures';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { caseRow, offerStatuses, outcomeOf, refusals } from '../support/journey-assertions';
import { auditActions, expectRefused, offerFrom } from '../support/journey-helpers';
import { expectOk, listWithOffers, toApproved, toAwaitingApproval, toChoosing } from '../support/journey-stages';

const POLICY = {
  offerWindowMs: 2_000,
  reminderBeforeMs: 500,
  choiceWindowMs: 30_000,
  approvalWindowMs: 30_000,
  transferWindowMs: 30_000,
};

describe.concurrent('withdrawal of a case by the origin trust', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  /** Withdraws, then checks the journey, the database, the notifications and the workflow's result. */
  async function withdrawAndCheck(caseRef: string, reason: WithdrawReason, notified: Org[]) {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const withdrawn = expectOk(await journeys.withdrawCase(caseRef, as(world.origin, 'coordinator', 'TEAMS'), reason));
    expect(withdrawn).toMatchObject({ state: 'WITHDRAWN', closedReason: reason });
    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'WITHDRAWN', reason, rounds: 1 });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'WITHDRAWN', closedReason: reason });

    const notices = (await notificationsForCase(database.db, caseRef)).filter((n) => n.kind === 'CASE_WITHDRAWN');
    // The origin team's channel hears first, then each provider that had an open offer.
    expect(notices.map((n) => n.audience)).toEqual([
      { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
      ...notified.map((org) => ({ kind: 'ORGANISATION', organisationId: org.id, roles: ['CLINICIAN', 'COORDINATOR'] })),
    ]);
    expect(notices.every((n) => (n.payload as { reason: string }).reason === reason)).toBe(true);
    return withdrawn;
  }

  it('withdraws a case that is open for offers, lapsing every live offer and telling each provider that offered', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...POLICY, offerWindowMs: 60_000 });
    const { caseRef, offers } = await listWithOffers(journeys, world, [world.independent, world.nhsProvider]);

    const withdrawn = await withdrawAndCheck(caseRef, 'TREATED_LOCALLY', [world.independent, world.nhsProvider]);
    expect(withdrawn.offers.map((offer) => offer.status)).toEqual(['LAPSED', 'LAPSED']);
    expect(await offerStatuses(database.db, caseRef)).toEqual({
      [offers[0]!.offerId]: 'LAPSED',
      [offers[1]!.offerId]: 'LAPSED',
    });
    expect(await auditActions(database.db, caseRef)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_MADE',
      'OFFER_MADE',
      'CASE_WITHDRAWN',
      'OFFER_LAPSED',
    ]);
  });

  it('withdraws a case while the patient is choosing, lapsing the offers they were choosing between', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, offers } = await toChoosing(journeys, world, [world.nhsProvider]);

    await withdrawAndCheck(caseRef, 'PATIENT_CHANGED_MIND', [world.nhsProvider]);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offers[0]!.offerId]: 'LAPSED' });
    expect((await auditActions(database.db, caseRef)).slice(-3)).toEqual([
      'CASE_CHOOSING',
      'CASE_WITHDRAWN',
      'OFFER_LAPSED',
    ]);
  });

  it('withdraws a case awaiting approval, lapsing the chosen offer and telling only the chosen provider', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, chosen, offers } = await toAwaitingApproval(journeys, world, [
      world.independent,
      world.nhsProvider,
    ]);

    const withdrawn = await withdrawAndCheck(caseRef, 'CLINICAL_CHANGE', [world.independent]);
    expect(withdrawn.chosenOfferId).toBeUndefined();
    expect(await offerStatuses(database.db, caseRef)).toEqual({
      [chosen.offerId]: 'LAPSED',
      [offers[1]!.offerId]: 'NOT_CHOSEN',
    });
    expect((await auditActions(database.db, caseRef)).slice(-3)).toEqual([
      'CASE_AWAITING_APPROVAL',
      'CASE_WITHDRAWN',
      'OFFER_LAPSED',
    ]);
  });

  it('withdraws an approved case before the transfer, lapsing the chosen offer and telling the receiving provider', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, chosen } = await toApproved(journeys, world, [world.nhsProvider]);

    await withdrawAndCheck(caseRef, 'NO_LONGER_NEEDED', [world.nhsProvider]);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [chosen.offerId]: 'LAPSED' });
    const audit = await auditActions(database.db, caseRef);
    expect(audit).toContain('IPT_DATASET_CREATED');
    expect(audit.filter((action) => action !== 'IPT_DATASET_CREATED').slice(-3)).toEqual([
      'CASE_APPROVED',
      'CASE_WITHDRAWN',
      'OFFER_LAPSED',
    ]);
  });

  it('refuses to withdraw a withdrawn case again, or to offer, choose or approve on it, and writes each refusal to the audit log', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...POLICY, offerWindowMs: 60_000 });
    const { caseRef, offers } = await listWithOffers(journeys, world, [world.independent]);
    expectOk(await journeys.withdrawCase(caseRef, as(world.origin, 'coordinator'), 'OTHER'));
    await outcomeOf(env, caseRef);
    const auditBefore = await auditActions(database.db, caseRef);
    const notificationsBefore = (await notificationsForCase(database.db, caseRef)).length;

    const again = await journeys.withdrawCase(caseRef, as(world.origin, 'manager'), 'TREATED_LOCALLY');
    expect(again.ok).toBe(false);
    expect(!again.ok && again.message).toContain(caseRef);
    const offer = await journeys.makeOffer(caseRef, as(world.nhsProvider, 'clinician'), offerFrom(world.nhsProvider));
    expect(offer.ok).toBe(false);
    const choice = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), {
      kind: 'ACCEPT',
      offerId: offers[0]!.offerId,
    });
    expect(choice.ok).toBe(false);
    const approval = await journeys.decideApproval(caseRef, as(world.origin, 'manager'), {
      side: 'ORIGIN_RELEASE',
      approve: true,
    });
    expect(approval.ok).toBe(false);
    for (const refused of [again, offer, choice, approval]) {
      expectRefused(refused, 'JOURNEY.WRONG_STATE');
      expect(!refused.ok && refused.message).toBe(`Case ${caseRef} was withdrawn, so nothing more can change on it.`);
    }

    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'WITHDRAWN', closedReason: 'OTHER' });
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offers[0]!.offerId]: 'LAPSED' });
    expect((await notificationsForCase(database.db, caseRef)).length).toBe(notificationsBefore);
    expect(await auditActions(database.db, caseRef)).toEqual([
      ...auditBefore,
      'withdrawCase:REFUSED',
      'makeOffer:REFUSED',
      'recordChoice:REFUSED',
      'decideApproval:REFUSED',
    ]);
    expect((await refusals(database.db, caseRef)).map((r) => r.personId)).toEqual([
      world.origin.staff.manager,
      world.nhsProvider.staff.clinician,
      world.origin.staff.coordinator,
      world.origin.staff.manager,
    ]);
    const status = expectOk(await journeys.status(caseRef));
    expect(status).toMatchObject({ state: 'WITHDRAWN', closedReason: 'OTHER' });
  });
});
