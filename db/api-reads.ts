/**
 * What the operator API reads: an organisation's cases as origin (a page at
 * a time, longest-waiting first), who may see one case, the offers an
 * organisation made or received, its capacity postings, sites, clinicians
 * and patient-initiated requests. Clinical columns only: none of these
 * selects names an identifier (no NHS number, no `patients` join, no
 * postcode; of a request's stored listing, only its RTT clock start).
 */
import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { CaseState, OfferStatus, PostingStatus } from '../domain/journey-states';
import type { Queryable } from './client';
import {
  capacityPostings,
  cases,
  memberships,
  offers,
  organisations,
  patientRequests,
  people,
  sites,
  treatmentFunctions,
  type PatientRequestStatus,
} from './schema';

const caseColumns = {
  caseRef: cases.caseRef,
  originOrgId: cases.originOrgId,
  state: cases.state,
  round: cases.round,
  specialtyCode: cases.specialtyCode,
  specialtyName: treatmentFunctions.name,
  procedure: cases.procedure,
  opcsCode: cases.opcsCode,
  careType: cases.careType,
  diagnosticModality: cases.diagnosticModality,
  priority: cases.priority,
  rttClockStart: cases.rttClockStart,
  bmi: cases.bmi,
  asa: cases.asa,
  ageBand: cases.ageBand,
  needsCriticalCare: cases.needsCriticalCare,
  maxTravelMiles: cases.maxTravelMiles,
  travelNeeds: cases.travelNeeds,
  listedAt: cases.listedAt,
  stateChangedAt: cases.stateChangedAt,
  flaggedForReviewAt: cases.flaggedForReviewAt,
  closedReason: cases.closedReason,
};

export type CaseSummaryRow = NonNullable<Awaited<ReturnType<typeof caseSummary>>>;

export interface OriginCasesFilter {
  originOrgId: string;
  state?: CaseState;
  specialtyCode?: string;
  /** The last case reference of the previous page. */
  after?: string;
  limit: number;
}

/**
 * One page of the origin's cases, longest-waiting first (clock start, then
 * reference). Keyset paging: the cursor is the previous page's last case,
 * whose position is looked up by its key, so a page costs the same however deep.
 */
export async function originCases(db: Queryable, filter: OriginCasesFilter) {
  const conditions: SQL[] = [eq(cases.originOrgId, filter.originOrgId)];
  if (filter.state) conditions.push(eq(cases.state, filter.state));
  if (filter.specialtyCode) conditions.push(eq(cases.specialtyCode, filter.specialtyCode));
  if (filter.after) {
    conditions.push(
      sql`(${cases.rttClockStart}, ${cases.caseRef}) > (select c.rtt_clock_start, c.case_ref from cases c where c.case_ref = ${filter.after})`,
    );
  }
  return db
    .select(caseColumns)
    .from(cases)
    .innerJoin(treatmentFunctions, eq(treatmentFunctions.code, cases.specialtyCode))
    .where(and(...conditions))
    .orderBy(asc(cases.rttClockStart), asc(cases.caseRef))
    .limit(filter.limit);
}

/** One case's clinical summary; undefined when there is no such case. */
export async function caseSummary(db: Queryable, caseRef: string) {
  const [row] = await db
    .select(caseColumns)
    .from(cases)
    .innerJoin(treatmentFunctions, eq(treatmentFunctions.code, cases.specialtyCode))
    .where(eq(cases.caseRef, caseRef));
  return row;
}

/** True when the organisation has made an offer on the case, in any round and whatever became of it. */
export async function hasOfferOn(db: Queryable, caseRef: string, organisationId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: offers.id })
    .from(offers)
    .where(and(eq(offers.caseRef, caseRef), eq(offers.providerOrgId, organisationId)))
    .limit(1);
  return row !== undefined;
}

const offerColumns = {
  offerId: offers.id,
  caseRef: offers.caseRef,
  round: offers.round,
  providerOrgId: offers.providerOrgId,
  providerOds: organisations.odsCode,
  originOrgId: cases.originOrgId,
  siteId: offers.siteId,
  siteName: sites.name,
  proposedDate: offers.proposedDate,
  validUntil: offers.validUntil,
  clinicalTeam: offers.clinicalTeam,
  status: offers.status,
  madeAt: offers.madeAt,
};

export type OfferRowForApi = Awaited<ReturnType<typeof offersOnCase>>[number];

export interface OffersFilter {
  organisationId: string;
  status?: OfferStatus;
  caseRef?: string;
  /** The last offer id of the previous page. */
  after?: string;
  limit: number;
}

/** Offers the organisation made, and offers made on the cases it listed: newest first. */
export async function offersOfOrganisation(db: Queryable, filter: OffersFilter) {
  const conditions: (SQL | undefined)[] = [
    or(eq(offers.providerOrgId, filter.organisationId), eq(cases.originOrgId, filter.organisationId)),
  ];
  if (filter.status) conditions.push(eq(offers.status, filter.status));
  if (filter.caseRef) conditions.push(eq(offers.caseRef, filter.caseRef));
  if (filter.after) {
    conditions.push(
      sql`(${offers.madeAt}, ${offers.id}) < (select o.made_at, o.id from offers o where o.id = ${filter.after})`,
    );
  }
  return db
    .select(offerColumns)
    .from(offers)
    .innerJoin(cases, eq(cases.caseRef, offers.caseRef))
    .innerJoin(organisations, eq(organisations.id, offers.providerOrgId))
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(and(...conditions))
    .orderBy(desc(offers.madeAt), desc(offers.id))
    .limit(filter.limit);
}

