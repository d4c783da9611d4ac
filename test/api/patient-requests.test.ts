/**
 * POST and GET /patient-requests over real HTTP, on a server with
 * PATIENT_LINK_SECRET: invitations for eligible and ineligible patients whose
 * links open the patient's page on the same server, the trust's list of its
 * requests (no identifier, never the link), refusals naming each field, an
 * Idempotency-Key that gives a lost answer (and its link) again, and a 503
 * from a server without the secret.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type BotServer } from '../../bot/server';
import { auditLog, patientRequests } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import type { InvitationInput } from '../../domain/patient-initiated';
import { listingFor } from '../support/fixtures';
import { FAST_POLICY } from '../support/journey-env';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { bodyOf, startApiEnv, type ApiEnv } from './api-harness';

const DAY_MS = 86_400_000;
const weeksAgo = (weeks: number) => new Date(Date.now() - weeks * 7 * DAY_MS).toISOString().slice(0, 10);

/** A listing's patient: what an invitation holds, less the origin trust, which is the key's. */
function patientOf({
  originOds: _origin,
  maxTravelMiles: _travel,
  appropriatenessJudgedBy: _judge,
  ...patient
}: ListingInput): Omit<InvitationInput, 'originOds'> {
  return patient;
}

interface Invited {
  requestId: string;
  ref: string;
  url: string;
  expiresAt: string;
  eligible: boolean;
  reasons: string[];
}

interface RequestItem {
  requestId: string;
  ref: string;
  status: string;
  specialtyCode: string;
  weeksWaiting: number;
  respondedAt: string | null;
  maxTravelMiles: number | null;
  caseRef: string | null;
  ineligibleReasons: string[];
}

