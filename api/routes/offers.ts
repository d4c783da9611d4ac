/**
 * Offers, for providers' systems and origin trusts alike: make an offer to
 * treat a case, withdraw it, and list the offers the organisation made and
 * those made on its cases. Whether an offer may be made is the journey's
 * decision (the case open for offers, the key's person a clinician of a
 * provider other than the origin), so its refusals come back as they are.
 */
import { offersOfOrganisation } from '../../db/api-reads';
import type { FieldError } from '../../domain/field-errors';
import { RESPONSES, defineRoute, ok, page, refusal, uuidFrom, type RouteGroup } from '../route';
import { CaseParams, OfferPageSchema, OfferParams, OfferRequestSchema, OfferSchema, OffersQuery } from '../schemas';
import { offerListItem, offerView } from '../views';

/** The request field a journey refusal of an offer is about; undefined when it is about the case. */
function offerRefusalField(code: string, message: string): string | undefined {
  if (code === 'INPUT.INVALID_DATE') return /expiry/.test(message) ? 'validUntil' : 'proposedDate';
  if (code === 'OFFER.SITE_NOT_SUITABLE') return 'siteId';
  if (code !== 'OFFER.INVALID') return undefined;
  if (/treatment date/.test(message)) return 'proposedDate';
  if (/expir|open for at most/.test(message)) return 'validUntil';
  if (/clinical team/.test(message)) return 'clinicalTeam';
  if (/Notes/.test(message)) return 'notes';
  return undefined;
}

const listOffers = defineRoute({
  method: 'get',
  path: '/offers',
  operationId: 'listOffers',
  summary: 'Offers your organisation made, and offers made on its cases',
  description: 'Newest first. Filter by status or case; page with `limit` and `cursor`.',
  query: OffersQuery,
  responses: { 200: { description: 'A page of offers.', schema: OfferPageSchema } },
  async handle({ deps, caller, query }) {
    const rows = await offersOfOrganisation(deps.db, {
      organisationId: caller.organisationId,
      status: query.status,
      caseRef: query.caseRef,
      after: query.cursor,
      limit: query.limit + 1,
    });
    const { items, nextCursor } = page(rows, query.limit, (last) => last.offerId);
    return ok({ items: items.map((row) => offerListItem(row, caller.organisationId)), nextCursor });
  },
});

const makeOffer = defineRoute({
  method: 'post',
  path: '/cases/{caseRef}/offers',
  operationId: 'makeOffer',
  summary: 'Offer to treat a case',
  description:
    'As a provider clinician, while the case is open for offers. One live offer per provider per case; ' +
    'send `offerId` (or an Idempotency-Key) so that a retry makes no second offer.',
  params: CaseParams,
  body: { schema: OfferRequestSchema },
  idempotent: true,
  responses: {
    201: { description: 'The offer is with the listing team.', schema: OfferSchema },
    403: { description: 'Not a provider clinician, or your organisation listed the patient.' },
    404: RESPONSES.notFound,
    409: { description: 'The case is not open for offers, or your organisation already has a live offer.' },
    422: RESPONSES.invalid,
  },
  async handle({ deps, caller, params, body, requestId }) {
    const { offerId, ...offer } = body;
    const decision = await deps.journeys.makeOffer(params.caseRef, caller.actingAs, {
      ...offer,
      offerId: offerId ?? (requestId ? uuidFrom(requestId) : undefined),
    });
    if (decision.ok) return ok(offerView(params.caseRef, decision.value), 201);
    const field = offerRefusalField(decision.code, decision.message);
    const errors: FieldError[] | undefined = field ? [{ field, message: decision.message }] : undefined;
    return refusal({ ...decision, errors });
  },
});

const withdrawOffer = defineRoute({
  method: 'post',
  path: '/cases/{caseRef}/offers/{offerId}/withdraw',
  operationId: 'withdrawOffer',
  summary: 'Withdraw your organisation’s offer',
  description:
    'By a clinician or manager of the provider that made it, while it is live. Withdrawing it again is a 409.',
  params: OfferParams,
  responses: {
    200: { description: 'Withdrawn; the listing team is told.', schema: OfferSchema },
    403: RESPONSES.forbidden,
    404: RESPONSES.notFound,
    409: { description: 'The offer is no longer live.' },
  },
  async handle({ deps, caller, params }) {
    const decision = await deps.journeys.withdrawOffer(params.caseRef, caller.actingAs, params.offerId);
    if (!decision.ok) return refusal(decision);
    return ok(offerView(params.caseRef, decision.value));
  },
});

export const offersRoutes: RouteGroup = {
  tag: 'Offers',
  description: 'Offers to treat: those your organisation made, and those made on its cases.',
  routes: [listOffers, makeOffer, withdrawOffer],
};