/** Every offer on one case, oldest first: for a case whose journey can no longer be asked. */
export async function offersOnCase(db: Queryable, caseRef: string) {
  return db
    .select(offerColumns)
    .from(offers)
    .innerJoin(cases, eq(cases.caseRef, offers.caseRef))
    .innerJoin(organisations, eq(organisations.id, offers.providerOrgId))
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(eq(offers.caseRef, caseRef))
    .orderBy(asc(offers.madeAt), asc(offers.id));
}

export interface PostingsFilter {
  organisationId: string;
  status?: PostingStatus;
  /** The last posting id of the previous page. */
  after?: string;
  limit: number;
}

/** The organisation's capacity postings, newest first. */
export async function postingsOfOrganisation(db: Queryable, filter: PostingsFilter) {
  const conditions: SQL[] = [eq(capacityPostings.organisationId, filter.organisationId)];
  if (filter.status) conditions.push(eq(capacityPostings.status, filter.status));
  if (filter.after) {
    conditions.push(
      sql`(${capacityPostings.postedAt}, ${capacityPostings.id}) < (select p.posted_at, p.id from capacity_postings p where p.id = ${filter.after})`,
    );
  }
  return db
    .select({
      postingId: capacityPostings.id,
      status: capacityPostings.status,
      siteId: capacityPostings.siteId,
      specialtyCode: capacityPostings.specialtyCode,
      careType: capacityPostings.careType,
      diagnosticModality: capacityPostings.diagnosticModality,
      procedureCodes: capacityPostings.procedureCodes,
      slots: capacityPostings.slots,
      slotsFilled: capacityPostings.slotsFilled,
      availableFrom: capacityPostings.availableFrom,
      availableUntil: capacityPostings.availableUntil,
      maxBmi: capacityPostings.maxBmi,
      maxAsa: capacityPostings.maxAsa,
      minAge: capacityPostings.minAge,
      maxAge: capacityPostings.maxAge,
      hasCriticalCare: capacityPostings.hasCriticalCare,
    })
    .from(capacityPostings)
    .where(and(...conditions))
    .orderBy(desc(capacityPostings.postedAt), desc(capacityPostings.id))
    .limit(filter.limit);
}

/** The organisation's sites, with the codes and ids an integration offers and posts capacity from. */
export async function sitesOfOrganisation(db: Queryable, organisationId: string) {
  return db
    .select({ siteId: sites.id, siteCode: sites.siteCode, name: sites.name, town: sites.town })
    .from(sites)
    .where(eq(sites.organisationId, organisationId))
    .orderBy(asc(sites.name));
}

/** The organisation's clinicians: who may be named as having judged a move appropriate. */
export async function cliniciansOfOrganisation(db: Queryable, organisationId: string) {
  return db
    .select({ personId: people.id, displayName: people.displayName })
    .from(memberships)
    .innerJoin(people, eq(people.id, memberships.personId))
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'CLINICIAN')))
    .orderBy(asc(people.displayName), asc(people.id));
}

export interface PatientRequestsFilter {
  originOrgId: string;
  status?: PatientRequestStatus;
  /** The last request id of the previous page. */
  after?: string;
  limit: number;
  /** An invitation past its expiry and never answered reads as EXPIRED from this instant. */
  now: Date;
}

/**
 * The origin's patient-initiated requests, newest invitation first. The
 * status is as the patient would find it: an invitation whose link has
 * expired unanswered is EXPIRED, whether or not its row says so yet.
 */
export async function patientRequestsOfOrganisation(db: Queryable, filter: PatientRequestsFilter) {
  const status = sql<PatientRequestStatus>`(case when ${patientRequests.status} = 'INVITED'
    and ${patientRequests.expiresAt} <= ${filter.now.toISOString()}::timestamptz
    then 'EXPIRED' else ${patientRequests.status} end)`;
  const conditions: SQL[] = [eq(patientRequests.originOrgId, filter.originOrgId)];
  if (filter.status) conditions.push(sql`${status} = ${filter.status}`);
  if (filter.after) {
    conditions.push(
      sql`(${patientRequests.invitedAt}, ${patientRequests.id}) < (select r.invited_at, r.id from patient_requests r where r.id = ${filter.after})`,
    );
  }
  return db
    .select({
      requestId: patientRequests.id,
      status,
      specialtyCode: patientRequests.specialtyCode,
      specialtyName: treatmentFunctions.name,
      rttClockStart: sql<string>`${patientRequests.listing} ->> 'rttClockStart'`,
      invitedAt: patientRequests.invitedAt,
      expiresAt: patientRequests.expiresAt,
      respondedAt: patientRequests.respondedAt,
      maxTravelMiles: patientRequests.maxTravelMiles,
      caseRef: patientRequests.caseRef,
      ineligibleReasons: patientRequests.ineligibleReasons,
    })
    .from(patientRequests)
    .innerJoin(treatmentFunctions, eq(treatmentFunctions.code, patientRequests.specialtyCode))
    .where(and(...conditions))
    .orderBy(desc(patientRequests.invitedAt), desc(patientRequests.id))
    .limit(filter.limit);
}
