import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOfferUpdate } from '../../workflows/contract';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { approvalRows, choiceRows, notificationKinds, offerRows, refusals } from '../support/journey-assertions';
import { auditActions, expectRefused, offerFrom, waitForState } from '../support/journey-helpers';
import { expectOk, listWithOffers, toAwaitingApproval, toChoosing } from '../support/journey-stages';

const POLICY = { offerWindowMs: 2_000, reminderBeforeMs: 500, choiceWindowMs: 30_000, approvalWindowMs: 30_000 };

describe.concurrent('duplicate and concurrent requests', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('answers an offer retried with the same offer id (and so the same update id) with the same offer, and keeps one offer row', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...POLICY, offerWindowMs: 60_000 });
    const { caseRef } = await listWithOffers(journeys, world, []);
    const offerId = randomUUID();
    const request = { ...offerFrom(world.independent), offerId };

    const first = expectOk(await journeys.makeOffer(caseRef, as(world.independent, 'clinician'), request));
    const retried = expectOk(await journeys.makeOffer(caseRef, as(world.independent, 'clinician'), request));
    const [racedA, racedB] = await Promise.all([
      journeys.makeOffer(caseRef, as(world.independent, 'clinician'), request),
      journeys.makeOffer(caseRef, as(world.independent, 'clinician'), request),
    ]);
    expect(retried).toEqual(first);
    expect(expectOk(racedA)).toEqual(first);
    expect(expectOk(racedB)).toEqual(first);

    // The same offer sent again as a new request (a new update id) is refused, not made twice.
    const actor = await journeys.staffActor(as(world.independent, 'clinician'));
    const resent = env.client.workflow.getHandle(caseRef).executeUpdate(makeOfferUpdate, {
      args: [{ ...request, actor: actor! }],
      updateId: randomUUID(),
    });
    await expect(resent).rejects.toMatchObject({ cause: { type: 'OFFER.DUPLICATE' } });

    const rows = await offerRows(database.db, caseRef);
    expect(rows.map((row) => [row.id, row.status])).toEqual([[offerId, 'LIVE']]);
    const status = expectOk(await journeys.status(caseRef));
    expect(status.offers.map((offer) => offer.offerId)).toEqual([offerId]);
    expect((await auditActions(database.db, caseRef)).filter((action) => action === 'OFFER_MADE')).toHaveLength(1);
    expect((await notificationKinds(database.db, caseRef)).filter((kind) => kind === 'OFFER_RECEIVED')).toHaveLength(1);
  });

  it('accepts exactly one of two offers a provider fires at once (a double click) and refuses the other as OFFER.DUPLICATE', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...POLICY, offerWindowMs: 60_000 });
    const { caseRef } = await listWithOffers(journeys, world, []);

    const clicks = await Promise.all([
      journeys.makeOffer(caseRef, as(world.nhsProvider, 'clinician'), {
        ...offerFrom(world.nhsProvider),
        offerId: randomUUID(),
      }),
      journeys.makeOffer(caseRef, as(world.nhsProvider, 'clinician'), {
        ...offerFrom(world.nhsProvider),
        offerId: randomUUID(),
      }),
    ]);
    const made = clicks.filter((click) => click.ok);
    const refused = clicks.filter((click) => !click.ok);
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expectRefused(refused[0]!, 'OFFER.DUPLICATE');
    expect(!refused[0]!.ok && refused[0]!.message).toMatch(/already has a live offer/);

    const madeId = made[0]!.ok ? made[0]!.value.offerId : '';
    const rows = await offerRows(database.db, caseRef);
    expect(rows.map((row) => [row.id, row.status, row.providerOrgId])).toEqual([
      [madeId, 'LIVE', world.nhsProvider.id],
    ]);
    const status = expectOk(await journeys.status(caseRef));
    expect(status.offers.map((offer) => [offer.offerId, offer.status])).toEqual([[madeId, 'LIVE']]);
    expect((await auditActions(database.db, caseRef)).filter((action) => action.startsWith('OFFER_MADE'))).toEqual([
      'OFFER_MADE',
    ]);
    expect(await refusals(database.db, caseRef)).toEqual([
      { action: 'makeOffer', code: 'OFFER.DUPLICATE', personId: world.nhsProvider.staff.clinician },
    ]);
  });

  it('records one approval when the same side is approved twice at once, refusing the second as APPROVAL.ALREADY_DECIDED', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, chosen } = await toAwaitingApproval(journeys, world, [world.independent]);

    const decisions = await Promise.all([
      journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true }),
      journeys.decideApproval(caseRef, as(world.origin, 'manager', 'TEAMS'), { side: 'ORIGIN_RELEASE', approve: true }),
    ]);
    expect(decisions.filter((decision) => decision.ok)).toHaveLength(1);
    const refused = decisions.find((decision) => !decision.ok)!;
    expectRefused(refused, 'APPROVAL.ALREADY_DECIDED');

    const rows = await approvalRows(database.db, caseRef);
    expect(rows.map((row) => [row.side, row.approved, row.offerId])).toEqual([
      ['ORIGIN_RELEASE', true, chosen.offerId],
    ]);
    const status = expectOk(await journeys.status(caseRef));
    expect(status).toMatchObject({
      state: 'AWAITING_APPROVAL',
      approvals: [{ side: 'ORIGIN_RELEASE', approved: true }],
    });
    expect((await auditActions(database.db, caseRef)).filter((action) => action.startsWith('ORIGIN_RELEASE'))).toEqual([
      'ORIGIN_RELEASE_APPROVED',
    ]);
    expect(await refusals(database.db, caseRef)).toEqual([
      { action: 'decideApproval', code: 'APPROVAL.ALREADY_DECIDED', personId: world.origin.staff.manager },
    ]);
  });

  it('answers an approval retried with the same request id once, with the same answer and one approval row', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef } = await toAwaitingApproval(journeys, world, [world.nhsProvider]);
    const requestId = randomUUID();
    const decide = () =>
      journeys.decideApproval(
        caseRef,
        as(world.nhsProvider, 'manager'),
        { side: 'RECEIVING_ACCEPTANCE', approve: true },
        requestId,
      );

    const [first, second] = await Promise.all([decide(), decide()]);
    const third = await decide();
    expect(expectOk(second)).toEqual(expectOk(first));
    expect(expectOk(third)).toEqual(expectOk(first));
    expect(await approvalRows(database.db, caseRef)).toHaveLength(1);
    expect(await refusals(database.db, caseRef)).toEqual([]);
  });

  it("records the patient's choice once when the same choice request is retried with the same request id", async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, offers } = await toChoosing(journeys, world, [world.independent, world.nhsProvider]);
    const requestId = randomUUID();
    const choose = () =>
      journeys.recordChoice(
        caseRef,
        as(world.origin, 'coordinator'),
        { kind: 'ACCEPT', offerId: offers[1]!.offerId },
        requestId,
      );

    const [first, second] = await Promise.all([choose(), choose()]);
    expect(expectOk(first)).toMatchObject({ state: 'AWAITING_APPROVAL', chosenOfferId: offers[1]!.offerId });
    expect(expectOk(second)).toEqual(expectOk(first));
    expect(expectOk(await choose())).toEqual(expectOk(first));
    await waitForState(journeys, caseRef, 'AWAITING_APPROVAL');
    expect(await choiceRows(database.db, caseRef)).toMatchObject([
      { outcome: 'ACCEPTED_OFFER', offerId: offers[1]!.offerId, round: 1 },
    ]);
    expect((await auditActions(database.db, caseRef)).filter((action) => action.startsWith('CHOICE_'))).toEqual([
      'CHOICE_ACCEPTED_OFFER',
    ]);
  });
});
