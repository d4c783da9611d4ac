/**
 * The one way the bot, the API and the demo act on journeys: list a patient,
 * send an Update on someone's behalf, read a journey's status. It resolves
 * who is acting from the database, turns refusals into a code and words, and
 * writes refused actions to the audit log.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { appendAudit } from '../db/audit';
import { caseRow, insertCase, liveCaseFor, outcodeLocation } from '../db/cases';
import type { Db } from '../db/client';
import { isUniqueViolation, withoutParameters } from '../db/errors';
import { membershipIn, organisationByOds } from '../db/people';
import { newCaseRef } from '../domain/case-ref';
import type { Role } from '../domain/codes';
import type { CaseRoute } from '../domain/journey-states';
import type { FieldError } from '../domain/field-errors';
import { validateListing, type Listing } from '../domain/listing';
import type { LatLon } from '../domain/distance';
import type { Organisation } from '../db/schema';
import { ageBand } from '../domain/rtt';
import {
  confirmTransferUpdate,
  decideApprovalUpdate,
  declineToOfferUpdate,
  journeyStatusQuery,
  journeyWorkflowId,
  makeOfferUpdate,
  recordChoiceUpdate,
  withdrawCaseUpdate,
  withdrawOfferUpdate,
  type Actor,
  type ConfirmTransferInput,
  type DecideApprovalInput,
  type DeclineToOfferInput,
  type JourneyPolicy,
  type JourneyStatus,
  type MakeOfferInput,
  type OfferView,
  type RecordChoiceInput,
  type StaffActor,
  type WithdrawCaseInput,
  type WithdrawOfferInput,
} from './contract';
import { listBatch, type BulkBatch, type BulkOutcome } from './bulk-listing';
import { journeyBasis, listedAuditEntry, listedCase, startJourney } from './journey-start';
import { auditRefusal, staffActorFor, updateRefusal, type ActingAs } from './acting';

export type { ActingAs } from './acting';

export type Decision<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export type ListingResult = { ok: true; caseRef: string } | { ok: false; errors: FieldError[] };

/** What writing a checked listing needs: the origin and district resolved, and who is listing by which route. */
export interface ListingContext {
  origin: Organisation;
  location: LatLon;
  actingAs: ActingAs;
  /** Defaults to STAFF. */
  route?: CaseRoute;
  /** Patient-initiated listings are matched in the origin's region until then, nationally after. */
  nationalFrom?: Date;
}

export interface JourneyClientOptions {
  client: Client;
  db: Db;
  taskQueue: string;
  policy: JourneyPolicy;
  now?: () => Date;
}

const LISTING_ROLES: Role[] = ['COORDINATOR', 'CLINICIAN'];

export class JourneyClient {
  private readonly now: () => Date;

