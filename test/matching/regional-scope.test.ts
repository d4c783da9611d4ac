/**
 * Patient-initiated cases are offered in their origin's region first: until
 * the case's `national_from`, a provider in another region neither sees the
 * case nor is offered it; from then on it is matched like any other case.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { casesForPosting, providersForCase } from '../../db/matching';
import { organisations } from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { addCase, addPosting, NOW, seedMatchingWorld, type MatchingWorld } from './matching-world';

describe('regional first, then national', () => {
  let database: TestDatabase;
  let world: MatchingWorld;

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedMatchingWorld(database.db);
    // Sheffield's trust, for this test, is in the Midlands: outside the origin's region.
    await world.db.update(organisations).set({ region: 'MIDLANDS' }).where(eq(organisations.id, world.nhsProvider.id));
  });
  afterAll(() => database.drop());

  const later = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

  it('keeps a patient-initiated case in its region until national_from, then offers it everywhere', async () => {
    const caseRef = await addCase(world, { route: 'PATIENT_INITIATED', nationalFrom: later(14) });
    const inRegion = await addPosting(world, world.independent);
    const outOfRegion = await addPosting(world, world.nhsProvider);

    const providersNow = await providersForCase(world.db, caseRef, { now: NOW });
    expect(providersNow.map((p) => p.organisationId)).toEqual([world.independent.id]);
    expect((await casesForPosting(world.db, outOfRegion, { now: NOW })).map((c) => c.caseRef)).not.toContain(caseRef);
    expect((await casesForPosting(world.db, inRegion, { now: NOW })).map((c) => c.caseRef)).toContain(caseRef);

    const after = { now: later(15) };
    const providersLater = await providersForCase(world.db, caseRef, after);
    expect(providersLater.map((p) => p.organisationId).sort()).toEqual(
      [world.independent.id, world.nhsProvider.id].sort(),
    );
    expect((await casesForPosting(world.db, outOfRegion, after)).map((c) => c.caseRef)).toContain(caseRef);
  });

  it('offers a case listed by staff in every region at once', async () => {
    const caseRef = await addCase(world);
    await addPosting(world, world.nhsProvider);
    const providers = await providersForCase(world.db, caseRef, { now: NOW });
    expect(providers.map((p) => p.organisationId)).toContain(world.nhsProvider.id);
  });
});
