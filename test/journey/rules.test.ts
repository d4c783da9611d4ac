import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../domain/codes';
import type { CaseState } from '../../domain/journey-states';
import {
  MAX_NOTES_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TEAM_LENGTH,
  type JourneyPolicy,
  type OfferView,
  type PatientActor,
  type StaffActor,
} from '../../workflows/contract';
import {
  checkApproval,
  checkChoice,
  checkConfirmTransfer,
  checkMakeOffer,
  checkWithdrawCase,
  checkWithdrawOffer,
  requireStaff,
} from '../../workflows/journey/rules';
import { initialState, type JourneyState } from '../../workflows/journey/state';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T09:30:00Z');
const ORIGIN = 'origin-org';
const YORK = 'york-org';
const SHEFFIELD = 'sheffield-org';

const POLICY: JourneyPolicy = {
  offerWindowMs: 14 * DAY,
  maxOfferValidityMs: 21 * DAY,
  choiceWindowMs: 7 * DAY,
  approvalWindowMs: 3 * DAY,
  approvalGraceMs: 4 * DAY,
  transferWindowMs: 42 * DAY,
  reminderBeforeMs: 2 * DAY,
  maxRounds: 3,
  onNoOffers: 'RELIST',
};

const staff = (organisationId: string, ...roles: Role[]): StaffActor => ({
  kind: 'STAFF',
  personId: `${organisationId}-${roles.join('-').toLowerCase()}`,
  organisationId,
  roles,
  channel: 'SLACK',
});
const patient: PatientActor = { kind: 'PATIENT', channel: 'WEB' };

function offer(id: string, providerOrgId: string, overrides: Partial<OfferView> = {}): OfferView {
  return {
    offerId: id,
    round: 1,
    providerOrgId,
    siteId: `${providerOrgId}-site`,
    siteName: 'Site',
    proposedDate: '2026-04-01',
    validUntil: new Date(NOW + 5 * DAY).toISOString(),
    clinicalTeam: 'Arthroplasty team',
    status: 'LIVE',
    ...overrides,
  };
}

function journey(state: CaseState, changes: Partial<JourneyState> = {}): JourneyState {
  return { ...initialState('MA-0000TEST', ORIGIN), state, round: 1, ...changes };
}

/** The refusal a check throws: its stable code and its words. */
function refusal(check: () => unknown): { code: string | undefined; message: string } {
  try {
    check();
  } catch (error) {
    if (error instanceof ApplicationFailure) {
      expect(error.nonRetryable).toBe(true);
      return { code: error.type ?? undefined, message: error.message };
    }
    throw error;
  }
  throw new Error('Expected the check to refuse, but it passed');
}

const offerRequest = (actor: StaffActor | PatientActor, overrides: Record<string, unknown> = {}) => ({
  actor,
  offerId: 'new-offer',
  siteId: 'york-site',
  proposedDate: '2026-04-01',
  validUntil: new Date(NOW + 7 * DAY).toISOString(),
  clinicalTeam: '  Hip team  ',
  ...overrides,
});

describe('requireStaff', () => {
  it('returns the actor when they have one of the roles in the organisation concerned', () => {
    const actor = staff(ORIGIN, 'COORDINATOR');
    expect(requireStaff(actor, ORIGIN, ['COORDINATOR', 'CLINICIAN'], 'do it')).toBe(actor);
  });

  it('refuses staff of another organisation and the patient, saying only staff of the organisation concerned may act', () => {
    expect(refusal(() => requireStaff(staff(YORK, 'MANAGER'), ORIGIN, ['MANAGER'], 'approve'))).toEqual({
      code: 'ACTOR.NOT_AUTHORISED',
      message: 'Only staff of the organisation concerned can approve.',
    });
    expect(refusal(() => requireStaff(patient, ORIGIN, ['MANAGER'], 'approve')).code).toBe('ACTOR.NOT_AUTHORISED');
  });

  it('refuses staff without a needed role, naming the roles they would need', () => {
    expect(
      refusal(() => requireStaff(staff(ORIGIN, 'COORDINATOR'), ORIGIN, ['CLINICIAN', 'MANAGER'], 'withdraw this offer'))
        .message,
    ).toBe('You need the clinician or manager role in your organisation to withdraw this offer.');
  });
});

