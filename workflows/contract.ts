/**
 * The journey's public surface: task queue, workflow id, every Update and
 * Query with its input and result types. The worker, the bot and the tests all
 * import from here; nothing here may carry a patient identifier, because
 * Temporal keeps inputs and results in its history for the retention period.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CareType, Priority, Region, Role } from '../domain/codes';
import type {
  ApprovalSide,
  CaseState,
  CloseReason,
  OfferStatus,
  PostingStatus,
  WithdrawReason,
} from '../domain/journey-states';
import type { PostingTerms, PostingTermsInput } from '../domain/posting';

export const JOURNEY_TASK_QUEUE = 'mutual-aid-journeys';
/**
 * Notification sends run on their own task queue, whose workers set
 * Temporal's task-queue rate limit: the global pace to Slack and Teams holds
 * however many workers poll.
 */
export const NOTIFICATIONS_TASK_QUEUE = 'mutual-aid-notifications';

/** One journey per listing: the workflow id is the case reference, so a listing can never start twice. */
export const journeyWorkflowId = (caseRef: string): string => caseRef;

export type Channel = 'SLACK' | 'TEAMS' | 'WEB' | 'API' | 'CLI' | 'SYSTEM';

/** A member of staff, resolved from their chat identity to a person and their roles in one organisation. */
export interface StaffActor {
  kind: 'STAFF';
  personId: string;
  organisationId: string;
  roles: Role[];
  channel: Channel;
}

/** The patient, through their one-time link. */
export interface PatientActor {
  kind: 'PATIENT';
  channel: 'WEB';
}

export type Actor = StaffActor | PatientActor;

/** Every duration the journey waits on, captured at listing so a running journey keeps its deadlines. */
export interface JourneyPolicy {
  offerWindowMs: number;
  maxOfferValidityMs: number;
  choiceWindowMs: number;
  approvalWindowMs: number;
  /** After an approval deadline passes and is escalated, how long before the approval is treated as refused. */
  approvalGraceMs: number;
  transferWindowMs: number;
  /** How long before each deadline its reminder goes out. */
  reminderBeforeMs: number;
  /** Offer rounds before the case closes: the first listing plus relistings. */
  maxRounds: number;
  onNoOffers: 'RELIST' | 'CLOSE';
}

export interface JourneyInput {
  caseRef: string;
  originOrgId: string;
  region: Region;
  specialtyCode: string;
  careType: CareType;
  priority: Priority;
  listedBy: string;
  policy: JourneyPolicy;
  /**
   * Patient-initiated listings: matched in the origin's region until this ISO
   * time, then offered nationally (the journey fans out again then).
   */
  nationalFrom?: string;
  /**
   * Patient-initiated listings: if the transfer is not approved by this ISO
   * time, the case closes (NO_MATCH_IN_TIME) and the patient keeps their place.
   */
  matchBy?: string;
}

/** A listed case's own part of its journey's input (the rest is shared by everything one listing context lists). */
export type ListedCase = Pick<JourneyInput, 'caseRef' | 'specialtyCode' | 'careType' | 'priority'>;

/**
 * One batch of an upload's cases, written in one transaction that also
 * started the `startListedJourneys` workflow for it; `batchKey` is that
 * workflow's id and names the transaction's lock.
 */
export interface ListedJourneysInput {
  batchKey: string;
  basis: Omit<JourneyInput, keyof ListedCase>;
  cases: ListedCase[];
}

export const listedJourneysWorkflowId = (uploadId: string, batch: number): string =>
  `waiting-list/${uploadId}/batch-${batch}`;

export interface OfferView {
  offerId: string;
  round: number;
  providerOrgId: string;
  siteId: string;
  siteName: string;
  proposedDate: string;
  validUntil: string;
  clinicalTeam: string;
  status: OfferStatus;
}

export interface ApprovalView {
  side: ApprovalSide;
  approved: boolean;
  decidedBy: string;
}

export interface JourneyDeadlines {
  offerWindowClosesAt?: string;
  choiceDueAt?: string;
  approvalDueAt?: string;
  transferDueAt?: string;
}

export interface JourneyStatus {
  caseRef: string;
  state: CaseState;
  round: number;
  offers: OfferView[];
  chosenOfferId?: string;
  approvals: ApprovalView[];
  deadlines: JourneyDeadlines;
  declinedOfferCount: number;
  /** Providers that said "not for us". */
  passedProviderIds: string[];
  flaggedForReview: boolean;
  closedReason?: CloseReason | WithdrawReason;
}

export interface JourneyOutcome {
  state: Extract<CaseState, 'TRANSFERRED' | 'WITHDRAWN' | 'CLOSED'>;
  reason?: CloseReason | WithdrawReason;
  rounds: number;
}

