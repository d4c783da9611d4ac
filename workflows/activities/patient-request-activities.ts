/**
 * The side effects of a patient-initiated request once the origin team has
 * judged it: the listing written from the details the invitation kept, or
 * the request closed as not appropriate. Each is one transaction with its
 * audit entry, idempotent by the request's own state.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import { appendAudit, type AuditActor } from '../../db/audit';
import { insertCase, liveCaseFor, outcodeLocation } from '../../db/cases';
import type { Db, Tx } from '../../db/client';
import { isUniqueViolation } from '../../db/errors';
import { patientRequests } from '../../db/schema';
import type { Invitation } from '../../domain/patient-initiated';
import type { Listing } from '../../domain/listing';
import { ageBand } from '../../domain/rtt';

export interface ListRequestStep {
  requestId: string;
  /** Chosen by the workflow, so a retried step writes the same case. */
  caseRef: string;
  /** The clinician who judged the move appropriate; they list it. */
  actor: AuditActor & { kind: 'PERSON' };
  nationalFrom: string;
  listedAt: string;
}

export interface DeclineRequestStep {
  requestId: string;
  actor: AuditActor & { kind: 'PERSON' };
  decidedAt: string;
}

export type ListedRequest = { caseRef: string; alreadyListed: boolean };

export function createPatientRequestActivities({ db }: { db: Db }) {
  return {
    /**
     * Lists the requested case as its judging clinician. When the patient was
     * meanwhile listed by staff, the request points at that case instead and
     * no second journey starts.
     */
    async listRequestedCase(step: ListRequestStep): Promise<ListedRequest> {
      const listedAt = new Date(step.listedAt);
      const write = db.transaction(async (tx) => {
        const [request] = await tx
          .select()
          .from(patientRequests)
          .where(eq(patientRequests.id, step.requestId))
          .for('update');
        if (!request) throw ApplicationFailure.nonRetryable('The request no longer exists', 'REQUEST.NOT_FOUND');
        if (request.status === 'LISTED' && request.caseRef) {
          return { caseRef: request.caseRef, alreadyListed: request.caseRef !== step.caseRef };
        }
        if (request.status !== 'REQUESTED') {
          throw ApplicationFailure.nonRetryable(`The request is ${request.status}`, 'REQUEST.WRONG_STATE');
        }
        const existing = await liveCaseFor(tx, request.originOrgId, request.nhsNumber);
        if (existing) {
          await markListed(tx, step, existing, listedAt);
          return { caseRef: existing, alreadyListed: true };
        }
        const invitation = request.listing as Invitation;
        const location = await outcodeLocation(tx, invitation.postcode.outcode);
        if (!location) throw ApplicationFailure.nonRetryable('The postcode district is unknown', 'REQUEST.POSTCODE');
        const listing: Listing = {
          ...invitation,
          maxTravelMiles: request.maxTravelMiles,
          appropriatenessJudgedBy: step.actor.personId,
        };
        await insertCase(tx, {
          caseRef: step.caseRef,
          originOrgId: request.originOrgId,
          listedBy: step.actor.personId,
          ageBand: ageBand(invitation.dateOfBirth, listedAt),
          location,
          listing,
          route: 'PATIENT_INITIATED',
          nationalFrom: new Date(step.nationalFrom),
        });
        await appendAudit(tx, {
          caseRef: step.caseRef,
          action: 'CASE_LISTED',
          actor: step.actor,
          detail: {
            specialtyCode: invitation.specialtyCode,
            careType: invitation.careType,
            priority: invitation.priority,
            route: 'PATIENT_INITIATED',
            requestId: step.requestId,
          },
          idempotencyKey: `${step.caseRef}/listed`,
        });
        await markListed(tx, step, step.caseRef, listedAt);
        return { caseRef: step.caseRef, alreadyListed: false };
      });
      try {
        return await write;
      } catch (error) {
        // Listed by staff between the check and the insert: the next attempt finds that case.
        if (isUniqueViolation(error, 'cases_one_live_listing_per_patient')) {
          throw ApplicationFailure.retryable('The patient was listed meanwhile', 'REQUEST.RACE');
        }
        throw error;
      }
    },

    async declineRequest(step: DeclineRequestStep): Promise<void> {
      await db.transaction(async (tx) => {
        // Only a request still waiting for its decision changes; a retried step finds it decided.
        await tx
          .update(patientRequests)
          .set({ status: 'NOT_APPROPRIATE', decidedBy: step.actor.personId, decidedAt: new Date(step.decidedAt) })
          .where(and(eq(patientRequests.id, step.requestId), eq(patientRequests.status, 'REQUESTED')));
        await appendAudit(tx, {
          action: 'PATIENT_REQUEST_NOT_APPROPRIATE',
          actor: step.actor,
          detail: { requestId: step.requestId },
          idempotencyKey: `request/${step.requestId}/decided`,
        });
      });
    },
  };
}

async function markListed(tx: Tx, step: ListRequestStep, caseRef: string, at: Date): Promise<void> {
  await tx
    .update(patientRequests)
    .set({ status: 'LISTED', caseRef, decidedBy: step.actor.personId, decidedAt: at })
    .where(eq(patientRequests.id, step.requestId));
  await appendAudit(tx, {
    caseRef,
    action: 'PATIENT_REQUEST_APPROVED',
    actor: step.actor,
    detail: { requestId: step.requestId },
    idempotencyKey: `request/${step.requestId}/decided`,
  });
}
