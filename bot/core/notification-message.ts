/**
 * Turns a journey notification into the channel-neutral message its audience
 * sees: the shared sentence, the case's clinical summary, and the buttons the
 * audience can press (offer or pass for providers, approve or reject for
 * managers, record the choice for the listing team, open a case for everyone).
 * A digest becomes one section per case, within a per-message limit.
 */
import { offerLabel, organisationNames } from '../../db/chat-lookups';
import type { Db } from '../../db/client';
import { approvalDecision, caseFactsForChat, providerCaseView } from '../../db/chat-views';
import type { ApprovalSide } from '../../domain/journey-states';
import type { JourneyNotification, NotificationKind } from '../../domain/notifications';
import { clinicalFacts, providerCaseSection } from './case-card';
import { message, type ChatMessage, type MessageAction, type MessageSection } from './message';
import { caseRefsInField, describeAudience, notificationSentence } from './notification-text';
import { weeklyDigestMessage } from './weekly-digest-message';
import { requestSummary } from '../../db/patient-requests';
import { requestMessage } from './request-card';

/** Cases shown in one digest message; the rest are counted in words (Block Kit allows 50 blocks). */
export const MAX_CASES_PER_MESSAGE = 10;

const TITLES: Record<NotificationKind, string> = {
  CASE_OPEN_FOR_OFFERS: 'Listed for mutual aid',
  OFFER_WINDOW_CLOSING: 'Offer window closing',
  NO_OFFERS_ESCALATION: 'Escalation: no offers',
  OFFER_RECEIVED: 'New offer',
  OFFER_WITHDRAWN: 'Offer withdrawn',
  OFFER_EXPIRED: 'Offer expired',
  CHOICE_NEEDED: "Patient's choice needed",
  CHOICE_REMINDER: "Reminder: patient's choice",
  CHOICE_OVERDUE_ESCALATION: "Escalation: patient's choice overdue",
  OFFER_CHOSEN: 'Your offer was chosen',
  PATIENT_CHOSE: 'The patient chose an offer',
  OFFER_NOT_CHOSEN: 'Offer not chosen',
  APPROVAL_REQUESTED: 'Approval needed',
  APPROVAL_REMINDER: 'Reminder: approval due',
  APPROVAL_OVERDUE_ESCALATION: 'Escalation: approval overdue',
  TRANSFER_APPROVED: 'Transfer approved',
  TRANSFER_REJECTED: 'Transfer not approved',
  TRANSFER_REMINDER: 'Reminder: confirm the treatment date',
  TRANSFER_OVERDUE_ESCALATION: 'Escalation: transfer not confirmed',
  TRANSFERRED: 'Transferred',
  CASE_RELISTED: 'Relisted',
  CASE_CLOSED: 'Case closed',
  CASE_WITHDRAWN: 'Case withdrawn',
  REVIEW_FLAGGED: 'Flagged for review',
  PATIENT_REQUEST: 'A patient asks to move',
  PATIENT_REQUEST_REMINDER: 'Reminder: a patient asks to move',
  NEW_MATCHES_DIGEST: 'Waiting patients match your capacity',
  ESCALATION_DIGEST: 'Daily escalation digest',
  WEEKLY_DIGEST: 'Weekly mutual-aid digest: where journeys stall',
};

const ESCALATIONS: NotificationKind[] = [
  'NO_OFFERS_ESCALATION',
  'CHOICE_OVERDUE_ESCALATION',
  'APPROVAL_OVERDUE_ESCALATION',
  'TRANSFER_OVERDUE_ESCALATION',
  'REVIEW_FLAGGED',
];

const isKind = (kind: string): kind is NotificationKind => Object.prototype.hasOwnProperty.call(TITLES, kind);

const more = (shown: number, total: number, where: string): string | undefined =>
  total > shown ? `${total - shown} more not shown here: ${where}.` : undefined;

