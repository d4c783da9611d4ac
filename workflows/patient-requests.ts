/**
 * Patient-initiated mutual aid, from the trust's invitation to the origin
 * team's decision: the one way the API, the patient's page and chat act on a
 * patient's request. Invitations are checked against the trust's rules and
 * carry a signed, expiring link (`/request/<token>`), which the trust sends
 * by its usual means; an ineligible patient's link explains why. The
 * patient's answer starts the request workflow, which asks the origin team.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { and, eq, gt, lt, lte } from 'drizzle-orm';
import { appendAudit } from '../db/audit';
import { liveCaseFor, outcodeLocation } from '../db/cases';
import type { Db } from '../db/client';
import { isUniqueViolation, withoutParameters } from '../db/errors';
import { membershipIn, organisationByOds } from '../db/people';
import { requestRef, requestSummary, type RequestSummary } from '../db/patient-requests';
import { patientRequests, type PatientRequestRow } from '../db/schema';
import type { FieldError } from '../domain/field-errors';
import {
  TRAVEL_CHOICES,
  ineligibilityReasons,
  validateInvitation,
  type EligibilityRules,
  type TravelChoice,
} from '../domain/patient-initiated';
import { requestPath } from '../web/request-page';
import { signToken, verifyToken } from '../web/signed-token';
import { publicUrl } from '../web/site-path';
import type { ActingAs } from './acting';
import type { Decision } from './client';
import {
  decideRequestUpdate,
  patientRequestWorkflowId,
  type JourneyPolicy,
  type PatientInitiatedPolicy,
  type PatientRequestOutcome,
} from './contract';
import { staffActorFor, updateRefusal } from './acting';
import type { patientRequest } from './patient-request/patient-request';

export interface PatientRequestsOptions {
  db: Db;
  client: Client;
  taskQueue: string;
  journeyPolicy: JourneyPolicy;
  policy: PatientInitiatedPolicy;
  rules: EligibilityRules;
  /** The HMAC key of invitation links (PATIENT_LINK_SECRET). */
  secret: string;
  baseUrl: string;
  /** How long an invitation can be answered. */
  invitationTtlMs: number;
  now?: () => Date;
}

export type InviteResult =
  | {
      ok: true;
      requestId: string;
      ref: string;
      url: string;
      expiresAt: Date;
      eligible: boolean;
      reasons: string[];
      /** The answer to an earlier request with the same idempotency key and body, given again. */
      replayed?: true;
    }
  | {
      ok: false;
      errors: FieldError[];
      /** Set when the idempotency key already names an invitation with a different body (`message` says which). */
      code?: 'IDEMPOTENCY_KEY.REUSED';
      message?: string;
    };

export interface InviteOptions {
  /**
   * Names this invitation, scoped to whoever sent it (the API passes `api:<key id>:<Idempotency-Key>`). Sent
   * again with the same input while the link can be used, it gets the same answer, link included; with other
   * input it is refused. Once the link has expired the key is forgotten and names a new invitation.
   */
  idempotencyKey?: string;
}

/** Why a link does not open a request: each gets its own page. */
export type RequestLinkProblem = 'MALFORMED' | 'TAMPERED' | 'EXPIRED' | 'NOT_FOUND';

export type OpenedRequest = { ok: true; request: RequestSummary } | { ok: false; problem: RequestLinkProblem };

export type AnswerResult =
  | { ok: true; request: RequestSummary }
  | { ok: false; problem: RequestLinkProblem | 'ALREADY_ANSWERED' | 'INELIGIBLE' | 'INVALID_CHOICE' };

const INVITING_ROLES = ['COORDINATOR', 'CLINICIAN'] as const;

export class PatientRequests {
  private readonly now: () => Date;

