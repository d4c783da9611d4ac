/**
 * Patient-initiated mutual aid, for a trust's own systems: invite a patient
 * (checked against the trust's eligibility rules, with a signed, expiring link
 * the trust sends by its usual means) and follow the trust's requests. The
 * link is returned when issued, and again only to a retry of that request with
 * the same Idempotency-Key (it is re-derived from the row and the secret, not
 * stored). Without PATIENT_LINK_SECRET the server cannot sign links, and these
 * routes say so (503).
 */
import { patientRequestsOfOrganisation } from '../../db/api-reads';
import { describeFieldErrors } from '../../domain/field-errors';
import { RESPONSES, defineRoute, fail, ok, page, type ApiResult, type RouteGroup } from '../route';
import {
  AnyObject,
  InvitationRequestSchema,
  PatientInvitedSchema,
  PatientRequestPageSchema,
  PatientRequestsQuery,
} from '../schemas';
import { patientRequestView } from '../views';

const NOT_CONFIGURED = {
  description: 'Patient-initiated requests are not switched on: the server has no PATIENT_LINK_SECRET.',
};

const notConfigured = (): ApiResult =>
  fail(
    503,
    'PATIENT_REQUESTS.NOT_CONFIGURED',
    'Patient-initiated requests are not switched on here: the server needs PATIENT_LINK_SECRET (at least 32 ' +
      'characters) to sign patients’ links. Ask whoever runs mutual aid to set it.',
  );

const invalid = (errors: { field: string; message: string }[]): ApiResult =>
  fail(422, 'INPUT.INVALID', describeFieldErrors(errors), errors);

const invitePatient = defineRoute({
  method: 'post',
  path: '/patient-requests',
  operationId: 'invitePatient',
  summary: 'Invite a patient to ask to move',
  description:
    'As a coordinator or clinician of your organisation, which is the origin trust. The patient is checked against ' +
    'your eligibility rules; an ineligible patient is recorded too (`eligible: false`), and their link explains why. ' +
    'Send the `url` to the patient: it is shown only in this answer. A patient with an open invitation, or already ' +
    'listed by your trust, is refused (422 on nhsNumber).\n\n' +
    'If the answer may have been lost (a timeout, a dropped connection), send an `Idempotency-Key` header, such as a ' +
    'UUID you keep with the request. Sent again with the same key and the same body, from the same API key, the ' +
    'request is answered as the first time, the same link included, with the header `Idempotent-Replayed: true`, ' +
    'and nothing is invited or audited twice. The same key with a different body is refused (422, ' +
    '`IDEMPOTENCY_KEY.REUSED`). A key is remembered until the invitation’s link expires; after that it names a ' +
    'new invitation. Without the header, a retry is refused as a second open invitation and the link cannot be ' +
    'shown again.',
  body: { schema: AnyObject, documented: InvitationRequestSchema },
  idempotent: true,
  responses: {
    201: {
      description:
        'Invited: the patient’s link and whether they are eligible. A replay of an earlier request with the same ' +
        'Idempotency-Key is the same answer, with `Idempotent-Replayed: true`.',
      schema: PatientInvitedSchema,
      headers: { 'Idempotent-Replayed': '`true` when this answers an earlier request with the same Idempotency-Key.' },
    },
    403: RESPONSES.forbidden,
    422: {
      description:
        'Invalid input: `errors` names each field. Or the Idempotency-Key was already used with a different body ' +
        '(`IDEMPOTENCY_KEY.REUSED`).',
    },
    503: NOT_CONFIGURED,
  },
  async handle({ deps, caller, body, requestId }) {
    if (!deps.patientRequests) return notConfigured();
    const origin = body.originOds;
    const sameOrigin = typeof origin === 'string' && origin.trim().toUpperCase() === caller.organisationOds;
    if (origin !== undefined && !sameOrigin) {
      return invalid([
        {
          field: 'originOds',
          message: `The origin trust is your API key’s organisation (${caller.organisationOds}): leave originOds out`,
        },
      ]);
    }
    const invited = await deps.patientRequests.invite({ ...body, originOds: caller.organisationOds }, caller.actingAs, {
      idempotencyKey: requestId,
    });
    if (!invited.ok) {
      if (invited.code) return fail(422, invited.code, invited.message ?? '', invited.errors);
      // The origin comes from the key, so an objection to it is about the key's person, not the body.
      const notInviter = invited.errors.find((error) => error.field === 'originOds');
      if (notInviter) return fail(403, 'ACTOR.NOT_AUTHORISED', notInviter.message);
      return invalid(invited.errors);
    }
    return ok(
      {
        requestId: invited.requestId,
        ref: invited.ref,
        url: invited.url,
        expiresAt: invited.expiresAt.toISOString(),
        eligible: invited.eligible,
        reasons: invited.reasons,
      },
      201,
      invited.replayed ? { 'Idempotent-Replayed': 'true' } : undefined,
    );
  },
});

const listPatientRequests = defineRoute({
  method: 'get',
  path: '/patient-requests',
  operationId: 'listPatientRequests',
  summary: 'Your organisation’s patient-initiated requests',
  description:
    'Newest invitation first. Filter by status (an invitation whose link expired unanswered is EXPIRED); page ' +
    'with `limit` and `cursor`. Never a patient identifier, and never the patient’s link.',
  query: PatientRequestsQuery,
  responses: {
    200: { description: 'A page of requests.', schema: PatientRequestPageSchema },
    503: NOT_CONFIGURED,
  },
  async handle({ deps, caller, query, now }) {
    if (!deps.patientRequests) return notConfigured();
    const rows = await patientRequestsOfOrganisation(deps.db, {
      originOrgId: caller.organisationId,
      status: query.status,
      after: query.cursor,
      limit: query.limit + 1,
      now,
    });
    const { items, nextCursor } = page(rows, query.limit, (last) => last.requestId);
    return ok({ items: items.map((row) => patientRequestView(row, now)), nextCursor });
  },
});

export const patientRequestRoutes: RouteGroup = {
  tag: 'Patient requests',
  description: 'Patient-initiated mutual aid: inviting patients to ask to move, and following their requests.',
  routes: [invitePatient, listPatientRequests],
};
