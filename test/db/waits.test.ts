/**
 * Waits per trust and specialty in PostgreSQL: the mean and 92nd percentile
 * of weeks since the clock start over the patients still waiting, and, from
 * fewer than MIN_PATIENTS_FOR_WAIT_FIGURES of them, the count with no
 * figures (too few to be reliable, and close to identifying).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localWait, waitsBy } from '../../db/waits';
import { MIN_PATIENTS_FOR_WAIT_FIGURES } from '../../domain/waits';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { addCase, addDays, NOW, seedMatchingWorld, TODAY, type MatchingWorld } from '../matching/matching-world';

const weeksAgo = (weeks: number) => addDays(TODAY, -7 * weeks);

describe('waits per trust and specialty', () => {
  let database: TestDatabase;
  let world: MatchingWorld;

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedMatchingWorld(database.db);
  });
  afterAll(() => database.drop());

  const urology = () => localWait(world.db, world.origin.id, '101', NOW);

  it('withholds the figures from fewer than five patients waiting, giving the count', async () => {
    expect(MIN_PATIENTS_FOR_WAIT_FIGURES).toBe(5);
    expect(await urology()).toBeUndefined();
    for (const weeks of [10, 20, 30, 40])
      await addCase(world, { specialtyCode: '101', rttClockStart: weeksAgo(weeks) });
    // Patients no longer waiting do not count towards the five.
    for (const state of ['TRANSFERRED', 'WITHDRAWN', 'CLOSED'] as const) {
      await addCase(world, { specialtyCode: '101', rttClockStart: weeksAgo(60), state });
    }
    expect(await urology()).toEqual({
      organisationId: world.origin.id,
      odsCode: 'RR8',
      organisationName: 'Leeds Teaching Hospitals NHS Trust',
      specialtyCode: '101',
      specialtyName: 'Urology',
      patients: 4,
      meanWeeks: null,
      p92Weeks: null,
      suppressed: 'TOO_FEW_PATIENTS',
    });
  });

  it('gives the mean and 92nd percentile from five patients waiting', async () => {
    await addCase(world, { specialtyCode: '101', rttClockStart: weeksAgo(50) });
    // 10, 20, 30, 40 and 50 weeks: the mean is 30; the 92nd percentile is 40 + 0.68 × 10 (interpolated).
    expect(await urology()).toMatchObject({ patients: 5, meanWeeks: 30, p92Weeks: 46.8, suppressed: null });
  });

  it('decides each trust and specialty on its own patients', async () => {
    await addCase(world, { specialtyCode: '101', rttClockStart: weeksAgo(12), originOrgId: world.nhsProvider.id });
    for (const weeks of [1, 2, 3, 4, 5]) await addCase(world, { specialtyCode: '130', rttClockStart: weeksAgo(weeks) });
    const rows = await waitsBy(world.db, { now: NOW });
    const figures = rows.map(({ odsCode, specialtyCode, patients, meanWeeks, suppressed }) => ({
      odsCode,
      specialtyCode,
      patients,
      meanWeeks,
      suppressed,
    }));
    expect(figures).toEqual([
      { odsCode: 'RHQ', specialtyCode: '101', patients: 1, meanWeeks: null, suppressed: 'TOO_FEW_PATIENTS' },
      { odsCode: 'RR8', specialtyCode: '101', patients: 5, meanWeeks: 30, suppressed: null },
      { odsCode: 'RR8', specialtyCode: '130', patients: 5, meanWeeks: 3, suppressed: null },
    ]);
    expect(await waitsBy(world.db, { organisationId: world.nhsProvider.id, now: NOW })).toEqual([
      expect.objectContaining({ patients: 1, meanWeeks: null, p92Weeks: null }),
    ]);
  });
});