  constructor(private readonly options: PatientRequestsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Invites a patient: validates the details like a listing, checks the
   * inviter and the patient, applies the eligibility rules and issues a link.
   * An ineligible patient is recorded too, so their link explains why.
   */
  async invite(input: unknown, actingAs: ActingAs, options: InviteOptions = {}): Promise<InviteResult> {
    const { db, rules } = this.options;
    const now = this.now();
    const idempotency = options.idempotencyKey
      ? { key: options.idempotencyKey, fingerprint: this.fingerprint(input) }
      : undefined;
    // A request sent again (its answer was lost) gets its first answer, before anything that may since have changed.
    const earlier = idempotency && (await this.earlierInvitation(idempotency, now));
    if (earlier) return earlier;
    const validated = validateInvitation(input, now);
    if (!validated.ok) return validated;
    const invitation = validated.value;
    const errors: FieldError[] = [];
    const origin = await organisationByOds(db, invitation.originOds);
    const inviter = origin && (await membershipIn(db, actingAs.personId, invitation.originOds));
    if (!origin || !inviter?.roles.some((role) => (INVITING_ROLES as readonly string[]).includes(role))) {
      errors.push({
        field: 'originOds',
        message: `You are not a coordinator or clinician at ${invitation.originOds}, so you cannot invite its patients`,
      });
    }
    if (!(await outcodeLocation(db, invitation.postcode.outcode))) {
      errors.push({ field: 'postcode', message: `${invitation.postcode.outcode} is not a known UK postcode district` });
    }
    const listed = origin && (await liveCaseFor(db, origin.id, invitation.nhsNumber));
    if (listed)
      errors.push({ field: 'nhsNumber', message: `This patient is already listed by your trust as ${listed}` });
    if (errors.length > 0 || !origin) return { ok: false, errors };

    const reasons = ineligibilityReasons(invitation, rules, now);
    const expiresAt = new Date(now.getTime() + this.options.invitationTtlMs);
    let keyTaken = false;
    const inserted = await db
      .transaction(async (tx) => {
        // An invitation that lapsed unanswered no longer counts as open, so the patient can be invited again.
        await tx
          .update(patientRequests)
          .set({ status: 'EXPIRED' })
          .where(
            and(
              eq(patientRequests.originOrgId, origin.id),
              eq(patientRequests.nhsNumber, invitation.nhsNumber),
              eq(patientRequests.status, 'INVITED'),
              lt(patientRequests.expiresAt, now),
            ),
          );
        if (idempotency) {
          // A key whose invitation's link has expired is forgotten: it now names this invitation.
          await tx
            .update(patientRequests)
            .set({ idempotencyKey: null, idempotencyFingerprint: null })
            .where(and(eq(patientRequests.idempotencyKey, idempotency.key), lte(patientRequests.expiresAt, now)));
        }
        const [row] = await tx
          .insert(patientRequests)
          .values({
            originOrgId: origin.id,
            nhsNumber: invitation.nhsNumber,
            specialtyCode: invitation.specialtyCode,
            listing: invitation,
            status: reasons.length > 0 ? 'INELIGIBLE' : 'INVITED',
            ineligibleReasons: reasons,
            invitedBy: actingAs.personId,
            invitedAt: now,
            expiresAt,
            idempotencyKey: idempotency?.key,
            idempotencyFingerprint: idempotency?.fingerprint,
          })
          .returning({ id: patientRequests.id });
        await appendAudit(tx, {
          action: 'PATIENT_INVITED',
          actor: { kind: 'PERSON', personId: actingAs.personId, organisationId: origin.id, channel: actingAs.channel },
          detail: { requestId: row!.id, eligible: reasons.length === 0, specialtyCode: invitation.specialtyCode },
        });
        return row!.id;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'patient_requests_one_open_per_patient')) return undefined;
        if (idempotency && isUniqueViolation(error, 'patient_requests_idempotency_key')) {
          keyTaken = true;
          return undefined;
        }
        throw withoutParameters(error);
      });
    if (!inserted) {
      // The same request, sent twice at once: the one that committed first answers both.
      const concurrent = idempotency && (await this.earlierInvitation(idempotency, now));
      if (concurrent) return concurrent;
      if (keyTaken) {
        const message = 'Another invitation with this Idempotency-Key was being sent at the same time';
        return { ok: false, errors: [{ field: 'Idempotency-Key', message }] };
      }
      return {
        ok: false,
        errors: [{ field: 'nhsNumber', message: 'This patient already has an open invitation from your trust' }],
      };
    }
    return {
      ok: true,
      requestId: inserted,
      ref: requestRef(inserted),
      url: this.linkFor({ id: inserted, originOrgId: origin.id, expiresAt }),
      expiresAt,
      eligible: reasons.length === 0,
      reasons,
    };
  }

  /**
   * The patient's link. A token is a pure function of the secret, the row and its expiry, so the link given
   * with an invitation can be given again, the same, without ever being stored.
   */
  private linkFor(row: Pick<PatientRequestRow, 'id' | 'originOrgId' | 'expiresAt'>): string {
    const token = signToken(this.options.secret, row.id, row.originOrgId, row.expiresAt);
    return publicUrl(this.options.baseUrl, requestPath(token));
  }

  /**
   * What an idempotency key compares: the input, its object keys in order, under an HMAC keyed by the link
   * secret, so that the stored value says nothing about the patient to anyone without the secret.
   */
  private fingerprint(input: unknown): string {
    return createHmac('sha256', this.options.secret)
      .update('patient-invitation-idempotency\n')
      .update(canonicalJson(input))
      .digest('base64url');
  }

  /**
   * The invitation an idempotency key already names, while its link can be used: its answer again (the same
   * link, re-derived), or a refusal when the key came with other input. Undefined when the key names none.
   */
  private async earlierInvitation(
    idempotency: { key: string; fingerprint: string },
    now: Date,
  ): Promise<InviteResult | undefined> {
    const [row] = await this.options.db
      .select()
      .from(patientRequests)
      .where(and(eq(patientRequests.idempotencyKey, idempotency.key), gt(patientRequests.expiresAt, now)));
    if (!row) return undefined;
    const stored = Buffer.from(row.idempotencyFingerprint ?? '');
    const given = Buffer.from(idempotency.fingerprint);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
      const message =
        `This Idempotency-Key was already used for invitation ${requestRef(row.id)}, with a different request ` +
        'body. Send that request again exactly as it was to get its answer again, or use a new key for a new invitation.';
      return {
        ok: false,
        code: 'IDEMPOTENCY_KEY.REUSED',
        message,
        errors: [{ field: 'Idempotency-Key', message: 'Already used with a different request body' }],
      };
    }
    return {
      ok: true,
      requestId: row.id,
      ref: requestRef(row.id),
      url: this.linkFor(row),
      expiresAt: row.expiresAt,
      eligible: row.ineligibleReasons.length === 0,
      reasons: row.ineligibleReasons,
      replayed: true,
    };
  }

  /** The request a link names, as the patient's page shows it; an expired link still shows a decided request. */
  async open(token: string): Promise<OpenedRequest> {
    const now = this.now();
    const verified = verifyToken(this.options.secret, token, now);
    if (!verified.ok && verified.reason !== 'EXPIRED') return { ok: false, problem: verified.reason };
    const id = verified.ok ? verified.id : idOfExpired(token);
    const request = id ? await requestSummary(this.options.db, id, now) : undefined;
    if (!request) return { ok: false, problem: 'NOT_FOUND' };
    // Past its expiry the link still tells the patient what happened, but can no longer be answered.
    if (!verified.ok && (request.status === 'INVITED' || request.status === 'INELIGIBLE')) {
      return { ok: false, problem: 'EXPIRED' };
    }
    return { ok: true, request };
  }

  /**
   * The patient's answer: how far they will travel. Recorded once, then the
   * request workflow asks the origin team; the workflow starts inside the
   * transaction, so a failed start leaves the invitation unanswered.
   */
  async answer(token: string, travel: unknown): Promise<AnswerResult> {
    const { db, client } = this.options;
    const now = this.now();
    const verified = verifyToken(this.options.secret, token, now);
    if (!verified.ok) return { ok: false, problem: verified.reason };
    if (typeof travel !== 'string' || !Object.hasOwn(TRAVEL_CHOICES, travel)) {
      return { ok: false, problem: 'INVALID_CHOICE' };
    }
    const choice = TRAVEL_CHOICES[travel as TravelChoice];
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(patientRequests).where(eq(patientRequests.id, verified.id)).for('update');
      if (!row) return 'NOT_FOUND' as const;
      if (row.status === 'INELIGIBLE') return 'INELIGIBLE' as const;
      if (row.status !== 'INVITED') return 'ALREADY_ANSWERED' as const;
      if (row.expiresAt.getTime() <= now.getTime()) return 'EXPIRED' as const;
      await tx
        .update(patientRequests)
        .set({ status: 'REQUESTED', maxTravelMiles: choice.miles, respondedAt: now })
        .where(eq(patientRequests.id, row.id));
      await appendAudit(tx, {
        action: 'PATIENT_REQUESTED',
        actor: { kind: 'PATIENT', channel: 'WEB' },
        detail: { requestId: row.id, travel },
        idempotencyKey: `request/${row.id}/answered`,
      });
      const origin = await tx.query.organisations.findFirst({ where: (o, { eq: is }) => is(o.id, row.originOrgId) });
      const listing = row.listing as { careType: string; priority: string };
      await client.workflow.start<typeof patientRequest>('patientRequest', {
        taskQueue: this.options.taskQueue,
        workflowId: patientRequestWorkflowId(row.id),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            requestId: row.id,
            originOrgId: row.originOrgId,
            region: origin!.region,
            specialtyCode: row.specialtyCode,
            careType: listing.careType as never,
            priority: listing.priority as never,
            journeyPolicy: this.options.journeyPolicy,
            policy: this.options.policy,
          },
        ],
      });
      return 'ANSWERED' as const;
    });
    if (outcome !== 'ANSWERED') return { ok: false, problem: outcome };
    return { ok: true, request: (await requestSummary(db, verified.id, now))! };
  }

  /** A clinician at the origin trust judges the move: appropriate lists the case (regionally first). */
  async decide(
    requestId: string,
    actingAs: ActingAs,
    appropriate: boolean,
    updateId?: string,
  ): Promise<Decision<PatientRequestOutcome>> {
    const actor = await staffActorFor(this.options.db, actingAs);
    if (!actor) {
      return {
        ok: false,
        code: 'ACTOR.NOT_AUTHORISED',
        message: `You have no role at ${actingAs.organisationOds} in mutual aid.`,
      };
    }
    try {
      const handle = this.options.client.workflow.getHandle(patientRequestWorkflowId(requestId));
      const value = await handle.executeUpdate(decideRequestUpdate, {
        args: [{ actor, appropriate }],
        updateId: updateId ?? randomUUID(),
      });
      return { ok: true, value };
    } catch (error) {
      const refused = updateRefusal(error, 'REQUEST.REFUSED');
      if (refused) return { ok: false, code: refused.code, message: refused.message };
      const summary = await requestSummary(this.options.db, requestId, this.now());
      if (summary && summary.status !== 'REQUESTED') {
        return { ok: false, code: 'REQUEST.DECIDED', message: `Request ${summary.ref} has already been decided.` };
      }
      throw error;
    }
  }
}

/** JSON with every object's keys in order, so that the same input always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The row id in an expired token's body (verifyToken checks the signature before the expiry). */
function idOfExpired(token: string): string | undefined {
  try {
    const body = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { l?: unknown };
    return typeof body.l === 'string' && /^[0-9a-f-]{36}$/.test(body.l) ? body.l : undefined;
  } catch {
    return undefined;
  }
}