describe('checkMakeOffer', () => {
  const open = () => journey('OPEN_FOR_OFFERS');

  it('accepts an offer from a provider clinician while the case is open, relisted or with the patient', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    for (const state of ['OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING'] as const) {
      expect(checkMakeOffer(journey(state), offerRequest(clinician), NOW, POLICY)).toBe(clinician);
    }
  });

  it('refuses the origin trust offering to its own patient with OFFER.OWN_PATIENT', () => {
    expect(refusal(() => checkMakeOffer(open(), offerRequest(staff(ORIGIN, 'CLINICIAN')), NOW, POLICY))).toEqual({
      code: 'OFFER.OWN_PATIENT',
      message: 'Your organisation listed this patient, so it cannot offer to treat them through mutual aid.',
    });
  });

  it('refuses an offer from the patient or from provider staff who are not clinicians', () => {
    expect(refusal(() => checkMakeOffer(open(), offerRequest(patient), NOW, POLICY)).code).toBe('ACTOR.NOT_AUTHORISED');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(staff(YORK, 'COORDINATOR', 'MANAGER')), NOW, POLICY)),
    ).toEqual({
      code: 'ACTOR.NOT_AUTHORISED',
      message: 'You need the clinician role in your organisation to offer treatment.',
    });
  });

  it('refuses an offer once the case is past choosing or finished, with JOURNEY.WRONG_STATE', () => {
    for (const state of ['LISTED', 'AWAITING_APPROVAL', 'APPROVED', 'TRANSFERRED', 'WITHDRAWN', 'CLOSED'] as const) {
      const refused = refusal(() =>
        checkMakeOffer(journey(state), offerRequest(staff(YORK, 'CLINICIAN')), NOW, POLICY),
      );
      expect(refused.code).toBe('JOURNEY.WRONG_STATE');
      expect(refused.message).toMatch(/^Case MA-0000TEST .+, so you cannot make an offer now\.$/);
    }
  });

  it('refuses the same offer id twice, and a second live offer from the same provider, with OFFER.DUPLICATE', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    const withOffer = journey('OPEN_FOR_OFFERS', { offers: [offer('new-offer', SHEFFIELD)] });
    expect(refusal(() => checkMakeOffer(withOffer, offerRequest(clinician), NOW, POLICY)).message).toBe(
      'This offer has already been made.',
    );
    const liveFromYork = journey('OPEN_FOR_OFFERS', { offers: [offer('earlier', YORK)] });
    expect(refusal(() => checkMakeOffer(liveFromYork, offerRequest(clinician), NOW, POLICY))).toEqual({
      code: 'OFFER.DUPLICATE',
      message: 'Your organisation already has a live offer for this case. Withdraw it first to make another.',
    });
  });

  it('accepts a new offer from a provider whose earlier offer was withdrawn or has expired', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    const s = journey('OPEN_FOR_OFFERS', {
      offers: [offer('a', YORK, { status: 'WITHDRAWN' }), offer('b', YORK, { status: 'EXPIRED' })],
    });
    expect(checkMakeOffer(s, offerRequest(clinician), NOW, POLICY)).toBe(clinician);
  });

  it('refuses a proposed date that is not a real date with INPUT.INVALID_DATE, and one in the past with OFFER.INVALID', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(clinician, { proposedDate: '2026-02-30' }), NOW, POLICY)).code,
    ).toBe('INPUT.INVALID_DATE');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(clinician, { proposedDate: '01/04/2026' }), NOW, POLICY)).code,
    ).toBe('INPUT.INVALID_DATE');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(clinician, { proposedDate: '2026-03-09' }), NOW, POLICY)),
    ).toEqual({
      code: 'OFFER.INVALID',
      message: 'The proposed treatment date is in the past.',
    });
    // Today is not in the past.
    expect(checkMakeOffer(open(), offerRequest(clinician, { proposedDate: '2026-03-10' }), NOW, POLICY)).toBe(
      clinician,
    );
  });

  it('refuses an expiry that is not a time, already past, or beyond the longest validity the policy allows', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(clinician, { validUntil: 'next week' }), NOW, POLICY)).code,
    ).toBe('INPUT.INVALID_DATE');
    expect(
      refusal(() =>
        checkMakeOffer(open(), offerRequest(clinician, { validUntil: new Date(NOW).toISOString() }), NOW, POLICY),
      ).code,
    ).toBe('OFFER.INVALID');
    expect(
      refusal(() =>
        checkMakeOffer(
          open(),
          offerRequest(clinician, { validUntil: new Date(NOW + 22 * DAY).toISOString() }),
          NOW,
          POLICY,
        ),
      ),
    ).toEqual({
      code: 'OFFER.INVALID',
      message: 'An offer can stay open for at most 21 days.',
    });
    const seconds = { ...POLICY, maxOfferValidityMs: 60_000 };
    expect(
      refusal(() =>
        checkMakeOffer(
          open(),
          offerRequest(clinician, { validUntil: new Date(NOW + 61_000).toISOString() }),
          NOW,
          seconds,
        ),
      ).message,
    ).toBe('An offer can stay open for at most 60 seconds.');
  });

  it('refuses an offer without a clinical team, or with a team name or notes that are too long', () => {
    const clinician = staff(YORK, 'CLINICIAN');
    expect(
      refusal(() => checkMakeOffer(open(), offerRequest(clinician, { clinicalTeam: '   ' }), NOW, POLICY)).code,
    ).toBe('OFFER.INVALID');
    expect(
      refusal(() =>
        checkMakeOffer(open(), offerRequest(clinician, { clinicalTeam: 'x'.repeat(MAX_TEAM_LENGTH + 1) }), NOW, POLICY),
      ).code,
    ).toBe('OFFER.INVALID');
    expect(
      refusal(() =>
        checkMakeOffer(open(), offerRequest(clinician, { notes: 'n'.repeat(MAX_NOTES_LENGTH + 1) }), NOW, POLICY),
      ).message,
    ).toBe(`Notes must be at most ${MAX_NOTES_LENGTH} characters.`);
    expect(checkMakeOffer(open(), offerRequest(clinician, { notes: 'n'.repeat(MAX_NOTES_LENGTH) }), NOW, POLICY)).toBe(
      clinician,
    );
  });
});

