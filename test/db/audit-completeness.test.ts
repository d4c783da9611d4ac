/**
 * The audit log is complete: a whole journey, acted on through several
 * channels with refusals along the way, leaves one entry for every state
 * change and every refused action, each naming its actor, the organisation
 * acted for, the channel and the time. (That the log refuses UPDATE, DELETE
 * and TRUNCATE is test/db/database-guards.test.ts.)
 */
import { asc, eq, isNull, or } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identify } from '../../bot/core/chat-user';
import { auditLog, approvals, offers } from '../../db/schema';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { expectRefused, listPatient, makeOffer, waitForState } from '../support/journey-helpers';

describe('the audit log', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('has every state change and every refusal of a journey, with actor, organisation, channel and time', async () => {
    const { world, database } = env;
    const db = database.db;
    const journeys = env.journeys();
    const started = new Date();
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');

    // Refused: someone with no role at the organisation they claim; and an approval before any choice.
    expectRefused(
      await journeys.makeOffer(
        caseRef,
        { ...as(world.independent, 'clinician', 'API'), personId: world.outsider },
        {
          siteId: world.independent.siteId,
          proposedDate: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
          validUntil: new Date(Date.now() + 86_400_000).toISOString(),
          clinicalTeam: 'Team',
        },
      ),
      'ACTOR.NOT_AUTHORISED',
    );
    expectRefused(
      await journeys.decideApproval(caseRef, as(world.origin, 'manager', 'TEAMS'), {
        side: 'ORIGIN_RELEASE',
        approve: true,
      }),
      'JOURNEY.WRONG_STATE',
    );
    const offer = await makeOffer(journeys, caseRef, world.independent);
    await waitForState(journeys, caseRef, 'CHOOSING');
    // The patient, through their own link.
    const chose = await journeys.patientChoice(caseRef, { kind: 'ACCEPT', offerId: offer.offerId }, 'link-1');
    expect(chose.ok).toBe(true);
    await journeys.decideApproval(caseRef, as(world.origin, 'manager', 'SLACK'), {
      side: 'ORIGIN_RELEASE',
      approve: true,
    });
    await journeys.decideApproval(caseRef, as(world.independent, 'manager', 'TEAMS'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: true,
    });
    await waitForState(journeys, caseRef, 'APPROVED');
    const confirmed = await journeys.confirmTransfer(
      caseRef,
      as(world.independent, 'coordinator', 'API'),
      '2027-01-20',
    );
    expect(confirmed.ok).toBe(true);
    // A chat account nobody linked: refused, and the refusal names the platform it came from.
    await identify(db, { platform: 'SLACK', workspaceId: 'T0ELSEWHERE', userId: 'U0STRANGER' }, 'OFFER_TREATMENT');

    const rows = await db.select().from(auditLog).where(eq(auditLog.caseRef, caseRef)).orderBy(asc(auditLog.id));

    // Every state the case passed through, once each, in order.
    expect(rows.filter((row) => row.action.startsWith('CASE_')).map((row) => row.action)).toEqual([
      'CASE_LISTED',
      'CASE_OPEN_FOR_OFFERS',
      'CASE_CHOOSING',
      'CASE_AWAITING_APPROVAL',
      'CASE_APPROVED',
      'CASE_TRANSFERRED',
    ]);
    // Every other change once: the offer, the patient's choice, both approvals, the transfer data set.
    const [offerRow] = await db.select().from(offers).where(eq(offers.caseRef, caseRef));
    expect(rows.filter((row) => row.action === 'OFFER_MADE').map((row) => row.detail)).toEqual([
      expect.objectContaining({ offerId: offerRow!.id }),
    ]);
    const choice = rows.filter((row) => row.action === 'CHOICE_ACCEPTED_OFFER');
    expect(choice.map((row) => [row.actorKind, row.channel])).toEqual([['PATIENT', 'WEB']]);
    const approvalRows = await db.select().from(approvals).where(eq(approvals.caseRef, caseRef));
    expect(approvalRows).toHaveLength(2);
    expect(rows.filter((row) => row.action.endsWith('_APPROVED') && row.action !== 'CASE_APPROVED')).toHaveLength(2);

    // Who, for which organisation, through which channel, when.
    for (const row of rows) {
      expect(row.at.getTime(), row.action).toBeGreaterThanOrEqual(started.getTime() - 1_000);
      expect(['SLACK', 'TEAMS', 'API', 'WEB', 'CLI', 'SYSTEM'], row.action).toContain(row.channel);
      if (row.actorKind === 'PERSON') {
        expect(row.actorPersonId, row.action).not.toBeNull();
        expect(row.organisationId, `${row.action} names the organisation acted for`).not.toBeNull();
        expect(row.channel, row.action).not.toBe('SYSTEM');
      }
      if (row.actorKind === 'SYSTEM') expect(row.actorPersonId).toBeNull();
    }
    const refused = rows.filter((row) => row.outcome === 'REFUSED');
    expect(refused.map((row) => [row.action, row.channel, (row.detail as { code?: string }).code])).toEqual([
      ['makeOffer', 'API', 'ACTOR.NOT_AUTHORISED'],
      ['decideApproval', 'TEAMS', 'JOURNEY.WRONG_STATE'],
    ]);
    // The outsider named the independent provider: the refusal says which organisation they tried to act for.
    expect(refused[0]).toMatchObject({ actorPersonId: world.outsider, organisationId: world.independent.id });
    expect(refused[1]).toMatchObject({ organisationId: world.origin.id });

    const [stranger] = await db
      .select()
      .from(auditLog)
      .where(or(isNull(auditLog.caseRef), eq(auditLog.caseRef, '')))
      .orderBy(asc(auditLog.id))
      .then((all) => all.filter((row) => (row.detail as { chatUserId?: string }).chatUserId === 'U0STRANGER'));
    expect(stranger).toMatchObject({ outcome: 'REFUSED', actorKind: 'SYSTEM', channel: 'SLACK' });
    expect(stranger?.detail).toMatchObject({ code: 'ACTOR.UNKNOWN' });
  });
});
