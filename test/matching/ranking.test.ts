/**
 * The order matches come in: cases for a posting by clinical priority, then
 * the longest wait, then distance; postings for a case nearest first, then
 * the earliest start; providers once each, with their nearest posting.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { casesForPosting, postingsForCase, providersForCase } from '../../db/matching';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  addCase,
  addDays,
  addPosting,
  addSite,
  LS6,
  NOW,
  northOf,
  seedMatchingWorld,
  TODAY,
  type MatchingWorld,
} from './matching-world';

describe('ranking matches', () => {
  let database: TestDatabase;
  let world: MatchingWorld;

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedMatchingWorld(database.db);
  });
  afterAll(() => database.drop());

  it('ranks cases for a posting by priority, then the longest wait, then the nearest patient', async () => {
    // Available from the P1 case's treat-by date, so every priority fits.
    const posting = await addPosting(world, world.independent, {
      specialtyCode: '502',
      availableFrom: addDays(TODAY, -7),
    });
    const near = { latitude: 53.95, longitude: -1.1 };
    const p4LongestWait = await addCase(world, { specialtyCode: '502', priority: 'P4', rttClockStart: '2024-01-10' });
    const p3Recent = await addCase(world, { specialtyCode: '502', priority: 'P3', rttClockStart: '2025-12-01' });
    const p3OlderFar = await addCase(world, { specialtyCode: '502', priority: 'P3', rttClockStart: '2025-06-01' });
    const p3OlderNear = await addCase(world, {
      specialtyCode: '502',
      priority: 'P3',
      rttClockStart: '2025-06-01',
      ...near,
    });
    const p2 = await addCase(world, { specialtyCode: '502', priority: 'P2', rttClockStart: '2026-01-15' });
    const p1 = await addCase(world, { specialtyCode: '502', priority: 'P1', rttClockStart: '2026-02-19' });

    const rows = await casesForPosting(world.db, posting, { now: NOW });
    expect(rows.map((row) => row.caseRef)).toEqual([p1, p2, p3OlderNear, p3OlderFar, p3Recent, p4LongestWait]);
    expect(rows[2]!.distanceMiles).toBeLessThan(rows[3]!.distanceMiles);
  });

  it('returns at most the limit asked for, keeping the top of the ranking', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: 'X05' });
    const oldest = await addCase(world, { specialtyCode: 'X05', rttClockStart: '2024-05-01' });
    await addCase(world, { specialtyCode: 'X05', rttClockStart: '2025-05-01' });
    await addCase(world, { specialtyCode: 'X05', rttClockStart: '2025-07-01' });
    const rows = await casesForPosting(world.db, posting, { now: NOW, limit: 1 });
    expect(rows.map((row) => row.caseRef)).toEqual([oldest]);
  });

  it('ranks postings for a case nearest first, then the earliest available', async () => {
    const tenMiles = await addSite(world, world.independent, northOf(LS6, 10), 'Ten miles');
    const twentyMiles = await addSite(world, world.nhsProvider, northOf(LS6, 20), 'Twenty miles');
    const nearLater = await addPosting(world, world.independent, {
      specialtyCode: '100',
      siteId: tenMiles,
      availableFrom: addDays(TODAY, 20),
    });
    const nearSooner = await addPosting(world, world.independent, {
      specialtyCode: '100',
      siteId: tenMiles,
      availableFrom: addDays(TODAY, 5),
    });
    const far = await addPosting(world, world.nhsProvider, {
      specialtyCode: '100',
      siteId: twentyMiles,
      availableFrom: addDays(TODAY, 1),
    });
    const caseRef = await addCase(world, { specialtyCode: '100' });

    const rows = await postingsForCase(world.db, caseRef, { now: NOW });
    expect(rows.map((row) => row.postingId)).toEqual([nearSooner, nearLater, far]);
    expect(rows[0]).toMatchObject({
      organisationId: world.independent.id,
      siteId: tenMiles,
      siteName: 'Ten miles',
      siteTown: 'Testtown',
      distanceMiles: 10,
      availableFrom: addDays(TODAY, 5),
      availableUntil: addDays(TODAY, 60),
    });
  });

  it('lists each provider once, with its nearest matching posting, nearest provider first', async () => {
    const fiveMiles = await addSite(world, world.nhsProvider, northOf(LS6, 5), 'Five miles');
    const eightMiles = await addSite(world, world.independent, northOf(LS6, 8), 'Eight miles');
    const fortyMiles = await addSite(world, world.independent, northOf(LS6, 40), 'Forty miles');
    const nhsNearest = await addPosting(world, world.nhsProvider, { specialtyCode: '130', siteId: fiveMiles });
    await addPosting(world, world.nhsProvider, { specialtyCode: '130' });
    const independentNearest = await addPosting(world, world.independent, { specialtyCode: '130', siteId: eightMiles });
    await addPosting(world, world.independent, { specialtyCode: '130', siteId: fortyMiles });
    await addPosting(world, world.origin, { specialtyCode: '130' });
    const caseRef = await addCase(world, { specialtyCode: '130' });

    const rows = await providersForCase(world.db, caseRef, { now: NOW });
    expect(rows.map((row) => [row.organisationId, row.postingId])).toEqual([
      [world.nhsProvider.id, nhsNearest],
      [world.independent.id, independentNearest],
    ]);
    expect(rows.map((row) => row.distanceMiles)).toEqual([5, 8]);
  });
});
