/** The states and outcomes of a patient's journey, shared by the workflow, the database and the bot. */

export const CASE_STATES = [
  'LISTED',
  'OPEN_FOR_OFFERS',
  'CHOOSING',
  'AWAITING_APPROVAL',
  'APPROVED',
  'TRANSFERRED',
  /** Open for offers again after a decline, a timeout or a window with no offers. */
  'RELISTED',
  'WITHDRAWN',
  'CLOSED',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const TERMINAL_CASE_STATES: readonly CaseState[] = ['TRANSFERRED', 'WITHDRAWN', 'CLOSED'];

export const OFFER_STATUSES = [
  'LIVE',
  'WITHDRAWN',
  'EXPIRED',
  'CHOSEN',
  'NOT_CHOSEN',
  'DECLINED',
  'REJECTED',
  'LAPSED',
] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export const APPROVAL_SIDES = ['ORIGIN_RELEASE', 'RECEIVING_ACCEPTANCE'] as const;
export type ApprovalSide = (typeof APPROVAL_SIDES)[number];

export const CHOICE_OUTCOMES = ['ACCEPTED_OFFER', 'DECLINED_ALL', 'STAYED_LOCAL'] as const;
export type ChoiceOutcome = (typeof CHOICE_OUTCOMES)[number];

export const CHAT_PLATFORMS = ['SLACK', 'TEAMS'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/** NO_MATCH_IN_TIME: a patient-initiated case not approved within its deadline; the patient keeps their place. */
export const CLOSE_REASONS = ['STAYED_LOCAL', 'NO_OFFERS', 'ROUNDS_EXHAUSTED', 'NO_MATCH_IN_TIME'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const WITHDRAW_REASONS = [
  'TREATED_LOCALLY',
  'NO_LONGER_NEEDED',
  'PATIENT_CHANGED_MIND',
  'CLINICAL_CHANGE',
  'OTHER',
] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

/** A capacity posting is open until its slots are filled, it is withdrawn, or its last date passes. */
export const POSTING_STATUSES = ['OPEN', 'FILLED', 'WITHDRAWN', 'EXPIRED'] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];

/** How a case came to be listed: by its trust, or at the patient's own request (patient-initiated mutual aid). */
export const CASE_ROUTES = ['STAFF', 'PATIENT_INITIATED'] as const;
export type CaseRoute = (typeof CASE_ROUTES)[number];
