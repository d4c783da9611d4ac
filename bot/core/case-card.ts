/**
 * The case card: what a provider sees about a waiting patient (case
 * reference, specialty, procedure, care type, priority, weeks waiting, BMI,
 * ASA, age band, distance from its nearest site) and the buttons it can press
 * given what it has already answered. Built from clinical columns only: the
 * card has no way to show a name, NHS number, date of birth or postcode.
 */
import type { CaseFactsForChat, ProviderCaseView } from '../../db/chat-views';
import { weeksWaiting } from '../../domain/rtt';
import type { CaseState } from '../../domain/journey-states';
import { humanise } from './forms';
import type { Fact, MessageAction, MessageSection } from './message';
import { specialtyName } from './notification-text';

const PRIORITY_WORDS: Record<string, string> = {
  P1: 'P1 (within 72 hours)',
  P2: 'P2 (within 1 month)',
  P3: 'P3 (within 3 months)',
  P4: 'P4 (can wait over 3 months)',
};

const OPEN_TO_OFFERS: CaseState[] = ['OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING'];

/** The clinical summary as labelled facts, the same on every card and status. */
export function clinicalFacts(kase: CaseFactsForChat, now: Date): Fact[] {
  return [
    { label: 'Specialty', value: `${specialtyName(kase.specialtyCode)} (${kase.specialtyCode})` },
    { label: 'Procedure', value: kase.procedure },
    { label: 'Care type', value: humanise(kase.careType) },
    { label: 'Priority', value: PRIORITY_WORDS[kase.priority] ?? kase.priority },
    { label: 'Waiting', value: `${weeksWaiting(kase.rttClockStart, now)} weeks` },
    { label: 'BMI', value: String(kase.bmi) },
    { label: 'ASA grade', value: String(kase.asa) },
    { label: 'Age band', value: kase.ageBand },
    ...(kase.needsCriticalCare ? [{ label: 'Critical care', value: 'Needed' }] : []),
  ];
}

const distanceFact = (view: ProviderCaseView): Fact[] =>
  view.nearestSiteMiles === undefined
    ? []
    : [{ label: 'Distance', value: `${view.nearestSiteMiles} miles from ${view.nearestSiteName}` }];

/** What the provider can still do, and the sentence saying where it stands. */
function providerStanding(view: ProviderCaseView, organisationId: string): { body: string; actions: MessageAction[] } {
  const ref = { caseRef: view.caseRef, organisationId };
  if (view.offer?.status === 'LIVE') {
    return {
      body: `Your offer: ${view.offer.siteName}, treatment ${view.offer.proposedDate}, open until ${view.offer.validUntil.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      actions: [
        {
          action: 'WITHDRAW_OFFER',
          label: 'Withdraw offer',
          style: 'danger',
          ref: { ...ref, offerId: view.offer.offerId },
        },
      ],
    };
  }
  if (view.offer?.status === 'CHOSEN') {
    return { body: 'The patient chose your offer. Manager approvals are next.', actions: [] };
  }
  if (view.passed) return { body: 'Your team said this case is not for you.', actions: [] };
  if (!OPEN_TO_OFFERS.includes(view.state)) {
    return { body: 'This case is no longer open for offers.', actions: [] };
  }
  const lapsed = view.offer ? ` Your earlier offer is ${view.offer.status.toLowerCase().replace('_', ' ')}.` : '';
  return {
    body: `Listed by ${view.originName}. Open for offers.${lapsed}`,
    actions: [
      { action: 'OFFER_TREATMENT', label: 'Offer treatment', style: 'primary', ref },
      { action: 'NOT_FOR_US', label: 'Not for us', ref },
    ],
  };
}

/** One case as a section of a digest or home tab. */
export function providerCaseSection(view: ProviderCaseView, organisationId: string, now: Date): MessageSection {
  const standing = providerStanding(view, organisationId);
  return {
    title: view.caseRef,
    text: standing.body,
    facts: [...clinicalFacts(view, now), ...distanceFact(view)],
    actions: standing.actions,
  };
}