describe('the operator API’s patient-initiated requests', () => {
  let api: ApiEnv;
  const invitations: InvitationInput[] = [];
  const world = () => api.env.world;

  beforeAll(async () => {
    api = await startApiEnv(undefined, { patientRequests: true });
  });
  afterAll(() => api.close());

  /** An invitation as the API takes it: the patient's details, without origin, travel answer or judging clinician. */
  function invitation(overrides: Partial<InvitationInput> = {}): Omit<InvitationInput, 'originOds'> {
    const body = { ...patientOf(listingFor(world(), { rttClockStart: weeksAgo(45) })), ...overrides };
    invitations.push({ ...body, originOds: world().origin.ods });
    return body;
  }

  async function invite(
    body: unknown,
    who: 'coordinator' | 'clinician' | 'manager' = 'coordinator',
    options: { idempotencyKey?: string; org?: typeof api.env.world.origin } = {},
  ) {
    return api.call('POST', '/api/v1/patient-requests', {
      key: await api.keyFor(options.org ?? world().origin, who),
      body,
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    });
  }

  /** The organisation's request rows for a patient, and the PATIENT_INVITED entries naming any of them. */
  async function recordsOf(nhsNumber: string, org = world().origin) {
    const { db } = api.env.database;
    const rows = await db
      .select()
      .from(patientRequests)
      .where(and(eq(patientRequests.originOrgId, org.id), eq(patientRequests.nhsNumber, nhsNumber)));
    const ids = new Set(rows.map((row) => row.id));
    const audits = (await db.select().from(auditLog).where(eq(auditLog.action, 'PATIENT_INVITED'))).filter((row) =>
      ids.has((row.detail as { requestId?: string }).requestId ?? ''),
    );
    return { rows, audits };
  }

  async function requestsPage(query = '', org = world().origin) {
    const answer = await api.call('GET', `/api/v1/patient-requests${query}`, {
      key: await api.keyFor(org, 'coordinator'),
    });
    expect(answer.status, answer.text).toBe(200);
    return bodyOf<{ items: RequestItem[]; nextCursor: string | null }>(answer);
  }

  /** The patient's page behind a link, as their browser would fetch it. */
  async function openLink(url: string, form?: Record<string, string>) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    const html = await response.text();
    api.seen.push(html);
    return { status: response.status, type: response.headers.get('content-type') ?? '', html };
  }

  it('invites an eligible patient: the link opens their page on this server, and their answer shows in the list', async () => {
    const answer = await invite(invitation());
    expect(answer.status, answer.text).toBe(201);
    const invited = bodyOf<Invited>(answer);
    expect(invited).toMatchObject({ eligible: true, reasons: [] });
    expect(invited.ref).toMatch(/^PR-[0-9A-F]{8}$/);
    expect(invited.url.startsWith(`${api.bot.url}/request/`)).toBe(true);
    expect(Date.parse(invited.expiresAt) - Date.now()).toBeGreaterThan(6 * DAY_MS);

    const page = await openLink(invited.url);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toContain('How far would you travel for your treatment?');

    const [audit] = await api.env.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'PATIENT_INVITED'))
      .then((rows) => rows.filter((row) => (row.detail as { requestId?: string }).requestId === invited.requestId));
    expect(audit).toMatchObject({ channel: 'API', actorPersonId: world().origin.staff.coordinator });

    const listed = (await requestsPage()).items.find((item) => item.requestId === invited.requestId);
    expect(listed).toMatchObject({
      ref: invited.ref,
      status: 'INVITED',
      specialtyCode: '110',
      weeksWaiting: 45,
      respondedAt: null,
      caseRef: null,
      ineligibleReasons: [],
    });
    // The link is shown once, when issued: never in the list.
    expect(JSON.stringify(await requestsPage())).not.toContain(invited.url.split('/request/')[1]);

    const answered = await openLink(invited.url, { travel: 'MILES_100' });
    expect(answered.status).toBe(200);
    const requested = await requestsPage('?status=REQUESTED');
    expect(requested.items.map((item) => [item.requestId, item.maxTravelMiles])).toEqual([[invited.requestId, 100]]);
    expect(requested.items[0]!.respondedAt).not.toBeNull();
  });

  it('invites an ineligible patient too: the link explains why', async () => {
    const answer = await invite(invitation({ rttClockStart: weeksAgo(10), tertiaryReferral: true }), 'clinician');
    expect(answer.status, answer.text).toBe(201);
    const invited = bodyOf<Invited>(answer);
    expect(invited.eligible).toBe(false);
    expect(invited.reasons).toEqual([
      'You have been waiting 10 weeks. You can ask to move once you have waited more than 40 weeks.',
      'You are being treated by a specialist (tertiary) service, which is not part of this scheme.',
    ]);
    const page = await openLink(invited.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('You cannot ask to move hospital at the moment');

    const ineligible = await requestsPage('?status=INELIGIBLE');
    expect(ineligible.items).toEqual([
      expect.objectContaining({ requestId: invited.requestId, ineligibleReasons: invited.reasons }),
    ]);
  });

  it('pages through the trust’s requests newest first, and shows another organisation none of them', async () => {
    await invite(invitation());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const pageBody: { items: RequestItem[]; nextCursor: string | null } = await requestsPage(
        `?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(pageBody.items.length).toBeLessThanOrEqual(1);
      seen.push(...pageBody.items.map((item) => item.requestId));
      cursor = pageBody.nextCursor;
    } while (cursor);
    const all = await requestsPage();
    expect(seen).toEqual(all.items.map((item) => item.requestId));
    expect(seen.length).toBe(
      (await api.env.database.db.select().from(patientRequests)).filter((row) => row.originOrgId === world().origin.id)
        .length,
    );
    expect(await requestsPage('', world().nhsProvider)).toEqual({ items: [], nextCursor: null });
  });

  it('names each wrong field (422), refuses a second open invitation and a person who may not invite', async () => {
    const good = invitation();
    const missing: Partial<typeof good> = { ...good };
    delete missing.familyName;
    const refusals: [string, unknown, string[]][] = [
      ['a bad NHS number', { ...good, nhsNumber: '1234567890' }, ['nhsNumber']],
      ['missing fields', missing, ['familyName']],
      [
        'wrong types',
        { ...good, tertiaryReferral: 'maybe', bookedTreatmentDate: 'soon' },
        ['tertiaryReferral', 'bookedTreatmentDate'],
      ],
      ['an origin that is not the key’s', { ...good, originOds: 'RHQ' }, ['originOds']],
      ['an unknown postcode district', { ...good, postcode: 'ZZ9 9ZZ' }, ['postcode']],
    ];
    for (const [problem, body, fields] of refusals) {
      const answer = await invite(body);
      expect(answer.status, problem).toBe(422);
      expect(
        bodyOf<{ errors: { field: string }[] }>(answer).errors.map((error) => error.field),
        problem,
      ).toEqual(expect.arrayContaining(fields));
    }

    expect((await invite(good)).status).toBe(201);
    const twice = await invite(good);
    expect(twice.status).toBe(422);
    expect(bodyOf(twice)).toMatchObject({
      errors: [{ field: 'nhsNumber', message: 'This patient already has an open invitation from your trust' }],
    });

    const manager = await invite(invitation(), 'manager');
    expect(manager.status).toBe(403);
    expect(bodyOf(manager)).toMatchObject({ code: 'ACTOR.NOT_AUTHORISED' });

    const badQuery = await api.call('GET', '/api/v1/patient-requests?status=LOST&limit=0', {
      key: await api.keyFor(world().origin, 'coordinator'),
    });
    expect(badQuery.status).toBe(422);
  });

  describe('with an Idempotency-Key', () => {
    it('answers a retry of a lost answer with the same link, inviting and auditing once', async () => {
      const body = invitation();
      const idempotencyKey = `pas-${randomUUID()}`;
      const first = await invite(body, 'coordinator', { idempotencyKey });
      expect(first.status, first.text).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const invited = bodyOf<Invited>(first);

      // The answer is lost on the way back. Retried without the key, the request is a second invitation, refused.
      const withoutKey = await invite(body);
      expect(withoutKey.status).toBe(422);
      expect(withoutKey.text).not.toContain(invited.url);

      // Retried with it, as it was or quoted (the IETF draft's form): the first answer, link included.
      for (const sent of [idempotencyKey, `"${idempotencyKey}"`]) {
        const again = await invite(body, 'coordinator', { idempotencyKey: sent });
        expect(again.status, again.text).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(bodyOf<Invited>(again)).toEqual(invited);
      }
      const { rows, audits } = await recordsOf(body.nhsNumber);
      expect(rows.map((row) => row.id)).toEqual([invited.requestId]);
      expect(audits).toHaveLength(1);
      // The link is not kept anywhere: the row holds the scoped key and a keyed fingerprint of the body only.
      const token = invited.url.split('/request/')[1]!;
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]!);

      // The link given again is the patient's working link.
      const page = await openLink(invited.url);
      expect(page.status).toBe(200);
      expect(page.html).toContain('How far would you travel for your treatment?');
    });

    it('answers a request sent twice at once with one invitation', async () => {
      const body = invitation();
      const idempotencyKey = `pas-${randomUUID()}`;
      const answers = await Promise.all([1, 2].map(() => invite(body, 'coordinator', { idempotencyKey })));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
      const [one, two] = answers.map((answer) => bodyOf<Invited>(answer));
      expect(two).toEqual(one);
      expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
      const { rows, audits } = await recordsOf(body.nhsNumber);
      expect(rows).toHaveLength(1);
      expect(audits).toHaveLength(1);
    });

    it('refuses the same key with a different body (422), inviting nobody', async () => {
      const idempotencyKey = `pas-${randomUUID()}`;
      const first = invitation();
      const invited = bodyOf<Invited>(await invite(first, 'coordinator', { idempotencyKey }));
      for (const other of [invitation(), { ...first, procedure: 'Primary total knee replacement' }]) {
        const refused = await invite(other, 'coordinator', { idempotencyKey });
        expect(refused.status, refused.text).toBe(422);
        expect(bodyOf(refused)).toEqual({
          code: 'IDEMPOTENCY_KEY.REUSED',
          message: expect.stringContaining(
            `already used for invitation ${invited.ref}, with a different request body`,
          ) as string,
          errors: [{ field: 'Idempotency-Key', message: 'Already used with a different request body' }],
        });
        expect(refused.text).not.toContain(invited.url);
        expect((await recordsOf(other.nhsNumber)).rows.map((row) => row.id)).toEqual(
          other.nhsNumber === first.nhsNumber ? [invited.requestId] : [],
        );
      }
      // The first body still gets its answer.
      expect(bodyOf<Invited>(await invite(first, 'coordinator', { idempotencyKey }))).toEqual(invited);
    });

    it('keeps each organisation’s keys apart: the same key from another organisation is its own invitation', async () => {
      const idempotencyKey = `pas-${randomUUID()}`;
      const body = invitation();
      invitations.push({ ...body, originOds: world().nhsProvider.ods });
      const ours = bodyOf<Invited>(await invite(body, 'coordinator', { idempotencyKey }));
      const theirs = await invite(body, 'coordinator', { idempotencyKey, org: world().nhsProvider });
      expect(theirs.status, theirs.text).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      const their = bodyOf<Invited>(theirs);
      expect(their.requestId).not.toBe(ours.requestId);
      expect(their.url).not.toBe(ours.url);
      expect((await recordsOf(body.nhsNumber, world().nhsProvider)).rows.map((row) => row.id)).toEqual([
        their.requestId,
      ]);
      // Each still replays its own.
      expect(bodyOf<Invited>(await invite(body, 'coordinator', { idempotencyKey }))).toEqual(ours);
      const theirsAgain = await invite(body, 'coordinator', { idempotencyKey, org: world().nhsProvider });
      expect(bodyOf<Invited>(theirsAgain)).toEqual(their);
      // A key that is not one is refused before anything happens.
      const bad = await invite(invitation(), 'coordinator', { idempotencyKey: 'two words' });
      expect(bad.status).toBe(422);
      expect(bodyOf(bad)).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
    });
  });

  describe('on a server without PATIENT_LINK_SECRET', () => {
    let plain: BotServer;
    beforeAll(async () => {
      plain = await startBotServer({
        db: api.env.database.db,
        journeys: api.journeys,
        capacity: api.env.capacity(),
        policy: FAST_POLICY,
        host: '127.0.0.1',
        config: { httpPort: 0 },
      });
    });
    afterAll(() => plain.close());

    it('answers 503 naming the setting, and serves no patient page', async () => {
      const key = await api.keyFor(world().origin, 'coordinator');
      const before = (await api.env.database.db.select().from(patientRequests)).length;
      for (const [method, options] of [
        ['POST', { key, body: invitation(), server: plain.url }],
        ['GET', { key, server: plain.url }],
      ] as const) {
        const answer = await api.call(method, '/api/v1/patient-requests', options);
        expect(answer.status, method).toBe(503);
        expect(bodyOf(answer)).toMatchObject({
          code: 'PATIENT_REQUESTS.NOT_CONFIGURED',
          message: expect.stringContaining('PATIENT_LINK_SECRET') as string,
        });
      }
      expect((await api.env.database.db.select().from(patientRequests)).length).toBe(before);
      expect((await fetch(`${plain.url}/request/anything`)).status).toBe(404);
    });
  });

  it('never answers with a patient identifier', () => {
    expect(invitations.length).toBeGreaterThan(4);
    for (const invited of invitations) expectNoPatientIdentifiers(api.seen, invited);
  });
});
