/**
 * Cases, for the origin trust's own systems: list a patient, page through
 * the trust's cases, read one case's journey, withdraw a case, and find the
 * clinicians who may judge a move appropriate. A case is visible to its
 * origin trust and to providers that have offered on it; to anyone else it
 * does not exist (404, never 403), so case references cannot be probed.
 */
import { auditRefusal } from '../../workflows/acting';
import {
  caseSummary,
  cliniciansOfOrganisation,
  hasOfferOn,
  offersOnCase,
  originCases,
  type CaseSummaryRow,
} from '../../db/api-reads';
import { describeFieldErrors } from '../../domain/field-errors';
import {
  AnyObject,
  CaseDetailSchema,
  CaseParams,
  CasePageSchema,
  CasesQuery,
  ClinicianListSchema,
  ListedSchema,
  ListingRequestSchema,
  WithdrawCaseRequestSchema,
} from '../schemas';
import {
  RESPONSES,
  defineRoute,
  fail,
  ok,
  page,
  refusal,
  type ApiCaller,
  type ApiDeps,
  type ApiResult,
  type RouteGroup,
} from '../route';
import { caseDetailView, caseSummaryView } from '../views';

interface VisibleCase {
  row: CaseSummaryRow;
  isOrigin: boolean;
}

/** The case, when the caller's organisation may see it; otherwise the refusal is audited and the answer is "no such case". */
async function visibleCase(
  deps: ApiDeps,
  caller: ApiCaller,
  caseRef: string,
  action: string,
): Promise<VisibleCase | undefined> {
  const row = await caseSummary(deps.db, caseRef);
  const isOrigin = row?.originOrgId === caller.organisationId;
  if (row && (isOrigin || (await hasOfferOn(deps.db, caseRef, caller.organisationId)))) return { row, isOrigin };
  await auditRefusal(deps.db, caller.actingAs, action, 'CASE.NOT_FOUND', {
    caseRef,
    organisationId: caller.organisationId,
  });
  return undefined;
}

const noSuchCase = (caseRef: string): ApiResult =>
  fail(404, 'CASE.NOT_FOUND', `There is no case ${caseRef} that your organisation can see.`);

const listCases = defineRoute({
  method: 'get',
  path: '/cases',
  operationId: 'listCases',
  summary: 'Your organisation’s cases as origin trust',
  description:
    'Longest-waiting first. Filter by state and specialty; page with `limit` and the `nextCursor` of the previous page.',
  query: CasesQuery,
  responses: { 200: { description: 'A page of cases.', schema: CasePageSchema } },
  async handle({ deps, caller, query, now }) {
    const rows = await originCases(deps.db, {
      originOrgId: caller.organisationId,
      state: query.state,
      specialtyCode: query.specialty,
      after: query.cursor,
      limit: query.limit + 1,
    });
    const { items, nextCursor } = page(rows, query.limit, (last) => last.caseRef);
    return ok({ items: items.map((row) => caseSummaryView(row, now)), nextCursor });
  },
});

const listPatient = defineRoute({
  method: 'post',
  path: '/cases',
  operationId: 'listPatient',
  summary: 'List a patient for mutual aid',
  description:
    'The origin trust is your key’s organisation; its person must be a coordinator or clinician there. ' +
    'Sending the same patient again while their case is live is refused (422 on nhsNumber) and names the case.',
  body: { schema: AnyObject, documented: ListingRequestSchema },
  responses: {
    201: { description: 'Listed; the journey has started.', schema: ListedSchema },
    403: RESPONSES.forbidden,
    422: RESPONSES.invalid,
  },
  async handle({ deps, caller, body, baseUrl }) {
    const origin = body.originOds;
    const sameOrigin = typeof origin === 'string' && origin.trim().toUpperCase() === caller.organisationOds;
    if (origin !== undefined && !sameOrigin) {
      const errors = [
        {
          field: 'originOds',
          message: `The origin trust is your API key’s organisation (${caller.organisationOds}): leave originOds out`,
        },
      ];
      return fail(422, 'INPUT.INVALID', describeFieldErrors(errors), errors);
    }
    const listed = await deps.journeys.listPatient({ ...body, originOds: caller.organisationOds }, caller.actingAs);
    if (listed.ok) return ok({ caseRef: listed.caseRef }, 201, { Location: `${baseUrl}/cases/${listed.caseRef}` });
    // The origin comes from the key, so an objection to it is about the key's person, not the body.
    const notLister = listed.errors.find((error) => error.field === 'originOds');
    if (notLister) return fail(403, 'ACTOR.NOT_AUTHORISED', notLister.message);
    return fail(422, 'INPUT.INVALID', describeFieldErrors(listed.errors), listed.errors);
  },
});

const getCase = defineRoute({
  method: 'get',
  path: '/cases/{caseRef}',
  operationId: 'getCase',
  summary: 'A case and its journey',
  description: 'For the origin trust, or a provider that has offered on the case (which sees only its own offers).',
  params: CaseParams,
  responses: { 200: { description: 'The case.', schema: CaseDetailSchema }, 404: RESPONSES.notFound },
  async handle({ deps, caller, params, now }) {
    const seen = await visibleCase(deps, caller, params.caseRef, 'VIEW_CASE');
    if (!seen) return noSuchCase(params.caseRef);
    const journey = await deps.journeys.status(params.caseRef);
    const stored = journey.ok ? [] : await offersOnCase(deps.db, params.caseRef);
    const viewer = { organisationId: caller.organisationId, isOrigin: seen.isOrigin };
    return ok(caseDetailView(seen.row, journey.ok ? journey.value : undefined, stored, viewer, now));
  },
});

const withdrawCase = defineRoute({
  method: 'post',
  path: '/cases/{caseRef}/withdraw',
  operationId: 'withdrawCase',
  summary: 'Withdraw a case',
  description: 'By the origin trust (coordinator, clinician or manager). Providers with offers are told.',
  params: CaseParams,
  body: { schema: WithdrawCaseRequestSchema },
  idempotent: true,
  responses: {
    200: { description: 'Withdrawn.', schema: CaseDetailSchema },
    403: RESPONSES.forbidden,
    404: RESPONSES.notFound,
    409: RESPONSES.conflict,
  },
  async handle({ deps, caller, params, body, requestId, now }) {
    const seen = await visibleCase(deps, caller, params.caseRef, 'withdrawCase');
    if (!seen) return noSuchCase(params.caseRef);
    const decision = await deps.journeys.withdrawCase(params.caseRef, caller.actingAs, body.reason, requestId);
    if (!decision.ok) return refusal(decision);
    const viewer = { organisationId: caller.organisationId, isOrigin: seen.isOrigin };
    return ok(caseDetailView(seen.row, decision.value, [], viewer, now));
  },
});

const listClinicians = defineRoute({
  method: 'get',
  path: '/clinicians',
  operationId: 'listClinicians',
  summary: 'Your organisation’s clinicians',
  description: 'A listing names one of them as `appropriatenessJudgedBy`.',
  responses: { 200: { description: 'The clinicians.', schema: ClinicianListSchema } },
  async handle({ deps, caller }) {
    return ok({ items: await cliniciansOfOrganisation(deps.db, caller.organisationId) });
  },
});

export const casesRoutes: RouteGroup = {
  tag: 'Cases',
  description: 'Patients listed by your trust, and the journey of each.',
  routes: [listCases, listPatient, getCase, withdrawCase, listClinicians],
};
