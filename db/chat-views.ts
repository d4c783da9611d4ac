/**
 * What the chat front ends show beside a case or a provider: a provider's
 * view of a case (clinical summary, distance from its nearest site, its own
 * offer and answer), its sites, open postings and live offers. Clinical
 * columns only: none of these selects names an identifier.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { CareType, Priority } from '../domain/codes';
import { distanceMiles } from '../domain/distance';
import type { ApprovalSide, CaseState, OfferStatus } from '../domain/journey-states';
import type { Queryable } from './client';
import {
  approvals,
  capacityPostings,
  cases,
  memberships,
  offers,
  organisations,
  people,
  providerPasses,
  sites,
} from './schema';

export interface CaseFactsForChat {
  caseRef: string;
  originOrgId: string;
  originName: string;
  specialtyCode: string;
  procedure: string;
  careType: CareType;
  priority: Priority;
  rttClockStart: string;
  bmi: number;
  asa: number;
  ageBand: string;
  needsCriticalCare: boolean;
  state: CaseState;
  round: number;
}

export interface ProviderOffer {
  offerId: string;
  siteName: string;
  proposedDate: string;
  validUntil: Date;
  status: OfferStatus;
}

export interface ProviderCaseView extends CaseFactsForChat {
  /** Miles from the patient's district to the provider's nearest site; undefined for a provider with no sites. */
  nearestSiteMiles?: number;
  nearestSiteName?: string;
  /** The provider's latest offer on the case, if any. */
  offer?: ProviderOffer;
  passed: boolean;
}

const caseColumns = {
  caseRef: cases.caseRef,
  originOrgId: cases.originOrgId,
  originName: organisations.name,
  specialtyCode: cases.specialtyCode,
  procedure: cases.procedure,
  careType: cases.careType,
  priority: cases.priority,
  rttClockStart: cases.rttClockStart,
  bmi: cases.bmi,
  asa: cases.asa,
  ageBand: cases.ageBand,
  needsCriticalCare: cases.needsCriticalCare,
  state: cases.state,
  round: cases.round,
};

export async function caseFactsForChat(db: Queryable, caseRef: string): Promise<CaseFactsForChat | undefined> {
  const [row] = await db
    .select(caseColumns)
    .from(cases)
    .innerJoin(organisations, eq(organisations.id, cases.originOrgId))
    .where(eq(cases.caseRef, caseRef));
  return row;
}

/** A case as one provider sees it: how far away, and what it has answered. */
export async function providerCaseView(
  db: Queryable,
  caseRef: string,
  organisationId: string,
): Promise<ProviderCaseView | undefined> {
  const [row] = await db
    .select({ ...caseColumns, latitude: cases.latitude, longitude: cases.longitude })
    .from(cases)
    .innerJoin(organisations, eq(organisations.id, cases.originOrgId))
    .where(eq(cases.caseRef, caseRef));
  if (!row) return undefined;
  const { latitude, longitude, ...facts } = row;
  const siteRows = await db
    .select({ name: sites.name, latitude: sites.latitude, longitude: sites.longitude })
    .from(sites)
    .where(eq(sites.organisationId, organisationId));
  const nearest = siteRows
    .map((site) => ({ name: site.name, miles: distanceMiles({ latitude, longitude }, site) }))
    .sort((a, b) => a.miles - b.miles)[0];
  const [offer] = await db
    .select({
      offerId: offers.id,
      siteName: sites.name,
      proposedDate: offers.proposedDate,
      validUntil: offers.validUntil,
      status: offers.status,
    })
    .from(offers)
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(and(eq(offers.caseRef, caseRef), eq(offers.providerOrgId, organisationId)))
    .orderBy(desc(offers.madeAt))
    .limit(1);
  const [pass] = await db
    .select({ round: providerPasses.round })
    .from(providerPasses)
    .where(and(eq(providerPasses.caseRef, caseRef), eq(providerPasses.organisationId, organisationId)));
  return {
    ...facts,
    nearestSiteMiles: nearest ? Math.round(nearest.miles) : undefined,
    nearestSiteName: nearest?.name,
    offer,
    passed: pass !== undefined,
  };
}

export async function organisationSites(db: Queryable, organisationId: string) {
  return db
    .select({ id: sites.id, name: sites.name, town: sites.town })
    .from(sites)
    .where(eq(sites.organisationId, organisationId))
    .orderBy(asc(sites.name));
}

export async function openPostingsOf(db: Queryable, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  return db
    .select({
      postingId: capacityPostings.id,
      organisationId: capacityPostings.organisationId,
      siteName: sites.name,
      specialtyCode: capacityPostings.specialtyCode,
      careType: capacityPostings.careType,
      slots: capacityPostings.slots,
      slotsFilled: capacityPostings.slotsFilled,
      availableFrom: capacityPostings.availableFrom,
      availableUntil: capacityPostings.availableUntil,
    })
    .from(capacityPostings)
    .innerJoin(sites, eq(sites.id, capacityPostings.siteId))
    .where(and(inArray(capacityPostings.organisationId, organisationIds), eq(capacityPostings.status, 'OPEN')))
    .orderBy(asc(capacityPostings.availableFrom));
}

export async function liveOffersOf(db: Queryable, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  return db
    .select({
      offerId: offers.id,
      caseRef: offers.caseRef,
      providerOrgId: offers.providerOrgId,
      siteName: sites.name,
      proposedDate: offers.proposedDate,
      validUntil: offers.validUntil,
    })
    .from(offers)
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(and(inArray(offers.providerOrgId, organisationIds), eq(offers.status, 'LIVE')))
    .orderBy(asc(offers.validUntil));
}

/** The decision on one side of a case's current transfer, with who made it; undefined while undecided. */
export async function approvalDecision(db: Queryable, caseRef: string, offerId: string, side: ApprovalSide) {
  const [row] = await db
    .select({ approved: approvals.approved, decidedByName: people.displayName })
    .from(approvals)
    .innerJoin(people, eq(people.id, approvals.decidedBy))
    .where(and(eq(approvals.caseRef, caseRef), eq(approvals.offerId, offerId), eq(approvals.side, side)));
  return row;
}

/** The organisation's clinicians, for "who judged the move appropriate". */
export async function cliniciansOf(db: Queryable, organisationId: string) {
  return db
    .select({ personId: people.id, name: people.displayName })
    .from(memberships)
    .innerJoin(people, eq(people.id, memberships.personId))
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'CLINICIAN')))
    .orderBy(asc(people.displayName));
}
