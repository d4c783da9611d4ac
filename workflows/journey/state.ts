/** The journey's in-memory state, as the workflow keeps it and the status Query shows it. */
import type { CaseState, CloseReason, WithdrawReason } from '../../domain/journey-states';
import type { ApprovalView, JourneyDeadlines, JourneyStatus, OfferView, PatientChoice } from '../contract';

export interface JourneyState {
  caseRef: string;
  originOrgId: string;
  state: CaseState;
  round: number;
  offers: OfferView[];
  choice?: PatientChoice;
  approvals: ApprovalView[];
  deadlines: JourneyDeadlines;
  /** Providers whose offers the patient declined, across rounds. */
  declinedProviderIds: string[];
  /** Providers that said "not for us". */
  passedProviderIds: string[];
  flaggedForReview: boolean;
  closedReason?: CloseReason | WithdrawReason;
  transferConfirmed: boolean;
}

export function initialState(caseRef: string, originOrgId: string): JourneyState {
  return {
    caseRef,
    originOrgId,
    state: 'LISTED',
    round: 0,
    offers: [],
    approvals: [],
    deadlines: {},
    declinedProviderIds: [],
    passedProviderIds: [],
    flaggedForReview: false,
    transferConfirmed: false,
  };
}

export const isTerminal = (s: JourneyState): boolean =>
  s.state === 'WITHDRAWN' || s.state === 'CLOSED' || s.state === 'TRANSFERRED';

export const acceptsOffers = (s: JourneyState): boolean =>
  s.state === 'OPEN_FOR_OFFERS' || s.state === 'RELISTED' || s.state === 'CHOOSING';

export const liveOffers = (s: JourneyState): OfferView[] => s.offers.filter((offer) => offer.status === 'LIVE');

export const chosenOffer = (s: JourneyState): OfferView | undefined =>
  s.offers.find((offer) => offer.status === 'CHOSEN' && offer.round === s.round);

export function toStatus(s: JourneyState): JourneyStatus {
  const chosen = chosenOffer(s);
  return {
    caseRef: s.caseRef,
    state: s.state,
    round: s.round,
    offers: s.offers.map((offer) => ({ ...offer })),
    chosenOfferId: chosen?.offerId,
    approvals: s.approvals.map((approval) => ({ ...approval })),
    deadlines: { ...s.deadlines },
    declinedOfferCount: s.declinedProviderIds.length,
    passedProviderIds: [...s.passedProviderIds],
    flaggedForReview: s.flaggedForReview,
    closedReason: s.closedReason,
  };
}
