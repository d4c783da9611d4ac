/**
 * "Where journeys stall", against real journeys: patients driven through the
 * workflow to different ends (transferred, stayed local, rejected, withdrawn,
 * no offers, an expired offer, a lapsed choice, a lapsed approval), then the
 * funnel counted in PostgreSQL per trust, specialty and week of listing.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnel, funnelQuerySchema, funnelTotals, trustsWithCases, type FunnelRow } from '../../db/funnel';
import { auditLog, cases } from '../../db/schema';
import { STAY_STATES, previousReportingWeek, weekStartingOf } from '../../domain/funnel';
import type { JourneyClient } from '../../workflows/client';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { outcomeOf } from '../support/journey-assertions';
import { listPatient, waitForState } from '../support/journey-helpers';
import { expectOk, listWithOffers, toApproved, toAwaitingApproval, toChoosing } from '../support/journey-stages';

const HOUR_MS = 3_600_000;
const hours = (ms: number) => ms / HOUR_MS;

describe('the funnel of real journeys', () => {
  let env: JourneyEnv;
  const refs: Record<string, string> = {};
  let rows: FunnelRow[];

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    const { world, database } = env;
    const fast = env.journeys();
    const closeOnNoOffers = env.journeys({ onNoOffers: 'CLOSE' });
    const ended = (caseRef: string) => outcomeOf(env, caseRef);
    const withdraw = async (journeys: JourneyClient, reason: 'TREATED_LOCALLY' | 'NO_LONGER_NEEDED') => {
      const caseRef = await listPatient(journeys, world);
      await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
      expectOk(await journeys.withdrawCase(caseRef, as(world.origin, 'coordinator'), reason));
      return caseRef;
    };

    const scenarios: Record<string, () => Promise<string>> = {
      transferred: async () => {
        const { caseRef } = await toApproved(fast, world, [world.independent]);
        expectOk(await fast.confirmTransfer(caseRef, as(world.independent, 'coordinator'), '2026-12-14'));
        return caseRef;
      },
      stayedLocal: async () => {
        const { caseRef } = await toChoosing(fast, world, [world.independent]);
        expectOk(await fast.recordChoice(caseRef, as(world.origin, 'coordinator'), { kind: 'STAY_LOCAL' }));
        await ended(caseRef);
        return caseRef;
      },
      withdrawn: () => withdraw(fast, 'TREATED_LOCALLY'),
      // Round 1 rejected by the origin's manager; round 2 has no offers and the case closes.
      rejected: async () => {
        const { caseRef } = await toAwaitingApproval(fast, world, [world.nhsProvider]);
        expectOk(
          await fast.decideApproval(caseRef, as(world.origin, 'manager'), {
            side: 'ORIGIN_RELEASE',
            approve: false,
            reason: 'Patient needs a joint clinic review first',
          }),
        );
        await ended(caseRef);
        return caseRef;
      },
      choiceLapsed: async () => {
        const journeys = env.journeys({ choiceWindowMs: 2_000, reminderBeforeMs: 500, maxRounds: 1 });
        const { caseRef } = await toChoosing(journeys, world, [world.independent]);
        await ended(caseRef);
        return caseRef;
      },
      approvalLapsed: async () => {
        const journeys = env.journeys({
          approvalWindowMs: 1_500,
          approvalGraceMs: 500,
          reminderBeforeMs: 500,
          maxRounds: 1,
        });
        const { caseRef } = await toAwaitingApproval(journeys, world, [world.independent]);
        await ended(caseRef);
        return caseRef;
      },
      offerExpired: async () => {
        const { caseRef } = await listWithOffers(closeOnNoOffers, world, [world.independent], { validForMs: 1_000 });
        await ended(caseRef);
        return caseRef;
      },
      noOffersUrology: async () => {
        const caseRef = await listPatient(closeOnNoOffers, world, { specialtyCode: '101' });
        await ended(caseRef);
        return caseRef;
      },
      listedLastWeek: () => withdraw(fast, 'NO_LONGER_NEEDED'),
    };
    const names = Object.keys(scenarios);
    const caseRefs = await Promise.all(names.map((name) => scenarios[name]!()));
    names.forEach((name, index) => (refs[name] = caseRefs[index]!));

    await database.db.update(cases).set({ route: 'PATIENT_INITIATED' }).where(eq(cases.caseRef, refs.withdrawn!));
    await database.db
      .update(cases)
      .set({ listedAt: sql`${cases.listedAt} - interval '7 days'` })
      .where(eq(cases.caseRef, refs.listedLastWeek!));
    rows = await funnel(database.db, { organisationId: world.origin.id });
  }, 120_000);
  afterAll(() => env.close());

  const row = (specialtyCode: string, weekStarting: string) => {
    const found = rows.find((r) => r.specialtyCode === specialtyCode && r.weekStarting === weekStarting);
    if (!found) throw new Error(`No funnel row for ${specialtyCode} in the week starting ${weekStarting}`);
    return found;
  };
  const thisWeek = () => weekStartingOf(new Date());
  const lastWeek = () => previousReportingWeek(new Date()).weekStarting;

  it('groups the cases by origin trust, specialty and the Monday of the week they were listed', () => {
    expect(rows.map((r) => [r.odsCode, r.specialtyCode, r.weekStarting])).toEqual([
      ['RR8', '101', thisWeek()],
      ['RR8', '110', lastWeek()],
      ['RR8', '110', thisWeek()],
    ]);
    expect(row('110', thisWeek())).toMatchObject({
      organisationId: env.world.origin.id,
      organisationName: 'Leeds Teaching Hospitals NHS Trust',
      specialtyName: 'Trauma & Orthopaedics',
    });
    expect(new Date(`${thisWeek()}T12:00:00Z`).getUTCDay()).toBe(1);
  });

  it('counts the cases that reached each stage, with the reasons journeys ended without a transfer', () => {
    expect(row('110', thisWeek())).toMatchObject({
      listed: 7,
      offered: 6,
      chosen: 3,
      approved: 1,
      transferred: 1,
      inProgress: 0,
      declined: {
        cases: 2,
        reasons: { DECLINED_ALL: 0, STAYED_LOCAL: 1, ORIGIN_RELEASE_REJECTED: 1, RECEIVING_ACCEPTANCE_REJECTED: 0 },
      },
      // The rejected case ran out of offers in round 2; the expired offer's case had no live offer at the window's end.
      timedOut: {
        cases: 4,
        reasons: { NO_OFFERS: 2, OFFER_EXPIRED: 1, CHOICE_LAPSED: 1, APPROVAL_LAPSED: 1, MATCH_DEADLINE: 0 },
      },
      withdrawn: { cases: 1, reasons: { TREATED_LOCALLY: 1, NO_LONGER_NEEDED: 0 } },
    });
    expect(row('101', thisWeek())).toMatchObject({
      listed: 1,
      offered: 0,
      timedOut: { cases: 1, reasons: { NO_OFFERS: 1 } },
      declined: { cases: 0 },
      withdrawn: { cases: 0 },
    });
    expect(row('110', lastWeek())).toMatchObject({
      listed: 1,
      offered: 0,
      withdrawn: { cases: 1, reasons: { NO_LONGER_NEEDED: 1, TREATED_LOCALLY: 0 } },
      timedOut: { cases: 0 },
    });
  });

  it('takes the median of completed stays in each state from consecutive audit entries, with how many stays', () => {
    const orthopaedics = row('110', thisWeek());
    const stays = Object.fromEntries(
      Object.entries(orthopaedics.timeInState).map(([state, stay]) => [state, stay.stays]),
    );
    // Every case left LISTED and its first offer window; five reached the choice, three the approvals.
    expect(stays).toEqual({
      LISTED: 7,
      OPEN_FOR_OFFERS: 7,
      RELISTED: 1,
      CHOOSING: 5,
      AWAITING_APPROVAL: 3,
      APPROVED: 1,
    });
    for (const stay of Object.values(orthopaedics.timeInState)) expect(stay.medianHours).toBeGreaterThan(0);
    // The offer window runs its full three seconds in all but the withdrawn case.
    expect(orthopaedics.timeInState.OPEN_FOR_OFFERS!.medianHours).toBeGreaterThan(hours(2_500));
    expect(orthopaedics.timeInState.OPEN_FOR_OFFERS!.medianHours).toBeLessThan(hours(30_000));
    expect(orthopaedics.timeInState.RELISTED!.medianHours).toBeGreaterThan(hours(2_500));
    // Listing to open is one step of the workflow, far shorter than a window.
    expect(orthopaedics.timeInState.LISTED!.medianHours).toBeLessThan(
      orthopaedics.timeInState.OPEN_FOR_OFFERS!.medianHours,
    );
  });

  it('measures a stay exactly as the time between the audit entries that began and ended it', async () => {
    const entries = await env.database.db
      .select({ action: auditLog.action, at: auditLog.at })
      .from(auditLog)
      .where(eq(auditLog.caseRef, refs.noOffersUrology!))
      .orderBy(asc(auditLog.id));
    const at = (action: string) => entries.find((entry) => entry.action === action)!.at.getTime();
    const urology = row('101', thisWeek());
    expect(Object.keys(urology.timeInState).sort()).toEqual(['LISTED', 'OPEN_FOR_OFFERS']);
    // Microseconds in PostgreSQL, milliseconds in JavaScript.
    expect(urology.timeInState.LISTED!.medianHours).toBeCloseTo(
      hours(at('CASE_OPEN_FOR_OFFERS') - at('CASE_LISTED')),
      5,
    );
    expect(urology.timeInState.OPEN_FOR_OFFERS!.medianHours).toBeCloseTo(
      hours(at('CASE_CLOSED') - at('CASE_OPEN_FOR_OFFERS')),
      5,
    );
  });

  it('sums to per-trust totals whose stays are every stay of its rows', async () => {
    const [totals, ...others] = await funnelTotals(env.database.db, { organisationId: env.world.origin.id });
    expect(others).toEqual([]);
    const sum = (pick: (r: FunnelRow) => number) => rows.reduce((total, r) => total + pick(r), 0);
    expect(totals).toMatchObject({
      odsCode: 'RR8',
      listed: sum((r) => r.listed),
      offered: sum((r) => r.offered),
      chosen: sum((r) => r.chosen),
      transferred: sum((r) => r.transferred),
      declined: { cases: sum((r) => r.declined.cases) },
      timedOut: { cases: sum((r) => r.timedOut.cases) },
      withdrawn: { cases: sum((r) => r.withdrawn.cases) },
    });
    for (const state of STAY_STATES) {
      expect(totals!.timeInState[state]?.stays ?? 0).toBe(sum((r) => r.timeInState[state]?.stays ?? 0));
    }
  });

  it('filters by specialty, listing period, route and trust', async () => {
    const { db } = env.database;
    const urology = await funnel(db, { specialtyCode: '101' });
    expect(urology.map((r) => [r.specialtyCode, r.listed])).toEqual([['101', 1]]);

    const { from, to } = previousReportingWeek(new Date());
    const earlier = await funnel(db, { from, to });
    expect(earlier.map((r) => [r.specialtyCode, r.weekStarting, r.listed])).toEqual([['110', lastWeek(), 1]]);

    const patientInitiated = await funnel(db, { route: 'PATIENT_INITIATED' });
    expect(patientInitiated.map((r) => [r.listed, r.withdrawn.cases])).toEqual([[1, 1]]);
    const staff = await funnelTotals(db, { route: 'STAFF' });
    expect(staff.map((t) => t.listed)).toEqual([8]);

    expect(await funnel(db, { odsCode: 'RR8', specialtyCode: '101' })).toHaveLength(1);
    expect(await funnel(db, { organisationId: env.world.nhsProvider.id })).toEqual([]);
    expect((await trustsWithCases(db)).map((t) => t.odsCode)).toEqual(['RR8']);
  });
});

describe('funnelQuerySchema', () => {
  it('turns the query string into a filter, dates as the start of that day in England', () => {
    const parsed = funnelQuerySchema.parse({
      ods: 'rr8',
      specialty: '110',
      from: '2025-06-02',
      to: '2025-06-09T07:00:00+01:00',
      route: 'PATIENT_INITIATED',
    });
    expect(parsed).toEqual({
      odsCode: 'RR8',
      specialtyCode: '110',
      from: new Date('2025-06-01T23:00:00Z'),
      to: new Date('2025-06-09T06:00:00Z'),
      route: 'PATIENT_INITIATED',
    });
    expect(funnelQuerySchema.parse({ from: '2025-01-06' }).from).toEqual(new Date('2025-01-06T00:00:00Z'));
    expect(funnelQuerySchema.parse({ ods: '', specialty: '', route: '' })).toEqual({});
  });

  it('names each parameter that is wrong', () => {
    const result = funnelQuerySchema.safeParse({
      ods: 'RR8; drop table cases',
      specialty: '999',
      from: '2025-02-30',
      route: 'PATIENT',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['from', 'ods', 'route', 'specialty']);
    const backwards = funnelQuerySchema.safeParse({ from: '2025-06-09', to: '2025-06-02' });
    expect(backwards.error?.issues.map((issue) => issue.message)).toEqual(['from must be before to']);
  });
});