describe('checkWithdrawOffer', () => {
  const s = journey('OPEN_FOR_OFFERS', {
    offers: [offer('york', YORK), offer('gone', SHEFFIELD, { status: 'NOT_CHOSEN' })],
  });

  it("lets the offering provider's clinician or manager withdraw its live offer", () => {
    const manager = staff(YORK, 'MANAGER');
    expect(checkWithdrawOffer(s, { actor: manager, offerId: 'york' })).toEqual({ actor: manager, offer: s.offers[0] });
  });

  it('refuses an unknown offer, another provider, and an offer that is no longer live', () => {
    expect(refusal(() => checkWithdrawOffer(s, { actor: staff(YORK, 'CLINICIAN'), offerId: 'nope' })).code).toBe(
      'OFFER.NOT_FOUND',
    );
    expect(refusal(() => checkWithdrawOffer(s, { actor: staff(SHEFFIELD, 'CLINICIAN'), offerId: 'york' })).code).toBe(
      'ACTOR.NOT_AUTHORISED',
    );
    expect(refusal(() => checkWithdrawOffer(s, { actor: staff(SHEFFIELD, 'CLINICIAN'), offerId: 'gone' }))).toEqual({
      code: 'OFFER.NOT_LIVE',
      message: 'This offer is already not chosen.',
    });
  });
});

describe('checkChoice', () => {
  const choosing = () => journey('CHOOSING', { offers: [offer('york', YORK), offer('sheffield', SHEFFIELD)] });

  it('returns the accepted offer for an origin coordinator, an origin clinician or the patient', () => {
    const s = choosing();
    for (const actor of [staff(ORIGIN, 'COORDINATOR'), staff(ORIGIN, 'CLINICIAN'), patient]) {
      expect(checkChoice(s, { actor, choice: { kind: 'ACCEPT', offerId: 'sheffield' } }, NOW)).toBe(s.offers[1]);
    }
  });

  it('returns no offer for DECLINE_ALL and STAY_LOCAL', () => {
    expect(checkChoice(choosing(), { actor: patient, choice: { kind: 'DECLINE_ALL' } }, NOW)).toBeUndefined();
    expect(checkChoice(choosing(), { actor: patient, choice: { kind: 'STAY_LOCAL' } }, NOW)).toBeUndefined();
  });

  it('refuses a provider clinician and an origin manager recording the choice', () => {
    expect(
      refusal(() => checkChoice(choosing(), { actor: staff(YORK, 'CLINICIAN'), choice: { kind: 'DECLINE_ALL' } }, NOW))
        .code,
    ).toBe('ACTOR.NOT_AUTHORISED');
    expect(
      refusal(() => checkChoice(choosing(), { actor: staff(ORIGIN, 'MANAGER'), choice: { kind: 'DECLINE_ALL' } }, NOW))
        .message,
    ).toBe("You need the coordinator or clinician role in your organisation to record the patient's choice.");
  });

  it('refuses a choice outside CHOOSING, or once a choice has been made', () => {
    const open = journey('OPEN_FOR_OFFERS', { offers: [offer('york', YORK)] });
    expect(refusal(() => checkChoice(open, { actor: patient, choice: { kind: 'DECLINE_ALL' } }, NOW))).toEqual({
      code: 'JOURNEY.WRONG_STATE',
      message: "Case MA-0000TEST is open for offers, so you cannot record the patient's choice now.",
    });
    const chosen = { ...choosing(), choice: { kind: 'STAY_LOCAL' as const } };
    expect(refusal(() => checkChoice(chosen, { actor: patient, choice: { kind: 'DECLINE_ALL' } }, NOW)).code).toBe(
      'JOURNEY.WRONG_STATE',
    );
  });

  it('refuses an offer that is not on the case in this round with OFFER.NOT_FOUND', () => {
    const s = journey('CHOOSING', {
      round: 2,
      offers: [offer('old', YORK, { round: 1 }), offer('new', SHEFFIELD, { round: 2 })],
    });
    expect(
      refusal(() => checkChoice(s, { actor: patient, choice: { kind: 'ACCEPT', offerId: 'old' } }, NOW)).code,
    ).toBe('OFFER.NOT_FOUND');
    expect(
      refusal(() => checkChoice(s, { actor: patient, choice: { kind: 'ACCEPT', offerId: 'other' } }, NOW)).code,
    ).toBe('OFFER.NOT_FOUND');
  });

  it('refuses an expired or withdrawn offer with OFFER.NOT_LIVE, including one whose expiry has passed before its timer fired', () => {
    const s = journey('CHOOSING', {
      offers: [
        offer('expired', YORK, { status: 'EXPIRED' }),
        offer('withdrawn', SHEFFIELD, { status: 'WITHDRAWN' }),
        offer('due', 'third-org', { validUntil: new Date(NOW).toISOString() }),
      ],
    });
    for (const offerId of ['expired', 'withdrawn', 'due']) {
      expect(refusal(() => checkChoice(s, { actor: patient, choice: { kind: 'ACCEPT', offerId } }, NOW))).toEqual({
        code: 'OFFER.NOT_LIVE',
        message: 'That offer is no longer open: it was withdrawn or has expired.',
      });
    }
  });
});

