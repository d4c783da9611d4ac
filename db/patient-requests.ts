/** Reading patient-initiated requests: for the patient's own page and for the origin team's chat card. */
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from './client';
import { cases, organisations, patientRequests, people, treatmentFunctions } from './schema';
import type { Invitation } from '../domain/patient-initiated';
import { weeksWaiting } from '../domain/rtt';

/** How staff name a request in chat and in the API: `PR-` and the first eight characters of its id. */
export const requestRef = (requestId: string): string => `PR-${requestId.slice(0, 8).toUpperCase()}`;

/** What the patient's page and the team's card may show: no identifiers. */
export interface RequestSummary {
  requestId: string;
  ref: string;
  status: string;
  originOrgId: string;
  trustName: string;
  specialtyCode: string;
  specialtyName: string;
  procedure: string;
  priority: string;
  weeksWaiting: number;
  ineligibleReasons: string[];
  expiresAt: Date;
  respondedAt: Date | null;
  /** Null with a response: anywhere in England. */
  maxTravelMiles: number | null;
  decidedByName: string | null;
  caseRef: string | null;
  caseState: string | null;
  caseClosedReason: string | null;
}

export async function requestSummary(db: Queryable, requestId: string, now: Date): Promise<RequestSummary | undefined> {
  const [row] = await db
    .select({
      request: patientRequests,
      trustName: organisations.name,
      specialtyName: treatmentFunctions.name,
      decidedByName: people.displayName,
      caseState: cases.state,
      caseClosedReason: cases.closedReason,
    })
    .from(patientRequests)
    .innerJoin(organisations, eq(organisations.id, patientRequests.originOrgId))
    .innerJoin(treatmentFunctions, eq(treatmentFunctions.code, patientRequests.specialtyCode))
    .leftJoin(people, eq(people.id, patientRequests.decidedBy))
    .leftJoin(cases, eq(cases.caseRef, patientRequests.caseRef))
    .where(eq(patientRequests.id, sql`${requestId}::uuid`));
  if (!row) return undefined;
  const listing = row.request.listing as Invitation;
  return {
    requestId: row.request.id,
    ref: requestRef(row.request.id),
    status: row.request.status,
    originOrgId: row.request.originOrgId,
    trustName: row.trustName,
    specialtyCode: row.request.specialtyCode,
    specialtyName: row.specialtyName,
    procedure: listing.procedure,
    priority: listing.priority,
    weeksWaiting: weeksWaiting(listing.rttClockStart, now),
    ineligibleReasons: row.request.ineligibleReasons,
    expiresAt: row.request.expiresAt,
    respondedAt: row.request.respondedAt,
    maxTravelMiles: row.request.maxTravelMiles,
    decidedByName: row.decidedByName,
    caseRef: row.request.caseRef,
    caseState: row.caseState,
    caseClosedReason: row.caseClosedReason,
  };
}
