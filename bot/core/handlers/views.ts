/**
 * What the bot shows on request: a case's status, the Home tab, the command
 * help, who the person is, and a bot post or case card rebuilt for a refresh.
 */
import { deliveryAt } from '../../../db/chat-directory';
import { caseFactsForChat, liveOffersOf, openPostingsOf, providerCaseView } from '../../../db/chat-views';
import { casesForPosting } from '../../../db/matching';
import { notificationByKey } from '../../../db/outbox';
import type { JourneyStatus } from '../../../workflows/contract';
import { clinicalFacts, providerCaseSection } from '../case-card';
import { identify, type ChatUser } from '../chat-user';
import { HELP_LINES } from '../commands';
import { humanise } from '../forms';
import { message, type ChatMessage, type MessageSection } from '../message';
import { notificationMessage } from '../notification-message';
import { postingSections } from './capacity';
import { refused, type CardRef, type HandlerContext, type Reply } from './context';

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

/** A case's state, deadlines and offers. Origin staff and escalation leads see every offer; a provider its own. */
export async function caseStatus(ctx: HandlerContext, user: ChatUser, caseRef: string): Promise<Reply> {
  const { db, journeys } = ctx;
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
      facts: [...clinicalFacts(kase, ctx.now()), ...deadlines],
      sections,
      actions,
      footnote: seesAll ? undefined : 'Offers from other providers are not shown to you.',
    }),
  };
}

/** Cases matching the organisations' open postings that they have not answered, best first. */
async function matchingCases(ctx: HandlerContext, organisationIds: string[], limit = 10): Promise<MessageSection[]> {
  const { db } = ctx;
  const sections: MessageSection[] = [];
  const seen = new Set<string>();
  for (const posting of await openPostingsOf(db, organisationIds)) {
    for (const match of await casesForPosting(db, posting.postingId, { now: ctx.now(), limit })) {
      const key = `${posting.organisationId}/${match.caseRef}`;
      if (seen.has(key) || sections.length >= limit) continue;
      seen.add(key);
      const view = await providerCaseView(db, match.caseRef, posting.organisationId);
      if (view) sections.push(providerCaseSection(view, posting.organisationId, ctx.now()));
    }
  }
  return sections;
}

/** The Home tab: for each of the person's provider organisations, its open postings, live offers and matching cases. */
export async function home(ctx: HandlerContext, user: ChatUser): Promise<ChatMessage> {
  const { db } = ctx;
  const who = await identify(db, user, 'VIEW_HOME');
  if (!who.ok) return message({ title: 'Mutual aid', body: who.message, tone: 'refusal' });
  const providers = who.value.memberships.filter((m) => m.roles.some((r) => r === 'CLINICIAN' || r === 'MANAGER'));
  const orgIds = providers.map((m) => m.organisationId);
  const sections: MessageSection[] = [];
  const postings = await postingSections(ctx, orgIds);
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
  const waiting = await matchingCases(ctx, orgIds);
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

export function helpMessage(): ChatMessage {
  return message({
    title: 'Mutual aid commands',
    body: 'Type `/mutualaid` (Slack) or message the bot (Teams) with one of these. Chat never shows patient details: use case references.',
    facts: HELP_LINES.map(([syntax, what]) => ({ label: syntax, value: what })),
  });
}

/** `whoami`: the person's organisations and roles. */
export async function whoami(ctx: HandlerContext, user: ChatUser): Promise<Reply> {
  const who = await identify(ctx.db, user, 'WHOAMI');
  if (!who.ok) return refused(who.message);
  const facts = who.value.memberships.map((m) => ({
    label: `${m.name} (${m.ods})`,
    value: m.roles.map((role) => humanise(role)).join(', '),
  }));
  return { kind: 'message', message: message({ title: 'You in mutual aid', facts }) };
}

/** The message a bot post shows now, rebuilt from the notification it was delivered for. */
export async function cardAt(ctx: HandlerContext, user: ChatUser, card: CardRef): Promise<ChatMessage | undefined> {
  const key = await deliveryAt(ctx.db, { platform: user.platform, workspaceId: user.workspaceId, ...card });
  const notification = key ? await notificationByKey(ctx.db, key) : undefined;
  if (!notification) return undefined;
  return notificationMessage(ctx.db, notification, ctx.now());
}
