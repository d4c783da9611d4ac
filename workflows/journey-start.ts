/**
 * How a listed case's journey starts: its input, its start options and its
 * audit entry, the same for one listing (`JourneyClient.listChecked`) and for
 * an upload's batches (workflows/bulk-listing.ts and the `startJourneys`
 * activity). Nothing here may carry a patient identifier: the input is kept
 * in Temporal's history.
 */
import type { Client } from '@temporalio/client';
import type { AuditEntry } from '../db/audit';
import type { Listing } from '../domain/listing';
import type { ActingAs } from './acting';
import { journeyWorkflowId, type JourneyInput, type ListedCase } from './contract';
import type { patientJourney } from './journey/journey';
import type { ListingContext } from './client';

/** What every journey of one listing context shares; `ListedCase` holds the rest. */
export function journeyBasis(
  context: Pick<ListingContext, 'origin' | 'actingAs' | 'nationalFrom'>,
  policy: JourneyInput['policy'],
): Omit<JourneyInput, keyof ListedCase> {
  return {
    originOrgId: context.origin.id,
    region: context.origin.region,
    listedBy: context.actingAs.personId,
    policy,
    ...(context.nationalFrom ? { nationalFrom: context.nationalFrom.toISOString() } : {}),
  };
}

/** The listing's part of its journey's input: codes only. */
export const listedCase = (caseRef: string, listing: Listing): ListedCase => ({
  caseRef,
  specialtyCode: listing.specialtyCode,
  careType: listing.careType,
  priority: listing.priority,
});

/** Starts the journey; a journey with the same case reference, running or finished, is never started twice. */
export function startJourney(client: Client, taskQueue: string, input: JourneyInput) {
  return client.workflow.start<typeof patientJourney>('patientJourney', {
    taskQueue,
    workflowId: journeyWorkflowId(input.caseRef),
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [input],
  });
}

/** The `CASE_LISTED` entry written with the case. */
export function listedAuditEntry(
  caseRef: string,
  listing: Listing,
  context: { organisationId: string; actingAs: ActingAs; route?: string },
): AuditEntry {
  return {
    caseRef,
    action: 'CASE_LISTED',
    actor: {
      kind: 'PERSON',
      personId: context.actingAs.personId,
      organisationId: context.organisationId,
      channel: context.actingAs.channel,
    },
    detail: {
      specialtyCode: listing.specialtyCode,
      careType: listing.careType,
      priority: listing.priority,
      route: context.route ?? 'STAFF',
    },
    idempotencyKey: `${caseRef}/listed`,
  };
}
