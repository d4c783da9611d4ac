import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { auditLog } from '../../db/schema';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import {
  caseRow,
  choiceRows,
  notificationKinds,
  offerStatuses,
  outcomeOf,
  waitForRound,
} from '../support/journey-assertions';
import { auditActions, makeOffer } from '../support/journey-helpers';
import { expectOk, toChoosing } from '../support/journey-stages';

const POLICY = { offerWindowMs: 2_000, reminderBeforeMs: 500, choiceWindowMs: 30_000, maxRounds: 2 };

describe.concurrent('a patient who declines offers or stays with the local hospital', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('flags the case for review when the patient declines two offers from different providers, and relists it', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, offers } = await toChoosing(journeys, world, [world.independent, world.nhsProvider]);
    const [york, sheffield] = offers.map((offer) => offer.offerId) as [string, string];

    const declined = expectOk(
      await journeys.recordChoice(caseRef, as(world.origin, 'coordinator', 'TEAMS'), { kind: 'DECLINE_ALL' }),
    );
    expect(declined).toMatchObject({ state: 'RELISTED', round: 2, declinedOfferCount: 2, flaggedForReview: true });
    expect(declined.offers.map((offer) => offer.status)).toEqual(['DECLINED', 'DECLINED']);

    const kase = await caseRow(database.db, caseRef);
    expect(kase).toMatchObject({ state: 'RELISTED', round: 2, declinedOfferCount: 2 });
    expect(kase.flaggedForReviewAt).toBeInstanceOf(Date);
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [york]: 'DECLINED', [sheffield]: 'DECLINED' });
    expect(await choiceRows(database.db, caseRef)).toMatchObject([
      { round: 1, outcome: 'DECLINED_ALL', offerId: null, recordedBy: world.origin.staff.coordinator },
    ]);

    const flagged = (await notificationsForCase(database.db, caseRef)).filter((n) => n.kind === 'REVIEW_FLAGGED');
    expect(flagged.map((n) => [n.audience, n.payload])).toEqual([
      [
        { kind: 'ORGANISATION', organisationId: world.origin.id, roles: ['COORDINATOR', 'CLINICIAN'] },
        { round: 1, declinedOfferCount: 2 },
      ],
    ]);
    expect((await auditActions(database.db, caseRef)).slice(-4)).toEqual([
      'CASE_CHOOSING',
      'CHOICE_DECLINED_ALL',
      'CASE_FLAGGED_FOR_REVIEW',
      'CASE_RELISTED',
    ]);
    const [flagEntry] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.caseRef, caseRef), eq(auditLog.action, 'CASE_FLAGGED_FOR_REVIEW')));
    expect(flagEntry).toMatchObject({ caseRef, actorKind: 'SYSTEM', detail: { declinedOfferCount: 2 } });
  });

  it('does not flag the case when the patient declines a single offer', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, offers } = await toChoosing(journeys, world, [world.nhsProvider]);

    const declined = expectOk(await journeys.patientChoice(caseRef, { kind: 'DECLINE_ALL' }));
    expect(declined).toMatchObject({ state: 'RELISTED', round: 2, declinedOfferCount: 1, flaggedForReview: false });
    const kase = await caseRow(database.db, caseRef);
    expect(kase).toMatchObject({ state: 'RELISTED', declinedOfferCount: 1, flaggedForReviewAt: null });
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offers[0]!.offerId]: 'DECLINED' });
    expect(await notificationKinds(database.db, caseRef)).not.toContain('REVIEW_FLAGGED');
    expect(await auditActions(database.db, caseRef)).not.toContain('CASE_FLAGGED_FOR_REVIEW');
  });

  it('flags the case when the two declined offers come from different providers in different rounds', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ ...POLICY, maxRounds: 3 });
    const { caseRef } = await toChoosing(journeys, world, [world.independent]);
    const first = expectOk(
      await journeys.recordChoice(caseRef, as(world.origin, 'clinician'), { kind: 'DECLINE_ALL' }),
    );
    expect(first).toMatchObject({ state: 'RELISTED', round: 2, flaggedForReview: false });

    await makeOffer(journeys, caseRef, world.nhsProvider);
    await waitForRound(journeys, caseRef, 'CHOOSING', 2);
    const second = expectOk(
      await journeys.recordChoice(caseRef, as(world.origin, 'clinician'), { kind: 'DECLINE_ALL' }),
    );
    expect(second).toMatchObject({ state: 'RELISTED', round: 3, declinedOfferCount: 2, flaggedForReview: true });

    const kase = await caseRow(database.db, caseRef);
    expect(kase).toMatchObject({ declinedOfferCount: 2, round: 3 });
    expect(kase.flaggedForReviewAt).toBeInstanceOf(Date);
    expect((await choiceRows(database.db, caseRef)).map((c) => [c.round, c.outcome])).toEqual([
      [1, 'DECLINED_ALL'],
      [2, 'DECLINED_ALL'],
    ]);
    expect((await notificationKinds(database.db, caseRef)).filter((kind) => kind === 'REVIEW_FLAGGED')).toHaveLength(1);
  });

  it('closes the case with reason STAYED_LOCAL when the patient chooses, through their own link, to stay with the local hospital', async () => {
    const { world, database } = env;
    const journeys = env.journeys(POLICY);
    const { caseRef, offers } = await toChoosing(journeys, world, [world.independent]);

    const stayed = expectOk(await journeys.patientChoice(caseRef, { kind: 'STAY_LOCAL' }));
    expect(stayed).toMatchObject({ state: 'CLOSED', closedReason: 'STAYED_LOCAL', round: 1 });
    expect(await outcomeOf(env, caseRef)).toEqual({ state: 'CLOSED', reason: 'STAYED_LOCAL', rounds: 1 });

    expect(await caseRow(database.db, caseRef)).toMatchObject({
      state: 'CLOSED',
      closedReason: 'STAYED_LOCAL',
      round: 1,
    });
    expect(await offerStatuses(database.db, caseRef)).toEqual({ [offers[0]!.offerId]: 'DECLINED' });
    expect(await choiceRows(database.db, caseRef)).toMatchObject([
      { round: 1, outcome: 'STAYED_LOCAL', offerId: null, recordedBy: null },
    ]);
    const closed = (await notificationsForCase(database.db, caseRef)).filter((n) => n.kind === 'CASE_CLOSED');
    expect(closed.map((n) => n.payload)).toEqual([{ round: 1, reason: 'STAYED_LOCAL' }]);
    expect((await auditActions(database.db, caseRef)).slice(-2)).toEqual(['CHOICE_STAYED_LOCAL', 'CASE_CLOSED']);
    const [choiceEntry] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.caseRef, caseRef), eq(auditLog.action, 'CHOICE_STAYED_LOCAL')));
    expect(choiceEntry).toMatchObject({ caseRef, actorKind: 'PATIENT', channel: 'WEB', actorPersonId: null });
  });
});
