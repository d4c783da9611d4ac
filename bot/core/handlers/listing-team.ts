/**
 * What the listing team does with its own cases: list a patient, record the
 * patient's choice, issue the patient's choice link, and withdraw a case.
 */
import { appendAudit } from '../../../db/audit';
import { caseRounds } from '../../../db/cases';
import { caseFactsForChat, cliniciansOf } from '../../../db/chat-views';
import { WITHDRAW_REASONS, type WithdrawReason } from '../../../domain/journey-states';
import type { PatientChoice } from '../../../workflows/contract';
import { actFor, type ChatUser } from '../chat-user';
import {
  DECLINE_ALL,
  STAY_LOCAL,
  WITHDRAW_REASON_WORDS,
  choiceForm,
  humanise,
  listingForm,
  listingInput,
  withdrawForm,
} from '../forms';
import { message } from '../message';
import {
  fieldOrRefusal,
  invalid,
  nextStep,
  refused,
  refusedReply,
  said,
  type CardRef,
  type FormHandler,
  type HandlerContext,
  type OrganisationChoice,
  type Reply,
  type SubmitReply,
} from './context';

/** The person as staff of the case's listing trust. */
async function originStaff(ctx: HandlerContext, user: ChatUser, caseRef: string, action: string) {
  const kase = await caseFactsForChat(ctx.db, caseRef);
  if (!kase) return { ok: false as const, message: `There is no case ${caseRef}.` };
  const acting = await actFor(ctx.db, user, action, {
    organisationId: kase.originOrgId,
    roles: ['COORDINATOR', 'CLINICIAN', 'MANAGER'],
  });
  return acting.ok ? { ok: true as const, value: acting.value.actingAs } : acting;
}

export async function openChoiceForm(
  ctx: HandlerContext,
  user: ChatUser,
  caseRef: string,
  card?: CardRef,
): Promise<Reply> {
  const acting = await originStaff(ctx, user, caseRef, 'OPEN_CHOICE_FORM');
  if (!acting.ok) return refused(acting.message);
  const status = await ctx.journeys.status(caseRef);
  if (!status.ok) return refused(status.message);
  if (status.value.state !== 'CHOOSING') {
    return refused(
      `Case ${caseRef} is not waiting for the patient's choice (it is ${humanise(status.value.state).toLowerCase()}).`,
    );
  }
  const live = status.value.offers.filter((o) => o.status === 'LIVE' && o.round === status.value.round);
  return {
    kind: 'form',
    form: choiceForm(
      caseRef,
      live.map((o) => ({ offerId: o.offerId, label: `${o.siteName}, treatment ${o.proposedDate}` })),
      { caseRef, card, openedFor: user.userId },
    ),
  };
}

export const submitChoice: FormHandler = async (ctx, user, context, values, requestId) => {
  if (!context.caseRef) return refused('This form is missing its case.');
  const choice: PatientChoice | undefined =
    values.choice === DECLINE_ALL
      ? { kind: 'DECLINE_ALL' }
      : values.choice === STAY_LOCAL
        ? { kind: 'STAY_LOCAL' }
        : values.choice
          ? { kind: 'ACCEPT', offerId: values.choice }
          : undefined;
  if (!choice) return { kind: 'invalid', errors: [{ field: 'choice', message: 'Say what the patient chose' }] };
  const acting = await originStaff(ctx, user, context.caseRef, 'recordChoice');
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.recordChoice(context.caseRef, acting.value, choice, requestId);
  if (!decision.ok) return fieldOrRefusal(decision, 'choice', ['OFFER.NOT_FOUND', 'OFFER.NOT_LIVE']);
  return {
    kind: 'done',
    message: said(
      'Choice recorded',
      `The patient's choice for ${context.caseRef} is recorded. ${nextStep(decision.value)}`,
    ),
    refresh: context.card,
  };
};

