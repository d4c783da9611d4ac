/**
 * One patient's mutual-aid journey, from listing to transfer:
 *
 *   open for offers ─► choosing ─► awaiting approval ─► approved ─► transferred
 *        ▲                 │               │
 *        └── relisted ◄────┴── declined ◄──┘          (withdrawn / closed at any point)
 *
 * Every wait is a timer from the policy, with a reminder before and an
 * escalation after. Offers, choices, approvals, withdrawal and the transfer
 * arrive as Updates, checked by validators and again under the journey lock.
 * Every side effect is an idempotent activity.
 */
import { allHandlersFinished, condition, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { AuditActor } from '../../db/audit';
import type { Audience, JourneyNotification, NotificationKind } from '../../domain/notifications';
import type { CloseReason, OfferStatus } from '../../domain/journey-states';
import type { Activities } from '../activities';
import {
  confirmTransferUpdate,
  decideApprovalUpdate,
  declineToOfferUpdate,
  journeyStatusQuery,
  makeOfferUpdate,
  recordChoiceUpdate,
  withdrawCaseUpdate,
  withdrawOfferUpdate,
  type ConfirmTransferInput,
  type DecideApprovalInput,
  type DeclineToOfferInput,
  type JourneyInput,
  type JourneyOutcome,
  type MakeOfferInput,
  type OfferView,
  type RecordChoiceInput,
  type WithdrawCaseInput,
  type WithdrawOfferInput,
} from '../contract';
import {
  checkApproval,
  checkChoice,
  checkConfirmTransfer,
  checkDeclineToOffer,
  checkMakeOffer,
  checkWithdrawCase,
  checkWithdrawOffer,
} from './rules';
import { chosenOffer, initialState, isTerminal, liveOffers, toStatus, type JourneyState } from './state';
import { STEP_ACTIVITY_OPTIONS, auditActor, refusalOf } from '../shared/steps';
import { createSendQueue } from './send-queue';
import { createLock, iso, waitWithReminder } from './timing';

const activities = proxyActivities<Activities>(STEP_ACTIVITY_OPTIONS);

const SYSTEM: AuditActor = { kind: 'SYSTEM' };

/**
 * Notifications leave one at a time, in order (`send-queue.ts`). This changes the order of commands, so a
 * journey started before it keeps sending as it did, for its whole life: its history has no marker for this
 * patch. Once no such journey is open, this becomes `deprecatePatch(...)` and the old branch goes.
 */
const NOTIFICATIONS_IN_ORDER = 'journey-notifications-in-order';

export async function patientJourney(input: JourneyInput): Promise<JourneyOutcome> {
  const { caseRef, policy } = input;
  const s: JourneyState = initialState(caseRef, input.originOrgId);
  const lock = createLock();
  // Decided once, at the start: a journey sends either all its notifications in order or none.
  const sendsInOrder = patched(NOTIFICATIONS_IN_ORDER);
  const sends = createSendQueue();
  const now = () => Date.now();
  const key = (...parts: (string | number)[]) => [caseRef, ...parts].join('/');

  const originTeam: Audience = {
    kind: 'ORGANISATION',
    organisationId: input.originOrgId,
    roles: ['COORDINATOR', 'CLINICIAN'],
  };
  const originManagers: Audience = { kind: 'ORGANISATION', organisationId: input.originOrgId, roles: ['MANAGER'] };
  const escalationLeads: Audience = { kind: 'REGION_ESCALATION', region: input.region };
  const providerTeam = (offer: OfferView): Audience => ({
    kind: 'ORGANISATION',
    organisationId: offer.providerOrgId,
    roles: ['CLINICIAN', 'COORDINATOR'],
  });
  const providerManagers = (offer: OfferView): Audience => ({
    kind: 'ORGANISATION',
    organisationId: offer.providerOrgId,
    roles: ['MANAGER'],
  });

  /** Sends one notification after those sent before it; it names the round it was sent in, even if it waits. */
  const notify = (
    kind: NotificationKind,
    audience: Audience,
    step: string,
    data: Record<string, string | number | boolean> = {},
  ): Promise<void> => {
    const notification: JourneyNotification = {
      key: key('round', s.round, step, kind),
      kind,
      caseRef,
      audience,
      data: { round: s.round, ...data },
    };
    return sendsInOrder ? sends.send(() => activities.notify(notification)) : activities.notify(notification);
  };

  /** Moves the case to a new state unless it has already reached a final one. */
  const transition = (state: JourneyState['state'], reason?: CloseReason, actor: AuditActor = SYSTEM) =>
    lock.run(async () => {
      if (isTerminal(s)) return false;
      await activities.changeState({
        key: key('round', s.round, 'state', state),
        caseRef,
        actor,
        state,
        round: s.round,
        reason,
      });
      s.state = state;
      if (reason) s.closedReason = reason;
      return true;
    });

  /**
   * Closes offers that are still open, in the database and here: live offers, and the
   * chosen offer while its transfer is pending (rejected, not approved in time, withdrawn).
   */
  const closeOffers = async (
    offers: OfferView[],
    status: Exclude<OfferStatus, 'LIVE'>,
    step: string,
    actor = SYSTEM,
  ) => {
    const open = offers.filter((offer) => offer.status === 'LIVE' || offer.status === 'CHOSEN');
    if (open.length === 0) return;
    await activities.closeOffers({
      key: key(step, status),
      caseRef,
      actor,
      offerIds: open.map((o) => o.offerId),
      status,
    });
    for (const offer of open) offer.status = status;
  };

  const expireWhenDue = (offer: OfferView) => {
    void (async () => {
      await sleep(Math.max(0, Date.parse(offer.validUntil) - now()));
      const expired = await lock.run(async () => {
        if (offer.status !== 'LIVE' || isTerminal(s)) return false;
        await closeOffers([offer], 'EXPIRED', `offer/${offer.offerId}`);
        return true;
      });
      if (expired) {
        await notify('OFFER_EXPIRED', originTeam, `offer/${offer.offerId}`, { offerId: offer.offerId });
        await notify('OFFER_EXPIRED', providerTeam(offer), `offer/${offer.offerId}/provider`, {
          offerId: offer.offerId,
        });
      }
    })();
  };

  setHandler(journeyStatusQuery, () => toStatus(s));

  setHandler(
    makeOfferUpdate,
    async (request) => {
      const offer = await lock.run(async () => {
        const actor = checkMakeOffer(s, request, now(), policy);
        const made: OfferView = {
          offerId: request.offerId,
          round: s.round,
          providerOrgId: actor.organisationId,
          siteId: request.siteId,
          siteName: '',
          proposedDate: request.proposedDate,
          validUntil: new Date(Date.parse(request.validUntil)).toISOString(),
          clinicalTeam: request.clinicalTeam.trim(),
          status: 'LIVE',
        };
        try {
          const saved = await activities.saveOffer({
            key: key('offer', made.offerId, 'made'),
            caseRef,
            actor: auditActor(actor),
            offerId: made.offerId,
            round: made.round,
            providerOrgId: made.providerOrgId,
            siteId: made.siteId,
            proposedDate: made.proposedDate,
            validUntil: made.validUntil,
            madeAt: iso(now()),
            clinicalTeam: made.clinicalTeam,
            notes: request.notes?.trim() || undefined,
          });
          made.siteName = saved.siteName;
        } catch (error) {
          throw refusalOf(error) ?? error;
        }
        s.offers.push(made);
        return made;
      });
      expireWhenDue(offer);
      // The provider's answer does not wait for the listing team's message: the send is queued with the answer
      // (scheduled in the same workflow task unless an earlier message is still being sent) and retried like
      // any other step.
      void notify('OFFER_RECEIVED', originTeam, `offer/${offer.offerId}`, { offerId: offer.offerId });
      return { ...offer };
    },
    { validator: (request: MakeOfferInput) => void checkMakeOffer(s, request, now(), policy) },
  );

  setHandler(
    withdrawOfferUpdate,
    async (request) => {
      const offer = await lock.run(async () => {
        const { actor, offer } = checkWithdrawOffer(s, request);
        await closeOffers([offer], 'WITHDRAWN', `offer/${offer.offerId}`, auditActor(actor));
        return offer;
      });
      await notify('OFFER_WITHDRAWN', originTeam, `offer/${offer.offerId}`, { offerId: offer.offerId });
      return { ...offer };
    },
    { validator: (request: WithdrawOfferInput) => void checkWithdrawOffer(s, request) },
  );

  setHandler(
    declineToOfferUpdate,
    async (request) =>
      lock.run(async () => {
        const { actor, alreadyPassed } = checkDeclineToOffer(s, request);
        if (!alreadyPassed) {
          await activities.recordPass({
            key: key('pass', actor.organisationId),
            caseRef,
            actor: auditActor(actor),
            organisationId: actor.organisationId,
            personId: actor.personId,
            round: s.round,
          });
          s.passedProviderIds.push(actor.organisationId);
        }
        return toStatus(s);
      }),
    { validator: (request: DeclineToOfferInput) => void checkDeclineToOffer(s, request) },
  );

  setHandler(
    recordChoiceUpdate,
    async (request) => {
      await lock.run(async () => {
        const accepted = checkChoice(s, request, now());
        const live = liveOffers(s);
        const declining = accepted ? [] : live;
        for (const offer of declining) {
          if (!s.declinedProviderIds.includes(offer.providerOrgId)) s.declinedProviderIds.push(offer.providerOrgId);
        }
        const outcome =
          request.choice.kind === 'ACCEPT'
            ? 'ACCEPTED_OFFER'
            : request.choice.kind === 'STAY_LOCAL'
              ? 'STAYED_LOCAL'
              : 'DECLINED_ALL';
        await activities.recordChoice({
          key: key('round', s.round, 'choice'),
          caseRef,
          actor: auditActor(request.actor),
          round: s.round,
          outcome,
          offerId: accepted?.offerId,
          recordedAt: iso(now()),
          declinedOfferCount: s.declinedProviderIds.length,
        });
        for (const offer of live) offer.status = offer === accepted ? 'CHOSEN' : accepted ? 'NOT_CHOSEN' : 'DECLINED';
        s.choice = request.choice;
      });
      // Answer once the journey has acted on the choice, so chat can say what happens next.
      await condition(() => s.state !== 'CHOOSING');
      return toStatus(s);
    },
    { validator: (request: RecordChoiceInput) => void checkChoice(s, request, now()) },
  );

  setHandler(
    decideApprovalUpdate,
    async (request) => {
      const decisive = await lock.run(async () => {
        const { actor, offer } = checkApproval(s, request);
        const reason = request.reason?.trim() || undefined;
        await activities.recordApproval({
          key: key('round', s.round, 'approval', request.side),
          caseRef,
          actor: auditActor(actor),
          offerId: offer.offerId,
          side: request.side,
          approved: request.approve,
          reason,
          decidedAt: iso(now()),
        });
        s.approvals.push({ side: request.side, approved: request.approve, decidedBy: actor.personId });
        return !request.approve || s.approvals.length === 2;
      });
      if (decisive) await condition(() => s.state !== 'AWAITING_APPROVAL');
      return toStatus(s);
    },
    { validator: (request: DecideApprovalInput) => void checkApproval(s, request) },
  );

  setHandler(
    withdrawCaseUpdate,
    async (request) => {
      const affected = await lock.run(async () => {
        const actor = auditActor(checkWithdrawCase(s, request));
        const open = s.offers.filter((offer) => offer.status === 'LIVE' || offer.status === 'CHOSEN');
        await activities.changeState({
          key: key('withdrawn'),
          caseRef,
          actor,
          state: 'WITHDRAWN',
          round: s.round,
          reason: request.reason,
        });
        await closeOffers(open, 'LAPSED', 'withdrawn', actor);
        s.state = 'WITHDRAWN';
        s.closedReason = request.reason;
        return open;
      });
      await notify('CASE_WITHDRAWN', originTeam, 'withdrawn', { reason: request.reason });
      for (const offer of affected) {
        await notify('CASE_WITHDRAWN', providerTeam(offer), `withdrawn/${offer.providerOrgId}`, {
          reason: request.reason,
        });
      }
      return toStatus(s);
    },
    { validator: (request: WithdrawCaseInput) => void checkWithdrawCase(s, request) },
  );

  setHandler(
    confirmTransferUpdate,
    async (request) => {
      await lock.run(async () => {
        const actor = auditActor(checkConfirmTransfer(s, request));
        await activities.changeState({ key: key('transferred'), caseRef, actor, state: 'TRANSFERRED', round: s.round });
        s.state = 'TRANSFERRED';
        s.transferConfirmed = true;
      });
      await notify('TRANSFERRED', originTeam, 'transferred', { treatmentDate: request.treatmentDate });
      return toStatus(s);
    },
    { validator: (request: ConfirmTransferInput) => void checkConfirmTransfer(s, request) },
  );

  /** After a round ends without a transfer: another round if the policy allows, otherwise close. */
  const relistOrClose = async (reason: CloseReason): Promise<boolean> => {
    if (s.round < policy.maxRounds) return true;
    await closeCase(reason);
    return false;
  };

  const closeCase = async (reason: CloseReason) => {
    if (await transition('CLOSED', reason)) await notify('CASE_CLOSED', originTeam, 'closed', { reason });
  };

  const flagIfTwoDeclined = async () => {
    if (s.flaggedForReview || s.declinedProviderIds.length < 2) return;
    await activities.flagForReview({
      key: key('flagged'),
      caseRef,
      actor: SYSTEM,
      declinedOfferCount: s.declinedProviderIds.length,
    });
    s.flaggedForReview = true;
    await notify('REVIEW_FLAGGED', originTeam, 'flagged', { declinedOfferCount: s.declinedProviderIds.length });
  };

  /** When the regional period ends, the open round is announced again: matching now reaches every region. */
  function offerNationallyAt(at: number) {
    void (async () => {
      await sleep(Math.max(0, at - now()));
      if (isTerminal(s) || (s.state !== 'OPEN_FOR_OFFERS' && s.state !== 'RELISTED')) return;
      await activities.announceCase({ key: key('round', s.round, 'announce', 'national'), caseRef, round: s.round });
    })();
  }

  /** No approved transfer by the deadline: the case closes and the origin team tells the patient they keep their place. */
  function closeUnlessMatchedBy(at: number): Promise<void> {
    return (async () => {
      await sleep(Math.max(0, at - now()));
      const closed = await lock.run(async () => {
        if (isTerminal(s) || s.state === 'APPROVED') return false;
        await closeOffers(s.offers, 'LAPSED', 'match-deadline');
        await activities.changeState({
          key: key('closed', 'NO_MATCH_IN_TIME'),
          caseRef,
          actor: SYSTEM,
          state: 'CLOSED',
          round: s.round,
          reason: 'NO_MATCH_IN_TIME',
        });
        s.state = 'CLOSED';
        s.closedReason = 'NO_MATCH_IN_TIME';
        return true;
      });
      if (closed) await notify('CASE_CLOSED', originTeam, 'closed', { reason: 'NO_MATCH_IN_TIME' });
    })();
  }

  /** One round: offers, the patient's choice, approvals. True to go round again. */
  const runRound = async (): Promise<boolean> => {
    s.round += 1;
    s.choice = undefined;
    s.approvals = [];
    s.deadlines = { offerWindowClosesAt: iso(now() + policy.offerWindowMs) };
    if (!(await transition(s.round === 1 ? 'OPEN_FOR_OFFERS' : 'RELISTED'))) return false;
    await notify(s.round === 1 ? 'CASE_OPEN_FOR_OFFERS' : 'CASE_RELISTED', originTeam, 'open');
    // Providers with matching capacity hear of the case through their digests (deduplicated by case and round).
    await activities.announceCase({ key: key('round', s.round, 'announce'), caseRef, round: s.round });

    // The offer window runs its full length so every matching provider has its chance.
    await waitWithReminder(
      () => isTerminal(s),
      policy.offerWindowMs,
      policy.reminderBeforeMs,
      () => notify('OFFER_WINDOW_CLOSING', originTeam, 'window', { liveOffers: liveOffers(s).length }),
    );
    if (isTerminal(s)) return false;
    if (liveOffers(s).length === 0) {
      await notify('NO_OFFERS_ESCALATION', escalationLeads, 'window');
      if (policy.onNoOffers === 'RELIST') return relistOrClose('NO_OFFERS');
      await closeCase('NO_OFFERS');
      return false;
    }

    s.deadlines.choiceDueAt = iso(now() + policy.choiceWindowMs);
    if (!(await transition('CHOOSING'))) return false;
    await notify('CHOICE_NEEDED', originTeam, 'choice', { liveOffers: liveOffers(s).length });
    const settled = () => isTerminal(s) || s.choice !== undefined || liveOffers(s).length === 0;
    const answered = await waitWithReminder(settled, policy.choiceWindowMs, policy.reminderBeforeMs, () =>
      notify('CHOICE_REMINDER', originTeam, 'choice'),
    );
    if (isTerminal(s)) return false;
    const lapsed = await lock.run(async () => {
      if (s.choice) return false;
      await closeOffers(liveOffers(s), 'LAPSED', `round/${s.round}/choice`);
      return true;
    });
    if (lapsed) {
      if (!answered) await notify('CHOICE_OVERDUE_ESCALATION', escalationLeads, 'choice');
      return relistOrClose('ROUNDS_EXHAUSTED');
    }
    const choice = s.choice!;
    if (choice.kind !== 'ACCEPT') {
      await flagIfTwoDeclined();
      if (choice.kind === 'STAY_LOCAL') {
        await closeCase('STAYED_LOCAL');
        return false;
      }
      return relistOrClose('ROUNDS_EXHAUSTED');
    }

    const chosen = chosenOffer(s)!;
    s.deadlines.approvalDueAt = iso(now() + policy.approvalWindowMs);
    if (!(await transition('AWAITING_APPROVAL'))) return false;
    for (const offer of s.offers.filter((o) => o.round === s.round && o.status === 'NOT_CHOSEN')) {
      await notify('OFFER_NOT_CHOSEN', providerTeam(offer), `offer/${offer.offerId}`, { offerId: offer.offerId });
    }
    await notify('PATIENT_CHOSE', originTeam, 'chosen/origin', { offerId: chosen.offerId });
    await notify('OFFER_CHOSEN', providerTeam(chosen), 'chosen', { offerId: chosen.offerId });
    await notify('APPROVAL_REQUESTED', originManagers, 'approval', { side: 'ORIGIN_RELEASE', offerId: chosen.offerId });
    await notify('APPROVAL_REQUESTED', providerManagers(chosen), 'approval/receiving', {
      side: 'RECEIVING_ACCEPTANCE',
      offerId: chosen.offerId,
    });
    const rejected = () => s.approvals.some((approval) => !approval.approved);
    const decided = () => isTerminal(s) || rejected() || s.approvals.length === 2;
    let inTime = await waitWithReminder(decided, policy.approvalWindowMs, policy.reminderBeforeMs, async () => {
      if (!s.approvals.some((a) => a.side === 'ORIGIN_RELEASE'))
        await notify('APPROVAL_REMINDER', originManagers, 'approval');
      if (!s.approvals.some((a) => a.side === 'RECEIVING_ACCEPTANCE')) {
        await notify('APPROVAL_REMINDER', providerManagers(chosen), 'approval/receiving');
      }
    });
    if (!inTime) {
      await notify('APPROVAL_OVERDUE_ESCALATION', escalationLeads, 'approval', { offerId: chosen.offerId });
      inTime = await condition(decided, policy.approvalGraceMs);
    }
    if (isTerminal(s)) return false;
    const approved = await lock.run(async () => {
      if (s.approvals.length === 2 && !rejected()) return true;
      await closeOffers([chosen], rejected() ? 'REJECTED' : 'LAPSED', `round/${s.round}/approval`);
      return false;
    });
    if (!approved) {
      await notify('TRANSFER_REJECTED', originTeam, 'approval', { offerId: chosen.offerId, timedOut: !inTime });
      await notify('TRANSFER_REJECTED', providerTeam(chosen), 'approval/receiving', {
        offerId: chosen.offerId,
        timedOut: !inTime,
      });
      return relistOrClose('ROUNDS_EXHAUSTED');
    }

    s.deadlines.transferDueAt = iso(now() + policy.transferWindowMs);
    // The transfer data set exists before anyone can act on the approval.
    const approvedNow = await lock.run(async () => {
      if (isTerminal(s)) return false;
      await activities.changeState({
        key: key('round', s.round, 'state', 'APPROVED'),
        caseRef,
        actor: SYSTEM,
        state: 'APPROVED',
        round: s.round,
      });
      await activities.createTransferDataset({ key: key('ipt'), caseRef, actor: SYSTEM, offerId: chosen.offerId });
      s.state = 'APPROVED';
      return true;
    });
    if (!approvedNow) return false;
    await notify('TRANSFER_APPROVED', originManagers, 'approved', { offerId: chosen.offerId });
    await notify('TRANSFER_APPROVED', providerManagers(chosen), 'approved/receiving', {
      offerId: chosen.offerId,
      iptReady: true,
    });
    const done = await waitWithReminder(
      () => isTerminal(s),
      policy.transferWindowMs,
      policy.reminderBeforeMs,
      () => notify('TRANSFER_REMINDER', providerTeam(chosen), 'transfer'),
    );
    if (!done) {
      await notify('TRANSFER_OVERDUE_ESCALATION', escalationLeads, 'transfer');
      await condition(() => isTerminal(s));
    }
    return false;
  };

  // Patient-initiated: matched in the region first, then nationally; and a deadline for a confirmed match.
  if (input.nationalFrom) offerNationallyAt(Date.parse(input.nationalFrom));
  const deadline = input.matchBy ? closeUnlessMatchedBy(Date.parse(input.matchBy)) : undefined;

  while (await runRound()) {
    // Each pass is one offer round; the round's own code decides whether another follows.
  }
  // Closed by the deadline: its notice to the origin team goes out before the journey ends.
  if (s.closedReason === 'NO_MATCH_IN_TIME') await deadline;
  // Messages still queued (an offer's, an expiry's) leave before the journey ends.
  if (sendsInOrder) await sends.drained();
  await condition(allHandlersFinished);
  return { state: s.state as JourneyOutcome['state'], reason: s.closedReason, rounds: s.round };
}
