/**
 * One set of handlers for every chat front end: a button press, a form
 * submission or a text command comes in as channel-neutral input, the person
 * is resolved and checked, the journey or capacity client does the work
 * (Workflow Updates, validated in the workflow), and a channel-neutral reply
 * goes back. Slack and Teams only translate their payloads to and from this.
 *
 * Every refusal is audited (here, or by the clients) and said in words.
 * Replies never repeat what the user typed: it might be a patient's details.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client';
import { deliveryAt, linkChannel, linkChatUser } from '../../db/chat-directory';
import {
  caseFactsForChat,
  cliniciansOf,
  liveOffersOf,
  openPostingsOf,
  organisationSites,
  providerCaseView,
} from '../../db/chat-views';
import { caseRounds } from '../../db/cases';
import { casesForPosting, postingsForCase } from '../../db/matching';
import { notificationByKey } from '../../db/outbox';
import { appendAudit } from '../../db/audit';
import type { FieldError } from '../../domain/field-errors';
import type { CapacityClient } from '../../workflows/capacity-client';
import type { Decision, JourneyClient } from '../../workflows/client';
import type { JourneyPolicy, JourneyStatus, PatientChoice } from '../../workflows/contract';
import { clinicalFacts, providerCaseCard, providerCaseSection } from './case-card';
import { actFor, identify, type ChatUser } from './chat-user';
import { HELP_LINES, parseCommand, type Command } from './commands';
import {
  DECLINE_ALL,
  STAY_LOCAL,
  WITHDRAW_REASON_WORDS,
  choiceForm,
  humanise,
  listingForm,
  listingInput,
  offerForm,
  parseOffer,
  postingForm,
  postingInput,
  rejectForm,
  withdrawForm,
  type OfferChoices,
} from './forms';
import {
  message,
  refusalMessage,
  type ActionId,
  type ActionRef,
  type ChatForm,
  type ChatMessage,
  type FieldProblem,
  type FormContext,
  type FormId,
  type FormValues,
  type MessageSection,
} from './message';
import { notificationMessage } from './notification-message';
import { specialtyName } from './notification-text';
import type { PatientLinks } from './patient-links';
import { WITHDRAW_REASONS, type WithdrawReason } from '../../domain/journey-states';

/** Where a command was typed: the channel, and for Teams the reference a proactive send to it needs. */
export interface CommandPlace {
  channelId: string;
  conversationReference?: unknown;
}

/** Where a bot message lives, so it can be refreshed in place. */
export interface CardRef {
  channelId: string;
  messageRef: string;
}

export type Reply =
  | { kind: 'message'; message: ChatMessage; refresh?: CardRef }
  | { kind: 'form'; form: ChatForm }
  | { kind: 'refused'; message: ChatMessage };

export type SubmitReply =
  | { kind: 'done'; message: ChatMessage; refresh?: CardRef }
  | { kind: 'invalid'; errors: FieldProblem[] }
  | { kind: 'refused'; message: ChatMessage };

export interface ChatHandlersOptions {
  db: Db;
  journeys: JourneyClient;
  capacity: CapacityClient;
  policy: JourneyPolicy;
  /** Absent when no PATIENT_LINK_SECRET is configured: `link` then says so. */
  patientLinks?: PatientLinks;
  now?: () => Date;
}

const refused = (text: string): Reply & SubmitReply => ({ kind: 'refused', message: refusalMessage(text) });
const said = (title: string, body: string, tone: ChatMessage['tone'] = 'success'): ChatMessage =>
  message({ title, body, tone });