/** The patient's one-time choice link, issued to the listing team to pass on, and audited. */
export async function choiceLink(ctx: HandlerContext, user: ChatUser, caseRef: string): Promise<Reply> {
  const acting = await originStaff(ctx, user, caseRef, 'ISSUE_PATIENT_LINK');
  if (!acting.ok) return refused(acting.message);
  const links = ctx.patientLinks;
  if (!links)
    return refused(
      'Patient links are not set up here: PATIENT_LINK_SECRET is needed (and PUBLIC_BASE_URL behind a proxy).',
    );
  const status = await ctx.journeys.status(caseRef);
  if (!status.ok) return refused(status.message);
  if (status.value.state !== 'CHOOSING') {
    return refused(
      `Case ${caseRef} has no offers waiting for the patient, so there is nothing for them to choose yet.`,
    );
  }
  const rounds = await caseRounds(ctx.db, [caseRef]);
  const link = await links.issue(caseRef, rounds.get(caseRef) ?? status.value.round, acting.value.personId);
  await appendAudit(ctx.db, {
    caseRef,
    action: 'PATIENT_LINK_ISSUED',
    actor: { kind: 'PERSON', personId: acting.value.personId, channel: user.platform },
    detail: { expiresAt: link.expiresAt.toISOString() },
  });
  return {
    kind: 'message',
    message: message({
      title: `Choice link for ${caseRef}`,
      body:
        `Pass this to the patient by your usual means. It works once and expires ${link.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
        `asking again replaces it.\n${link.url}`,
    }),
  };
}

async function withdrawCase(
  ctx: HandlerContext,
  user: ChatUser,
  caseRef: string,
  reason: WithdrawReason,
  requestId?: string,
): Promise<SubmitReply> {
  const acting = await originStaff(ctx, user, caseRef, 'withdrawCase');
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.journeys.withdrawCase(caseRef, acting.value, reason, requestId);
  if (!decision.ok) return refused(decision.message);
  return {
    kind: 'done',
    message: said(
      'Case withdrawn',
      `${caseRef} is withdrawn (${WITHDRAW_REASON_WORDS[reason].toLowerCase()}). Providers with offers are told.`,
    ),
  };
}

/** `withdraw MA-…`: without a reason, the form that asks for one; with one, the withdrawal. */
export async function withdrawByCommand(
  ctx: HandlerContext,
  user: ChatUser,
  caseRef: string,
  reason?: WithdrawReason,
): Promise<Reply> {
  if (!reason) {
    const acting = await originStaff(ctx, user, caseRef, 'OPEN_WITHDRAW_FORM');
    if (!acting.ok) return refused(acting.message);
    return { kind: 'form', form: withdrawForm(caseRef, { caseRef, openedFor: user.userId }) };
  }
  const done = await withdrawCase(ctx, user, caseRef, reason);
  return done.kind === 'done' ? { kind: 'message', message: done.message } : refusedReply(done);
}

export const submitWithdrawal: FormHandler = async (ctx, user, context, values, requestId) => {
  if (!context.caseRef) return refused('This form is missing its case.');
  const reason = values.reason as WithdrawReason | undefined;
  if (!reason || !WITHDRAW_REASONS.includes(reason)) {
    return { kind: 'invalid', errors: [{ field: 'reason', message: 'Choose a reason' }] };
  }
  return withdrawCase(ctx, user, context.caseRef, reason, requestId);
};

export async function openListingForm(
  ctx: HandlerContext,
  user: ChatUser,
  { ods, organisationId }: OrganisationChoice,
): Promise<Reply> {
  const acting = await actFor(ctx.db, user, 'OPEN_LISTING_FORM', {
    ods,
    organisationId,
    roles: ['COORDINATOR', 'CLINICIAN'],
  });
  if (!acting.ok) return refused(acting.message);
  const clinicians = await cliniciansOf(ctx.db, acting.value.membership.organisationId);
  return {
    kind: 'form',
    form: listingForm(acting.value.membership.ods, clinicians, {
      organisationId: acting.value.membership.organisationId,
      openedFor: user.userId,
    }),
  };
}

export const submitListing: FormHandler = async (ctx, user, context, values) => {
  const acting = await actFor(ctx.db, user, 'LIST_PATIENT', {
    organisationId: context.organisationId,
    roles: ['COORDINATOR', 'CLINICIAN'],
  });
  if (!acting.ok) return refused(acting.message);
  const result = await ctx.journeys.listPatient(
    listingInput(acting.value.membership.ods, values),
    acting.value.actingAs,
  );
  if (!result.ok) return invalid(result.errors);
  return {
    kind: 'done',
    message: said(
      'Patient listed',
      `Listed as ${result.caseRef}. Use this reference in chat; matching providers are told as offers open.`,
    ),
  };
};
