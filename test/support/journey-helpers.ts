/** Short steps that journey tests repeat: list a patient, make an offer, wait for a state, read the audit. */
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Db } from '../../db/client';
import { auditLog } from '../../db/schema';
import type { CaseState } from '../../domain/journey-states';
import type { ListingInput } from '../../domain/listing';
import type { JourneyStatus, OfferView } from '../../workflows/contract';
import type { JourneyClient } from '../../workflows/client';
import { as, listingFor, type Org, type World } from './fixtures';
import { eventually } from './journey-env';

export async function listPatient(
  journeys: JourneyClient,
  world: World,
  overrides: Partial<ListingInput> = {},
): Promise<string> {
  const result = await journeys.listPatient(listingFor(world, overrides), as(world.origin, 'coordinator'));
  if (!result.ok) throw new Error(`Listing refused: ${JSON.stringify(result.errors)}`);
  return result.caseRef;
}

export function offerFrom(org: Org, overrides: { validForMs?: number; proposedInDays?: number } = {}) {
  const proposed = new Date(Date.now() + (overrides.proposedInDays ?? 21) * 86_400_000).toISOString().slice(0, 10);
  return {
    siteId: org.siteId,
    proposedDate: proposed,
    validUntil: new Date(Date.now() + (overrides.validForMs ?? 50_000)).toISOString(),
    clinicalTeam: `${org.ods} arthroplasty team`,
  };
}

export async function makeOffer(
  journeys: JourneyClient,
  caseRef: string,
  org: Org,
  overrides = {},
): Promise<OfferView> {
  const made = await journeys.makeOffer(caseRef, as(org, 'clinician'), offerFrom(org, overrides));
  if (!made.ok) throw new Error(`Offer refused: ${made.code} ${made.message}`);
  return made.value;
}

export async function waitForState(
  journeys: JourneyClient,
  caseRef: string,
  state: CaseState,
  timeoutMs = 30_000,
): Promise<JourneyStatus> {
  return eventually(async () => {
    const status = await journeys.status(caseRef);
    return status.ok && status.value.state === state ? status.value : undefined;
  }, timeoutMs);
}

export async function auditActions(db: Db, caseRef: string): Promise<string[]> {
  const rows = await db.select().from(auditLog).where(eq(auditLog.caseRef, caseRef)).orderBy(asc(auditLog.id));
  return rows.map((row) => (row.outcome === 'OK' ? row.action : `${row.action}:${row.outcome}`));
}

export function expectRefused(decision: { ok: boolean; code?: string; message?: string }, code: string): void {
  expect(decision.ok, `expected refusal ${code}`).toBe(false);
  expect(decision.code).toBe(code);
  expect(decision.message).toMatch(/\w/);
}

/** The audit trail of a journey with two offers that ends in a transfer: each step exactly once, in order. */
export const TRANSFER_AUDIT_TRAIL = [
  'CASE_LISTED',
  'CASE_OPEN_FOR_OFFERS',
  'OFFER_MADE',
  'OFFER_MADE',
  'CASE_CHOOSING',
  'CHOICE_ACCEPTED_OFFER',
  'CASE_AWAITING_APPROVAL',
  'ORIGIN_RELEASE_APPROVED',
  'RECEIVING_ACCEPTANCE_APPROVED',
  'CASE_APPROVED',
  'IPT_DATASET_CREATED',
  'CASE_TRANSFERRED',
];

/** The same with one offer, accepted. */
export const ONE_OFFER_TRANSFER_AUDIT_TRAIL = TRANSFER_AUDIT_TRAIL.filter(
  (action, index) => action !== 'OFFER_MADE' || index === TRANSFER_AUDIT_TRAIL.indexOf('OFFER_MADE'),
);
