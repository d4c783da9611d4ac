/** Reading and writing case rows outside the journey: the listing itself, and lookups. */
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import { TERMINAL_CASE_STATES } from '../domain/journey-states';
import type { LatLon } from '../domain/distance';
import type { Listing } from '../domain/listing';
import type { CaseRoute } from '../domain/journey-states';
import type { Queryable } from './client';
import { cases, patients, postcodeDistricts } from './schema';

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
export async function insertCase(
  db: Queryable,
  { caseRef, originOrgId, listedBy, ageBand, location, listing, route, nationalFrom }: NewCase,
): Promise<void> {
  await db.insert(cases).values({
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
  });
  await db.insert(patients).values({
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
  });
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
