/**
 * The journey's side effects. Each step is one database transaction that
 * writes its effect and its audit entry together, keyed by an idempotency key
 * built from the case reference and the step: a retried activity finds the
 * key taken and changes nothing twice.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { appendAudit, type AuditActor } from '../../db/audit';
import type { Db } from '../../db/client';
import {
  approvals,
  cases,
  choices,
  offers,
  organisations,
  patients,
  postcodeDistricts,
  providerPasses,
  sites,
  transferDatasets,
} from '../../db/schema';
import { distanceMiles } from '../../domain/distance';
import { siteProblems } from '../../domain/eligibility';
import {
  TERMINAL_CASE_STATES as FINAL_STATES,
  type ApprovalSide,
  type CaseState,
  type ChoiceOutcome,
  type OfferStatus,
} from '../../domain/journey-states';
import { REFUSALS } from '../contract';

export interface JourneyActivityDeps {
  db: Db;
}

interface Step {
  /** `<caseRef>/<step>`: the same step retried carries the same key. */
  key: string;
  caseRef: string;
  actor: AuditActor;
}

export interface ChangeStateStep extends Step {
  state: CaseState;
  round: number;
  reason?: string;
}

export interface SaveOfferStep extends Step {
  offerId: string;
  round: number;
  providerOrgId: string;
  siteId: string;
  proposedDate: string;
  validUntil: string;
  madeAt: string;
  clinicalTeam: string;
  notes?: string;
}

export interface CloseOffersStep extends Step {
  offerIds: string[];
  status: Exclude<OfferStatus, 'LIVE'>;
}

export interface RecordChoiceStep extends Step {
  round: number;
  outcome: ChoiceOutcome;
  offerId?: string;
  recordedAt: string;
  declinedOfferCount: number;
}

export interface RecordApprovalStep extends Step {
  offerId: string;
  side: ApprovalSide;
  approved: boolean;
  reason?: string;
  decidedAt: string;
}