describe('checkApproval', () => {
  const awaiting = (changes: Partial<JourneyState> = {}) =>
    journey('AWAITING_APPROVAL', {
      offers: [offer('chosen', YORK, { status: 'CHOSEN' }), offer('other', SHEFFIELD, { status: 'NOT_CHOSEN' })],
      ...changes,
    });

  it('lets the origin manager decide the release and the receiving manager decide the acceptance', () => {
    const s = awaiting();
    const originManager = staff(ORIGIN, 'MANAGER');
    expect(checkApproval(s, { actor: originManager, side: 'ORIGIN_RELEASE', approve: true })).toEqual({
      actor: originManager,
      offer: s.offers[0],
    });
    const yorkManager = staff(YORK, 'MANAGER');
    expect(
      checkApproval(s, { actor: yorkManager, side: 'RECEIVING_ACCEPTANCE', approve: false, reason: 'No theatre list' })
        .actor,
    ).toBe(yorkManager);
  });

  it('refuses the wrong organisation for a side, including a provider that was not chosen', () => {
    expect(
      refusal(() => checkApproval(awaiting(), { actor: staff(YORK, 'MANAGER'), side: 'ORIGIN_RELEASE', approve: true }))
        .message,
    ).toBe('Only staff of the organisation concerned can release this patient.');
    expect(
      refusal(() =>
        checkApproval(awaiting(), { actor: staff(SHEFFIELD, 'MANAGER'), side: 'RECEIVING_ACCEPTANCE', approve: true }),
      ).message,
    ).toBe('Only staff of the organisation concerned can accept this patient.');
  });

  it('refuses a coordinator or clinician, because approving needs a manager', () => {
    expect(
      refusal(() =>
        checkApproval(awaiting(), {
          actor: staff(ORIGIN, 'COORDINATOR', 'CLINICIAN'),
          side: 'ORIGIN_RELEASE',
          approve: true,
        }),
      ),
    ).toEqual({
      code: 'ACTOR.NOT_AUTHORISED',
      message: 'You need the manager role in your organisation to release this patient.',
    });
  });

  it('refuses a second decision for the same side with APPROVAL.ALREADY_DECIDED', () => {
    const s = awaiting({ approvals: [{ side: 'ORIGIN_RELEASE', approved: true, decidedBy: 'someone' }] });
    expect(
      refusal(() =>
        checkApproval(s, {
          actor: staff(ORIGIN, 'MANAGER'),
          side: 'ORIGIN_RELEASE',
          approve: false,
          reason: 'Changed',
        }),
      ).code,
    ).toBe('APPROVAL.ALREADY_DECIDED');
  });

  it('refuses a rejection without a reason, or with an overlong one, with APPROVAL.REASON_REQUIRED', () => {
    const manager = staff(ORIGIN, 'MANAGER');
    for (const reason of [undefined, '', '   ']) {
      expect(
        refusal(() => checkApproval(awaiting(), { actor: manager, side: 'ORIGIN_RELEASE', approve: false, reason })),
      ).toEqual({
        code: 'APPROVAL.REASON_REQUIRED',
        message: 'Give a reason for rejecting the transfer.',
      });
    }
    expect(
      refusal(() =>
        checkApproval(awaiting(), {
          actor: manager,
          side: 'ORIGIN_RELEASE',
          approve: false,
          reason: 'r'.repeat(MAX_REASON_LENGTH + 1),
        }),
      ).code,
    ).toBe('APPROVAL.REASON_REQUIRED');
  });

  it('refuses a decision when the case is not awaiting approval', () => {
    for (const state of ['CHOOSING', 'APPROVED', 'WITHDRAWN'] as const) {
      const s = journey(state, { offers: [offer('chosen', YORK, { status: 'CHOSEN' })] });
      expect(
        refusal(() => checkApproval(s, { actor: staff(ORIGIN, 'MANAGER'), side: 'ORIGIN_RELEASE', approve: true }))
          .code,
      ).toBe('JOURNEY.WRONG_STATE');
    }
  });
});