  constructor(private readonly options: JourneyClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves a person acting for an organisation; undefined when they hold no role there. */
  staffActor(actingAs: ActingAs): Promise<StaffActor | undefined> {
    return staffActorFor(this.options.db, actingAs);
  }

  /**
   * Lists a patient: validates every field, checks who is listing and who
   * judged the move appropriate, then writes the case and starts the journey
   * (`listChecked`), all or nothing.
   */
  async listPatient(input: unknown, actingAs: ActingAs): Promise<ListingResult> {
    const validated = validateListing(input, this.now());
    if (!validated.ok) return validated;
    const checked = await this.checkListing(validated.value, actingAs);
    if (!checked.ok) return checked;
    return this.listChecked(validated.value, { ...checked.value, actingAs });
  }

  /**
   * The checks a valid listing must pass against the database: the lister and
   * the judging clinician hold roles at the origin, the postcode district is
   * known and the patient is not already listed there. Refusals are audited.
   */
  async checkListing(
    listing: Listing,
    actingAs: ActingAs,
  ): Promise<{ ok: true; value: Omit<ListingContext, 'actingAs'> } | { ok: false; errors: FieldError[] }> {
    const { db } = this.options;
    const errors: FieldError[] = [];
    const origin = await organisationByOds(db, listing.originOds);
    const lister = origin && (await membershipIn(db, actingAs.personId, listing.originOds));
    if (!origin || !lister || !lister.roles.some((role) => LISTING_ROLES.includes(role))) {
      errors.push({
        field: 'originOds',
        message: `You are not a coordinator or clinician at ${listing.originOds}, so you cannot list for it`,
      });
    }
    const judge = origin && (await membershipIn(db, listing.appropriatenessJudgedBy, listing.originOds));
    if (origin && !judge?.roles.includes('CLINICIAN')) {
      errors.push({
        field: 'appropriatenessJudgedBy',
        message: `The move must be judged appropriate by a clinician at ${listing.originOds}`,
      });
    }
    const location = await outcodeLocation(db, listing.postcode.outcode);
    if (!location) {
      errors.push({ field: 'postcode', message: `${listing.postcode.outcode} is not a known UK postcode district` });
    }
    const existing = origin && (await liveCaseFor(db, origin.id, listing.nhsNumber));
    if (existing)
      errors.push({ field: 'nhsNumber', message: `This patient is already listed by your trust as ${existing}` });
    if (errors.length > 0 || !origin || !location) {
      await this.auditRefusal(actingAs, 'LIST_PATIENT', 'INPUT.INVALID', undefined, origin?.id);
      return { ok: false, errors };
    }
    return { ok: true, value: { origin, location } };
  }

  /**
   * Writes the case, its patient's details and the audit entry, and starts the
   * journey, for a listing already validated and checked. The journey starts
   * inside the database transaction, so a failed start leaves no row behind.
   */
  async listChecked(listing: Listing, context: ListingContext): Promise<ListingResult> {
    const { db, client } = this.options;
    const { origin, location, actingAs } = context;
    const now = this.now();
    const caseRef = newCaseRef(randomInt);
    const started = db.transaction(async (tx) => {
      await insertCase(tx, {
        caseRef,
        originOrgId: origin.id,
        listedBy: actingAs.personId,
        ageBand: ageBand(listing.dateOfBirth, now),
        location,
        listing,
        route: context.route,
        nationalFrom: context.nationalFrom,
      });
      await appendAudit(
        tx,
        listedAuditEntry(caseRef, listing, { organisationId: origin.id, actingAs, route: context.route }),
      );
      await startJourney(client, this.options.taskQueue, {
        ...journeyBasis(context, this.options.policy),
        ...listedCase(caseRef, listing),
      });
    });
    // Two listings of the same patient at once both pass the check above and the database lets one in.
    // The refused insert's error carries the NHS number and the patient's details, so it must not travel on.
    const alreadyListed = await started.then(
      () => false,
      (error: unknown) => {
        if (isUniqueViolation(error, 'cases_one_live_listing_per_patient')) return true;
        throw withoutParameters(error);
      },
    );
    if (alreadyListed) {
      const listedAs = await liveCaseFor(db, origin.id, listing.nhsNumber);
      await this.auditRefusal(actingAs, 'LIST_PATIENT', 'INPUT.INVALID', undefined, origin.id);
      return {
        ok: false,
        errors: [
          {
            field: 'nhsNumber',
            message: `This patient is already listed by your trust${listedAs ? ` as ${listedAs}` : ''}`,
          },
        ],
      };
    }
    return { ok: true, caseRef };
  }

  /**
   * Lists a batch of checked patients in one transaction; their journeys
   * start in the background (workflows/bulk-listing.ts). An upload's way.
   */
  listBatch(batch: BulkBatch): Promise<BulkOutcome[]> {
    return listBatch(this.options, batch);
  }

  makeOffer(
    caseRef: string,
    actingAs: ActingAs,
    offer: Omit<MakeOfferInput, 'actor' | 'offerId'> & { offerId?: string },
  ) {
    const offerId = offer.offerId ?? randomUUID();
    return this.update<OfferView, MakeOfferInput>(
      caseRef,
      actingAs,
      makeOfferUpdate,
      (actor) => ({ ...offer, offerId, actor }),
      `offer:${offerId}`,
    );
  }

  withdrawOffer(caseRef: string, actingAs: ActingAs, offerId: string) {
    return this.update<OfferView, WithdrawOfferInput>(caseRef, actingAs, withdrawOfferUpdate, (actor) => ({
      actor,
      offerId,
    }));
  }

  /** A provider's "not for us": it will not offer, and matching stops proposing the case to it. */
  declineToOffer(caseRef: string, actingAs: ActingAs, requestId?: string) {
    return this.update<JourneyStatus, DeclineToOfferInput>(
      caseRef,
      actingAs,
      declineToOfferUpdate,
      (actor) => ({ actor }),
      requestId,
    );
  }

  /** Records the patient's choice as told to staff (by phone); the patient's own link goes through `patientChoice`. */
  recordChoice(caseRef: string, actingAs: ActingAs, choice: RecordChoiceInput['choice'], requestId?: string) {
    return this.update<JourneyStatus, RecordChoiceInput>(
      caseRef,
      actingAs,
      recordChoiceUpdate,
      (actor) => ({ actor, choice }),
      requestId,
    );
  }

  async patientChoice(caseRef: string, choice: RecordChoiceInput['choice'], requestId?: string) {
    const decision = await this.send<JourneyStatus, RecordChoiceInput>(
      caseRef,
      recordChoiceUpdate,
      { actor: { kind: 'PATIENT', channel: 'WEB' }, choice },
      requestId,
    );
    if (!decision.ok) {
      await appendAudit(this.options.db, {
        caseRef,
        action: recordChoiceUpdate.name,
        outcome: 'REFUSED',
        actor: { kind: 'PATIENT', channel: 'WEB' },
        detail: { code: decision.code },
      });
    }
    return decision;
  }

  decideApproval(
    caseRef: string,
    actingAs: ActingAs,
    decision: Omit<DecideApprovalInput, 'actor'>,
    requestId?: string,
  ) {
    return this.update<JourneyStatus, DecideApprovalInput>(
      caseRef,
      actingAs,
      decideApprovalUpdate,
      (actor) => ({ ...decision, actor }),
      requestId,
    );
  }

  withdrawCase(caseRef: string, actingAs: ActingAs, reason: WithdrawCaseInput['reason'], requestId?: string) {
    return this.update<JourneyStatus, WithdrawCaseInput>(
      caseRef,
      actingAs,
      withdrawCaseUpdate,
      (actor) => ({ actor, reason }),
      requestId,
    );
  }

  confirmTransfer(caseRef: string, actingAs: ActingAs, treatmentDate: string, requestId?: string) {
    return this.update<JourneyStatus, ConfirmTransferInput>(
      caseRef,
      actingAs,
      confirmTransferUpdate,
      (actor) => ({ actor, treatmentDate }),
      requestId,
    );
  }

  async status(caseRef: string): Promise<Decision<JourneyStatus>> {
    try {
      const value = await this.options.client.workflow.getHandle(journeyWorkflowId(caseRef)).query(journeyStatusQuery);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.finishedCase(caseRef);
      return refusalFrom(caseRef, error);
    }
  }

  /** Journeys still running on this client's task queue, newest first. */
  async openJourneys(limit = 100): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    const query = `WorkflowType = 'patientJourney' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.options.taskQueue}'`;
    for await (const info of this.options.client.workflow.list({ query })) {
      found.push(info);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** Resolves the actor, then sends; a person with no role in the organisation is refused here. */
  private async update<R, I>(
    caseRef: string,
    actingAs: ActingAs,
    definition: UpdateDefinition<R, [I]>,
    build: (actor: Actor) => I,
    requestId?: string,
  ): Promise<Decision<R>> {
    const actor = await this.staffActor(actingAs);
    if (!actor) {
      await this.auditRefusal(actingAs, definition.name, 'ACTOR.NOT_AUTHORISED', caseRef);
      return {
        ok: false,
        code: 'ACTOR.NOT_AUTHORISED',
        message: `You have no role at ${actingAs.organisationOds} in mutual aid.`,
      };
    }
    const decision = await this.send(caseRef, definition, build(actor), requestId);
    if (!decision.ok) await this.auditRefusal(actingAs, definition.name, decision.code, caseRef, actor.organisationId);
    return decision;
  }

  /** `requestId` names the request: a retry with the same id is answered once (Temporal deduplicates by update id). */
  private async send<R, I>(
    caseRef: string,
    definition: UpdateDefinition<R, [I]>,
    input: I,
    requestId?: string,
  ): Promise<Decision<R>> {
    try {
      const handle = this.options.client.workflow.getHandle(journeyWorkflowId(caseRef));
      const value = await handle.executeUpdate(definition, { args: [input], updateId: requestId });
      return { ok: true, value };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.finishedCase(caseRef);
      return refusalFrom(caseRef, error);
    }
  }

  /** A journey that is not running: say how the case ended, or that it is about to start, if the case exists. */
  private async finishedCase(caseRef: string): Promise<Decision<never>> {
    const kase = await caseRow(this.options.db, caseRef);
    if (!kase) return { ok: false, code: 'CASE.NOT_FOUND', message: `There is no case ${caseRef}.` };
    if (kase.state === 'LISTED') {
      // An upload's cases are written first and their journeys started in the background (workflows/bulk-listing.ts).
      return {
        ok: false,
        code: 'JOURNEY.STARTING',
        message: `Case ${caseRef} was listed moments ago and its journey is still starting. Try again in a minute.`,
      };
    }
    const ended = { WITHDRAWN: 'was withdrawn', TRANSFERRED: 'has been transferred', CLOSED: 'is closed' } as Partial<
      Record<string, string>
    >;
    return {
      ok: false,
      code: 'JOURNEY.WRONG_STATE',
      message: `Case ${caseRef} ${ended[kase.state] ?? 'is no longer open'}, so nothing more can change on it.`,
    };
  }

  private auditRefusal(actingAs: ActingAs, action: string, code: string, caseRef?: string, organisationId?: string) {
    return auditRefusal(this.options.db, actingAs, action, code, { caseRef, organisationId });
  }
}

function refusalFrom(caseRef: string, error: unknown): Decision<never> {
  const refused = updateRefusal(error, 'JOURNEY.REFUSED');
  if (refused) return { ok: false, code: refused.code, message: refused.message };
  if (error instanceof WorkflowNotFoundError) {
    return { ok: false, code: 'CASE.NOT_FOUND', message: `There is no open journey for case ${caseRef}.` };
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return { ok: false, code: 'CASE.DUPLICATE', message: `Case ${caseRef} already has a journey.` };
  }
  throw error;
}