export function createJourneyActivities({ db }: JourneyActivityDeps) {
  return {
    /** Moves the case to `state`; a case already in a final state is never moved again. */
    async changeState(step: ChangeStateStep): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: `CASE_${step.state}`,
          actor: step.actor,
          detail: { round: step.round, ...(step.reason ? { reason: step.reason } : {}) },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        const [current] = await tx
          .select({ state: cases.state })
          .from(cases)
          .where(eq(cases.caseRef, step.caseRef))
          .for('update');
        if (!current) throw caseNotVisible(step.caseRef);
        if (FINAL_STATES.includes(current.state)) {
          throw ApplicationFailure.nonRetryable(`Case ${step.caseRef} is already ${current.state}`, 'CASE.FINAL');
        }
        await tx
          .update(cases)
          .set({ state: step.state, round: step.round, stateChangedAt: sql`now()`, closedReason: step.reason ?? null })
          .where(eq(cases.caseRef, step.caseRef));
      });
    },

    /** Saves an offer once the site is confirmed to belong to the provider and to suit the patient. */
    async saveOffer(step: SaveOfferStep): Promise<{ siteName: string }> {
      return db.transaction(async (tx) => {
        const [site] = await tx
          .select()
          .from(sites)
          .where(and(eq(sites.id, step.siteId), eq(sites.organisationId, step.providerOrgId)));
        if (!site) {
          throw ApplicationFailure.nonRetryable(
            'That site is not one of your organisation’s sites.',
            REFUSALS.siteNotSuitable,
          );
        }
        const [already] = await tx.select({ id: offers.id }).from(offers).where(eq(offers.id, step.offerId));
        if (already) return { siteName: site.name };

        const [patient] = await tx
          .select({
            bmi: cases.bmi,
            asa: cases.asa,
            needsCriticalCare: cases.needsCriticalCare,
            maxTravelMiles: cases.maxTravelMiles,
            latitude: postcodeDistricts.latitude,
            longitude: postcodeDistricts.longitude,
          })
          .from(cases)
          .innerJoin(postcodeDistricts, eq(postcodeDistricts.outcode, cases.outcode))
          .where(eq(cases.caseRef, step.caseRef));
        if (!patient) throw caseNotVisible(step.caseRef);
        const problems = siteProblems(patient, site, distanceMiles(patient, site));
        if (problems.length > 0) {
          throw ApplicationFailure.nonRetryable(
            `${site.name} cannot take this patient: ${problems.join('; ')}.`,
            REFUSALS.siteNotSuitable,
          );
        }
        await tx.insert(offers).values({
          id: step.offerId,
          caseRef: step.caseRef,
          round: step.round,
          providerOrgId: step.providerOrgId,
          siteId: step.siteId,
          proposedDate: step.proposedDate,
          validUntil: new Date(step.validUntil),
          madeAt: new Date(step.madeAt),
          clinicalTeam: step.clinicalTeam,
          notes: step.notes,
          madeBy: step.actor.kind === 'PERSON' ? step.actor.personId : failNoPerson(),
        });
        await appendAudit(tx, {
          caseRef: step.caseRef,
          action: 'OFFER_MADE',
          actor: step.actor,
          detail: {
            offerId: step.offerId,
            siteId: step.siteId,
            proposedDate: step.proposedDate,
            validUntil: step.validUntil,
          },
          idempotencyKey: step.key,
        });
        return { siteName: site.name };
      });
    },

    /** Closes open offers: live ones (withdrawn, expired, lapsed) and a chosen one whose transfer fell through (rejected, lapsed). */
    async closeOffers(step: CloseOffersStep): Promise<void> {
      if (step.offerIds.length === 0) return;
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: `OFFER_${step.status}`,
          actor: step.actor,
          detail: { offerIds: step.offerIds },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        await tx
          .update(offers)
          .set({ status: step.status, closedAt: sql`now()` })
          .where(and(inArray(offers.id, step.offerIds), inArray(offers.status, ['LIVE', 'CHOSEN'])));
      });
    },

    /** Records the patient's decision for the round and closes the offers it settles. */
    async recordChoice(step: RecordChoiceStep): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: `CHOICE_${step.outcome}`,
          actor: step.actor,
          detail: { round: step.round, ...(step.offerId ? { offerId: step.offerId } : {}) },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        await tx.insert(choices).values({
          caseRef: step.caseRef,
          round: step.round,
          outcome: step.outcome,
          offerId: step.offerId,
          recordedBy: step.actor.kind === 'PERSON' ? step.actor.personId : null,
          recordedAt: new Date(step.recordedAt),
        });
        const live = and(eq(offers.caseRef, step.caseRef), eq(offers.status, 'LIVE'));
        if (step.offerId) {
          await tx
            .update(offers)
            .set({ status: 'CHOSEN', closedAt: sql`now()` })
            .where(and(live, eq(offers.id, step.offerId)));
        }
        const others: OfferStatus = step.outcome === 'ACCEPTED_OFFER' ? 'NOT_CHOSEN' : 'DECLINED';
        await tx
          .update(offers)
          .set({ status: others, closedAt: sql`now()` })
          .where(live);
        await tx
          .update(cases)
          .set({ declinedOfferCount: step.declinedOfferCount })
          .where(eq(cases.caseRef, step.caseRef));
      });
    },

    /** Records one side's approval or rejection; a rejection also closes the chosen offer. */
    async recordApproval(step: RecordApprovalStep): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: step.approved ? `${step.side}_APPROVED` : `${step.side}_REJECTED`,
          actor: step.actor,
          detail: { offerId: step.offerId },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        await tx.insert(approvals).values({
          caseRef: step.caseRef,
          offerId: step.offerId,
          side: step.side,
          approved: step.approved,
          reason: step.reason,
          decidedBy: step.actor.kind === 'PERSON' ? step.actor.personId : failNoPerson(),
          decidedAt: new Date(step.decidedAt),
        });
      });
    },

    /** Records a provider's "not for us", so matching stops proposing the case to it. */
    async recordPass(step: Step & { organisationId: string; personId: string; round: number }): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: 'PROVIDER_PASSED',
          actor: step.actor,
          detail: { organisationId: step.organisationId, round: step.round },
          idempotencyKey: step.key,
        });
        if (fresh) {
          await tx
            .insert(providerPasses)
            .values({
              caseRef: step.caseRef,
              organisationId: step.organisationId,
              personId: step.personId,
              round: step.round,
            })
            .onConflictDoNothing();
        }
      });
    },

    /** Flags the case for the origin team's review after two reasonable offers were declined. */
    async flagForReview(step: Step & { declinedOfferCount: number }): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: 'CASE_FLAGGED_FOR_REVIEW',
          actor: step.actor,
          detail: { declinedOfferCount: step.declinedOfferCount },
          idempotencyKey: step.key,
        });
        if (fresh)
          await tx
            .update(cases)
            .set({ flaggedForReviewAt: sql`now()` })
            .where(eq(cases.caseRef, step.caseRef));
      });
    },

    /**
     * Builds the Inter-Provider Transfer minimum data set for the receiving
     * provider's managers. The RTT period start is the original clock start:
     * a transfer never restarts the clock.
     */
    async createTransferDataset(step: Step & { offerId: string }): Promise<void> {
      await db.transaction(async (tx) => {
        const fresh = await appendAudit(tx, {
          caseRef: step.caseRef,
          action: 'IPT_DATASET_CREATED',
          actor: step.actor,
          detail: { offerId: step.offerId },
          idempotencyKey: step.key,
        });
        if (!fresh) return;
        const [row] = await tx
          .select({ kase: cases, patient: patients, origin: organisations, offer: offers })
          .from(cases)
          .innerJoin(patients, eq(patients.caseRef, cases.caseRef))
          .innerJoin(organisations, eq(organisations.id, cases.originOrgId))
          .innerJoin(offers, eq(offers.id, step.offerId))
          .where(eq(cases.caseRef, step.caseRef));
        if (!row) throw ApplicationFailure.nonRetryable(`Case ${step.caseRef} or its offer is missing`, 'CASE.MISSING');
        const [receiving] = await tx.select().from(organisations).where(eq(organisations.id, row.offer.providerOrgId));
        const { kase, patient, origin, offer } = row;
        await tx.insert(transferDatasets).values({
          caseRef: step.caseRef,
          receivingOrgId: offer.providerOrgId,
          dataset: {
            patient: {
              nhsNumber: kase.nhsNumber,
              givenName: patient.givenName,
              familyName: patient.familyName,
              dateOfBirth: patient.dateOfBirth,
              postcode: patient.postcode,
              localPatientId: patient.localPatientId,
              gpPracticeCode: patient.gpPracticeCode,
            },
            referrer: { referringOrgOds: patient.referringOrgOds, transferringOrgOds: origin.odsCode },
            rttPathway: {
              ppid: patient.ppid,
              issuerOds: patient.ppidIssuerOds,
              periodStatus: 'ONGOING',
              periodStart: kase.rttClockStart,
            },
            treatmentFunctionCode: { origin: kase.specialtyCode, receiving: kase.specialtyCode },
            procedure: { description: kase.procedure, opcsCode: kase.opcsCode },
            receivingOrganisation: { odsCode: receiving?.odsCode, name: receiving?.name, siteId: offer.siteId },
            proposedTreatmentDate: offer.proposedDate,
          },
        });
      });
    },
  };
}

function failNoPerson(): never {
  throw ApplicationFailure.nonRetryable('This step needs a member of staff as its actor', 'ACTOR.NOT_AUTHORISED');
}

/**
 * The listing transaction commits just after the journey starts, so a first
 * step may briefly not see its case: retry a few times, then give up (the
 * listing failed and the person who listed was told so).
 */
function caseNotVisible(caseRef: string): ApplicationFailure {
  const message = `Case ${caseRef} is not in the database`;
  return Context.current().info.attempt < 8
    ? ApplicationFailure.retryable(message, 'CASE.NOT_VISIBLE')
    : ApplicationFailure.nonRetryable(message, 'CASE.NOT_VISIBLE');
}