describe('checkWithdrawCase', () => {
  it('lets any coordinator, clinician or manager of the origin trust withdraw a case that has not finished', () => {
    for (const state of ['OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING', 'AWAITING_APPROVAL', 'APPROVED'] as const) {
      for (const role of ['COORDINATOR', 'CLINICIAN', 'MANAGER'] as const) {
        const actor = staff(ORIGIN, role);
        expect(checkWithdrawCase(journey(state), { actor, reason: 'TREATED_LOCALLY' })).toBe(actor);
      }
    }
  });

  it('refuses providers and the patient', () => {
    expect(
      refusal(() => checkWithdrawCase(journey('CHOOSING'), { actor: staff(YORK, 'MANAGER'), reason: 'OTHER' })).code,
    ).toBe('ACTOR.NOT_AUTHORISED');
    expect(refusal(() => checkWithdrawCase(journey('CHOOSING'), { actor: patient, reason: 'OTHER' })).code).toBe(
      'ACTOR.NOT_AUTHORISED',
    );
  });

  it('refuses to withdraw a case that is already withdrawn, closed or transferred', () => {
    expect(
      refusal(() => checkWithdrawCase(journey('WITHDRAWN'), { actor: staff(ORIGIN, 'MANAGER'), reason: 'OTHER' })),
    ).toEqual({
      code: 'JOURNEY.WRONG_STATE',
      message: 'Case MA-0000TEST has been withdrawn, so you cannot withdraw it now.',
    });
    expect(
      refusal(() => checkWithdrawCase(journey('CLOSED'), { actor: staff(ORIGIN, 'MANAGER'), reason: 'OTHER' })).code,
    ).toBe('JOURNEY.WRONG_STATE');
    expect(
      refusal(() => checkWithdrawCase(journey('TRANSFERRED'), { actor: staff(ORIGIN, 'MANAGER'), reason: 'OTHER' }))
        .code,
    ).toBe('JOURNEY.WRONG_STATE');
  });
});

describe('checkConfirmTransfer', () => {
  const approved = () => journey('APPROVED', { offers: [offer('chosen', YORK, { status: 'CHOSEN' })] });

  it('lets the receiving provider confirm an approved transfer with a real treatment date', () => {
    const actor = staff(YORK, 'COORDINATOR');
    expect(checkConfirmTransfer(approved(), { actor, treatmentDate: '2026-04-20' })).toBe(actor);
  });

  it('refuses the origin trust, a transfer not yet approved, and a date that is not real', () => {
    expect(
      refusal(() => checkConfirmTransfer(approved(), { actor: staff(ORIGIN, 'MANAGER'), treatmentDate: '2026-04-20' }))
        .code,
    ).toBe('ACTOR.NOT_AUTHORISED');
    const awaiting = journey('AWAITING_APPROVAL', { offers: [offer('chosen', YORK, { status: 'CHOSEN' })] });
    expect(
      refusal(() => checkConfirmTransfer(awaiting, { actor: staff(YORK, 'MANAGER'), treatmentDate: '2026-04-20' }))
        .code,
    ).toBe('JOURNEY.WRONG_STATE');
    expect(
      refusal(() => checkConfirmTransfer(approved(), { actor: staff(YORK, 'MANAGER'), treatmentDate: '2026-13-01' }))
        .code,
    ).toBe('INPUT.INVALID_DATE');
  });
});