export async function notificationMessage(db: Db, notification: JourneyNotification, now: Date): Promise<ChatMessage> {
  const { kind, caseRef, audience } = notification;
  const data = notification.data ?? {};
  const audienceOrg = audience.kind === 'ORGANISATION' ? audience.organisationId : undefined;
  const names = await organisationNames(db, audienceOrg ? [audienceOrg] : []);
  const offer = typeof data.offerId === 'string' ? await offerLabel(db, data.offerId) : undefined;
  const sentence = notificationSentence(kind, data, offer);
  const title = isKind(kind) ? TITLES[kind] : 'Update';
  const forWhom = describeAudience(audience, (id) => names.get(id));
  const tone = isKind(kind) && ESCALATIONS.includes(kind) ? 'warning' : 'info';

  if (kind === 'NEW_MATCHES_DIGEST' && audienceOrg) {
    const refs = caseRefsInField(data, 'caseRefs');
    const total = Math.max(typeof data.count === 'number' ? data.count : 0, refs.length);
    const sections: MessageSection[] = [];
    for (const ref of refs.slice(0, MAX_CASES_PER_MESSAGE)) {
      const view = await providerCaseView(db, ref, audienceOrg);
      if (view) sections.push(providerCaseSection(view, audienceOrg, now));
    }
    return message({
      title,
      body: sentence,
      sections,
      footnote: more(sections.length, total, 'see the Home tab of the mutual-aid app'),
      text: `${title} (${forWhom}): ${sentence}`,
    });
  }

  if (kind === 'ESCALATION_DIGEST') {
    const refs = caseRefsInField(data, 'stalled');
    const sections = refs.slice(0, MAX_CASES_PER_MESSAGE).map((ref): MessageSection => ({
      title: ref,
      text: 'Stalled: no change for longer than expected.',
      facts: [],
      actions: [{ action: 'VIEW_CASE', label: 'Open case', ref: { caseRef: ref } }],
    }));
    return message({
      title,
      body: sentence,
      sections,
      footnote: more(sections.length, refs.length, 'open them from the escalation digest in the database'),
      text: `${title} (${forWhom}): ${sentence}`,
      tone: 'warning',
    });
  }

  if ((kind === 'PATIENT_REQUEST' || kind === 'PATIENT_REQUEST_REMINDER') && audienceOrg) {
    const request = typeof data.requestId === 'string' ? await requestSummary(db, data.requestId, now) : undefined;
    if (request) return requestMessage(request, title, sentence, audienceOrg, forWhom);
  }

  if (kind === 'WEEKLY_DIGEST') return weeklyDigestMessage(data, title, forWhom);

  const kase = caseRef ? await caseFactsForChat(db, caseRef) : undefined;
  const actions: MessageAction[] = [];
  let decision = '';
  if (caseRef) {
    if ((kind === 'APPROVAL_REQUESTED' || kind === 'APPROVAL_REMINDER') && audienceOrg && kase) {
      const side: ApprovalSide =
        data.side === 'ORIGIN_RELEASE' || data.side === 'RECEIVING_ACCEPTANCE'
          ? data.side
          : audienceOrg === kase.originOrgId
            ? 'ORIGIN_RELEASE'
            : 'RECEIVING_ACCEPTANCE';
      const ref = { caseRef, organisationId: audienceOrg, side };
      const decided =
        typeof data.offerId === 'string' ? await approvalDecision(db, caseRef, data.offerId, side) : undefined;
      if (decided) {
        decision = `${decided.approved ? 'Approved' : 'Rejected'} by ${decided.decidedByName}.`;
      } else if (kase.state === 'AWAITING_APPROVAL') {
        actions.push(
          {
            action: 'APPROVE',
            label: side === 'ORIGIN_RELEASE' ? 'Approve release' : 'Approve acceptance',
            style: 'primary',
            ref,
          },
          { action: 'REJECT', label: 'Reject', style: 'danger', ref },
        );
      }
    }
    if ((kind === 'CHOICE_NEEDED' || kind === 'CHOICE_REMINDER') && audienceOrg && kase?.state === 'CHOOSING') {
      actions.push({
        action: 'RECORD_CHOICE',
        label: "Record patient's choice",
        style: 'primary',
        ref: { caseRef, organisationId: audienceOrg },
      });
    }
    actions.push({ action: 'VIEW_CASE', label: 'Open case', ref: { caseRef, organisationId: audienceOrg } });
  }
  const head = caseRef ? `${title}: ${caseRef}` : title;
  return message({
    title: head,
    body: decision ? `${sentence} ${decision}` : sentence,
    facts: kase ? clinicalFacts(kase, now) : [],
    actions,
    text: `${head} (${forWhom}): ${sentence}${decision ? ` ${decision}` : ''}`,
    tone,
  });
}
