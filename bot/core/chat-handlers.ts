/**
 * One set of handlers for every chat front end: a button press, a form
 * submission or a text command comes in as channel-neutral input, the person
 * is resolved and checked, the journey or capacity client does the work
 * (Workflow Updates, validated in the workflow), and a channel-neutral reply
 * goes back. Slack and Teams only translate their payloads to and from this.
 *
 * This class only dispatches: the steps live in `handlers/`, by who does them.
 * Every refusal is audited (there, or by the clients) and said in words.
 * Replies never repeat what the user typed: it might be a patient's details.
 */
import type { ChatUser } from './chat-user';
import { parseCommand, type Command } from './commands';
import type { ActionId, ActionRef, ChatForm, ChatMessage, FormContext, FormId, FormValues } from './message';
import { addUser, connectChannel } from './handlers/admin';
import { approve, confirmTransfer, openRejectForm, submitRejection } from './handlers/approvals';
import {
  listPostings,
  openEditPostingForm,
  openPostingForm,
  submitPosting,
  submitPostingEdit,
  withdrawPosting,
} from './handlers/capacity';
import {
  refused,
  type CardRef,
  type CommandPlace,
  type HandlerContext,
  type Reply,
  type SubmitReply,
} from './handlers/context';
import {
  choiceLink,
  openChoiceForm,
  openListingForm,
  submitChoice,
  submitListing,
  submitWithdrawal,
  withdrawByCommand,
} from './handlers/listing-team';
import { declineToOffer, openOfferForm, submitOffer, withdrawOffer } from './handlers/offers';
import { judgeAppropriate, judgeNotAppropriate } from './handlers/patient-requests';
import { cardAt, caseStatus, helpMessage, home, whoami } from './handlers/views';

export { uuidFrom, type CardRef, type CommandPlace, type Reply, type SubmitReply } from './handlers/context';

export interface ChatHandlersOptions extends Omit<HandlerContext, 'now'> {
  now?: () => Date;
}

export class ChatHandlers {
  private readonly context: HandlerContext;

  constructor(options: ChatHandlersOptions) {
    this.context = { ...options, now: options.now ?? (() => new Date()) };
  }

  // ─── Buttons ────────────────────────────────────────────────────────────────

  async action(user: ChatUser, id: ActionId, ref: ActionRef, card?: CardRef, requestId?: string): Promise<Reply> {
    const ctx = this.context;
    switch (id) {
      case 'OFFER_TREATMENT':
        return openOfferForm(ctx, user, ref, card);
      case 'NOT_FOR_US':
        return declineToOffer(ctx, user, ref, card, requestId);
      case 'WITHDRAW_OFFER':
        return withdrawOffer(ctx, user, ref, card);
      case 'APPROVE':
        return approve(ctx, user, ref, card, requestId);
      case 'REJECT':
        return openRejectForm(ctx, user, ref, card);
      case 'RECORD_CHOICE':
        return ref.caseRef ? openChoiceForm(ctx, user, ref.caseRef, card) : refused('This button is missing its case.');
      case 'VIEW_CASE':
        return ref.caseRef ? this.status(user, ref.caseRef) : refused('This button is missing its case.');
      case 'EDIT_POSTING':
        return openEditPostingForm(ctx, user, ref);
      case 'WITHDRAW_POSTING':
        return withdrawPosting(ctx, user, ref, requestId);
      case 'REQUEST_APPROPRIATE':
        return judgeAppropriate(ctx, user, ref, card, requestId);
      case 'REQUEST_NOT_APPROPRIATE':
        return judgeNotAppropriate(ctx, user, ref, card, requestId);
    }
  }

  // ─── Forms ──────────────────────────────────────────────────────────────────

