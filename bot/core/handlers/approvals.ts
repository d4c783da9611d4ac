/**
 * What follows the patient's choice: each trust's manager approves the
 * transfer, or rejects it with a reason through the reject form, and the
 * chosen provider confirms the booked treatment date.
 */
import { actFor, type ChatUser } from '../chat-user';
import { rejectForm } from '../forms';
import {
  fieldOrRefusal,
  nextStep,
  refused,
  said,
  type ButtonHandler,
  type FormHandler,
  type HandlerContext,
  type Reply,
} from './context';

export const approve: ButtonHandler = async (ctx, user, ref, card, requestId) => {
  const caseRef = ref.caseRef;
  if (!caseRef || !ref.side) return refused('This button is missing its approval.');
  const acting = await actFor(ctx.db, user, 'decideApproval', {
    organisationId: ref.organisationId,
    roles: ['MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.decideApproval(
    caseRef,
    acting.value.actingAs,
    { side: ref.side, approve: true },
    requestId,
  );
  if (!decision.ok) return refused(decision.message);
  return {
    kind: 'message',
    message: said('Approved', `You approved ${caseRef}. ${nextStep(decision.value)}`),
    refresh: card,
  };
};

export const openRejectForm: ButtonHandler = async (ctx, user, ref, card) => {
  const caseRef = ref.caseRef;
  if (!caseRef || !ref.side) return refused('This button is missing its approval.');
  const acting = await actFor(ctx.db, user, 'OPEN_REJECT_FORM', {
    organisationId: ref.organisationId,
    roles: ['MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  return {
    kind: 'form',
    form: rejectForm(caseRef, {
      caseRef,
      organisationId: ref.organisationId,
      side: ref.side,
      card,
      openedFor: user.userId,
    }),
  };
};

export const submitRejection: FormHandler = async (ctx, user, context, values, requestId) => {
  if (!context.caseRef || !context.side) return refused('This form is missing its case.');
  const reason = values.reason?.trim() ?? '';
  if (!reason) return { kind: 'invalid', errors: [{ field: 'reason', message: 'Give a reason for rejecting' }] };
  const acting = await actFor(ctx.db, user, 'decideApproval', {
    organisationId: context.organisationId,
    roles: ['MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.decideApproval(
    context.caseRef,
    acting.value.actingAs,
    { side: context.side, approve: false, reason },
    requestId,
  );
  if (!decision.ok) return fieldOrRefusal(decision, 'reason', ['APPROVAL.REASON_REQUIRED']);
  return {
    kind: 'done',
    message: said('Transfer rejected', `You rejected the transfer of ${context.caseRef}. Both teams are told.`),
    refresh: context.card,
  };
};

/** The chosen provider confirms the booked treatment date of an approved transfer. */
export async function confirmTransfer(
  ctx: HandlerContext,
  user: ChatUser,
  caseRef: string,
  treatmentDate: string,
): Promise<Reply> {
  const status = await ctx.journeys.status(caseRef);
  if (!status.ok) return refused(status.message);
  const chosen = status.value.offers.find((offer) => offer.offerId === status.value.chosenOfferId);
  if (!chosen) return refused(`Case ${caseRef} has no approved transfer to confirm.`);
  const acting = await actFor(ctx.db, user, 'confirmTransfer', { organisationId: chosen.providerOrgId });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.confirmTransfer(caseRef, acting.value.actingAs, treatmentDate);
  if (!decision.ok) return refused(decision.message);
  return {
    kind: 'message',
    message: said('Transfer confirmed', `Treatment for ${caseRef} is booked for ${treatmentDate}.`),
  };
}