/** Limits on the free text an offer or a rejection carries, checked by the journey and shown by the forms. */
export const MAX_TEAM_LENGTH = 120;
export const MAX_NOTES_LENGTH = 500;
export const MAX_REASON_LENGTH = 500;

export interface MakeOfferInput {
  actor: Actor;
  /** Chosen by the caller (a UUID), so a retried request names the same offer. */
  offerId: string;
  siteId: string;
  /** `YYYY-MM-DD`: the date the provider proposes to treat. */
  proposedDate: string;
  /** ISO timestamp after which the offer lapses. */
  validUntil: string;
  /** The team that will treat: an offer names date, provider and team (RTT rules). */
  clinicalTeam: string;
  notes?: string;
}

export interface WithdrawOfferInput {
  actor: Actor;
  offerId: string;
}

export type PatientChoice = { kind: 'ACCEPT'; offerId: string } | { kind: 'DECLINE_ALL' } | { kind: 'STAY_LOCAL' };

export interface RecordChoiceInput {
  actor: Actor;
  choice: PatientChoice;
}

export interface DecideApprovalInput {
  actor: Actor;
  side: ApprovalSide;
  approve: boolean;
  /** Required when rejecting. */
  reason?: string;
}

export interface WithdrawCaseInput {
  actor: Actor;
  reason: WithdrawReason;
}

/** A provider's "not for us": it will not offer for this case, and matching stops proposing it. */
export interface DeclineToOfferInput {
  actor: Actor;
}

export interface ConfirmTransferInput {
  actor: Actor;
  /** `YYYY-MM-DD`: when treatment is booked at the receiving provider. */
  treatmentDate: string;
}

// Every change is an Update, not a Signal: the person in chat needs a definite yes or no.
export const makeOfferUpdate = defineUpdate<OfferView, [MakeOfferInput]>('makeOffer');
export const withdrawOfferUpdate = defineUpdate<OfferView, [WithdrawOfferInput]>('withdrawOffer');
export const recordChoiceUpdate = defineUpdate<JourneyStatus, [RecordChoiceInput]>('recordChoice');
export const decideApprovalUpdate = defineUpdate<JourneyStatus, [DecideApprovalInput]>('decideApproval');
export const withdrawCaseUpdate = defineUpdate<JourneyStatus, [WithdrawCaseInput]>('withdrawCase');
export const confirmTransferUpdate = defineUpdate<JourneyStatus, [ConfirmTransferInput]>('confirmTransfer');
export const declineToOfferUpdate = defineUpdate<JourneyStatus, [DeclineToOfferInput]>('declineToOffer');

export const journeyStatusQuery = defineQuery<JourneyStatus>('journeyStatus');

/** Stable codes for refusals; the message beside each says what to do. */
export const REFUSALS = {
  wrongState: 'JOURNEY.WRONG_STATE',
  notAuthorised: 'ACTOR.NOT_AUTHORISED',
  ownPatient: 'OFFER.OWN_PATIENT',
  duplicateOffer: 'OFFER.DUPLICATE',
  invalidOffer: 'OFFER.INVALID',
  offerNotFound: 'OFFER.NOT_FOUND',
  offerNotLive: 'OFFER.NOT_LIVE',
  siteNotSuitable: 'OFFER.SITE_NOT_SUITABLE',
  alreadyDecided: 'APPROVAL.ALREADY_DECIDED',
  reasonRequired: 'APPROVAL.REASON_REQUIRED',
  invalidDate: 'INPUT.INVALID_DATE',
  liveOfferExists: 'OFFER.LIVE_OFFER_EXISTS',
} as const;
export type RefusalCode = (typeof REFUSALS)[keyof typeof REFUSALS];

// ─── Patient-initiated requests ──────────────────────────────────────────────

/** One workflow per patient's request, named by the request row's id. */
export const patientRequestWorkflowId = (requestId: string): string => `request-${requestId}`;

/** How a patient-initiated request moves once the patient has answered. */
export interface PatientInitiatedPolicy {
  /** Listed in the origin's region for this long, then nationally. */
  regionalForMs: number;
  /** No approved transfer within this long of listing: the case closes and the patient keeps their place. */
  matchWithinMs: number;
  /** The origin team is reminded when it has not decided within this long. */
  decideReminderMs: number;
}

export interface PatientRequestInput {
  requestId: string;
  originOrgId: string;
  region: Region;
  specialtyCode: string;
  careType: CareType;
  priority: Priority;
  journeyPolicy: JourneyPolicy;
  policy: PatientInitiatedPolicy;
}

export interface DecideRequestInput {
  actor: Actor;
  /** The move is clinically and socially appropriate: list the case. */
  appropriate: boolean;
}

export interface PatientRequestOutcome {
  status: 'LISTED' | 'NOT_APPROPRIATE';
  caseRef?: string;
}

