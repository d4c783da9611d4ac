/**
 * Spare capacity, for providers' systems: the organisation's sites, its
 * postings, posting new capacity and withdrawing a posting. The capacity
 * client validates each posting field by field and decides who may post
 * (a clinician or manager of the organisation whose site it is).
 */
import { postingsOfOrganisation, sitesOfOrganisation } from '../../db/api-reads';
import { RESPONSES, defineRoute, ok, page, refusal, uuidFrom, type RouteGroup } from '../route';
import {
  PostingEnvelope,
  PostingPageSchema,
  PostingParams,
  PostingRequestSchema,
  PostingSchema,
  PostingsQuery,
  SiteListSchema,
} from '../schemas';
import { postingRowView, postingView } from '../views';

const listSites = defineRoute({
  method: 'get',
  path: '/sites',
  operationId: 'listSites',
  summary: 'Your organisation’s sites',
  description: 'The `siteId` to post capacity and make offers from.',
  responses: { 200: { description: 'The sites.', schema: SiteListSchema } },
  async handle({ deps, caller }) {
    return ok({ items: await sitesOfOrganisation(deps.db, caller.organisationId) });
  },
});

const listPostings = defineRoute({
  method: 'get',
  path: '/capacity',
  operationId: 'listCapacity',
  summary: 'Your organisation’s capacity postings',
  description: 'Newest first. Filter by status; page with `limit` and `cursor`.',
  query: PostingsQuery,
  responses: { 200: { description: 'A page of postings.', schema: PostingPageSchema } },
  async handle({ deps, caller, query }) {
    const rows = await postingsOfOrganisation(deps.db, {
      organisationId: caller.organisationId,
      status: query.status,
      after: query.cursor,
      limit: query.limit + 1,
    });
    const { items, nextCursor } = page(rows, query.limit, (last) => last.postingId);
    return ok({ items: items.map(postingRowView), nextCursor });
  },
});

const postCapacity = defineRoute({
  method: 'post',
  path: '/capacity',
  operationId: 'postCapacity',
  summary: 'Post spare capacity',
  description:
    'As a clinician or manager, for one of your sites. Matching patients are sent to your clinicians. ' +
    'Send `postingId` (or an Idempotency-Key) so that a retry makes no second posting.',
  body: { schema: PostingEnvelope, documented: PostingRequestSchema },
  idempotent: true,
  responses: {
    201: { description: 'Posted.', schema: PostingSchema },
    403: RESPONSES.forbidden,
    409: RESPONSES.conflict,
    422: RESPONSES.invalid,
  },
  async handle({ deps, caller, body, requestId }) {
    const { postingId, ...terms } = body;
    const decision = await deps.capacity.post(
      terms,
      caller.actingAs,
      postingId ?? (requestId ? uuidFrom(requestId) : undefined),
    );
    if (!decision.ok) return refusal(decision);
    return ok(postingView(decision.value), 201);
  },
});

const withdrawPosting = defineRoute({
  method: 'post',
  path: '/capacity/{postingId}/withdraw',
  operationId: 'withdrawCapacity',
  summary: 'Withdraw a capacity posting',
  description: 'No more patients are matched to it. Offers already made stand.',
  params: PostingParams,
  idempotent: true,
  responses: {
    200: { description: 'Withdrawn.', schema: PostingSchema },
    403: RESPONSES.forbidden,
    404: RESPONSES.notFound,
    409: { description: 'The posting is no longer open.' },
  },
  async handle({ deps, caller, params, requestId }) {
    const decision = await deps.capacity.withdraw(params.postingId, caller.actingAs, requestId);
    if (!decision.ok) return refusal(decision);
    return ok(postingView(decision.value));
  },
});

export const capacityRoutes: RouteGroup = {
  tag: 'Capacity',
  description: 'Spare capacity your organisation posts, and the sites it posts for.',
  routes: [listSites, listPostings, postCapacity, withdrawPosting],
};
