import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Org } from '../support/fixtures';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import {
  approvalRows,
  caseRow,
  choiceRows,
  notificationKinds,
  notificationsOfKind,
  offerStatuses,
  refusals,
  waitForNotification,
} from '../support/journey-assertions';
import { auditActions, expectRefused, offerFrom } from '../support/journey-helpers';
import type { ActingAs, JourneyClient } from '../../workflows/client';
import { expectOk, listWithOffers, toAwaitingApproval, toChoosing, type Staged } from '../support/journey-stages';

const POLICY = { offerWindowMs: 2_000, reminderBeforeMs: 500, choiceWindowMs: 60_000, approvalWindowMs: 60_000 };

describe('who may act on a case', () => {
  let env: JourneyEnv;
  let journeys: JourneyClient;
  let open: Staged;
  let choosing: Staged;
  let awaiting: Staged;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    journeys = env.journeys(POLICY);
    const { world } = env;
    [open, choosing, awaiting] = await Promise.all([
      listWithOffers(env.journeys({ ...POLICY, offerWindowMs: 120_000 }), world, [world.independent]),
      toChoosing(journeys, world, [world.independent, world.nhsProvider]),
      toAwaitingApproval(journeys, world, [world.nhsProvider]),
    ]);
    // Let the notifications that follow each step land, so the snapshots below compare a case at rest.
    const { db } = env.database;
    await eventually(async () => (await notificationKinds(db, open.caseRef)).includes('CASE_OPEN_FOR_OFFERS'));
    await waitForNotification(db, choosing.caseRef, 'CHOICE_NEEDED');
    await eventually(async () => (await notificationsOfKind(db, awaiting.caseRef, 'APPROVAL_REQUESTED')).length === 2);
  });
  afterAll(() => env.close());

  /** Everything about a case that a refused request must leave exactly as it was. */
  async function snapshot(caseRef: string) {
    const { db } = env.database;
    const status = expectOk(await journeys.status(caseRef));
    const kase = await caseRow(db, caseRef);
    return {
      status,
      kase: {
        state: kase.state,
        round: kase.round,
        closedReason: kase.closedReason,
        flaggedForReviewAt: kase.flaggedForReviewAt,
      },
      offers: await offerStatuses(db, caseRef),
      choices: await choiceRows(db, caseRef),
      approvals: await approvalRows(db, caseRef),
      audit: (await auditActions(db, caseRef)).filter((action) => !action.endsWith(':REFUSED')),
      notifications: await notificationKinds(db, caseRef),
    };
  }

  /** Runs a refused request and checks its code and words, that nothing changed, and that the refusal was audited. */
  async function expectRefusedAndUnchanged(
    caseRef: string,
    attempt: () => Promise<{ ok: boolean; code?: string; message?: string }>,
    expected: { code: string; message: RegExp; action: string; who: ActingAs },
  ) {
    const before = await snapshot(caseRef);
    const refusalsBefore = await refusals(env.database.db, caseRef);
    const decision = await attempt();
    expectRefused(decision, expected.code);
    expect(decision.message).toMatch(expected.message);
    expect(await snapshot(caseRef)).toEqual(before);
    expect(await refusals(env.database.db, caseRef)).toEqual([
      ...refusalsBefore,
      { action: expected.action, code: expected.code, personId: expected.who.personId },
    ]);
  }

  const staff = (org: Org, who: keyof Org['staff']) => as(org, who);

  it("refuses a clinician of another organisation who tries to record the patient's choice", async () => {
    const { world } = env;
    const who = staff(world.independent, 'clinician');
    await expectRefusedAndUnchanged(
      choosing.caseRef,
      () => journeys.recordChoice(choosing.caseRef, who, { kind: 'ACCEPT', offerId: choosing.offers[0]!.offerId }),
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: /Only staff of the organisation concerned can record the patient's choice/,
        action: 'recordChoice',
        who,
      },
    );
  });

  it("refuses a provider clinician who tries to approve the origin trust's release of the patient", async () => {
    const { world } = env;
    const who = staff(world.nhsProvider, 'clinician');
    await expectRefusedAndUnchanged(
      awaiting.caseRef,
      () => journeys.decideApproval(awaiting.caseRef, who, { side: 'ORIGIN_RELEASE', approve: true }),
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: /Only staff of the organisation concerned can release this patient/,
        action: 'decideApproval',
        who,
      },
    );
  });

  it('refuses a coordinator who tries to approve, because approving a transfer needs the manager role', async () => {
    const { world } = env;
    const originCoordinator = staff(world.origin, 'coordinator');
    await expectRefusedAndUnchanged(
      awaiting.caseRef,
      () => journeys.decideApproval(awaiting.caseRef, originCoordinator, { side: 'ORIGIN_RELEASE', approve: true }),
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: /need the manager role in your organisation to release this patient/,
        action: 'decideApproval',
        who: originCoordinator,
      },
    );
    const providerCoordinator = staff(world.nhsProvider, 'coordinator');
    await expectRefusedAndUnchanged(
      awaiting.caseRef,
      () =>
        journeys.decideApproval(awaiting.caseRef, providerCoordinator, { side: 'RECEIVING_ACCEPTANCE', approve: true }),
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: /need the manager role in your organisation to accept this patient/,
        action: 'decideApproval',
        who: providerCoordinator,
      },
    );
  });

  it('refuses an offer from the trust that listed the patient, with OFFER.OWN_PATIENT', async () => {
    const { world } = env;
    const who = staff(world.origin, 'clinician');
    await expectRefusedAndUnchanged(
      open.caseRef,
      () => journeys.makeOffer(open.caseRef, who, offerFrom(world.origin)),
      { code: 'OFFER.OWN_PATIENT', message: /Your organisation listed this patient/, action: 'makeOffer', who },
    );
  });

  it('refuses a provider coordinator who tries to make an offer, because offering needs a clinician', async () => {
    const { world } = env;
    const who = staff(world.nhsProvider, 'coordinator');
    await expectRefusedAndUnchanged(
      open.caseRef,
      () => journeys.makeOffer(open.caseRef, who, offerFrom(world.nhsProvider)),
      { code: 'ACTOR.NOT_AUTHORISED', message: /need the clinician role/, action: 'makeOffer', who },
    );
  });

  it("refuses a provider that tries to withdraw the origin trust's case", async () => {
    const { world } = env;
    const who = staff(world.independent, 'manager');
    await expectRefusedAndUnchanged(open.caseRef, () => journeys.withdrawCase(open.caseRef, who, 'OTHER'), {
      code: 'ACTOR.NOT_AUTHORISED',
      message: /Only staff of the organisation concerned can withdraw this case/,
      action: 'withdrawCase',
      who,
    });
  });

  it("refuses another provider's clinician who tries to withdraw an offer that is not theirs", async () => {
    const { world } = env;
    const who = staff(world.nhsProvider, 'clinician');
    await expectRefusedAndUnchanged(
      open.caseRef,
      () => journeys.withdrawOffer(open.caseRef, who, open.offers[0]!.offerId),
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: /Only staff of the organisation concerned can withdraw this offer/,
        action: 'withdrawOffer',
        who,
      },
    );
  });

  it('refuses a person with no role anywhere (ACTOR.NOT_AUTHORISED) whichever organisation they claim to act for', async () => {
    const { world } = env;
    const claimingOrigin: ActingAs = { personId: world.outsider, organisationOds: world.origin.ods, channel: 'SLACK' };
    const claimingProvider: ActingAs = {
      personId: world.outsider,
      organisationOds: world.independent.ods,
      channel: 'TEAMS',
    };
    const noRole = { code: 'ACTOR.NOT_AUTHORISED', message: /You have no role at (RR8|NT2) in mutual aid/ };

    await expectRefusedAndUnchanged(open.caseRef, () => journeys.withdrawCase(open.caseRef, claimingOrigin, 'OTHER'), {
      ...noRole,
      action: 'withdrawCase',
      who: claimingOrigin,
    });
    await expectRefusedAndUnchanged(
      open.caseRef,
      () => journeys.makeOffer(open.caseRef, claimingProvider, offerFrom(world.independent)),
      {
        ...noRole,
        action: 'makeOffer',
        who: claimingProvider,
      },
    );
    await expectRefusedAndUnchanged(
      choosing.caseRef,
      () => journeys.recordChoice(choosing.caseRef, claimingOrigin, { kind: 'DECLINE_ALL' }),
      { ...noRole, action: 'recordChoice', who: claimingOrigin },
    );
    await expectRefusedAndUnchanged(
      awaiting.caseRef,
      () =>
        journeys.decideApproval(awaiting.caseRef, claimingOrigin, {
          side: 'ORIGIN_RELEASE',
          approve: false,
          reason: 'no',
        }),
      { ...noRole, action: 'decideApproval', who: claimingOrigin },
    );
  });

  it('lets the people who are entitled act on the same cases afterwards', async () => {
    const { world } = env;
    const released = expectOk(
      await journeys.decideApproval(awaiting.caseRef, as(world.origin, 'manager'), {
        side: 'ORIGIN_RELEASE',
        approve: true,
      }),
    );
    expect(released.approvals).toEqual([
      { side: 'ORIGIN_RELEASE', approved: true, decidedBy: world.origin.staff.manager },
    ]);
    const chose = expectOk(
      await journeys.recordChoice(choosing.caseRef, as(world.origin, 'clinician'), {
        kind: 'ACCEPT',
        offerId: choosing.offers[1]!.offerId,
      }),
    );
    expect(chose.state).toBe('AWAITING_APPROVAL');
    const withdrawn = expectOk(
      await journeys.withdrawCase(open.caseRef, as(world.origin, 'manager'), 'TREATED_LOCALLY'),
    );
    expect(withdrawn.state).toBe('WITHDRAWN');
  });
});
