import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import {
  approvalRows,
  caseRow,
  offerStatuses,
  refusals,
  waitForNotification,
  waitForRound,
} from '../support/journey-assertions';
import { auditActions, expectRefused, waitForState } from '../support/journey-helpers';
import { expectOk, toAwaitingApproval } from '../support/journey-stages';

const QUICK_OFFERS = { offerWindowMs: 2_000, reminderBeforeMs: 500, choiceWindowMs: 30_000, maxRounds: 2 };

describe.concurrent('approvals that are refused or not given in time', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('refuses to reject a transfer without a reason (APPROVAL.REASON_REQUIRED) and changes nothing', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...QUICK_OFFERS, approvalWindowMs: 30_000 });
    const { caseRef, chosen } = await toAwaitingApproval(journeys, world, [world.independent]);
    const auditBefore = await auditActions(database.db, caseRef);

    const silent = await journeys.decideApproval(caseRef, as(world.origin, 'manager'), {
      side: 'ORIGIN_RELEASE',
      approve: false,
    });
    expectRefused(silent, 'APPROVAL.REASON_REQUIRED');
    expect(!silent.ok && silent.message).toMatch(/Give a reason/);
    const blank = await journeys.decideApproval(caseRef, as(world.independent, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: false,
      reason: '   ',
    });
    expectRefused(blank, 'APPROVAL.REASON_REQUIRED');

    const status = expectOk(await journeys.status(caseRef));
    expect(status).toMatchObject({ state: 'AWAITING_APPROVAL', chosenOfferId: chosen.offerId, approvals: [] });
    expect(await approvalRows(database.db, caseRef)).toEqual([]);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [chosen.offerId]: 'CHOSEN' });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'AWAITING_APPROVAL', round: 1 });
    expect(await auditActions(database.db, caseRef)).toEqual([
      ...auditBefore,
      'decideApproval:REFUSED',
      'decideApproval:REFUSED',
    ]);
    expect(await refusals(database.db, caseRef)).toEqual([
      { action: 'decideApproval', code: 'APPROVAL.REASON_REQUIRED', personId: world.origin.staff.manager },
      { action: 'decideApproval', code: 'APPROVAL.REASON_REQUIRED', personId: world.independent.staff.manager },
    ]);
  });

  it('records a rejection with its reason, marks the chosen offer REJECTED, tells both trusts and relists the case', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...QUICK_OFFERS, approvalWindowMs: 30_000 });
    const { caseRef, chosen, offers } = await toAwaitingApproval(journeys, world, [
      world.nhsProvider,
      world.independent,
    ]);
    const other = offers[1]!;

    const accepted = expectOk(
      await journeys.decideApproval(caseRef, as(world.nhsProvider, 'manager'), {
        side: 'RECEIVING_ACCEPTANCE',
        approve: true,
      }),
    );
    expect(accepted.state).toBe('AWAITING_APPROVAL');
    const reason = 'Patient now needs a joint plan with the local renal team';
    const rejected = expectOk(
      await journeys.decideApproval(caseRef, as(world.origin, 'manager'), {
        side: 'ORIGIN_RELEASE',
        approve: false,
        reason: `  ${reason} `,
      }),
    );
    expect(rejected).toMatchObject({ state: 'RELISTED', round: 2 });
    expect(rejected.offers.find((offer) => offer.offerId === chosen.offerId)?.status).toBe('REJECTED');

    expect(await offerStatuses(database.db, caseRef)).toEqual({
      [chosen.offerId]: 'REJECTED',
      [other.offerId]: 'NOT_CHOSEN',
    });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'RELISTED', round: 2 });
    const rows = await approvalRows(database.db, caseRef);
    expect(
      rows.map((row) => ({
        side: row.side,
        approved: row.approved,
        reason: row.reason,
        offerId: row.offerId,
        decidedBy: row.decidedBy,
      })),
    ).toEqual([
      {
        side: 'RECEIVING_ACCEPTANCE',
        approved: true,
        reason: null,
        offerId: chosen.offerId,
        decidedBy: world.nhsProvider.staff.manager,
      },
      {
        side: 'ORIGIN_RELEASE',
        approved: false,
        reason,
        offerId: chosen.offerId,
        decidedBy: world.origin.staff.manager,
      },
    ]);

    await waitForNotification(database.db, caseRef, 'CASE_RELISTED');
    const rejections = (await notificationsForCase(database.db, caseRef)).filter((n) => n.kind === 'TRANSFER_REJECTED');
    expect(rejections.map((n) => [(n.audience as { organisationId: string }).organisationId, n.payload])).toEqual([
      [world.origin.id, { round: 1, offerId: chosen.offerId, timedOut: false }],
      [world.nhsProvider.id, { round: 1, offerId: chosen.offerId, timedOut: false }],
    ]);
    expect((await auditActions(database.db, caseRef)).slice(-4)).toEqual([
      'RECEIVING_ACCEPTANCE_APPROVED',
      'ORIGIN_RELEASE_REJECTED',
      'OFFER_REJECTED',
      'CASE_RELISTED',
    ]);
  });

  it('reminds the manager who has not decided, escalates when the approval deadline passes, then lapses the chosen offer after the grace period and relists', async () => {
    const { world, database } = env;
    const journeys = env.journeys({
      ...QUICK_OFFERS,
      approvalWindowMs: 2_000,
      approvalGraceMs: 1_500,
      reminderBeforeMs: 1_000,
    });
    const { caseRef, chosen } = await toAwaitingApproval(journeys, world, [world.independent]);
    expectOk(
      await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true }),
    );

    await waitForNotification(database.db, caseRef, 'APPROVAL_OVERDUE_ESCALATION');
    // During the grace period the case still waits for the missing decision.
    expect(expectOk(await journeys.status(caseRef)).state).toBe('AWAITING_APPROVAL');

    const relisted = await waitForRound(journeys, caseRef, 'RELISTED', 2);
    expect(relisted.offers).toMatchObject([{ offerId: chosen.offerId, status: 'LAPSED' }]);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [chosen.offerId]: 'LAPSED' });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'RELISTED', round: 2 });
    expect(await approvalRows(database.db, caseRef)).toMatchObject([{ side: 'ORIGIN_RELEASE', approved: true }]);

    await waitForNotification(database.db, caseRef, 'CASE_RELISTED');
    const notifications = await notificationsForCase(database.db, caseRef);
    // From the approval requests to the relisting; round 2's own reminders may follow.
    const after = notifications.slice(
      notifications.findIndex((n) => n.kind === 'APPROVAL_REQUESTED'),
      notifications.findIndex((n) => n.kind === 'CASE_RELISTED') + 1,
    );
    expect(after.map((n) => [n.kind, n.audience])).toEqual([
      ['APPROVAL_REQUESTED', { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['MANAGER'] }],
      ['APPROVAL_REQUESTED', { kind: 'ORGANISATION', organisationId: world.independent.id, roles: ['MANAGER'] }],
      // Only the side still to decide is reminded.
      ['APPROVAL_REMINDER', { kind: 'ORGANISATION', organisationId: world.independent.id, roles: ['MANAGER'] }],
      ['APPROVAL_OVERDUE_ESCALATION', { kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' }],
      [
        'TRANSFER_REJECTED',
        { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
      ],
      [
        'TRANSFER_REJECTED',
        { kind: 'ORGANISATION', organisationId: world.independent.id, roles: ['CLINICIAN', 'COORDINATOR'] },
      ],
      ['CASE_RELISTED', { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] }],
    ]);
    expect(after.filter((n) => n.kind === 'TRANSFER_REJECTED').map((n) => n.payload)).toEqual([
      { round: 1, offerId: chosen.offerId, timedOut: true },
      { round: 1, offerId: chosen.offerId, timedOut: true },
    ]);
    expect((await auditActions(database.db, caseRef)).slice(-3)).toEqual([
      'ORIGIN_RELEASE_APPROVED',
      'OFFER_LAPSED',
      'CASE_RELISTED',
    ]);
  });

  it('still accepts an approval that arrives during the grace period after the escalation', async () => {
    const { world, database } = env;
    const journeys = env.journeys({
      ...QUICK_OFFERS,
      approvalWindowMs: 1_500,
      approvalGraceMs: 30_000,
      reminderBeforeMs: 500,
    });
    const { caseRef, chosen } = await toAwaitingApproval(journeys, world, [world.nhsProvider]);
    await waitForNotification(database.db, caseRef, 'APPROVAL_OVERDUE_ESCALATION');

    expectOk(
      await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true }),
    );
    const approved = expectOk(
      await journeys.decideApproval(caseRef, as(world.nhsProvider, 'manager'), {
        side: 'RECEIVING_ACCEPTANCE',
        approve: true,
      }),
    );
    expect(approved.state).toBe('APPROVED');
    await waitForState(journeys, caseRef, 'APPROVED');
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [chosen.offerId]: 'CHOSEN' });
    expect(await caseRow(database.db, caseRef)).toMatchObject({ state: 'APPROVED', round: 1 });
    expect(await auditActions(database.db, caseRef)).toContain('IPT_DATASET_CREATED');
  });
});
