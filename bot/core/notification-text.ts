/**
 * The words of every journey notification, shared by every chat front end
 * (console, Slack, Teams): one sentence per kind, who it is for, and the
 * clinical summary. Pure: the caller looks up names and the summary.
 *
 * Only the fields named here are ever shown. Nothing in the inputs carries an
 * NHS number, name, date of birth or full postcode, and nothing here prints a
 * payload wholesale, so a field added to a notification later cannot leak
 * into chat by accident.
 */
import { TREATMENT_FUNCTIONS, isTreatmentFunctionCode, type Region, type Role } from '../../domain/codes';
import type { Audience, NotificationKind } from '../../domain/notifications';
import { weeklyDigestSentence } from './weekly-digest-text';

/** What chat may say about a case (DESIGN.md, Privacy): clinical codes and bands, no identifiers. */
export interface ClinicalSummary {
  specialtyCode: string;
  procedure: string;
  priority: string;
  weeksWaiting: number;
  bmi: number;
  asa: number;
  ageBand: string;
}

/** The offer a notification is about, as the provider described it. */
export interface OfferLabel {
  siteName: string;
  providerName: string;
  proposedDate: string;
}

export interface NotificationMessage {
  kind: string;
  caseRef: string | null;
  audience: Audience;
  data: Record<string, unknown>;
}

export interface RenderContext {
  /** Organisation id → name, for the audience. */
  organisationName: (organisationId: string) => string | undefined;
  /** Present when the notification names an offer that could be found. */
  offer?: OfferLabel;
}

const REGION_NAMES: Record<Region, string> = {
  NORTH_EAST_AND_YORKSHIRE: 'North East and Yorkshire',
  NORTH_WEST: 'North West',
  MIDLANDS: 'Midlands',
  EAST_OF_ENGLAND: 'East of England',
  LONDON: 'London',
  SOUTH_EAST: 'South East',
  SOUTH_WEST: 'South West',
};

const ROLE_PLURALS: Record<Role, string> = {
  CLINICIAN: 'clinicians',
  MANAGER: 'managers',
  COORDINATOR: 'coordinators',
  ADMIN: 'admins',
  ESCALATION_LEAD: 'escalation leads',
};

const CLOSE_AND_WITHDRAW_REASONS: Record<string, string> = {
  STAYED_LOCAL: 'the patient chose to stay with their local hospital',
  NO_OFFERS: 'no provider offered in any round',
  ROUNDS_EXHAUSTED: 'every offer round has been used',
  NO_MATCH_IN_TIME:
    'no transfer was agreed within the patient-initiated deadline: please tell the patient they keep their place on your waiting list',
  TREATED_LOCALLY: 'the patient is being treated locally',
  NO_LONGER_NEEDED: 'treatment is no longer needed',
  PATIENT_CHANGED_MIND: 'the patient changed their mind',
  CLINICAL_CHANGE: 'the clinical picture changed',
  OTHER: 'the listing trust withdrew it',
};

type Data = Record<string, unknown>;

