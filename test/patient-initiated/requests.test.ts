/**
 * Patient-initiated mutual aid on the real Temporal dev server and
 * PostgreSQL: a trust invites an eligible patient; the patient says how far
 * they will travel; a clinician at the trust judges the move; the case is
 * listed (regionally first) and its journey runs; without an approved
 * transfer by the deadline it closes and the patient keeps their place.
 * Ineligible patients, used, tampered and expired links, and the wrong
 * people deciding change nothing.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, cases, notificationOutbox, patientRequests } from '../../db/schema';
import type { InvitationInput } from '../../domain/patient-initiated';
import type { PatientInitiatedPolicy } from '../../workflows/contract';
import { PatientRequests } from '../../workflows/patient-requests';
import type { patientJourney } from '../../workflows';
import { as, invitationFor } from '../support/fixtures';
import { createJourneyEnv, eventually, FAST_POLICY, type JourneyEnv } from '../support/journey-env';
import { expectRefused, waitForState } from '../support/journey-helpers';
import { expectNoPatientIdentifiers, stringLeaves } from '../support/privacy';
import { notificationMessage } from '../../bot/core/notification-message';
import { notificationByKey } from '../../db/outbox';

const SECRET = 'a-test-secret-that-is-long-enough-for-hmac';
const DAY_MS = 86_400_000;
const weeksAgo = (weeks: number, now = new Date()) =>
  new Date(now.getTime() - weeks * 7 * DAY_MS).toISOString().slice(0, 10);

describe('patient-initiated requests', () => {
  let env: JourneyEnv;
  const tokenOf = (url: string) => url.split('/request/')[1]!;

  const service = (policy: Partial<PatientInitiatedPolicy> = {}, now?: () => Date) =>
    new PatientRequests({
      db: env.database.db,
      client: env.client,
      taskQueue: env.taskQueue,
      journeyPolicy: { ...FAST_POLICY, offerWindowMs: 60_000 },
      policy: { regionalForMs: 60_000, matchWithinMs: 300_000, decideReminderMs: 60_000, ...policy },
      rules: { minWeeksWaiting: 40, noDateWithinWeeks: 8, minAge: 18, excludeTertiaryReferrals: true },
      secret: SECRET,
      baseUrl: 'https://mutual-aid.example.nhs.uk/',
      invitationTtlMs: 7 * DAY_MS,
      now,
    });

  const invitation = (overrides: Partial<InvitationInput> = {}) =>
    invitationFor(env.world, { rttClockStart: weeksAgo(45), ...overrides });

  const outboxFor = (requestId: string) =>
    env.database.db
      .select()
      .from(notificationOutbox)
      .then((rows) => rows.filter((row) => (row.payload as { requestId?: string }).requestId === requestId));

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  it('takes an eligible patient from invitation to a listed, regionally matched journey', async () => {
    const requests = service();
    const patient = invitation();
    const invited = await requests.invite(patient, as(env.world.origin, 'coordinator', 'API'));
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    expect(invited.eligible).toBe(true);
    expect(invited.url).toMatch(/^https:\/\/mutual-aid\.example\.nhs\.uk\/request\/[\w-]+\.[\w-]+$/);
    expect(invited.ref).toMatch(/^PR-[0-9A-F]{8}$/);

    const opened = await requests.open(tokenOf(invited.url));
    expect(opened.ok && opened.request.status).toBe('INVITED');

    const answered = await requests.answer(tokenOf(invited.url), 'MILES_100');
    expect(answered.ok && answered.request.status).toBe('REQUESTED');
    expect(await requests.answer(tokenOf(invited.url), 'ENGLAND')).toEqual({ ok: false, problem: 'ALREADY_ANSWERED' });

    const asked = await eventually(async () => {
      const rows = await outboxFor(invited.requestId);
      return rows.some((row) => row.kind === 'PATIENT_REQUEST') ? rows : undefined;
    });
    // The origin team's card, as chat renders it: the request's reference and clinical summary only.
    const card = await notificationMessage(
      env.database.db,
      (await notificationByKey(env.database.db, asked[0]!.idempotencyKey))!,
      new Date(),
    );
    expect(card.title).toBe(`A patient asks to move: ${invited.ref}`);
    expect(card.facts).toContainEqual({ label: 'Will travel', value: 'Up to 100 miles' });
    expect(card.actions.map((a) => a.action)).toEqual(['REQUEST_APPROPRIATE', 'REQUEST_NOT_APPROPRIATE']);
    expectNoPatientIdentifiers(stringLeaves(card), patient, 200);

    // A coordinator cannot judge clinical appropriateness, nor can another trust's clinician.
    expectRefused(
      await requests.decide(invited.requestId, as(env.world.origin, 'coordinator'), true),
      'ACTOR.NOT_AUTHORISED',
    );
    expectRefused(
      await requests.decide(invited.requestId, as(env.world.independent, 'clinician'), true),
      'ACTOR.NOT_AUTHORISED',
    );
    const decided = await requests.decide(invited.requestId, as(env.world.origin, 'clinician'), true, 'click-1');
    if (!decided.ok) throw new Error(decided.message);
    expect(decided.value.status).toBe('LISTED');
    const caseRef = decided.value.caseRef!;
    // The same click retried answers the same; a second decision is refused.
    const retried = await requests.decide(invited.requestId, as(env.world.origin, 'clinician'), true, 'click-1');
    expect(retried.ok && retried.value.caseRef).toBe(caseRef);
    expectRefused(
      await requests.decide(invited.requestId, as(env.world.origin, 'clinician'), false),
      'REQUEST.DECIDED',
    );

    const [kase] = await env.database.db.select().from(cases).where(eq(cases.caseRef, caseRef));
    expect(kase?.route).toBe('PATIENT_INITIATED');
    expect(kase?.maxTravelMiles).toBe(100);
    expect(kase?.appropriatenessJudgedBy).toBe(env.world.origin.staff.clinician);
    expect(kase!.nationalFrom!.getTime()).toBeGreaterThan(Date.now());
    await waitForState(env.journeys(), caseRef, 'OPEN_FOR_OFFERS');
    const [request] = await env.database.db
      .select()
      .from(patientRequests)
      .where(eq(patientRequests.id, invited.requestId));
    expect(request).toMatchObject({ status: 'LISTED', caseRef, decidedBy: env.world.origin.staff.clinician });

    const reopened = await requests.open(tokenOf(invited.url));
    expect(reopened.ok && reopened.request).toMatchObject({ status: 'LISTED', caseRef, caseState: 'OPEN_FOR_OFFERS' });
    const decidedCard = await notificationMessage(
      env.database.db,
      (await notificationByKey(env.database.db, asked[0]!.idempotencyKey))!,
      new Date(),
    );
    expect(decidedCard.actions).toEqual([]);
    expect(decidedCard.body).toContain(`listed as ${caseRef}`);
    const audit = await env.database.db.select().from(auditLog).where(eq(auditLog.caseRef, caseRef));
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(['CASE_LISTED', 'PATIENT_REQUEST_APPROVED', 'CASE_OPEN_FOR_OFFERS']),
    );
  });

  it('closes a case with no approved transfer by the deadline, and the patient keeps their place', async () => {
    const requests = service({ matchWithinMs: 4_000 });
    const invited = await requests.invite(invitation(), as(env.world.origin, 'clinician', 'API'));
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    await requests.answer(tokenOf(invited.url), 'ENGLAND');
    const decided = await eventually(async () => {
      const result = await requests.decide(invited.requestId, as(env.world.origin, 'clinician'), true);
      return result.ok ? result.value : undefined;
    });
    const caseRef = decided.caseRef!;
    const outcome = await env.client.workflow.getHandle<typeof patientJourney>(caseRef).result();
    expect(outcome.state).toBe('CLOSED');
    expect(outcome.reason).toBe('NO_MATCH_IN_TIME');
    const closed = await env.database.db
      .select()
      .from(notificationOutbox)
      .where(and(eq(notificationOutbox.caseRef, caseRef), eq(notificationOutbox.kind, 'CASE_CLOSED')));
    expect(closed).toHaveLength(1);
    const reopened = await requests.open(tokenOf(invited.url));
    expect(reopened.ok && reopened.request).toMatchObject({
      caseState: 'CLOSED',
      caseClosedReason: 'NO_MATCH_IN_TIME',
    });
  });

  it('records a move judged not appropriate, listing nothing', async () => {
    const requests = service();
    const invited = await requests.invite(invitation(), as(env.world.origin, 'coordinator', 'API'));
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    await requests.answer(tokenOf(invited.url), 'MILES_50');
    const decided = await requests.decide(invited.requestId, as(env.world.origin, 'clinician'), false);
    expect(decided.ok && decided.value).toEqual({ status: 'NOT_APPROPRIATE' });
    const [request] = await env.database.db
      .select()
      .from(patientRequests)
      .where(eq(patientRequests.id, invited.requestId));
    expect(request).toMatchObject({ status: 'NOT_APPROPRIATE', caseRef: null, maxTravelMiles: 50 });
  });

  it('explains to an ineligible patient why, and takes no answer from them', async () => {
    const requests = service();
    const soon = new Date(Date.now() + 14 * DAY_MS).toISOString().slice(0, 10);
    const invited = await requests.invite(
      invitation({ rttClockStart: weeksAgo(30), bookedTreatmentDate: soon, tertiaryReferral: true }),
      as(env.world.origin, 'coordinator', 'API'),
    );
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    expect(invited.eligible).toBe(false);
    expect(invited.reasons).toHaveLength(3);
    expect(invited.reasons[0]).toMatch(/waiting 30 weeks.*more than 40 weeks/);
    const opened = await requests.open(tokenOf(invited.url));
    expect(opened.ok && opened.request.status).toBe('INELIGIBLE');
    expect(await requests.answer(tokenOf(invited.url), 'ENGLAND')).toEqual({ ok: false, problem: 'INELIGIBLE' });
  });

  it('refuses tampered, expired and unknown links, and a travel answer it does not offer', async () => {
    const requests = service();
    const invited = await requests.invite(invitation(), as(env.world.origin, 'coordinator', 'API'));
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    const token = tokenOf(invited.url);
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}A`;
    expect(await requests.open(tampered)).toEqual({ ok: false, problem: 'TAMPERED' });
    expect(await requests.open('nonsense')).toEqual({ ok: false, problem: 'MALFORMED' });
    expect(await requests.answer(token, 'MILES_500')).toEqual({ ok: false, problem: 'INVALID_CHOICE' });
    const later = service({}, () => new Date(Date.now() + 8 * DAY_MS));
    expect(await later.open(token)).toEqual({ ok: false, problem: 'EXPIRED' });
    expect(await later.answer(token, 'ENGLAND')).toEqual({ ok: false, problem: 'EXPIRED' });
    const [request] = await env.database.db
      .select()
      .from(patientRequests)
      .where(eq(patientRequests.id, invited.requestId));
    expect(request?.status).toBe('INVITED');
  });

  it('refuses an invitation with field errors, by someone without a role, or for a patient already invited', async () => {
    const requests = service();
    const bad = await requests.invite(invitation({ nhsNumber: '1234567890' }), as(env.world.origin, 'coordinator'));
    expect(!bad.ok && bad.errors.map((e) => e.field)).toEqual(['nhsNumber']);
    const stranger = await requests.invite(invitation(), as(env.world.independent, 'coordinator'));
    expect(!stranger.ok && stranger.errors.map((e) => e.field)).toEqual(['originOds']);
    const patient = invitation();
    expect((await requests.invite(patient, as(env.world.origin, 'coordinator'))).ok).toBe(true);
    const again = await requests.invite(patient, as(env.world.origin, 'coordinator'));
    expect(!again.ok && again.errors[0]?.message).toMatch(/already has an open invitation/);
  });

  it('answers an idempotency key again until the link expires, then takes it as a new invitation', async () => {
    const patient = invitation();
    const idempotencyKey = `api:test-key:${patient.nhsNumber}`;
    const coordinator = as(env.world.origin, 'coordinator', 'API');
    const first = await service().invite(patient, coordinator, { idempotencyKey });
    if (!first.ok) throw new Error(JSON.stringify(first.errors));
    expect(first.replayed).toBeUndefined();
    // The same input with its keys in another order is the same input.
    const reordered = Object.fromEntries(Object.entries(patient).reverse());
    expect(await service().invite(reordered, coordinator, { idempotencyKey })).toEqual({ ...first, replayed: true });

    const later = service({}, () => new Date(Date.now() + 8 * DAY_MS));
    const afresh = await later.invite(patient, coordinator, { idempotencyKey });
    if (!afresh.ok) throw new Error(JSON.stringify(afresh.errors));
    expect(afresh.replayed).toBeUndefined();
    expect(afresh.requestId).not.toBe(first.requestId);
    const rows = await env.database.db
      .select()
      .from(patientRequests)
      .where(eq(patientRequests.nhsNumber, patient.nhsNumber));
    expect(
      rows.map((row) => [row.id, row.status, row.idempotencyKey]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ).toEqual(
      [
        [first.requestId, 'EXPIRED', null],
        [afresh.requestId, 'INVITED', idempotencyKey],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
  });
});
