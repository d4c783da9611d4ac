/**
 * Who may do what, when: the checks behind every Update's validator. Pure
 * functions of the journey state, the request and the workflow clock; each
 * refusal is a non-retryable failure with a stable code and a message a
 * person in chat can act on. Handlers re-run the same check once they hold
 * the journey lock, because the state may have moved since validation.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Role } from '../../domain/codes';
import { parseCalendarDate } from '../../domain/rtt';
import { hasControlCharacter } from '../../domain/text';
import {
  MAX_NOTES_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TEAM_LENGTH,
  REFUSALS,
  type Actor,
  type ConfirmTransferInput,
  type DecideApprovalInput,
  type DeclineToOfferInput,
  type JourneyPolicy,
  type MakeOfferInput,
  type RecordChoiceInput,
  type RefusalCode,
  type StaffActor,
  type WithdrawCaseInput,
  type WithdrawOfferInput,
} from '../contract';
import { acceptsOffers, chosenOffer, isTerminal, type JourneyState } from './state';

const DAY_MS = 86_400_000;

export function refuse(code: RefusalCode, message: string): never {
  throw ApplicationFailure.nonRetryable(message, code);
}

const STATE_WORDS: Record<JourneyState['state'], string> = {
  LISTED: 'is being listed',
  OPEN_FOR_OFFERS: 'is open for offers',
  RELISTED: 'is open for offers again',
  CHOOSING: 'is with the patient to choose',
  AWAITING_APPROVAL: 'is awaiting approval',
  APPROVED: 'has been approved for transfer',
  TRANSFERRED: 'has been transferred',
  WITHDRAWN: 'has been withdrawn',
  CLOSED: 'is closed',
};

function wrongState(s: JourneyState, action: string): never {
  return refuse(REFUSALS.wrongState, `Case ${s.caseRef} ${STATE_WORDS[s.state]}, so you cannot ${action} now.`);
}

/** The actor must be staff with one of `roles` in `organisationId`. */
export function requireStaff(actor: Actor, organisationId: string, roles: Role[], action: string): StaffActor {
  if (actor.kind !== 'STAFF' || actor.organisationId !== organisationId) {
    return refuse(REFUSALS.notAuthorised, `Only staff of the organisation concerned can ${action}.`);
  }
  if (!actor.roles.some((role) => roles.includes(role))) {
    const needed = roles.map((role) => role.toLowerCase()).join(' or ');
    return refuse(REFUSALS.notAuthorised, `You need the ${needed} role in your organisation to ${action}.`);
  }
  return actor;
}

export function checkMakeOffer(s: JourneyState, input: MakeOfferInput, now: number, policy: JourneyPolicy): StaffActor {
  if (input.actor.kind === 'STAFF' && input.actor.organisationId === s.originOrgId) {
    refuse(
      REFUSALS.ownPatient,
      'Your organisation listed this patient, so it cannot offer to treat them through mutual aid.',
    );
  }
  const actor =
    input.actor.kind === 'STAFF' ? input.actor : refuse(REFUSALS.notAuthorised, 'Only provider staff can make offers.');
  requireStaff(actor, actor.organisationId, ['CLINICIAN'], 'offer treatment');
  if (!acceptsOffers(s)) wrongState(s, 'make an offer');
  if (s.offers.some((offer) => offer.offerId === input.offerId)) {
    refuse(REFUSALS.duplicateOffer, 'This offer has already been made.');
  }
  // Handlers run one at a time under the journey lock, so a second offer saved meanwhile is seen here.
  if (s.offers.some((o) => o.status === 'LIVE' && o.providerOrgId === actor.organisationId)) {
    refuse(
      REFUSALS.duplicateOffer,
      'Your organisation already has a live offer for this case. Withdraw it first to make another.',
    );
  }
  const proposed = parseCalendarDate(input.proposedDate);
  if (!proposed) refuse(REFUSALS.invalidDate, 'The proposed treatment date must be a real date, as YYYY-MM-DD.');
  if (proposed.getTime() < Math.floor(now / DAY_MS) * DAY_MS) {
    refuse(REFUSALS.invalidOffer, 'The proposed treatment date is in the past.');
  }
  const validUntil = Date.parse(input.validUntil);
  if (Number.isNaN(validUntil)) refuse(REFUSALS.invalidDate, 'The offer expiry must be a date and time.');
  if (validUntil <= now) refuse(REFUSALS.invalidOffer, 'The offer would already have expired: give a later expiry.');
  if (validUntil > now + policy.maxOfferValidityMs) {
    const days = Math.floor(policy.maxOfferValidityMs / DAY_MS);
    refuse(
      REFUSALS.invalidOffer,
      `An offer can stay open for at most ${days > 0 ? `${days} days` : `${policy.maxOfferValidityMs / 1000} seconds`}.`,
    );
  }
  const team = input.clinicalTeam.trim();
  if (team.length === 0 || team.length > MAX_TEAM_LENGTH) {
    refuse(REFUSALS.invalidOffer, `Name the clinical team that will treat (1 to ${MAX_TEAM_LENGTH} characters).`);
  }
  if (hasControlCharacter(team)) {
    refuse(REFUSALS.invalidOffer, 'Name the clinical team without control characters.');
  }
  if ((input.notes ?? '').length > MAX_NOTES_LENGTH) {
    refuse(REFUSALS.invalidOffer, `Notes must be at most ${MAX_NOTES_LENGTH} characters.`);
  }
  if (hasControlCharacter(input.notes ?? '')) {
    refuse(REFUSALS.invalidOffer, 'Notes must not contain control characters.');
  }
  return actor;
}

