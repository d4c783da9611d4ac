/**
 * GET /funnel over real journeys: cases listed by two trusts and driven to
 * different stages, then each key's funnel counted, its own organisation's
 * cases only, with the filters applied and bad ones named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekStartingOf } from '../../domain/funnel';
import { as, listingFor } from '../support/fixtures';
import { listPatient, waitForState } from '../support/journey-helpers';
import { expectOk, listWithOffers } from '../support/journey-stages';
import { bodyOf, startApiEnv, type ApiEnv } from './api-harness';

interface Counts {
  listed: number;
  offered: number;
  inProgress: number;
  withdrawn: { cases: number; reasons: Record<string, number> };
  timeInState: Record<string, { medianHours: number; stays: number } | undefined>;
}
type Funnel = {
  organisationOds: string;
  totals: Counts;
  items: (Counts & { specialtyCode: string; weekStarting: string })[];
};

describe('the operator API’s funnel', () => {
  let api: ApiEnv;
  const world = () => api.env.world;

  beforeAll(async () => {
    api = await startApiEnv();
    const { journeys } = api;
    const w = world();
    await Promise.all([
      // Leeds: one case withdrawn once open, one with an offer, one in another specialty.
      (async () => {
        const caseRef = await listPatient(journeys, w);
        await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
        expectOk(await journeys.withdrawCase(caseRef, as(w.origin, 'coordinator'), 'TREATED_LOCALLY'));
      })(),
      listWithOffers(journeys, w, [w.independent]),
      (async () => {
        const caseRef = await listPatient(journeys, w, {
          specialtyCode: '130',
          procedure: 'Cataract surgery',
          opcsCode: 'C71.2',
        });
        await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
      })(),
      // Sheffield lists a patient of its own.
      (async () => {
        const listed = await journeys.listPatient(
          listingFor(w, {
            originOds: w.nhsProvider.ods,
            appropriatenessJudgedBy: w.nhsProvider.staff.clinician,
            ppidIssuerOds: w.nhsProvider.ods,
          }),
          as(w.nhsProvider, 'coordinator'),
        );
        if (!listed.ok) throw new Error(JSON.stringify(listed.errors));
        await waitForState(journeys, listed.caseRef, 'OPEN_FOR_OFFERS');
      })(),
    ]);
  });
  afterAll(() => api.close());

  async function funnelFor(who: 'origin' | 'nhsProvider' | 'independent', query = ''): Promise<Funnel> {
    const answer = await api.call('GET', `/api/v1/funnel${query}`, { key: await api.keyFor(world()[who], 'manager') });
    expect(answer.status, answer.text).toBe(200);
    return bodyOf<Funnel>(answer);
  }

  it('counts the key’s own trust’s cases per specialty and week, with totals and time in state', async () => {
    const leeds = await funnelFor('origin');
    const thisWeek = weekStartingOf(new Date());
    expect(leeds.organisationOds).toBe('RR8');
    expect(leeds.totals).toMatchObject({ listed: 3, offered: 1, inProgress: 2 });
    expect(leeds.totals.withdrawn).toMatchObject({ cases: 1, reasons: { TREATED_LOCALLY: 1, NO_LONGER_NEEDED: 0 } });
    expect(leeds.items.map((item) => [item.specialtyCode, item.weekStarting, item.listed, item.offered])).toEqual([
      ['110', thisWeek, 2, 1],
      ['130', thisWeek, 1, 0],
    ]);
    // Every case has left LISTED; only the withdrawn one has left OPEN_FOR_OFFERS.
    expect(leeds.totals.timeInState.LISTED?.stays).toBe(3);
    expect(leeds.totals.timeInState.OPEN_FOR_OFFERS?.stays).toBe(1);
    expect(leeds.totals.timeInState.OPEN_FOR_OFFERS!.medianHours).toBeGreaterThanOrEqual(0);
    expect(leeds.totals.timeInState.CHOOSING).toBeUndefined();

    const sheffield = await funnelFor('nhsProvider');
    expect(sheffield.organisationOds).toBe('RHQ');
    expect(sheffield.totals).toMatchObject({ listed: 1, offered: 0 });
    expect(sheffield.items).toHaveLength(1);

    // A provider that offered on a Leeds case sees none of Leeds' funnel: it has listed nobody.
    const york = await funnelFor('independent');
    expect(york).toMatchObject({ organisationOds: 'NT2', items: [], totals: { listed: 0, offered: 0 } });
    expect(york.totals.withdrawn.reasons).toMatchObject({ TREATED_LOCALLY: 0 });
  });

  it('filters by specialty, listing period and route', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await funnelFor('origin', '?specialty=130')).totals.listed).toBe(1);
    expect((await funnelFor('origin', '?route=PATIENT_INITIATED')).items).toEqual([]);
    expect((await funnelFor('origin', '?route=STAFF&specialty=')).totals.listed).toBe(3);
    expect((await funnelFor('origin', `?from=${tomorrow}`)).totals.listed).toBe(0);
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+00:00');
    const period = await funnelFor('origin', `?from=${weekStartingOf(new Date())}&to=${encodeURIComponent(inAnHour)}`);
    expect(period.totals.listed).toBe(3);
    expect((await funnelFor('origin', '?from=2020-01-06&to=2020-02-03')).items).toEqual([]);
  });

  it('names each bad filter, and takes no other organisation', async () => {
    const key = await api.keyFor(world().origin, 'manager');
    const bad = await api.call('GET', '/api/v1/funnel?specialty=999&from=yesterday&route=BUS', { key });
    expect(bad.status).toBe(422);
    const fields = bodyOf<{ errors: { field: string }[] }>(bad).errors.map((error) => error.field);
    expect(fields.sort()).toEqual(['from', 'route', 'specialty']);

    const backwards = await api.call('GET', '/api/v1/funnel?from=2025-06-09&to=2025-06-02', { key });
    expect(bodyOf(backwards)).toMatchObject({ code: 'INPUT.INVALID', errors: [{ field: 'to' }] });

    for (const ods of ['RHQ', 'RR8']) {
      const other = await api.call('GET', `/api/v1/funnel?ods=${ods}`, { key });
      expect(other.status, ods).toBe(422);
      expect(bodyOf(other)).toMatchObject({
        errors: [{ field: 'ods', message: 'Leave ods out: the funnel is always that of your API key’s organisation' }],
      });
    }
    const both = await api.call('GET', '/api/v1/funnel?ods=RHQ&specialty=999', { key });
    const named = bodyOf<{ errors: { field: string }[] }>(both).errors.map((error) => error.field);
    expect(named.sort()).toEqual(['ods', 'specialty']);

    const anonymous = await api.call('GET', '/api/v1/funnel');
    expect(anonymous.status).toBe(401);
  });
});