/** A stable UUID from a request id, so the same submission retried names the same offer. */
export function uuidFrom(requestId: string): string {
  const hex = createHash('sha256').update(requestId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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

export class ChatHandlers {
  private readonly now: () => Date;

  constructor(private readonly options: ChatHandlersOptions) {
    this.now = options.now ?? (() => new Date());
  }

  // ─── Buttons ────────────────────────────────────────────────────────────────

  async action(user: ChatUser, id: ActionId, ref: ActionRef, card?: CardRef, requestId?: string): Promise<Reply> {
    const { journeys, capacity } = this.options;
    const caseRef = ref.caseRef;
    switch (id) {
      case 'OFFER_TREATMENT': {
        if (!caseRef) return refused('This button is missing its case.');
        const acting = await actFor(this.options.db, user, 'OPEN_OFFER_FORM', {
          organisationId: ref.organisationId,
          roles: ['CLINICIAN'],
        });
        if (!acting.ok) return refused(acting.message);
        const choices = await this.offerChoices(caseRef, acting.value.membership.organisationId);
        if (choices.sites.length === 0) return refused('Your organisation has no sites in mutual aid to offer from.');
        return {
          kind: 'form',
          form: offerForm(caseRef, choices, {
            organisationId: acting.value.membership.organisationId,
            card,
            openedFor: user.userId,
          }),
        };
      }
      case 'NOT_FOR_US': {
        if (!caseRef) return refused('This button is missing its case.');
        const acting = await actFor(this.options.db, user, 'declineToOffer', { organisationId: ref.organisationId });
        if (!acting.ok) return refused(acting.message);
        const decision = await journeys.declineToOffer(caseRef, acting.value.actingAs, requestId);
        if (!decision.ok) return refused(decision.message);
        return {
          kind: 'message',
          message: said('Not for us', `Noted for ${caseRef}: you will not be asked about it again.`),
          refresh: card,
        };
      }
      case 'WITHDRAW_OFFER': {
        if (!caseRef || !ref.offerId) return refused('This button is missing its offer.');
        const acting = await actFor(this.options.db, user, 'withdrawOffer', { organisationId: ref.organisationId });
        if (!acting.ok) return refused(acting.message);
        const decision = await journeys.withdrawOffer(caseRef, acting.value.actingAs, ref.offerId);
        if (!decision.ok) return refused(decision.message);
        return {
          kind: 'message',
          message: said('Offer withdrawn', `Your offer for ${caseRef} is withdrawn.`),
          refresh: card,
        };
      }
      case 'APPROVE': {
        if (!caseRef || !ref.side) return refused('This button is missing its approval.');
        const acting = await actFor(this.options.db, user, 'decideApproval', {
          organisationId: ref.organisationId,
          roles: ['MANAGER'],
        });
        if (!acting.ok) return refused(acting.message);
        const decision = await journeys.decideApproval(
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
      }
      case 'REJECT': {
        if (!caseRef || !ref.side) return refused('This button is missing its approval.');
        const acting = await actFor(this.options.db, user, 'OPEN_REJECT_FORM', {
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
      }
      case 'RECORD_CHOICE':
        return caseRef ? this.openChoiceForm(user, caseRef, card) : refused('This button is missing its case.');
      case 'VIEW_CASE':
        return caseRef ? this.status(user, caseRef) : refused('This button is missing its case.');
      case 'EDIT_POSTING': {
        if (!ref.postingId) return refused('This button is missing its posting.');
        const acting = await actFor(this.options.db, user, 'OPEN_EDIT_POSTING_FORM', {
          organisationId: ref.organisationId,
          roles: ['CLINICIAN', 'MANAGER'],
        });
        if (!acting.ok) return refused(acting.message);
        const status = await capacity.status(ref.postingId);
        if (!status.ok) return refused(status.message);
        if (status.value.organisationId !== acting.value.membership.organisationId) {
          return refused('That posting belongs to another organisation.');
        }
        const sites = await organisationSites(this.options.db, acting.value.membership.organisationId);
        return {
          kind: 'form',
          form: postingForm(
            sites,
            { organisationId: status.value.organisationId, postingId: ref.postingId, openedFor: user.userId },
            status.value.terms,
            true,
          ),
        };
      }
      case 'WITHDRAW_POSTING': {
        if (!ref.postingId) return refused('This button is missing its posting.');
        const acting = await actFor(this.options.db, user, 'withdrawPosting', { organisationId: ref.organisationId });
        if (!acting.ok) return refused(acting.message);
        const decision = await capacity.withdraw(ref.postingId, acting.value.actingAs, requestId);
        if (!decision.ok) return refused(decision.message);
        return { kind: 'message', message: said('Posting withdrawn', 'No more patients will be matched to it.') };
      }
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
    switch (form) {
      case 'OFFER':
        return this.submitOffer(user, context, values, requestId);
      case 'REJECT_TRANSFER': {
        if (!context.caseRef || !context.side) return refused('This form is missing its case.');
        const reason = values.reason?.trim() ?? '';
        if (!reason) return { kind: 'invalid', errors: [{ field: 'reason', message: 'Give a reason for rejecting' }] };
        const acting = await actFor(this.options.db, user, 'decideApproval', {
          organisationId: context.organisationId,
          roles: ['MANAGER'],
        });
        if (!acting.ok) return refused(acting.message);
        const decision = await this.options.journeys.decideApproval(
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
      }
      case 'RECORD_CHOICE': {
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
        const acting = await this.originStaff(user, context.caseRef, 'recordChoice');
        if (!acting.ok) return refused(acting.message);
        const decision = await this.options.journeys.recordChoice(context.caseRef, acting.value, choice, requestId);
        if (!decision.ok) return fieldOrRefusal(decision, 'choice', ['OFFER.NOT_FOUND', 'OFFER.NOT_LIVE']);
        return {
          kind: 'done',
          message: said(
            'Choice recorded',
            `The patient's choice for ${context.caseRef} is recorded. ${nextStep(decision.value)}`,
          ),
          refresh: context.card,
        };
      }
      case 'WITHDRAW_CASE': {
        if (!context.caseRef) return refused('This form is missing its case.');
        const reason = values.reason as WithdrawReason | undefined;
        if (!reason || !WITHDRAW_REASONS.includes(reason)) {
          return { kind: 'invalid', errors: [{ field: 'reason', message: 'Choose a reason' }] };
        }
        return this.withdrawCase(user, context.caseRef, reason, requestId);
      }
      case 'LIST_PATIENT':
        return this.submitListing(user, context, values);
      case 'POST_CAPACITY':
        return this.submitPosting(user, context, values, requestId);
      case 'EDIT_CAPACITY': {
        if (!context.postingId) return refused('This form is missing its posting.');
        const acting = await actFor(this.options.db, user, 'editPosting', { organisationId: context.organisationId });
        if (!acting.ok) return refused(acting.message);
        // The site comes too: a posting stays with its site, and the edit says so if it was changed.
        const decision = await this.options.capacity.edit(
          context.postingId,
          acting.value.actingAs,
          postingInput(values),
          requestId,
        );
        if (!decision.ok) return decision.errors ? invalid(decision.errors) : refused(decision.message);
        return { kind: 'done', message: said('Posting updated', 'Your capacity posting is updated.') };
      }
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
        return caseRef ? this.openChoiceForm(user, caseRef, card) : undefined;
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
    const { db } = this.options;
    switch (command.kind) {
      case 'help':
        return { kind: 'message', message: helpMessage() };
      case 'whoami': {
        const who = await identify(db, user, 'WHOAMI');
        if (!who.ok) return refused(who.message);
        const facts = who.value.memberships.map((m) => ({
          label: `${m.name} (${m.ods})`,
          value: m.roles.map((role) => humanise(role)).join(', '),
        }));
        return { kind: 'message', message: message({ title: 'You in mutual aid', facts }) };
      }
      case 'status':
        return this.status(user, command.caseRef);
      case 'choice':
        return this.openChoiceForm(user, command.caseRef);
      case 'link':
        return this.choiceLink(user, command.caseRef);
      case 'withdraw': {
        if (!command.reason) {
          const acting = await this.originStaff(user, command.caseRef, 'OPEN_WITHDRAW_FORM');
          if (!acting.ok) return refused(acting.message);
          return {
            kind: 'form',
            form: withdrawForm(command.caseRef, { caseRef: command.caseRef, openedFor: user.userId }),
          };
        }
        const done = await this.withdrawCase(user, command.caseRef, command.reason);
        return done.kind === 'done' ? { kind: 'message', message: done.message } : refusedReply(done);
      }
      case 'confirm': {
        const status = await this.options.journeys.status(command.caseRef);
        if (!status.ok) return refused(status.message);
        const chosen = status.value.offers.find((offer) => offer.offerId === status.value.chosenOfferId);
        if (!chosen) return refused(`Case ${command.caseRef} has no approved transfer to confirm.`);
        const acting = await actFor(db, user, 'confirmTransfer', { organisationId: chosen.providerOrgId });
        if (!acting.ok) return refused(acting.message);
        const decision = await this.options.journeys.confirmTransfer(
          command.caseRef,
          acting.value.actingAs,
          command.treatmentDate,
        );
        if (!decision.ok) return refused(decision.message);
        return {
          kind: 'message',
          message: said(
            'Transfer confirmed',
            `Treatment for ${command.caseRef} is booked for ${command.treatmentDate}.`,
          ),
        };
      }
      case 'list': {
        const acting = await actFor(db, user, 'OPEN_LISTING_FORM', {
          ods: command.ods,
          organisationId: command.organisationId,
          roles: ['COORDINATOR', 'CLINICIAN'],
        });
        if (!acting.ok) return refused(acting.message);
        const clinicians = await cliniciansOf(db, acting.value.membership.organisationId);
        return {
          kind: 'form',
          form: listingForm(acting.value.membership.ods, clinicians, {
            organisationId: acting.value.membership.organisationId,
            openedFor: user.userId,
          }),
        };
      }
      case 'post': {
        const acting = await actFor(db, user, 'OPEN_POSTING_FORM', {
          ods: command.ods,
          organisationId: command.organisationId,
          roles: ['CLINICIAN', 'MANAGER'],
        });
        if (!acting.ok) return refused(acting.message);
        const sites = await organisationSites(db, acting.value.membership.organisationId);
        if (sites.length === 0) return refused('Your organisation has no sites in mutual aid to post capacity for.');
        return {
          kind: 'form',
          form: postingForm(sites, { organisationId: acting.value.membership.organisationId, openedFor: user.userId }),
        };
      }
      case 'postings': {
        const acting = await actFor(db, user, 'LIST_POSTINGS', { ods: command.ods, roles: ['CLINICIAN', 'MANAGER'] });
        if (!acting.ok) return refused(acting.message);
        const sections = await this.postingSections([acting.value.membership.organisationId]);
        return {
          kind: 'message',
          message: message({
            title: `Open capacity postings: ${acting.value.membership.name}`,
            body: sections.length === 0 ? 'None open. Post capacity with `/mutualaid post`.' : undefined,
            sections,
          }),
        };
      }
      case 'connect': {
        const audience = command.audience;
        const acting =
          'region' in audience
            ? await this.regionAdmin(user, audience.region)
            : await actFor(db, user, 'CONNECT_CHANNEL', { ods: audience.ods, roles: ['ADMIN'] });
        if (!acting.ok) return refused(acting.message);
        await linkChannel(db, {
          platform: user.platform,
          workspaceId: user.workspaceId,
          channelId: where.channelId,
          audience:
            'region' in audience
              ? { region: audience.region }
              : { organisationId: acting.value.membership.organisationId, role: audience.role },
          linkedBy: acting.value.identity.personId,
          conversationReference: where.conversationReference,
        });
        await appendAudit(db, {
          action: 'CHANNEL_LINKED',
          actor: {
            kind: 'PERSON',
            personId: acting.value.identity.personId,
            organisationId: acting.value.membership.organisationId,
            channel: user.platform,
          },
          detail: {
            channelId: where.channelId,
            ...('region' in audience ? { region: audience.region } : { role: audience.role }),
          },
        });
        const who =
          'region' in audience
            ? `${humanise(audience.region)} escalations`
            : `${acting.value.membership.name} ${humanise(audience.role).toLowerCase()}s`;
        return { kind: 'message', message: said('Channel connected', `This channel now receives ${who}.`) };
      }
      case 'adduser': {
        const acting = await actFor(db, user, 'LINK_CHAT_USER', { ods: command.ods, roles: ['ADMIN'] });
        if (!acting.ok) return refused(acting.message);
        const personId = await linkChatUser(db, {
          platform: user.platform,
          workspaceId: user.workspaceId,
          externalUserId: command.userId,
          displayName: command.displayName,
          organisationId: acting.value.membership.organisationId,
          roles: command.roles,
        });
        await appendAudit(db, {
          action: 'CHAT_USER_LINKED',
          actor: {
            kind: 'PERSON',
            personId: acting.value.identity.personId,
            organisationId: acting.value.membership.organisationId,
            channel: user.platform,
          },
          detail: { personId, chatUserId: command.userId, roles: command.roles },
        });
        return {
          kind: 'message',
          message: said(
            'Person linked',
            `${command.displayName} now acts for ${acting.value.membership.name} as ${command.roles.map((r) => humanise(r).toLowerCase()).join(', ')}.`,
          ),
        };
      }
    }
  }

  // ─── Views ──────────────────────────────────────────────────────────────────

  /** A case's state, deadlines and offers. Origin staff and escalation leads see every offer; a provider its own. */
  async status(user: ChatUser, caseRef: string): Promise<Reply> {
    const { db, journeys } = this.options;
    const who = await identify(db, user, 'VIEW_CASE');
    if (!who.ok) return refused(who.message);
    const kase = await caseFactsForChat(db, caseRef);
    if (!kase) return refused(`There is no case ${caseRef}.`);
    const status = await journeys.status(caseRef);
    const orgIds = who.value.memberships.map((m) => m.organisationId);
    const seesAll =
      orgIds.includes(kase.originOrgId) || who.value.memberships.some((m) => m.roles.includes('ESCALATION_LEAD'));
    const sections: MessageSection[] = [];
    if (status.ok) {
      for (const offer of status.value.offers.filter((o) => seesAll || orgIds.includes(o.providerOrgId))) {
        sections.push({
          title: `Offer: ${offer.siteName}`,
          text: `${humanise(offer.status)} · treatment ${offer.proposedDate} · open until ${offer.validUntil.slice(0, 16).replace('T', ' ')} UTC · ${offer.clinicalTeam}`,
          facts: [],
          actions: [],
        });
      }
    }
    const state = status.ok ? status.value.state : kase.state;
    const deadlines = status.ok ? deadlineFacts(status.value) : [];
    const actions =
      state === 'CHOOSING' && orgIds.includes(kase.originOrgId)
        ? [
            {
              action: 'RECORD_CHOICE' as const,
              label: "Record patient's choice",
              ref: { caseRef, organisationId: kase.originOrgId },
            },
          ]
        : [];
    return {
      kind: 'message',
      message: message({
        title: `Case ${caseRef}`,
        body: `${humanise(state)} · round ${status.ok ? status.value.round : kase.round} · listed by ${kase.originName}`,
        facts: [...clinicalFacts(kase, this.now()), ...deadlines],
        sections,
        actions,
        footnote: seesAll ? undefined : 'Offers from other providers are not shown to you.',
      }),
    };
  }

  /** The Home tab: for each of the person's provider organisations, its open postings, live offers and matching cases. */
  async home(user: ChatUser): Promise<ChatMessage> {
    const { db } = this.options;
    const who = await identify(db, user, 'VIEW_HOME');
    if (!who.ok) return message({ title: 'Mutual aid', body: who.message, tone: 'refusal' });
    const providers = who.value.memberships.filter((m) => m.roles.some((r) => r === 'CLINICIAN' || r === 'MANAGER'));
    const orgIds = providers.map((m) => m.organisationId);
    const sections: MessageSection[] = [];
    const postings = await this.postingSections(orgIds);
    sections.push(...postings);
    const offers = await liveOffersOf(db, orgIds);
    for (const offer of offers) {
      sections.push({
        title: `Live offer: ${offer.caseRef}`,
        text: `${offer.siteName} · treatment ${offer.proposedDate} · open until ${offer.validUntil.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        facts: [],
        actions: [
          {
            action: 'WITHDRAW_OFFER',
            label: 'Withdraw offer',
            style: 'danger',
            ref: { caseRef: offer.caseRef, organisationId: offer.providerOrgId, offerId: offer.offerId },
          },
          { action: 'VIEW_CASE', label: 'Open case', ref: { caseRef: offer.caseRef } },
        ],
      });
    }
    const waiting = await this.matchingCases(orgIds);
    sections.push(...waiting);
    return message({
      title: 'Mutual aid',
      body:
        providers.length === 0
          ? 'You have no provider role, so there is nothing waiting for you here. Type `/mutualaid help` for commands.'
          : `${postings.length} open postings · ${offers.length} live offers · ${waiting.length} matching cases waiting for an answer`,
      sections,
    });
  }

  /** The message a bot post shows now, rebuilt from the notification it was delivered for. */
  async cardAt(user: ChatUser, card: CardRef): Promise<ChatMessage | undefined> {
    const key = await deliveryAt(this.options.db, { platform: user.platform, workspaceId: user.workspaceId, ...card });
    const notification = key ? await notificationByKey(this.options.db, key) : undefined;
    if (!notification) return undefined;
    return notificationMessage(this.options.db, notification, this.now());
  }

  /** One case as one provider sees it, as a card (for a refreshed single-case message). */
  async caseCard(caseRef: string, organisationId: string): Promise<ChatMessage | undefined> {
    const view = await providerCaseView(this.options.db, caseRef, organisationId);
    return view && providerCaseCard(view, organisationId, this.now());
  }

  // ─── The steps behind the entry points ──────────────────────────────────────

  private async offerChoices(caseRef: string, organisationId: string): Promise<OfferChoices> {
    const { db, policy } = this.options;
    const sites = await organisationSites(db, organisationId);
    const postings = (await postingsForCase(db, caseRef, { now: this.now(), limit: 200 }))
      .filter((p) => p.organisationId === organisationId)
      .slice(0, 20);
    return { sites, postings, maxOfferValidityMs: policy.maxOfferValidityMs };
  }

  private async submitOffer(
    user: ChatUser,
    context: FormContext,
    values: FormValues,
    requestId: string,
  ): Promise<SubmitReply> {
    if (!context.caseRef) return refused('This form is missing its case.');
    const acting = await actFor(this.options.db, user, 'makeOffer', {
      organisationId: context.organisationId,
      roles: ['CLINICIAN'],
    });
    if (!acting.ok) return refused(acting.message);
    const choices = await this.offerChoices(context.caseRef, acting.value.membership.organisationId);
    const parsed = parseOffer(values, choices, this.now());
    if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
    const decision = await this.options.journeys.makeOffer(context.caseRef, acting.value.actingAs, {
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
  }

  private async submitListing(user: ChatUser, context: FormContext, values: FormValues): Promise<SubmitReply> {
    const acting = await actFor(this.options.db, user, 'LIST_PATIENT', {
      organisationId: context.organisationId,
      roles: ['COORDINATOR', 'CLINICIAN'],
    });
    if (!acting.ok) return refused(acting.message);
    const result = await this.options.journeys.listPatient(
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
  }

  private async submitPosting(
    user: ChatUser,
    context: FormContext,
    values: FormValues,
    requestId: string,
  ): Promise<SubmitReply> {
    const acting = await actFor(this.options.db, user, 'POST_CAPACITY', {
      organisationId: context.organisationId,
      roles: ['CLINICIAN', 'MANAGER'],
    });
    if (!acting.ok) return refused(acting.message);
    const decision = await this.options.capacity.post(postingInput(values), acting.value.actingAs, uuidFrom(requestId));
    if (!decision.ok) return decision.errors ? invalid(decision.errors) : refused(decision.message);
    const terms = decision.value.terms;
    return {
      kind: 'done',
      message: said(
        'Capacity posted',
        `${terms.slots} slots in ${specialtyName(terms.specialtyCode)}, ${terms.availableFrom} to ${terms.availableUntil}. Matching patients will be sent to your clinicians.`,
      ),
    };
  }

  private async withdrawCase(
    user: ChatUser,
    caseRef: string,
    reason: WithdrawReason,
    requestId?: string,
  ): Promise<SubmitReply> {
    const acting = await this.originStaff(user, caseRef, 'withdrawCase');
    if (!acting.ok) return refused(acting.message);
    const decision = await this.options.journeys.withdrawCase(caseRef, acting.value, reason, requestId);
    if (!decision.ok) return refused(decision.message);
    return {
      kind: 'done',
      message: said(
        'Case withdrawn',
        `${caseRef} is withdrawn (${WITHDRAW_REASON_WORDS[reason].toLowerCase()}). Providers with offers are told.`,
      ),
    };
  }

  private async openChoiceForm(user: ChatUser, caseRef: string, card?: CardRef): Promise<Reply> {
    const acting = await this.originStaff(user, caseRef, 'OPEN_CHOICE_FORM');
    if (!acting.ok) return refused(acting.message);
    const status = await this.options.journeys.status(caseRef);
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

  private async choiceLink(user: ChatUser, caseRef: string): Promise<Reply> {
    const acting = await this.originStaff(user, caseRef, 'ISSUE_PATIENT_LINK');
    if (!acting.ok) return refused(acting.message);
    const links = this.options.patientLinks;
    if (!links)
      return refused('Patient links are not set up here: PATIENT_LINK_SECRET and PUBLIC_BASE_URL are needed.');
    const status = await this.options.journeys.status(caseRef);
    if (!status.ok) return refused(status.message);
    if (status.value.state !== 'CHOOSING') {
      return refused(
        `Case ${caseRef} has no offers waiting for the patient, so there is nothing for them to choose yet.`,
      );
    }
    const rounds = await caseRounds(this.options.db, [caseRef]);
    const link = await links.issue(caseRef, rounds.get(caseRef) ?? status.value.round, acting.value.personId);
    await appendAudit(this.options.db, {
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

  /** The person as staff of the case's listing trust. */
  private async originStaff(user: ChatUser, caseRef: string, action: string) {
    const kase = await caseFactsForChat(this.options.db, caseRef);
    if (!kase) return { ok: false as const, message: `There is no case ${caseRef}.` };
    const acting = await actFor(this.options.db, user, action, {
      organisationId: kase.originOrgId,
      roles: ['COORDINATOR', 'CLINICIAN', 'MANAGER'],
    });
    return acting.ok ? { ok: true as const, value: acting.value.actingAs } : acting;
  }

  /** An admin of any organisation in the region may point the region's escalations at a channel. */
  private async regionAdmin(user: ChatUser, region: string) {
    const who = await identify(this.options.db, user, 'CONNECT_CHANNEL');
    if (!who.ok) return who;
    const membership = who.value.memberships.find(
      (m) => m.region === region && m.roles.some((r) => r === 'ADMIN' || r === 'ESCALATION_LEAD'),
    );
    if (!membership) {
      return {
        ok: false as const,
        message: 'Only an admin or escalation lead in that region can connect its escalations.',
      };
    }
    return { ok: true as const, value: { identity: who.value, membership } };
  }

  private async postingSections(organisationIds: string[]): Promise<MessageSection[]> {
    const postings = await openPostingsOf(this.options.db, organisationIds);
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

  /** Cases matching the organisations' open postings that they have not answered, best first. */
  private async matchingCases(organisationIds: string[], limit = 10): Promise<MessageSection[]> {
    const { db } = this.options;
    const sections: MessageSection[] = [];
    const seen = new Set<string>();
    for (const posting of await openPostingsOf(db, organisationIds)) {
      for (const match of await casesForPosting(db, posting.postingId, { now: this.now(), limit })) {
        const key = `${posting.organisationId}/${match.caseRef}`;
        if (seen.has(key) || sections.length >= limit) continue;
        seen.add(key);
        const view = await providerCaseView(db, match.caseRef, posting.organisationId);
        if (view) sections.push(providerCaseSection(view, posting.organisationId, this.now()));
      }
    }
    return sections;
  }
}

function nextStep(status: JourneyStatus): string {
  switch (status.state) {
    case 'AWAITING_APPROVAL':
      return 'Waiting for the other manager.';
    case 'APPROVED':
      return 'Both trusts have approved: the receiving provider confirms the date next.';
    case 'RELISTED':
    case 'OPEN_FOR_OFFERS':
      return 'The case is open for offers again.';
    default:
      return `The case is now ${humanise(status.state).toLowerCase()}.`;
  }
}

function deadlineFacts(status: JourneyStatus) {
  const at = (iso?: string) => iso && `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const rows: [string, string | undefined][] = [
    ['Offers close', at(status.deadlines.offerWindowClosesAt)],
    ['Choice due', at(status.deadlines.choiceDueAt)],
    ['Approval due', at(status.deadlines.approvalDueAt)],
    ['Transfer due', at(status.deadlines.transferDueAt)],
  ];
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => ({ label, value }));
}

function helpMessage(): ChatMessage {
  return message({
    title: 'Mutual aid commands',
    body: 'Type `/mutualaid` (Slack) or message the bot (Teams) with one of these. Chat never shows patient details: use case references.',
    facts: HELP_LINES.map(([syntax, what]) => ({ label: syntax, value: what })),
  });
}

function invalid(errors: FieldError[]): SubmitReply {
  return { kind: 'invalid', errors: errors.map((e) => ({ field: e.field, message: e.message })) };
}

function fieldOrRefusal(decision: Decision<never> & { ok: false }, field: string, codes: string[]): SubmitReply {
  return codes.includes(decision.code)
    ? { kind: 'invalid', errors: [{ field, message: decision.message }] }
    : refused(decision.message);
}

function refusedReply(reply: SubmitReply): Reply {
  return reply.kind === 'refused' ? reply : refused('That did not work: check the details and try again.');
}
