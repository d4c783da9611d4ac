/**
 * What a provider does with a case open for offers: open the offer form and
 * submit it, say "not for us", or withdraw its offer.
 */
import { organisationSites } from '../../../db/chat-views';
import { postingsForCase } from '../../../db/matching';
import { actFor } from '../chat-user';
import { offerForm, parseOffer, type OfferChoices } from '../forms';
import { refused, said, uuidFrom, type ButtonHandler, type FormHandler, type HandlerContext } from './context';

/** The sites and matching postings an organisation can offer a case from. */
async function offerChoices(ctx: HandlerContext, caseRef: string, organisationId: string): Promise<OfferChoices> {
  const { db, policy } = ctx;
  const sites = await organisationSites(db, organisationId);
  const postings = (await postingsForCase(db, caseRef, { now: ctx.now(), limit: 200 }))
    .filter((p) => p.organisationId === organisationId)
    .slice(0, 20);
  return { sites, postings, maxOfferValidityMs: policy.maxOfferValidityMs };
}

/** The form field a journey refusal of an offer is about; undefined when it is about the case, not a field. */
function offerRefusalField(code: string, text: string): string | undefined {
  if (code === 'INPUT.INVALID_DATE') return /expiry/.test(text) ? 'validFor' : 'proposedDate';
  if (code === 'OFFER.SITE_NOT_SUITABLE') return 'siteId';
  if (code !== 'OFFER.INVALID') return undefined;
  if (/treatment date/.test(text)) return 'proposedDate';
  if (/expir|open for at most/.test(text)) return 'validFor';
  if (/clinical team/.test(text)) return 'clinicalTeam';
  if (/Notes/.test(text)) return 'notes';
  return 'siteId';
}

export const openOfferForm: ButtonHandler = async (ctx, user, ref, card) => {
  const caseRef = ref.caseRef;
  if (!caseRef) return refused('This button is missing its case.');
  const acting = await actFor(ctx.db, user, 'OPEN_OFFER_FORM', {
    organisationId: ref.organisationId,
    roles: ['CLINICIAN'],
  });
  if (!acting.ok) return refused(acting.message);
  const choices = await offerChoices(ctx, caseRef, acting.value.membership.organisationId);
  if (choices.sites.length === 0) return refused('Your organisation has no sites in mutual aid to offer from.');
  return {
    kind: 'form',
    form: offerForm(caseRef, choices, {
      organisationId: acting.value.membership.organisationId,
      card,
      openedFor: user.userId,
    }),
  };
};

export const submitOffer: FormHandler = async (ctx, user, context, values, requestId) => {
  if (!context.caseRef) return refused('This form is missing its case.');
  const acting = await actFor(ctx.db, user, 'makeOffer', {
    organisationId: context.organisationId,
    roles: ['CLINICIAN'],
  });
  if (!acting.ok) return refused(acting.message);
  const choices = await offerChoices(ctx, context.caseRef, acting.value.membership.organisationId);
  const parsed = parseOffer(values, choices, ctx.now());
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const decision = await ctx.journeys.makeOffer(context.caseRef, acting.value.actingAs, {
    ...parsed.value,
    offerId: uuidFrom(requestId),
  });
  if (!decision.ok) {
    const field = offerRefusalField(decision.code, decision.message);
    return field ? { kind: 'invalid', errors: [{ field, message: decision.message }] } : refused(decision.message);
  }
  return {
    kind: 'done',
    message: said(
      'Offer made',
      `Your offer for ${context.caseRef} is with the listing team: ${decision.value.siteName}, treatment ${decision.value.proposedDate}.`,
    ),
    refresh: context.card,
  };
};

export const declineToOffer: ButtonHandler = async (ctx, user, ref, card, requestId) => {
  const caseRef = ref.caseRef;
  if (!caseRef) return refused('This button is missing its case.');
  const acting = await actFor(ctx.db, user, 'declineToOffer', { organisationId: ref.organisationId });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.declineToOffer(caseRef, acting.value.actingAs, requestId);
  if (!decision.ok) return refused(decision.message);
  return {
    kind: 'message',
    message: said('Not for us', `Noted for ${caseRef}: you will not be asked about it again.`),
    refresh: card,
  };
};

export const withdrawOffer: ButtonHandler = async (ctx, user, ref, card) => {
  const caseRef = ref.caseRef;
  if (!caseRef || !ref.offerId) return refused('This button is missing its offer.');
  const acting = await actFor(ctx.db, user, 'withdrawOffer', { organisationId: ref.organisationId });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.withdrawOffer(caseRef, acting.value.actingAs, ref.offerId);
  if (!decision.ok) return refused(decision.message);
  return {
    kind: 'message',
    message: said('Offer withdrawn', `Your offer for ${caseRef} is withdrawn.`),
    refresh: card,
  };
};
