import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, cases, choices, offers, transferDatasets } from '../../db/schema';
import { notificationsForCase } from '../../db/outbox';
import type { patientJourney } from '../../workflows';
import { as } from '../support/fixtures';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { TRANSFER_AUDIT_TRAIL, auditActions, listPatient, makeOffer, waitForState } from '../support/journey-helpers';

describe('a patient listed, offered twice, choosing, approved and transferred', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('takes the patient from listing to transfer, writing every step to the database and the audit log', async () => {
    const { world, database } = env;
    const journeys = env.journeys();
    const caseRef = await listPatient(journeys, world, { rttClockStart: '2025-06-02' });
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    const open = await eventually(async () =>
      (await journeys.openJourneys()).find((info) => info.workflowId === caseRef),
    );
    expect(open.type).toBe('patientJourney');

    const york = await makeOffer(journeys, caseRef, world.independent);
    const sheffield = await makeOffer(journeys, caseRef, world.nhsProvider);
    expect(york.siteName).toBe('Nuffield Health York Hospital');

    const choosing = await waitForState(journeys, caseRef, 'CHOOSING');
    expect(choosing.offers.map((offer) => offer.status)).toEqual(['LIVE', 'LIVE']);

    const chose = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator', 'TEAMS'), {
      kind: 'ACCEPT',
      offerId: sheffield.offerId,
    });
    expect(chose.ok && chose.value.state).toBe('AWAITING_APPROVAL');

    const released = await journeys.decideApproval(caseRef, as(world.origin, 'manager'), {
      side: 'ORIGIN_RELEASE',
      approve: true,
    });
    expect(released.ok && released.value.state).toBe('AWAITING_APPROVAL');
    const accepted = await journeys.decideApproval(caseRef, as(world.nhsProvider, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: true,
    });
    expect(accepted.ok && accepted.value.state).toBe('APPROVED');

    const transferred = await journeys.confirmTransfer(caseRef, as(world.nhsProvider, 'coordinator'), '2026-12-14');
    expect(transferred.ok && transferred.value.state).toBe('TRANSFERRED');
    const outcome = await env.client.workflow.getHandle<typeof patientJourney>(caseRef).result();
    expect(outcome).toEqual({ state: 'TRANSFERRED', rounds: 1 });
    await eventually(async () => !(await journeys.openJourneys()).some((info) => info.workflowId === caseRef));

    const [kase] = await database.db.select().from(cases).where(eq(cases.caseRef, caseRef));
    expect(kase?.state).toBe('TRANSFERRED');
    const offerRows = await database.db.select().from(offers).where(eq(offers.caseRef, caseRef));
    expect(Object.fromEntries(offerRows.map((o) => [o.id, o.status]))).toEqual({
      [york.offerId]: 'NOT_CHOSEN',
      [sheffield.offerId]: 'CHOSEN',
    });
    const choiceRows = await database.db.select().from(choices).where(eq(choices.caseRef, caseRef));
    expect(choiceRows).toMatchObject([{ outcome: 'ACCEPTED_OFFER', offerId: sheffield.offerId, round: 1 }]);
    const approvalRows = await database.db.select().from(approvals).where(eq(approvals.caseRef, caseRef));
    expect(approvalRows.map((a) => [a.side, a.approved]).sort()).toEqual([
      ['ORIGIN_RELEASE', true],
      ['RECEIVING_ACCEPTANCE', true],
    ]);

    // The IPT data set goes to the receiving provider and keeps the original RTT clock start.
    const [ipt] = await database.db.select().from(transferDatasets).where(eq(transferDatasets.caseRef, caseRef));
    expect(ipt?.receivingOrgId).toBe(world.nhsProvider.id);
    expect(ipt?.dataset).toMatchObject({
      rttPathway: { periodStart: '2025-06-02' },
      receivingOrganisation: { odsCode: 'RHQ' },
    });

    expect(await auditActions(database.db, caseRef)).toEqual(TRANSFER_AUDIT_TRAIL);
    const kinds = (await notificationsForCase(database.db, caseRef)).map((n) => n.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'CASE_OPEN_FOR_OFFERS',
        'OFFER_RECEIVED',
        'CHOICE_NEEDED',
        'OFFER_CHOSEN',
        'OFFER_NOT_CHOSEN',
        'APPROVAL_REQUESTED',
        'TRANSFER_APPROVED',
        'TRANSFERRED',
      ]),
    );
  });
});
