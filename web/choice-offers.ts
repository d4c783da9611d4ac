/**
 * What the choice page shows, read from the database: the case (its
 * procedure, specialty, origin trust and the centre of the patient's postcode
 * district, never who the patient is), the live offers of a round with each
 * provider, site and distance, the wait at the local trust, and the choice
 * the patient recorded. The journey decides; these reads only describe.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { cases, choices, offers, organisations, sites, treatmentFunctions } from '../db/schema';
import { localWait, type WaitFigures } from '../db/waits';
import type { LatLon } from '../domain/distance';
import type { CaseState, ChoiceOutcome } from '../domain/journey-states';
import { straightLineMiles } from './travel';

export interface CaseForChoice {
  caseRef: string;
  round: number;
  state: CaseState;
  procedure: string;
  specialtyCode: string;
  specialtyName: string;
  originOrgId: string;
  originName: string;
  /** The centre of the patient's postcode district. */
  area: LatLon;
}

export interface OfferForChoice {
  offerId: string;
  round: number;
  providerName: string;
  siteName: string;
  town: string;
  /** `YYYY-MM-DD`. */
  proposedDate: string;
  validUntil: Date;
  /** In a straight line from the centre of the patient's postcode district. */
  miles: number;
}

export async function caseForChoice(db: Db, caseRef: string): Promise<CaseForChoice | undefined> {
  const [row] = await db
    .select({
      caseRef: cases.caseRef,
      round: cases.round,
      state: cases.state,
      procedure: cases.procedure,
      specialtyCode: cases.specialtyCode,
      specialtyName: treatmentFunctions.name,
      originOrgId: cases.originOrgId,
      originName: organisations.name,
      latitude: cases.latitude,
      longitude: cases.longitude,
    })
    .from(cases)
    .innerJoin(organisations, eq(organisations.id, cases.originOrgId))
    .innerJoin(treatmentFunctions, eq(treatmentFunctions.code, cases.specialtyCode))
    .where(eq(cases.caseRef, caseRef));
  if (!row) return undefined;
  const { latitude, longitude, ...rest } = row;
  return { ...rest, area: { latitude, longitude } };
}

const offerColumns = {
  offerId: offers.id,
  round: offers.round,
  providerName: organisations.name,
  siteName: sites.name,
  town: sites.town,
  proposedDate: offers.proposedDate,
  validUntil: offers.validUntil,
  latitude: sites.latitude,
  longitude: sites.longitude,
};

type OfferRow = { latitude: number; longitude: number } & Omit<OfferForChoice, 'miles'>;

function withDistance(kase: CaseForChoice, { latitude, longitude, ...offer }: OfferRow): OfferForChoice {
  return { ...offer, miles: straightLineMiles(kase.area, { latitude, longitude }) };
}

/** The offers of `round` still open at `now`, soonest first, then nearest. */
export async function liveOffersForChoice(
  db: Db,
  kase: CaseForChoice,
  round: number,
  now: Date,
): Promise<OfferForChoice[]> {
  const rows = await db
    .select(offerColumns)
    .from(offers)
    .innerJoin(organisations, eq(organisations.id, offers.providerOrgId))
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(
      and(
        eq(offers.caseRef, kase.caseRef),
        eq(offers.round, round),
        eq(offers.status, 'LIVE'),
        gt(offers.validUntil, now),
      ),
    );
  return rows
    .map((row) => withDistance(kase, row))
    .sort((a, b) => a.proposedDate.localeCompare(b.proposedDate) || a.miles - b.miles);
}

/** One of the case's offers, whatever its status: what the patient chose, for the confirmation. */
export async function offerForChoice(
  db: Db,
  kase: CaseForChoice,
  offerId: string,
): Promise<OfferForChoice | undefined> {
  const [row] = await db
    .select(offerColumns)
    .from(offers)
    .innerJoin(organisations, eq(organisations.id, offers.providerOrgId))
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .where(and(eq(offers.caseRef, kase.caseRef), eq(offers.id, offerId)));
  return row && withDistance(kase, row);
}

/** The wait at the patient's own trust in the case's specialty, to weigh against travelling. */
export function localWaitFor(db: Db, kase: CaseForChoice, now: Date): Promise<WaitFigures | undefined> {
  return localWait(db, kase.originOrgId, kase.specialtyCode, now);
}

export interface RecordedChoice {
  outcome: ChoiceOutcome;
  offerId: string | null;
}

/** The choice the patient made through their link in `round` (staff-recorded choices have a recorder). */
export async function patientChoiceIn(db: Db, caseRef: string, round: number): Promise<RecordedChoice | undefined> {
  const [row] = await db
    .select({ outcome: choices.outcome, offerId: choices.offerId })
    .from(choices)
    .where(and(eq(choices.caseRef, caseRef), eq(choices.round, round), isNull(choices.recordedBy)));
  return row;
}