/** A clinician at the origin trust judges the move; the answer says what followed (the case reference when listed). */
export const decideRequestUpdate = defineUpdate<PatientRequestOutcome, [DecideRequestInput]>('decideRequest');

// ─── Capacity postings ────────────────────────────────────────────────────────

/** One workflow per posting, named by the id the poster's client chose, so a retried post starts nothing twice. */
export const postingWorkflowId = (postingId: string): string => `posting-${postingId}`;

export interface CapacityPostingInput {
  postingId: string;
  organisationId: string;
  /** The clinician or manager who posted; already checked against the organisation by the client. */
  postedBy: StaffActor;
  terms: PostingTerms;
}

export interface PostingView {
  postingId: string;
  organisationId: string;
  status: PostingStatus;
  terms: PostingTerms;
  slotsFilled: number;
  /** When the posting expires by date, unless filled or withdrawn first. */
  expiresAt: string;
}

export interface EditPostingInput {
  actor: Actor;
  /** Only the fields that change; the whole posting is validated again. */
  changes: Partial<PostingTermsInput>;
}

export interface RecordSlotsFilledInput {
  actor: Actor;
  /** How many more slots were taken up (1 for one patient booked). */
  count: number;
}

export interface WithdrawPostingInput {
  actor: Actor;
}

// Updates, not Signals: the provider in chat needs a definite yes or no (with field errors when no).
/** Sent with the start (update-with-start): answers once the posting is saved, or refuses it. */
export const confirmPostingUpdate = defineUpdate<PostingView>('confirmPosting');
export const editPostingUpdate = defineUpdate<PostingView, [EditPostingInput]>('editPosting');
export const recordSlotsFilledUpdate = defineUpdate<PostingView, [RecordSlotsFilledInput]>('recordSlotsFilled');
export const withdrawPostingUpdate = defineUpdate<PostingView, [WithdrawPostingInput]>('withdrawPosting');

export const postingStatusQuery = defineQuery<PostingView>('postingStatus');

/** How a posting's workflow ended: REFUSED when it was never saved (its site is not the organisation's). */
export interface PostingOutcome {
  status: PostingStatus | 'REFUSED';
  slotsFilled: number;
}

export const POSTING_REFUSALS = {
  invalid: 'INPUT.INVALID',
  notAuthorised: 'ACTOR.NOT_AUTHORISED',
  notOpen: 'POSTING.NOT_OPEN',
  overfilled: 'POSTING.OVERFILLED',
  siteNotOurs: 'POSTING.SITE_NOT_OURS',
} as const;

// ─── Notification fan-out ─────────────────────────────────────────────────────

/** One digest workflow per provider organisation: its clinicians' channel, paced and batched in one place. */
export const digestWorkflowId = (organisationId: string): string => `digest-${organisationId}`;

/** A case newly matching a provider's capacity, in one offer round. */
export interface CaseMatch {
  caseRef: string;
  round: number;
}

export interface DigestSettings {
  /** How long matches collect before one digest goes out. */
  windowMs: number;
  /** The least time between two messages to the same channel (Slack: about one a second). */
  channelIntervalMs: number;
  notificationsTaskQueue: string;
}

export interface ProviderDigestInput {
  organisationId: string;
  settings: DigestSettings;
  /** Carried across continue-as-new. */
  carried?: { seen: string[]; pending: CaseMatch[]; sent: number };
}

/** A Signal, not an Update: the fan-out only hands matches over (signal-with-start) and needs no answer. */
export const newMatchesSignal = defineSignal<[CaseMatch[]]>('newMatches');

export interface DigestStatus {
  organisationId: string;
  /** Matches waiting for the next digest. */
  pending: number;
  /** Digests sent since the first run. */
  sent: number;
  /** Matches remembered for de-duplication. */
  seen: number;
}

export const digestStatusQuery = defineQuery<DigestStatus>('digestStatus');

// ─── Daily escalation digest ──────────────────────────────────────────────────

export const ESCALATION_SCHEDULE_ID = 'mutual-aid-escalation-digest';

export interface EscalationDigestInput {
  /** A case in a non-final state unchanged for longer than this is stalled. */
  stalledAfterMs: number;
  notificationsTaskQueue: string;
}

export interface EscalationDigestResult {
  regions: number;
  stalled: number;
  approaching: number;
}

// ─── Weekly managers' digest ──────────────────────────────────────────────────

export const WEEKLY_DIGEST_SCHEDULE_ID = 'mutual-aid-weekly-digest';

export interface WeeklyDigestInput {
  notificationsTaskQueue: string;
}

export interface WeeklyDigestResult {
  /** The Monday of the week reported on. */
  weekStarting: string;
  /** Trusts sent a digest. */
  organisations: number;
}
