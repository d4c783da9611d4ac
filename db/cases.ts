/** Reading and writing case rows outside the journey: the listing itself, and lookups. */
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { TERMINAL_CASE_STATES } from '../domain/journey-states';
import type { LatLon } from '../domain/distance';
import type { Listing } from '../domain/listing';
import type { CaseRoute } from '../domain/journey-states';
import type { Queryable } from './client';
import { TERMINAL_CASE_STATES_SQL, cases, patients, postcodeDistricts } from './schema';

/** The centroid of a postcode district; undefined for a district the reference data does not know. */
export async function outcodeLocation(db: Queryable, outcode: string): Promise<LatLon | undefined> {
  const [row] = await db
    .select({ latitude: postcodeDistricts.latitude, longitude: postcodeDistricts.longitude })
    .from(postcodeDistricts)
    .where(eq(postcodeDistricts.outcode, outcode));
  return row;
}

/** The live case this origin already has for the patient, if any. */
export async function liveCaseFor(db: Queryable, originOrgId: string, nhsNumber: string): Promise<string | undefined> {
  const [row] = await db
    .select({ caseRef: cases.caseRef })
    .from(cases)
    .where(
      and(
        eq(cases.originOrgId, originOrgId),
        eq(cases.nhsNumber, nhsNumber),
        notInArray(cases.state, [...TERMINAL_CASE_STATES]),
      ),
    );
  return row?.caseRef;
}

export interface NewCase {
  caseRef: string;
  originOrgId: string;
  listedBy: string;
  ageBand: string;
  /** The centroid of the patient's postcode district. */
  location: LatLon;
  listing: Listing;
  /** Defaults to STAFF. */
  route?: CaseRoute;
  /** Until then only providers in the origin's region are matched. */
  nationalFrom?: Date;
}

/** Inserts the case and its patient details; the caller owns the transaction. */
export async function insertCase(db: Queryable, newCase: NewCase): Promise<void> {
  await db.insert(cases).values(caseValues(newCase));
  await db.insert(patients).values(patientValues(newCase));
}

/**
 * Inserts many cases and their patients' details in two statements; the
 * caller owns the transaction. A patient the origin already has a live case
 * for is skipped, not refused: the case references actually written are
 * returned.
 */
export async function insertCases(db: Queryable, newCases: NewCase[]): Promise<Set<string>> {
  if (newCases.length === 0) return new Set();
  // In NHS number order, so two uploads listing the same patients at once wait for each other, never deadlock.
  const ordered = [...newCases].sort((a, b) => a.listing.nhsNumber.localeCompare(b.listing.nhsNumber));
  const written = await db
    .insert(cases)
    .values(ordered.map(caseValues))
    .onConflictDoNothing({
      target: [cases.originOrgId, cases.nhsNumber],
      where: sql`${cases.state} not in (${TERMINAL_CASE_STATES_SQL})`,
    })
    .returning({ caseRef: cases.caseRef });
  const refs = new Set(written.map((row) => row.caseRef));
  const patientRows = newCases.filter((newCase) => refs.has(newCase.caseRef)).map(patientValues);
  if (patientRows.length > 0) await db.insert(patients).values(patientRows);
  return refs;
}

function caseValues({ caseRef, originOrgId, listedBy, ageBand, location, listing, route, nationalFrom }: NewCase) {
  return {
    caseRef,
    originOrgId,
    nhsNumber: listing.nhsNumber,
    specialtyCode: listing.specialtyCode,
    procedure: listing.procedure,
    opcsCode: listing.opcsCode,
    careType: listing.careType,
    diagnosticModality: listing.diagnosticModality,
    priority: listing.priority,
    rttClockStart: listing.rttClockStart,
    bmi: listing.bmi,
    asa: listing.asa,
    ageBand,
    needsCriticalCare: listing.needsCriticalCare,
    outcode: listing.postcode.outcode,
    latitude: location.latitude,
    longitude: location.longitude,
    maxTravelMiles: listing.maxTravelMiles,
    travelNeeds: listing.travelNeeds,
    appropriatenessJudgedBy: listing.appropriatenessJudgedBy,
    listedBy,
    route: route ?? 'STAFF',
    nationalFrom,
  } satisfies typeof cases.$inferInsert;
}

function patientValues({ caseRef, listing }: NewCase) {
  return {
    caseRef,
    givenName: listing.givenName,
    familyName: listing.familyName,
    dateOfBirth: listing.dateOfBirth,
    postcode: listing.postcode.postcode,
    localPatientId: listing.localPatientId,
    gpPracticeCode: listing.gpPracticeCode,
    referringOrgOds: listing.referringOrgOds,
    ppid: listing.ppid,
    ppidIssuerOds: listing.ppidIssuerOds,
  } satisfies typeof patients.$inferInsert;
}

/**
 * Holds the lock named `key` until the transaction ends. An upload's batch
 * takes it while it writes its cases; the step starting their journeys takes
 * it first, so it only ever sees the batch committed or rolled back.
 */
export async function lockListingBatch(tx: Queryable, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

/** Which of `caseRefs` exist. */
export async function existingCaseRefs(db: Queryable, caseRefs: string[]): Promise<Set<string>> {
  if (caseRefs.length === 0) return new Set();
  const rows = await db.select({ caseRef: cases.caseRef }).from(cases).where(inArray(cases.caseRef, caseRefs));
  return new Set(rows.map((row) => row.caseRef));
}

export async function caseRow(db: Queryable, caseRef: string) {
  const [row] = await db.select().from(cases).where(eq(cases.caseRef, caseRef));
  return row;
}

/** Each case's current offer round, for the notification fan-out. */
export async function caseRounds(db: Queryable, caseRefs: string[]): Promise<Map<string, number>> {
  if (caseRefs.length === 0) return new Map();
  const rows = await db
    .select({ caseRef: cases.caseRef, round: cases.round })
    .from(cases)
    .where(inArray(cases.caseRef, caseRefs));
  return new Map(rows.map((row) => [row.caseRef, row.round]));
}