  async submit(
    user: ChatUser,
    form: FormId,
    context: FormContext,
    values: FormValues,
    requestId: string,
  ): Promise<SubmitReply> {
    if (context.openedFor !== undefined && context.openedFor !== user.userId) {
      return refused('This form was opened by someone else.');
    }
    const ctx = this.context;
    switch (form) {
      case 'OFFER':
        return submitOffer(ctx, user, context, values, requestId);
      case 'REJECT_TRANSFER':
        return submitRejection(ctx, user, context, values, requestId);
      case 'RECORD_CHOICE':
        return submitChoice(ctx, user, context, values, requestId);
      case 'WITHDRAW_CASE':
        return submitWithdrawal(ctx, user, context, values, requestId);
      case 'LIST_PATIENT':
        return submitListing(ctx, user, context, values, requestId);
      case 'POST_CAPACITY':
        return submitPosting(ctx, user, context, values, requestId);
      case 'EDIT_CAPACITY':
        return submitPostingEdit(ctx, user, context, values, requestId);
    }
  }

  /**
   * The form a submission came from, opened again the same way (for front ends
   * that show errors by re-rendering the form, such as Teams' cards).
   */
  async formFor(user: ChatUser, form: FormId, context: FormContext): Promise<ChatForm | undefined> {
    const reply = await this.reopen(user, form, context);
    return reply?.kind === 'form' ? reply.form : undefined;
  }

  private reopen(user: ChatUser, form: FormId, context: FormContext): Promise<Reply> | undefined {
    const { caseRef, organisationId, side, postingId, card } = context;
    switch (form) {
      case 'OFFER':
        return this.action(user, 'OFFER_TREATMENT', { caseRef, organisationId }, card);
      case 'REJECT_TRANSFER':
        return this.action(user, 'REJECT', { caseRef, organisationId, side }, card);
      case 'RECORD_CHOICE':
        return caseRef ? openChoiceForm(this.context, user, caseRef, card) : undefined;
      case 'WITHDRAW_CASE':
        return caseRef ? this.run(user, { kind: 'withdraw', caseRef }, { channelId: '' }) : undefined;
      case 'LIST_PATIENT':
        return this.run(user, { kind: 'list', organisationId }, { channelId: '' });
      case 'POST_CAPACITY':
        return this.run(user, { kind: 'post', organisationId }, { channelId: '' });
      case 'EDIT_CAPACITY':
        return this.action(user, 'EDIT_POSTING', { postingId, organisationId });
    }
  }

  // ─── Commands ───────────────────────────────────────────────────────────────

  async command(user: ChatUser, text: string, where: CommandPlace): Promise<Reply> {
    const parsed = parseCommand(text);
    if (!parsed.ok) return refused(parsed.message);
    return this.run(user, parsed.command, where);
  }

  private async run(user: ChatUser, command: Command, where: CommandPlace): Promise<Reply> {
    const ctx = this.context;
    switch (command.kind) {
      case 'help':
        return { kind: 'message', message: helpMessage() };
      case 'whoami':
        return whoami(ctx, user);
      case 'status':
        return this.status(user, command.caseRef);
      case 'choice':
        return openChoiceForm(ctx, user, command.caseRef);
      case 'link':
        return choiceLink(ctx, user, command.caseRef);
      case 'withdraw':
        return withdrawByCommand(ctx, user, command.caseRef, command.reason);
      case 'confirm':
        return confirmTransfer(ctx, user, command.caseRef, command.treatmentDate);
      case 'list':
        return openListingForm(ctx, user, command);
      case 'post':
        return openPostingForm(ctx, user, command);
      case 'postings':
        return listPostings(ctx, user, command.ods);
      case 'connect':
        return connectChannel(ctx, user, command.audience, where);
      case 'adduser':
        return addUser(ctx, user, command);
    }
  }

  // ─── Views ──────────────────────────────────────────────────────────────────

  /** A case's state, deadlines and offers. Origin staff and escalation leads see every offer; a provider its own. */
  async status(user: ChatUser, caseRef: string): Promise<Reply> {
    return caseStatus(this.context, user, caseRef);
  }

  /** The Home tab: for each of the person's provider organisations, its open postings, live offers and matching cases. */
  async home(user: ChatUser): Promise<ChatMessage> {
    return home(this.context, user);
  }

  /** The message a bot post shows now, rebuilt from the notification it was delivered for. */
  async cardAt(user: ChatUser, card: CardRef): Promise<ChatMessage | undefined> {
    return cardAt(this.context, user, card);
  }
}
