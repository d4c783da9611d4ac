/**
 * What a provider does with its spare capacity: post it, list its open
 * postings, edit one, withdraw one.
 */
import { openPostingsOf, organisationSites } from '../../../db/chat-views';
import { actFor, type ChatUser } from '../chat-user';
import { humanise, postingForm, postingInput } from '../forms';
import { message, type ActionRef, type MessageSection } from '../message';
import { specialtyName } from '../notification-text';
import {
  invalid,
  refused,
  said,
  uuidFrom,
  type ButtonHandler,
  type FormHandler,
  type HandlerContext,
  type OrganisationChoice,
  type Reply,
} from './context';

/** The organisations' open postings, each with its edit and withdraw buttons. */
export async function postingSections(ctx: HandlerContext, organisationIds: string[]): Promise<MessageSection[]> {
  const postings = await openPostingsOf(ctx.db, organisationIds);
  return postings.map((p) => ({
    title: `Posting: ${p.siteName}`,
    text: `${specialtyName(p.specialtyCode)} · ${humanise(p.careType)} · ${p.slots - p.slotsFilled} of ${p.slots} slots · ${p.availableFrom} to ${p.availableUntil}`,
    facts: [],
    actions: [
      { action: 'EDIT_POSTING', label: 'Edit', ref: { postingId: p.postingId, organisationId: p.organisationId } },
      {
        action: 'WITHDRAW_POSTING',
        label: 'Withdraw',
        style: 'danger',
        ref: { postingId: p.postingId, organisationId: p.organisationId },
      },
    ],
  }));
}

/** `postings [ODS]`: the organisation's open postings. */
export async function listPostings(ctx: HandlerContext, user: ChatUser, ods?: string): Promise<Reply> {
  const acting = await actFor(ctx.db, user, 'LIST_POSTINGS', { ods, roles: ['CLINICIAN', 'MANAGER'] });
  if (!acting.ok) return refused(acting.message);
  const sections = await postingSections(ctx, [acting.value.membership.organisationId]);
  return {
    kind: 'message',
    message: message({
      title: `Open capacity postings: ${acting.value.membership.name}`,
      body: sections.length === 0 ? 'None open. Post capacity with `/mutualaid post`.' : undefined,
      sections,
    }),
  };
}

export async function openPostingForm(
  ctx: HandlerContext,
  user: ChatUser,
  { ods, organisationId }: OrganisationChoice,
): Promise<Reply> {
  const acting = await actFor(ctx.db, user, 'OPEN_POSTING_FORM', {
    ods,
    organisationId,
    roles: ['CLINICIAN', 'MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  const sites = await organisationSites(ctx.db, acting.value.membership.organisationId);
  if (sites.length === 0) return refused('Your organisation has no sites in mutual aid to post capacity for.');
  return {
    kind: 'form',
    form: postingForm(sites, { organisationId: acting.value.membership.organisationId, openedFor: user.userId }),
  };
}

export const submitPosting: FormHandler = async (ctx, user, context, values, requestId) => {
  const acting = await actFor(ctx.db, user, 'POST_CAPACITY', {
    organisationId: context.organisationId,
    roles: ['CLINICIAN', 'MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.capacity.post(postingInput(values), acting.value.actingAs, uuidFrom(requestId));
  if (!decision.ok) return decision.errors ? invalid(decision.errors) : refused(decision.message);
  const terms = decision.value.terms;
  return {
    kind: 'done',
    message: said(
      'Capacity posted',
      `${terms.slots} slots in ${specialtyName(terms.specialtyCode)}, ${terms.availableFrom} to ${terms.availableUntil}. Matching patients will be sent to your clinicians.`,
    ),
  };
};

export const openEditPostingForm: ButtonHandler = async (ctx, user, ref) => {
  if (!ref.postingId) return refused('This button is missing its posting.');
  const acting = await actFor(ctx.db, user, 'OPEN_EDIT_POSTING_FORM', {
    organisationId: ref.organisationId,
    roles: ['CLINICIAN', 'MANAGER'],
  });
  if (!acting.ok) return refused(acting.message);
  const status = await ctx.capacity.status(ref.postingId);
  if (!status.ok) return refused(status.message);
  if (status.value.organisationId !== acting.value.membership.organisationId) {
    return refused('That posting belongs to another organisation.');
  }
  const sites = await organisationSites(ctx.db, acting.value.membership.organisationId);
  return {
    kind: 'form',
    form: postingForm(
      sites,
      { organisationId: status.value.organisationId, postingId: ref.postingId, openedFor: user.userId },
      status.value.terms,
      true,
    ),
  };
};

export const submitPostingEdit: FormHandler = async (ctx, user, context, values, requestId) => {
  if (!context.postingId) return refused('This form is missing its posting.');
  const acting = await actFor(ctx.db, user, 'editPosting', { organisationId: context.organisationId });
  if (!acting.ok) return refused(acting.message);
  // The site comes too: a posting stays with its site, and the edit says so if it was changed.
  const decision = await ctx.capacity.edit(context.postingId, acting.value.actingAs, postingInput(values), requestId);
  if (!decision.ok) return decision.errors ? invalid(decision.errors) : refused(decision.message);
  return { kind: 'done', message: said('Posting updated', 'Your capacity posting is updated.') };
};

export async function withdrawPosting(
  ctx: HandlerContext,
  user: ChatUser,
  ref: ActionRef,
  requestId?: string,
): Promise<Reply> {
  if (!ref.postingId) return refused('This button is missing its posting.');
  const acting = await actFor(ctx.db, user, 'withdrawPosting', { organisationId: ref.organisationId });
  if (!acting.ok) return refused(acting.message);
  const decision = await ctx.capacity.withdraw(ref.postingId, acting.value.actingAs, requestId);
  if (!decision.ok) return refused(decision.message);
  return { kind: 'message', message: said('Posting withdrawn', 'No more patients will be matched to it.') };
}