/** "Not for us" from a provider that could have offered; saying it twice is not an error. */
export function checkDeclineToOffer(s: JourneyState, input: DeclineToOfferInput) {
  if (input.actor.kind === 'STAFF' && input.actor.organisationId === s.originOrgId) {
    refuse(REFUSALS.ownPatient, 'Your organisation listed this patient, so it is not asked to offer.');
  }
  const actor =
    input.actor.kind === 'STAFF' ? input.actor : refuse(REFUSALS.notAuthorised, 'Only provider staff can answer.');
  requireStaff(actor, actor.organisationId, ['CLINICIAN', 'MANAGER'], 'answer for your organisation');
  if (!acceptsOffers(s)) wrongState(s, 'answer it');
  if (s.offers.some((o) => o.status === 'LIVE' && o.providerOrgId === actor.organisationId)) {
    refuse(REFUSALS.liveOfferExists, 'Your organisation has a live offer on this case: withdraw the offer instead.');
  }
  return { actor, alreadyPassed: s.passedProviderIds.includes(actor.organisationId) };
}

export function checkWithdrawOffer(s: JourneyState, input: WithdrawOfferInput) {
  const offer = s.offers.find((candidate) => candidate.offerId === input.offerId);
  if (!offer) return refuse(REFUSALS.offerNotFound, 'There is no such offer on this case.');
  const actor = requireStaff(input.actor, offer.providerOrgId, ['CLINICIAN', 'MANAGER'], 'withdraw this offer');
  if (offer.status !== 'LIVE') {
    refuse(REFUSALS.offerNotLive, `This offer is already ${offer.status.toLowerCase().replace('_', ' ')}.`);
  }
  return { actor, offer };
}

export function checkChoice(s: JourneyState, input: RecordChoiceInput, now: number) {
  if (input.actor.kind === 'STAFF') {
    requireStaff(input.actor, s.originOrgId, ['COORDINATOR', 'CLINICIAN'], "record the patient's choice");
  }
  if (s.state !== 'CHOOSING' || s.choice) wrongState(s, "record the patient's choice");
  if (input.choice.kind !== 'ACCEPT') return undefined;
  const { offerId } = input.choice;
  const offer = s.offers.find((candidate) => candidate.offerId === offerId);
  if (!offer || offer.round !== s.round)
    return refuse(REFUSALS.offerNotFound, 'That offer is not one of the offers on this case.');
  if (offer.status !== 'LIVE' || Date.parse(offer.validUntil) <= now) {
    refuse(REFUSALS.offerNotLive, 'That offer is no longer open: it was withdrawn or has expired.');
  }
  return offer;
}

export function checkApproval(s: JourneyState, input: DecideApprovalInput) {
  if (s.state !== 'AWAITING_APPROVAL') wrongState(s, 'approve or reject the transfer');
  const offer = chosenOffer(s);
  if (!offer) return wrongState(s, 'approve or reject the transfer');
  const organisationId = input.side === 'ORIGIN_RELEASE' ? s.originOrgId : offer.providerOrgId;
  const what = input.side === 'ORIGIN_RELEASE' ? 'release this patient' : 'accept this patient';
  const actor = requireStaff(input.actor, organisationId, ['MANAGER'], what);
  if (s.approvals.some((approval) => approval.side === input.side)) {
    refuse(REFUSALS.alreadyDecided, 'This approval has already been decided.');
  }
  const reason = input.reason?.trim() ?? '';
  if (!input.approve && reason.length === 0)
    refuse(REFUSALS.reasonRequired, 'Give a reason for rejecting the transfer.');
  if (reason.length > MAX_REASON_LENGTH)
    refuse(REFUSALS.reasonRequired, `The reason must be at most ${MAX_REASON_LENGTH} characters.`);
  if (hasControlCharacter(reason)) refuse(REFUSALS.reasonRequired, 'The reason must not contain control characters.');
  return { actor, offer };
}

export function checkWithdrawCase(s: JourneyState, input: WithdrawCaseInput): StaffActor {
  const actor = requireStaff(input.actor, s.originOrgId, ['COORDINATOR', 'CLINICIAN', 'MANAGER'], 'withdraw this case');
  if (isTerminal(s)) wrongState(s, 'withdraw it');
  return actor;
}

export function checkConfirmTransfer(s: JourneyState, input: ConfirmTransferInput): StaffActor {
  if (s.state !== 'APPROVED') wrongState(s, 'confirm the transfer');
  const offer = chosenOffer(s);
  if (!offer) return wrongState(s, 'confirm the transfer');
  const actor = requireStaff(
    input.actor,
    offer.providerOrgId,
    ['CLINICIAN', 'MANAGER', 'COORDINATOR'],
    'confirm the transfer',
  );
  if (!parseCalendarDate(input.treatmentDate))
    refuse(REFUSALS.invalidDate, 'The treatment date must be a real date, as YYYY-MM-DD.');
  return actor;
}
