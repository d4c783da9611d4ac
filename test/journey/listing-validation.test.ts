import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, cases, patients } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { as, listingFor, type World } from '../support/fixtures';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { countRows } from '../support/journey-assertions';
import { waitForState } from '../support/journey-helpers';
import { nhsNumberFrom } from '../support/nhs-numbers';

/** A valid NHS number with its check digit changed: ten digits, but not a real number. */
function withWrongCheckDigit(nhsNumber: string): string {
  const last = Number(nhsNumber.at(-1));
  return `${nhsNumber.slice(0, 9)}${(last + 1) % 10}`;
}

describe('listing a patient with bad input', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  async function journeysStarted(): Promise<number> {
    const { count } = await env.client.workflow.count(`TaskQueue = '${env.taskQueue}'`);
    return count;
  }

  const badListings: { problem: string; field: string; overrides: (world: World) => Partial<ListingInput> }[] = [
    {
      problem: 'an NHS number whose check digit is wrong',
      field: 'nhsNumber',
      overrides: () => ({ nhsNumber: withWrongCheckDigit(nhsNumberFrom(401_234_567)) }),
    },
    {
      problem: 'an NHS number that is not ten digits',
      field: 'nhsNumber',
      overrides: () => ({ nhsNumber: '94347659' }),
    },
    { problem: 'an unknown specialty code', field: 'specialtyCode', overrides: () => ({ specialtyCode: '999' }) },
    { problem: 'a BMI above the range', field: 'bmi', overrides: () => ({ bmi: 95 }) },
    { problem: 'a BMI below the range', field: 'bmi', overrides: () => ({ bmi: 8 }) },
    { problem: 'an ASA grade of V, which is never elective', field: 'asa', overrides: () => ({ asa: 5 }) },
    { problem: 'an ASA grade of 0', field: 'asa', overrides: () => ({ asa: 0 }) },
    { problem: 'a malformed postcode', field: 'postcode', overrides: () => ({ postcode: 'LS6 QN2' }) },
    {
      problem: 'a postcode district that does not exist',
      field: 'postcode',
      overrides: () => ({ postcode: 'ZZ9 9ZZ' }),
    },
    {
      problem: 'a date of birth that does not exist',
      field: 'dateOfBirth',
      overrides: () => ({ dateOfBirth: '1961-02-30' }),
    },
    { problem: 'a negative travel distance', field: 'maxTravelMiles', overrides: () => ({ maxTravelMiles: -10 }) },
    {
      problem: 'an appropriateness judgement by a clinician of another organisation',
      field: 'appropriatenessJudgedBy',
      overrides: (world) => ({ appropriatenessJudgedBy: world.independent.staff.clinician }),
    },
    {
      problem: 'an appropriateness judgement by an origin coordinator, who is not a clinician',
      field: 'appropriatenessJudgedBy',
      overrides: (world) => ({ appropriatenessJudgedBy: world.origin.staff.coordinator }),
    },
  ];

  it.each(badListings)(
    'refuses $problem with an error on $field that does not repeat the NHS number, and writes no case and starts no journey',
    async ({ field, overrides }) => {
      const { world, database } = env;
      const journeys = env.journeys();
      const listing = listingFor(world, overrides(world));
      const journeysBefore = await journeysStarted();

      const result = await journeys.listPatient(listing, as(world.origin, 'coordinator'));

      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(errors.map((error) => error.field)).toEqual([field]);
      expect(errors[0]?.message).toMatch(/\w{3}/);
      const digits = listing.nhsNumber.replace(/\D/g, '');
      expect(JSON.stringify(errors)).not.toContain(digits);
      expect(JSON.stringify(errors)).not.toContain(digits.slice(0, 6));

      expect(await countRows(database.db, cases)).toBe(0);
      expect(await countRows(database.db, patients)).toBe(0);
      expect(await journeysStarted()).toBe(journeysBefore);
    },
  );

  it('writes a refusal to the audit log for a listing refused after looking up the database, without the NHS number', async () => {
    const { world, database } = env;
    const listing = listingFor(world, { postcode: 'ZZ9 9ZZ' });
    const result = await env.journeys().listPatient(listing, as(world.origin, 'clinician', 'WEB'));
    expect(result.ok).toBe(false);

    const entries = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorPersonId, world.origin.staff.clinician));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'LIST_PATIENT',
      outcome: 'REFUSED',
      caseRef: null,
      organisationId: world.origin.id,
      channel: 'WEB',
    });
    expect(JSON.stringify(entries)).not.toContain(listing.nhsNumber);
    expect(await countRows(database.db, cases)).toBe(0);
  });

  it('refuses a listing from someone who is not a coordinator or clinician at the origin trust, and writes nothing', async () => {
    const { world, database } = env;
    const result = await env.journeys().listPatient(listingFor(world), as(world.independent, 'clinician'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.field)).toEqual(['originOds']);
    const manager = await env.journeys().listPatient(listingFor(world), as(world.origin, 'manager'));
    expect(!manager.ok && manager.errors.map((error) => error.field)).toEqual(['originOds']);
    expect(await countRows(database.db, cases)).toBe(0);
    expect(await countRows(database.db, patients)).toBe(0);
  });

  it('lists a valid patient once, and refuses a second listing of the same patient (even written with spaces) on nhsNumber', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 60_000 });
    const nhsNumber = nhsNumberFrom(712_345_678);
    const journeysBefore = await journeysStarted();

    const first = await journeys.listPatient(listingFor(world, { nhsNumber }), as(world.origin, 'coordinator'));
    expect(first.ok).toBe(true);
    const caseRef = first.ok ? first.caseRef : '';
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    expect(await countRows(database.db, cases)).toBe(1);
    expect(await countRows(database.db, patients)).toBe(1);
    // The control for the checks above: a listing that is accepted does show up as a started journey.
    await eventually(async () => (await journeysStarted()) === journeysBefore + 1);

    const spaced = `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`;
    const again = await journeys.listPatient(listingFor(world, { nhsNumber: spaced }), as(world.origin, 'clinician'));
    expect(again.ok).toBe(false);
    const errors = again.ok ? [] : again.errors;
    expect(errors).toEqual([
      { field: 'nhsNumber', message: `This patient is already listed by your trust as ${caseRef}` },
    ]);
    expect(JSON.stringify(errors)).not.toContain(nhsNumber);
    expect(await countRows(database.db, cases)).toBe(1);
    expect(await countRows(database.db, patients)).toBe(1);
    expect(await journeysStarted()).toBe(journeysBefore + 1);
  });

  it('lists a patient submitted twice at once (a double click) only once, refusing the other listing on nhsNumber', async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 60_000 });
    const nhsNumber = nhsNumberFrom(823_456_789);
    const casesBefore = await countRows(database.db, cases);

    const results = await Promise.all([
      journeys.listPatient(listingFor(world, { nhsNumber }), as(world.origin, 'coordinator')),
      journeys.listPatient(listingFor(world, { nhsNumber }), as(world.origin, 'clinician')),
    ]);

    const listed = results.filter((result) => result.ok);
    const refused = results.filter((result) => !result.ok);
    expect(listed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const errors = refused[0]!.ok ? [] : refused[0]!.errors;
    expect(errors.map((error) => error.field)).toEqual(['nhsNumber']);
    expect(JSON.stringify(errors)).not.toContain(nhsNumber);
    expect(await countRows(database.db, cases)).toBe(casesBefore + 1);
    const caseRef = listed[0]!.ok ? listed[0]!.caseRef : '';
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
  });
});
