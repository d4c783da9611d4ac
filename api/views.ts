/**
 * Database rows and journey views turned into the API's response shapes
 * (api/schemas.ts): dates as ISO strings, weeks waiting derived from the
 * clock start, absent values as null. Only clinical columns come in, so
 * nothing identifying can go out.
 */
import type {
  CaseSummaryRow,
  OfferRowForApi,
  patientRequestsOfOrganisation,
  postingsOfOrganisation,
} from '../db/api-reads';
import type { FunnelRow } from '../db/funnel';
import { requestRef } from '../db/patient-requests';
import type { FunnelCounts } from '../domain/funnel';
import { postingExpiresAt } from '../domain/posting';
import { weeksWaiting } from '../domain/rtt';
import type { JourneyStatus, OfferView, PostingView } from '../workflows/contract';
import type {
  CaseDetail,
  CaseSummary,
  FunnelCountsView,
  FunnelWeekView,
  Offer,
  OfferListItem,
  PatientRequestView,
  Posting,
} from './schemas';

export function caseSummaryView(row: CaseSummaryRow, now: Date): CaseSummary {
  return {
    caseRef: row.caseRef,
    state: row.state,
    round: row.round,
    specialtyCode: row.specialtyCode,
    specialtyName: row.specialtyName,
    procedure: row.procedure,
    opcsCode: row.opcsCode,
    careType: row.careType,
    diagnosticModality: row.diagnosticModality,
    priority: row.priority,
    weeksWaiting: weeksWaiting(row.rttClockStart, now),
    bmi: row.bmi,
    asa: row.asa,
    ageBand: row.ageBand,
    needsCriticalCare: row.needsCriticalCare,
    maxTravelMiles: row.maxTravelMiles,
    travelNeeds: row.travelNeeds as CaseSummary['travelNeeds'],
    listedAt: row.listedAt.toISOString(),
    stateChangedAt: row.stateChangedAt.toISOString(),
    flaggedForReview: row.flaggedForReviewAt !== null,
  };
}

export function offerView(caseRef: string, offer: OfferView): Offer {
  return {
    offerId: offer.offerId,
    caseRef,
    round: offer.round,
    providerOrgId: offer.providerOrgId,
    siteId: offer.siteId,
    siteName: offer.siteName,
    proposedDate: offer.proposedDate,
    validUntil: new Date(offer.validUntil).toISOString(),
    clinicalTeam: offer.clinicalTeam,
    status: offer.status,
  };
}

export function offerListItem(row: OfferRowForApi, viewerOrgId: string): OfferListItem {
  return {
    ...offerRowView(row),
    providerOds: row.providerOds,
    direction: row.providerOrgId === viewerOrgId ? 'MADE' : 'RECEIVED',
    madeAt: row.madeAt.toISOString(),
  };
}

function offerRowView(row: OfferRowForApi): Offer {
  return {
    offerId: row.offerId,
    caseRef: row.caseRef,
    round: row.round,
    providerOrgId: row.providerOrgId,
    siteId: row.siteId,
    siteName: row.siteName,
    proposedDate: row.proposedDate,
    validUntil: row.validUntil.toISOString(),
    clinicalTeam: row.clinicalTeam,
    status: row.status,
  };
}

export interface CaseViewer {
  organisationId: string;
  /** The origin trust sees every offer; a provider only its own. */
  isOrigin: boolean;
}

/**
 * A case with its journey. `journey` is the running journey's own view;
 * without it (a journey Temporal no longer holds) the state and offers come
 * from the database.
 */
export function caseDetailView(
  row: CaseSummaryRow,
  journey: JourneyStatus | undefined,
  storedOffers: OfferRowForApi[],
  viewer: CaseViewer,
  now: Date,
): CaseDetail {
  const offers = journey
    ? journey.offers.map((offer) => offerView(row.caseRef, offer))
    : storedOffers.map((offer) => offerRowView(offer));
  const summary = caseSummaryView(row, now);
  return {
    ...summary,
    state: journey?.state ?? row.state,
    round: journey?.round ?? row.round,
    flaggedForReview: journey?.flaggedForReview ?? summary.flaggedForReview,
    offers: viewer.isOrigin ? offers : offers.filter((offer) => offer.providerOrgId === viewer.organisationId),
    offersShown: viewer.isOrigin ? 'ALL' : 'OWN',
    chosenOfferId: journey?.chosenOfferId ?? null,
    approvals: (journey?.approvals ?? []).map((a) => ({ side: a.side, approved: a.approved, decidedBy: a.decidedBy })),
    deadlines: journey ? { ...journey.deadlines } : {},
    declinedOfferCount: journey?.declinedOfferCount ?? 0,
    closedReason: journey?.closedReason ?? row.closedReason,
  };
}

export function postingView(posting: PostingView): Posting {
  const { terms } = posting;
  return {
    postingId: posting.postingId,
    status: posting.status,
    siteId: terms.siteId,
    specialtyCode: terms.specialtyCode,
    careType: terms.careType,
    diagnosticModality: terms.diagnosticModality ?? null,
    procedureCodes: terms.procedureCodes,
    slots: terms.slots,
    slotsFilled: posting.slotsFilled,
    availableFrom: terms.availableFrom,
    availableUntil: terms.availableUntil,
    maxBmi: terms.maxBmi,
    maxAsa: terms.maxAsa,
    minAge: terms.minAge,
    maxAge: terms.maxAge,
    hasCriticalCare: terms.hasCriticalCare,
    expiresAt: new Date(posting.expiresAt).toISOString(),
  };
}

type PostingRow = Awaited<ReturnType<typeof postingsOfOrganisation>>[number];

export function postingRowView(row: PostingRow): Posting {
  return {
    ...row,
    expiresAt: new Date(postingExpiresAt(row)).toISOString(),
  };
}

/** The funnel's counts as documented: every field named, so a field added in db/funnel.ts is not sent unseen. */
export function funnelCountsView(counts: FunnelCounts): FunnelCountsView {
  return {
    listed: counts.listed,
    offered: counts.offered,
    chosen: counts.chosen,
    approved: counts.approved,
    transferred: counts.transferred,
    declined: counts.declined,
    timedOut: counts.timedOut,
    withdrawn: counts.withdrawn,
    inProgress: counts.inProgress,
    timeInState: counts.timeInState,
  };
}

/** One specialty and week of the funnel; the trust is the caller's own, said once for the whole answer. */
export function funnelWeekView(row: FunnelRow): FunnelWeekView {
  return {
    specialtyCode: row.specialtyCode,
    specialtyName: row.specialtyName,
    weekStarting: row.weekStarting,
    ...funnelCountsView(row),
  };
}

type PatientRequestRow = Awaited<ReturnType<typeof patientRequestsOfOrganisation>>[number];

export function patientRequestView(row: PatientRequestRow, now: Date): PatientRequestView {
  return {
    requestId: row.requestId,
    ref: requestRef(row.requestId),
    status: row.status,
    specialtyCode: row.specialtyCode,
    specialtyName: row.specialtyName,
    weeksWaiting: weeksWaiting(row.rttClockStart, now),
    invitedAt: row.invitedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    respondedAt: row.respondedAt?.toISOString() ?? null,
    maxTravelMiles: row.maxTravelMiles,
    caseRef: row.caseRef,
    ineligibleReasons: row.ineligibleReasons,
  };
}
