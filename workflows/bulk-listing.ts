/**
 * Listing many checked patients at once, as a waiting-list upload does. Each
 * batch's cases, patient details and `CASE_LISTED` entries are written in
 * one transaction, which also starts that batch's `startListedJourneys`
 * workflow: if the start fails nothing is written, and once it commits the
 * journeys are certain to start. The workflow starts them in the background,
 * at Temporal's pace, so an upload's wait is the database's, not one
 * workflow start per patient.
 *
 * The transaction holds a lock named by the batch (`lockListingBatch`), and
 * the step starting the journeys takes the same lock first: it starts
 * journeys only for cases that were committed, never for a batch that
 * rolled back after its workflow had started.
 */
import { randomInt } from 'node:crypto';
import { appendAudits } from '../db/audit';
import { insertCases, liveCaseFor, lockListingBatch, type NewCase } from '../db/cases';
import { newCaseRef } from '../domain/case-ref';
import type { LatLon } from '../domain/distance';
import type { Listing } from '../domain/listing';
import { ageBand } from '../domain/rtt';
import type { Organisation } from '../db/schema';
import type { ActingAs } from './acting';
import type { JourneyClientOptions } from './client';
import { listedJourneysWorkflowId, type ListedJourneysInput } from './contract';
import { journeyBasis, listedAuditEntry, listedCase } from './journey-start';
import type { startListedJourneys } from './waiting-list/start-listed-journeys';

export interface BulkRow {
  listing: Listing;
  location: LatLon;
}

export interface BulkBatch {
  /** Names the upload: with `batch`, the batch's workflow id and lock. */
  uploadId: string;
  batch: number;
  rows: BulkRow[];
  origin: Organisation;
  actingAs: ActingAs;
}

/**
 * Per row, in order: the case written for it, the live case the origin
 * already had for the patient (listed meanwhile by someone else), or
 * undefined when that case ended before it could be named.
 */
export type BulkOutcome = { listed: string } | { alreadyListed: string } | undefined;

export async function listBatch(options: JourneyClientOptions, batch: BulkBatch): Promise<BulkOutcome[]> {
  const { db, client, taskQueue, policy } = options;
  const now = options.now?.() ?? new Date();
  const { origin, actingAs } = batch;
  const batchKey = listedJourneysWorkflowId(batch.uploadId, batch.batch);
  const newCases: NewCase[] = batch.rows.map(({ listing, location }) => ({
    caseRef: newCaseRef(randomInt),
    originOrgId: origin.id,
    listedBy: actingAs.personId,
    ageBand: ageBand(listing.dateOfBirth, now),
    location,
    listing,
  }));
  const written = await db.transaction(async (tx) => {
    await lockListingBatch(tx, batchKey);
    const refs = await insertCases(tx, newCases);
    const listed = newCases.filter((newCase) => refs.has(newCase.caseRef));
    if (listed.length === 0) return refs;
    await appendAudits(
      tx,
      listed.map(({ caseRef, listing }) => listedAuditEntry(caseRef, listing, { organisationId: origin.id, actingAs })),
    );
    const input: ListedJourneysInput = {
      batchKey,
      basis: journeyBasis({ origin, actingAs }, policy),
      cases: listed.map(({ caseRef, listing }) => listedCase(caseRef, listing)),
    };
    await client.workflow.start<typeof startListedJourneys>('startListedJourneys', {
      taskQueue,
      workflowId: batchKey,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
    });
    return refs;
  });
  return Promise.all(
    newCases.map(async ({ caseRef, listing }): Promise<BulkOutcome> => {
      if (written.has(caseRef)) return { listed: caseRef };
      // Listed meanwhile (the same file uploaded twice at once): the database let one in.
      const existing = await liveCaseFor(db, origin.id, listing.nhsNumber);
      return existing ? { alreadyListed: existing } : undefined;
    }),
  );
}
