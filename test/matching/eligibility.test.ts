/**
 * Which cases match which capacity postings, on a real database: each rule of
 * the issue at its edge, seen from both directions where it matters.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { casesForPosting, postingsForCase } from '../../db/matching';
import { distanceMiles } from '../../domain/distance';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  addCase,
  addDays,
  addOffer,
  addPosting,
  addSite,
  LISTED_AT,
  LS6,
  NOW,
  northOf,
  seedMatchingWorld,
  TODAY,
  type MatchingWorld,
} from './matching-world';

describe('matching a case to capacity', () => {
  let database: TestDatabase;
  let world: MatchingWorld;
  const options = { now: NOW, limit: 1000 };
  const caseRefsFor = async (postingId: string) =>
    (await casesForPosting(world.db, postingId, options)).map((row) => row.caseRef);
  const postingIdsFor = async (caseRef: string) =>
    (await postingsForCase(world.db, caseRef, options)).map((row) => row.postingId);

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedMatchingWorld(database.db);
  });
  afterAll(() => database.drop());

  it('matches a case whose BMI is exactly at the posting’s limit, and not one just above it', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '130', maxBmi: 35 });
    const atLimit = await addCase(world, { specialtyCode: '130', bmi: 35 });
    const above = await addCase(world, { specialtyCode: '130', bmi: 35.1 });
    const refs = await caseRefsFor(posting);
    expect(refs).toContain(atLimit);
    expect(refs).not.toContain(above);
    expect(await postingIdsFor(atLimit)).toContain(posting);
    expect(await postingIdsFor(above)).not.toContain(posting);
  });

  it('does not match a case whose ASA grade is above the posting’s limit', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '120', maxAsa: 2 });
    const asa2 = await addCase(world, { specialtyCode: '120', asa: 2 });
    const asa3 = await addCase(world, { specialtyCode: '120', asa: 3 });
    const refs = await caseRefsFor(posting);
    expect(refs).toContain(asa2);
    expect(refs).not.toContain(asa3);
  });

  it('matches a site just inside the patient’s travel distance and not one just outside it', async () => {
    const inside = await addSite(world, world.independent, northOf(LS6, 29.98), 'Just inside');
    const outside = await addSite(world, world.independent, northOf(LS6, 30.02), 'Just outside');
    const insidePosting = await addPosting(world, world.independent, { specialtyCode: '101', siteId: inside });
    const outsidePosting = await addPosting(world, world.independent, { specialtyCode: '101', siteId: outside });
    const caseRef = await addCase(world, { specialtyCode: '101', maxTravelMiles: 30 });

    const matches = await postingsForCase(world.db, caseRef, options);
    expect(matches.map((row) => row.postingId)).toEqual([insidePosting]);
    expect(matches[0]!.distanceMiles).toBe(30);
    expect(await caseRefsFor(insidePosting)).toContain(caseRef);
    expect(await caseRefsFor(outsidePosting)).not.toContain(caseRef);
  });

  it('measures the same great-circle distance as the domain code', async () => {
    const posting = await addPosting(world, world.nhsProvider, { specialtyCode: '104', maxBmi: 45, maxAsa: 3 });
    const caseRef = await addCase(world, { specialtyCode: '104' });
    const [match] = await casesForPosting(world.db, posting, options);
    const sheffield = { latitude: 53.41, longitude: -1.457 };
    expect(match?.caseRef).toBe(caseRef);
    expect(match!.distanceMiles).toBeCloseTo(distanceMiles(LS6, sheffield), 1);
  });

  it('lets a patient with no travel limit match capacity at the other end of England', async () => {
    const truro = await addSite(world, world.nhsProvider, { latitude: 50.2632, longitude: -5.051 }, 'Truro');
    const posting = await addPosting(world, world.nhsProvider, { specialtyCode: '107', siteId: truro });
    const anywhere = await addCase(world, { specialtyCode: '107', maxTravelMiles: null });
    const local = await addCase(world, { specialtyCode: '107', maxTravelMiles: 150 });
    expect(await caseRefsFor(posting)).toEqual([anywhere]);
    expect(await postingIdsFor(local)).toEqual([]);
  });

  it('matches capacity starting on the treat-by date and not the day after it', async () => {
    const p2TreatBy = addDays(LISTED_AT.toISOString().slice(0, 10), 31);
    const onTime = await addPosting(world, world.independent, { specialtyCode: '140', availableFrom: p2TreatBy });
    const late = await addPosting(world, world.independent, {
      specialtyCode: '140',
      availableFrom: addDays(p2TreatBy, 1),
    });
    const p2 = await addCase(world, { specialtyCode: '140', priority: 'P2' });
    const p4 = await addCase(world, { specialtyCode: '140', priority: 'P4' });
    expect(new Set(await postingIdsFor(p2))).toEqual(new Set([onTime]));
    expect(new Set(await postingIdsFor(p4))).toEqual(new Set([onTime, late]));
  });

  it('gives a P1 case three days and a P3 case ninety-two from listing', async () => {
    const listed = LISTED_AT.toISOString().slice(0, 10);
    const threeDays = await addPosting(world, world.independent, {
      specialtyCode: '150',
      availableFrom: addDays(listed, 3),
      availableUntil: addDays(TODAY, 30),
    });
    const fourDays = await addPosting(world, world.independent, {
      specialtyCode: '150',
      availableFrom: addDays(listed, 4),
      availableUntil: addDays(TODAY, 30),
    });
    const ninetyThree = await addPosting(world, world.independent, {
      specialtyCode: '150',
      availableFrom: addDays(listed, 93),
      availableUntil: addDays(listed, 120),
    });
    const p1 = await addCase(world, { specialtyCode: '150', priority: 'P1' });
    const p3 = await addCase(world, { specialtyCode: '150', priority: 'P3' });
    expect(await postingIdsFor(p1)).toEqual([threeDays]);
    expect(new Set(await postingIdsFor(p3))).toEqual(new Set([threeDays, fourDays]));
    expect(await caseRefsFor(ninetyThree)).toEqual([]);
  });

  it('matches only procedures the posting covers, by OPCS code prefix', async () => {
    const hips = await addPosting(world, world.independent, { specialtyCode: '160', procedureCodes: ['W37', 'W38'] });
    const anything = await addPosting(world, world.independent, { specialtyCode: '160', procedureCodes: [] });
    const hip = await addCase(world, { specialtyCode: '160', opcsCode: 'W37.1' });
    const knee = await addCase(world, { specialtyCode: '160', opcsCode: 'W40.1' });
    const uncoded = await addCase(world, { specialtyCode: '160', opcsCode: null });
    expect(await caseRefsFor(hips)).toEqual([hip]);
    expect(new Set(await caseRefsFor(anything))).toEqual(new Set([hip, knee, uncoded]));
  });

  it('matches a patient who needs critical care only to capacity with critical care cover', async () => {
    const withCover = await addPosting(world, world.nhsProvider, {
      specialtyCode: '170',
      hasCriticalCare: true,
      maxAsa: 3,
    });
    const without = await addPosting(world, world.independent, { specialtyCode: '170', hasCriticalCare: false });
    const needsCover = await addCase(world, { specialtyCode: '170', needsCriticalCare: true });
    const fine = await addCase(world, { specialtyCode: '170' });
    expect(await postingIdsFor(needsCover)).toEqual([withCover]);
    expect(new Set(await postingIdsFor(fine))).toEqual(new Set([withCover, without]));
  });

  it('matches a patient from the day they reach the minimum age until the day before they pass the maximum', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '300', minAge: 18, maxAge: 65 });
    const eighteenToday = await addCase(world, { specialtyCode: '300' }, '2008-03-02');
    const eighteenTomorrow = await addCase(world, { specialtyCode: '300' }, '2008-03-03');
    const sixtyFiveStill = await addCase(world, { specialtyCode: '300' }, '1960-03-03');
    const sixtySixToday = await addCase(world, { specialtyCode: '300' }, '1960-03-02');
    expect(new Set(await caseRefsFor(posting))).toEqual(new Set([eighteenToday, sixtyFiveStill]));
    expect(await postingIdsFor(eighteenTomorrow)).toEqual([]);
    expect(await postingIdsFor(sixtySixToday)).toEqual([]);
  });

  it('never offers a case to its own origin organisation', async () => {
    const ownPosting = await addPosting(world, world.origin, { specialtyCode: '301' });
    const otherPosting = await addPosting(world, world.independent, { specialtyCode: '301' });
    const caseRef = await addCase(world, { specialtyCode: '301' });
    expect(await caseRefsFor(ownPosting)).toEqual([]);
    expect(await postingIdsFor(caseRef)).toEqual([otherPosting]);
  });

  it('excludes a provider that has offered or been declined, but not one whose offer was withdrawn, expired or lapsed', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '320' });
    const byStatus = {} as Record<string, string>;
    for (const status of ['LIVE', 'DECLINED', 'NOT_CHOSEN', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'LAPSED'] as const) {
      byStatus[status] = await addCase(world, { specialtyCode: '320' });
      await addOffer(world, byStatus[status], world.independent, status);
    }
    const offeredByOther = await addCase(world, { specialtyCode: '320' });
    await addOffer(world, offeredByOther, world.nhsProvider, 'LIVE');
    expect(new Set(await caseRefsFor(posting))).toEqual(
      new Set([byStatus.WITHDRAWN, byStatus.EXPIRED, byStatus.LAPSED, offeredByOther]),
    );
  });

  it('excludes filled, withdrawn, expired and past postings', async () => {
    const open = await addPosting(world, world.independent, { specialtyCode: '330' });
    const full = await addPosting(world, world.independent, { specialtyCode: '330', slots: 2, slotsFilled: 2 });
    const filled = await addPosting(world, world.independent, { specialtyCode: '330', status: 'FILLED' });
    const withdrawn = await addPosting(world, world.independent, { specialtyCode: '330', status: 'WITHDRAWN' });
    const expired = await addPosting(world, world.independent, { specialtyCode: '330', status: 'EXPIRED' });
    const past = await addPosting(world, world.independent, {
      specialtyCode: '330',
      availableFrom: addDays(TODAY, -30),
      availableUntil: addDays(TODAY, -1),
    });
    const lastDayToday = await addPosting(world, world.independent, {
      specialtyCode: '330',
      availableFrom: addDays(TODAY, -30),
      availableUntil: TODAY,
    });
    const caseRef = await addCase(world, { specialtyCode: '330' });
    expect(new Set(await postingIdsFor(caseRef))).toEqual(new Set([open, lastDayToday]));
    for (const closed of [full, filled, withdrawn, expired, past]) expect(await caseRefsFor(closed)).toEqual([]);
  });

  it('matches only cases open for offers, relisted or choosing', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '340' });
    const refs: Record<string, string> = {};
    for (const state of [
      'LISTED',
      'OPEN_FOR_OFFERS',
      'RELISTED',
      'CHOOSING',
      'AWAITING_APPROVAL',
      'APPROVED',
      'TRANSFERRED',
      'WITHDRAWN',
      'CLOSED',
    ] as const) {
      refs[state] = await addCase(world, { specialtyCode: '340', state });
    }
    expect(new Set(await caseRefsFor(posting))).toEqual(new Set([refs.OPEN_FOR_OFFERS, refs.RELISTED, refs.CHOOSING]));
    expect(await postingIdsFor(refs.AWAITING_APPROVAL!)).toEqual([]);
  });

  it('needs the specialty, the care type and a diagnostic test’s modality to agree', async () => {
    const mri = await addPosting(world, world.independent, {
      specialtyCode: '400',
      careType: 'DIAGNOSTIC',
      diagnosticModality: 'MRI',
    });
    const mriCase = await addCase(world, { specialtyCode: '400', careType: 'DIAGNOSTIC', diagnosticModality: 'MRI' });
    const ctCase = await addCase(world, { specialtyCode: '400', careType: 'DIAGNOSTIC', diagnosticModality: 'CT' });
    const admitted = await addCase(world, { specialtyCode: '400', careType: 'ADMITTED' });
    const otherSpecialty = await addCase(world, {
      specialtyCode: '410',
      careType: 'DIAGNOSTIC',
      diagnosticModality: 'MRI',
    });
    expect(await caseRefsFor(mri)).toEqual([mriCase]);
    for (const caseRef of [ctCase, admitted, otherSpecialty]) expect(await postingIdsFor(caseRef)).toEqual([]);
  });

  it('returns clinical summaries only, never a patient identifier', async () => {
    const posting = await addPosting(world, world.independent, { specialtyCode: '430' });
    await addCase(world, { specialtyCode: '430' }, '1955-07-01');
    const [row] = await casesForPosting(world.db, posting, options);
    expect(Object.keys(row!).sort()).toEqual(
      [
        'caseRef',
        'specialtyCode',
        'procedure',
        'opcsCode',
        'careType',
        'priority',
        'rttClockStart',
        'bmi',
        'asa',
        'ageBand',
        'needsCriticalCare',
        'distanceMiles',
      ].sort(),
    );
    expect(JSON.stringify(row)).not.toMatch(/Testsurname|Testforename|1955-07-01|LS6 2QN|RR8-/);
  });
});
