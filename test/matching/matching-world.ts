/**
 * Builders for the matching tests: the journey tests' three organisations
 * (origin in Leeds, an independent provider in York, an NHS provider in
 * Sheffield), plus cases, postings, sites and offers written straight to the
 * database with valid defaults that any test can override. Times are fixed:
 * "today" is TODAY and cases were listed ten days before it.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { capacityPostings, cases, offers, patients, sites } from '../../db/schema';
import { EARTH_RADIUS_MILES, type LatLon } from '../../domain/distance';
import { seedWorld, type Org, type World } from '../support/fixtures';
import { nhsNumberFrom } from '../support/nhs-numbers';

export const NOW = new Date('2026-03-02T12:00:00Z');
export const TODAY = '2026-03-02';
export const LISTED_AT = new Date('2026-02-20T09:00:00Z');

/** The centroid of LS6 (Headingley, Leeds), where the test patients live. */
export const LS6: LatLon = { latitude: 53.81928, longitude: -1.56704 };

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The point `miles` due north of `from` on the 3958.8-mile sphere. */
export function northOf(from: LatLon, miles: number): LatLon {
  return { latitude: from.latitude + (miles / EARTH_RADIUS_MILES) * (180 / Math.PI), longitude: from.longitude };
}

export type CaseRow = typeof cases.$inferInsert;
export type PostingRow = typeof capacityPostings.$inferInsert;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let caseCounter = 0;

function nextCaseRef(): string {
  caseCounter += 1;
  let value = caseCounter + Math.floor(Math.random() * 1_000_000) * 1_000;
  let ref = '';
  for (let i = 0; i < 8; i += 1) {
    ref = CROCKFORD[value % 32]! + ref;
    value = Math.floor(value / 32);
  }
  return `MA-${ref}`;
}

export interface MatchingWorld extends World {
  db: Db;
}

export async function seedMatchingWorld(db: Db): Promise<MatchingWorld> {
  return { ...(await seedWorld(db)), db };
}

/** Lists an open T&O hip replacement for a patient in LS6 (born 1961-04-12, BMI 31.5, ASA 2, 60 miles). */
export async function addCase(
  world: MatchingWorld,
  overrides: Partial<CaseRow> = {},
  dateOfBirth = '1961-04-12',
): Promise<string> {
  const caseRef = nextCaseRef();
  await world.db.insert(cases).values({
    caseRef,
    originOrgId: world.origin.id,
    nhsNumber: nhsNumberFrom(400_000_000 + caseCounter * 13),
    specialtyCode: '110',
    procedure: 'Primary total hip replacement',
    opcsCode: 'W37.1',
    careType: 'ADMITTED',
    priority: 'P3',
    rttClockStart: '2025-09-01',
    bmi: 31.5,
    asa: 2,
    ageBand: '60-69',
    needsCriticalCare: false,
    outcode: 'LS6',
    latitude: LS6.latitude,
    longitude: LS6.longitude,
    maxTravelMiles: 60,
    appropriatenessJudgedBy: world.origin.staff.clinician,
    listedBy: world.origin.staff.coordinator,
    listedAt: LISTED_AT,
    state: 'OPEN_FOR_OFFERS',
    ...overrides,
  });
  await world.db.insert(patients).values({
    caseRef,
    givenName: 'Testforename',
    familyName: `Testsurname${caseCounter}`,
    dateOfBirth,
    postcode: 'LS6 2QN',
    localPatientId: `RR8-${caseCounter}`,
    gpPracticeCode: 'B86001',
    referringOrgOds: 'B86001',
    ppid: `PP${String(caseCounter).padStart(8, '0')}`,
    ppidIssuerOds: 'RR8',
  });
  return caseRef;
}

/** Another site for an organisation, at a chosen point. */
export async function addSite(world: MatchingWorld, org: Org, at: LatLon, name: string): Promise<string> {
  const [row] = await world.db
    .insert(sites)
    .values({
      organisationId: org.id,
      siteCode: `${org.ods}${randomUUID().slice(0, 4).toUpperCase()}`,
      name,
      town: 'Testtown',
      postcode: 'YO31 8TA',
      outcode: 'YO31',
      latitude: at.latitude,
      longitude: at.longitude,
      maxBmi: 50,
      maxAsa: 4,
      hasCriticalCare: true,
    })
    .returning({ id: sites.id });
  return row!.id;
}

/** Posts open T&O admitted capacity at the organisation's main site from a week after TODAY (BMI ≤ 35, ASA ≤ 2). */
export async function addPosting(world: MatchingWorld, org: Org, overrides: Partial<PostingRow> = {}): Promise<string> {
  const id = randomUUID();
  await world.db.insert(capacityPostings).values({
    id,
    organisationId: org.id,
    siteId: org.siteId,
    specialtyCode: '110',
    careType: 'ADMITTED',
    procedureCodes: [],
    slots: 5,
    availableFrom: addDays(TODAY, 7),
    availableUntil: addDays(TODAY, 60),
    maxBmi: 35,
    maxAsa: 2,
    hasCriticalCare: false,
    postedBy: org.staff.clinician,
    ...overrides,
  });
  return id;
}

/** An offer the provider made on the case, in the given status. */
export async function addOffer(
  world: MatchingWorld,
  caseRef: string,
  provider: Org,
  status: (typeof offers.$inferInsert)['status'],
): Promise<void> {
  const madeAt = new Date(NOW.getTime() - 86_400_000);
  await world.db.insert(offers).values({
    id: randomUUID(),
    caseRef,
    round: 1,
    providerOrgId: provider.id,
    siteId: provider.siteId,
    proposedDate: addDays(TODAY, 14),
    validUntil: new Date(NOW.getTime() + 5 * 86_400_000),
    clinicalTeam: 'Elective orthopaedics',
    status,
    madeBy: provider.staff.clinician,
    madeAt,
    closedAt: status === 'LIVE' ? null : NOW,
  });
}