const count = (data: Data, field: string): number => {
  const value = data[field];
  return typeof value === 'number' ? value : 0;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const reason = (data: Data) => CLOSE_AND_WITHDRAW_REASONS[String(data.reason)] ?? 'no reason given';
const side = (data: Data) => (data.side === 'RECEIVING_ACCEPTANCE' ? 'accept the patient' : 'release the patient');
const offerText = (offer: OfferLabel | undefined) =>
  offer ? `${offer.siteName} (${offer.providerName}), treatment ${offer.proposedDate}` : 'an offer';
/** Case references only (`MA-` and eight characters), whatever else a field carries. */
const caseRefsIn = (data: Data, field: string): string[] =>
  typeof data[field] === 'string' ? (data[field].match(/\bMA-[0-9A-HJKMNP-TV-Z]{8}\b/g) ?? []) : [];
const refList = (data: Data, field: string): string => {
  const refs = caseRefsIn(data, field);
  const more = count(data, 'count') - refs.length;
  return refs.length === 0 ? 'see the matching list' : `${refs.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
};
/** An escalation list: `MA-… STATE 9d 50w` or `MA-… 49w→52`, each part checked before it is shown. */
const listed = (data: Data, field: string): string => {
  const value = data[field];
  if (typeof value !== 'string' || value === '') return '';
  const entry = /^MA-[0-9A-HJKMNP-TV-Z]{8}( [A-Z_]+ \d+d \d+w| \d+w→\d+)$/;
  const entries = value.split(', ').filter((part) => entry.test(part));
  return entries.length > 0 ? ` (${entries.join(', ')})` : '';
};
const dateText = (data: Data, field: string): string => {
  const value = data[field];
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : 'a date to be confirmed';
};

/** One sentence per kind; a new kind fails to compile until it has one. */
const SENTENCES: Record<NotificationKind, (data: Data, offer?: OfferLabel) => string> = {
  CASE_OPEN_FOR_OFFERS: (d) => `Listed and open for offers (round ${count(d, 'round')}).`,
  OFFER_WINDOW_CLOSING: (d) => `Offer window closing soon with ${plural(count(d, 'liveOffers'), 'live offer')}.`,
  NO_OFFERS_ESCALATION: (d) => `No provider offered in round ${count(d, 'round')}: escalated to the region.`,
  OFFER_RECEIVED: (_d, o) => `New offer: ${offerText(o)}.`,
  OFFER_WITHDRAWN: (_d, o) => `Offer withdrawn by the provider: ${offerText(o)}.`,
  OFFER_EXPIRED: (_d, o) => `Offer expired: ${offerText(o)}.`,
  CHOICE_NEEDED: (d) =>
    `${plural(count(d, 'liveOffers'), 'offer')} ready: please take the patient through their choice.`,
  CHOICE_REMINDER: () => `Reminder: the patient's choice is due soon.`,
  CHOICE_OVERDUE_ESCALATION: () => `The patient's choice is overdue: escalated to the region.`,
  PATIENT_CHOSE: (_d, o) => `The patient chose ${offerText(o)}. Manager approvals are next.`,
  OFFER_CHOSEN: (_d, o) => `The patient chose your offer: ${offerText(o)}. Approvals are next.`,
  OFFER_NOT_CHOSEN: (_d, o) => `The patient chose another provider; your offer is closed: ${offerText(o)}.`,
  APPROVAL_REQUESTED: (d, o) => `Manager approval needed to ${side(d)}: ${offerText(o)}.`,
  APPROVAL_REMINDER: () => `Reminder: a transfer approval is due soon.`,
  APPROVAL_OVERDUE_ESCALATION: () => `A transfer approval is overdue: escalated to the region.`,
  TRANSFER_APPROVED: (d, o) =>
    `Transfer approved by both trusts: ${offerText(o)}.${d.iptReady === true ? ' IPT data set ready for your managers.' : ''}`,
  TRANSFER_REJECTED: (d) =>
    d.timedOut === true ? 'Transfer not approved in time; the offer has lapsed.' : 'Transfer rejected by a manager.',
  TRANSFER_REMINDER: () => `Reminder: please confirm the treatment date for this transfer.`,
  TRANSFER_OVERDUE_ESCALATION: () => `Transfer confirmation is overdue: escalated to the region.`,
  TRANSFERRED: (d) => `Transfer confirmed: treatment booked for ${dateText(d, 'treatmentDate')}.`,
  CASE_RELISTED: (d) => `Relisted for offers (round ${count(d, 'round')}).`,
  CASE_CLOSED: (d) => `Case closed: ${reason(d)}.`,
  CASE_WITHDRAWN: (d) => `Case withdrawn: ${reason(d)}.`,
  REVIEW_FLAGGED: (d) =>
    `Flagged for review: the patient declined offers from ${plural(count(d, 'declinedOfferCount'), 'provider')}.`,
  PATIENT_REQUEST: () =>
    'A patient asked to be treated elsewhere (patient-initiated mutual aid). Is the move clinically and socially appropriate?',
  PATIENT_REQUEST_REMINDER: () => 'A patient is still waiting to hear whether moving is appropriate for them.',
  NEW_MATCHES_DIGEST: (d) =>
    `${plural(count(d, 'count'), 'waiting patient')} newly match your capacity: ${refList(d, 'caseRefs')}.`,
  ESCALATION_DIGEST: (d) =>
    `Daily escalation digest: ${plural(count(d, 'stalledCount'), 'stalled case')}${listed(d, 'stalled')}; ` +
    `${count(d, 'approachingCount')} nearing 52/65/78 weeks (${count(d, 'approaching52')}/${count(d, 'approaching65')}/${count(d, 'approaching78')})${listed(d, 'approaching')}.`,
  WEEKLY_DIGEST: (d) => weeklyDigestSentence(d),
};

const isKnownKind = (kind: string): kind is NotificationKind => Object.prototype.hasOwnProperty.call(SENTENCES, kind);

/** The sentence for a notification; an unknown kind (from a newer worker) gets a neutral one. */
export function notificationSentence(kind: string, data: Data, offer?: OfferLabel): string {
  return isKnownKind(kind) ? SENTENCES[kind](data, offer) : 'Update on this case.';
}

export const specialtyName = (code: string): string =>
  isTreatmentFunctionCode(code) ? TREATMENT_FUNCTIONS[code] : code;

/** Case references in a digest field (`MA-` and eight characters), whatever else the field carries. */
export const caseRefsInField = (data: Data, field: string): string[] => caseRefsIn(data, field);

export function describeAudience(audience: Audience, organisationName: RenderContext['organisationName']): string {
  if (audience.kind === 'REGION_ESCALATION') return `${REGION_NAMES[audience.region]} escalation leads`;
  const name = organisationName(audience.organisationId) ?? 'an unknown organisation';
  const roles = audience.roles.map((role) => ROLE_PLURALS[role]).join(', ');
  return roles ? `${name} (${roles})` : name;
}

export function describeSummary(summary: ClinicalSummary): string {
  return [
    specialtyName(summary.specialtyCode),
    summary.procedure,
    summary.priority,
    `${summary.weeksWaiting} wks waiting`,
    `BMI ${summary.bmi}`,
    `ASA ${summary.asa}`,
    `age ${summary.ageBand}`,
  ].join(' · ');
}
