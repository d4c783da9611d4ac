/**
 * The capacity posting's side effects. Each step is one transaction writing
 * the posting row and its audit entry together, keyed by an idempotency key
 * (`posting-<id>/<step>`): a retried step finds its key taken and changes
 * nothing twice, and a refused step writes nothing at all.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import { appendAudit, type AuditActor } from '../../db/audit';
import type { Db } from '../../db/client';
import { capacityPostings, sites } from '../../db/schema';
import type { PostingStatus } from '../../domain/journey-states';
import type { PostingTerms } from '../../domain/posting';
import { POSTING_REFUSALS } from '../contract';

interface PostingStep {
  key: string;
  postingId: string;
  organisationId: string;
  actor: AuditActor;
}

export interface SavePostingStep extends PostingStep {
  terms: PostingTerms;
  postedBy: string;
}

export interface ChangePostingStep extends PostingStep {
  action: 'POSTING_EDITED' | 'POSTING_SLOTS_FILLED' | 'POSTING_FILLED' | 'POSTING_WITHDRAWN' | 'POSTING_EXPIRED';
  terms?: PostingTerms;
  slotsFilled?: number;
  status?: PostingStatus;
}

const columns = (terms: PostingTerms) => ({
  siteId: terms.siteId,
  specialtyCode: terms.specialtyCode,
  careType: terms.careType,
  diagnosticModality: terms.diagnosticModality ?? null,
  procedureCodes: terms.procedureCodes,
  slots: terms.slots,
  availableFrom: terms.availableFrom,
  availableUntil: terms.availableUntil,
  maxBmi: terms.maxBmi,
  maxAsa: terms.maxAsa,
  minAge: terms.minAge,
  maxAge: terms.maxAge,
  hasCriticalCare: terms.hasCriticalCare,
});

export function createCapacityActivities({ db }: { db: Db }) {
  return {
    /** Saves a new posting once its site is confirmed to belong to the posting organisation. */
    async savePosting(step: SavePostingStep): Promise<void> {
      await db.transaction(async (tx) => {
        const [site] = await tx
          .select({ id: sites.id })
          .from(sites)
          .where(and(eq(sites.id, step.terms.siteId), eq(sites.organisationId, step.organisationId)));
        if (!site) {
          throw ApplicationFailure.nonRetryable(
            'That site is not one of your organisation’s sites.',
            POSTING_REFUSALS.siteNotOurs,
          );
        }
        const fresh = await appendAudit(tx, {
          action: 'POSTING_OPENED',
          actor: step.actor,
          detail: postingDetail(step.postingId, step.terms),
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        await tx
          .insert(capacityPostings)
          .values({
            id: step.postingId,
            organisationId: step.organisationId,
            postedBy: step.postedBy,
            status: 'OPEN',
            ...columns(step.terms),
          })
          .onConflictDoNothing({ target: capacityPostings.id });
      });
    },

    /** Edits, fills, withdraws or expires a posting: its row and its audit entry in one transaction. */
    async changePosting(step: ChangePostingStep): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          action: step.action,
          actor: step.actor,
          detail: {
            postingId: step.postingId,
            ...(step.terms ? postingDetail(step.postingId, step.terms) : {}),
            ...(step.slotsFilled !== undefined ? { slotsFilled: step.slotsFilled } : {}),
            ...(step.status ? { status: step.status } : {}),
          },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        await tx
          .update(capacityPostings)
          .set({
            ...(step.terms ? columns(step.terms) : {}),
            ...(step.slotsFilled !== undefined ? { slotsFilled: step.slotsFilled } : {}),
            ...(step.status ? { status: step.status } : {}),
            updatedAt: sql`now()`,
          })
          .where(eq(capacityPostings.id, step.postingId));
      });
    },
  };
}

/** Codes and numbers only: what the audit log keeps of a posting's terms. */
function postingDetail(postingId: string, terms: PostingTerms): Record<string, unknown> {
  return {
    postingId,
    siteId: terms.siteId,
    specialtyCode: terms.specialtyCode,
    careType: terms.careType,
    slots: terms.slots,
    availableFrom: terms.availableFrom,
    availableUntil: terms.availableUntil,
  };
}
