import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey, revokeApiKey } from '../../api/api-keys';
import { auditLog, cases, memberships, patients, people } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { isValidNhsNumber } from '../../domain/nhs-number';
import { listingFor } from '../support/fixtures';
import { countRows } from '../support/journey-assertions';
import { makeOffer, waitForState } from '../support/journey-helpers';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { bodyOf, startApiEnv, type ApiEnv } from './api-harness';

/** A listing as the API takes it: without the origin, which is the key's. */
function apiListing({ originOds: _origin, ...body }: ListingInput): Omit<ListingInput, 'originOds'> {
  return body;
}

describe('the operator API for cases', () => {
  let api: ApiEnv;
  const listings: ListingInput[] = [];
  beforeAll(async () => {
    api = await startApiEnv();
  });
  afterAll(() => api.close());

  const db = () => api.env.database.db;
  const world = () => api.env.world;

  async function listByApi(overrides: Partial<ListingInput> = {}): Promise<string> {
    const listing = listingFor(world(), overrides);
    listings.push(listing);
    const answer = await api.call('POST', '/api/v1/cases', {
      key: await api.keyFor(world().origin, 'coordinator'),
      body: apiListing(listing),
    });
    expect(answer.status, answer.text).toBe(201);
    const { caseRef } = bodyOf<{ caseRef: string }>(answer);
    expect(answer.headers.get('location')).toBe(`/api/v1/cases/${caseRef}`);
    return caseRef;
  }

  describe('authentication', () => {
    it('serves its OpenAPI document without a key', async () => {
      const answer = await api.call('GET', '/api/v1/openapi.json');
      expect(answer.status).toBe(200);
      expect(bodyOf(answer)).toMatchObject({ openapi: '3.1.0', paths: { '/cases': {} } });
      expect(answer.headers.get('cache-control')).toBe('no-store');
    });

    it('answers 401 with WWW-Authenticate: Bearer without a key, or with a malformed, unknown or revoked one', async () => {
      const missing = await api.call('GET', '/api/v1/cases');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(bodyOf(missing)).toMatchObject({ code: 'AUTH.REQUIRED' });

      const issued = await issueApiKey(db(), {
        organisationOds: 'RR8',
        person: world().origin.staff.coordinator,
        label: 'To be revoked',
        channel: 'CLI',
      });
      expect((await api.call('GET', '/api/v1/me', { key: issued.key })).status).toBe(200);
      await revokeApiKey(db(), { prefix: issued.prefix, channel: 'CLI' });
      for (const key of [issued.key, 'not-a-key', `ma_${issued.prefix}_${'x'.repeat(43)}`]) {
        const refused = await api.call('GET', '/api/v1/cases', { key });
        expect(refused.status, key).toBe(401);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
        expect(bodyOf(refused)).toMatchObject({ code: 'AUTH.INVALID_KEY' });
      }
      const basic = await api.call('GET', '/api/v1/cases', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(basic.status).toBe(401);
    });

    it('answers 403 for a key whose person has lost every role at its organisation', async () => {
      const [person] = await db().insert(people).values({ displayName: 'Moved on' }).returning();
      await db()
        .insert(memberships)
        .values({ personId: person!.id, organisationId: world().origin.id, role: 'COORDINATOR' });
      const issued = await issueApiKey(db(), {
        organisationOds: 'RR8',
        person: person!.id,
        label: 'Left behind',
        channel: 'CLI',
      });
      await db().delete(memberships).where(eq(memberships.personId, person!.id));
      const answer = await api.call('GET', '/api/v1/me', { key: issued.key });
      expect(answer.status).toBe(403);
      expect(bodyOf(answer)).toMatchObject({ code: 'ACTOR.NOT_AUTHORISED' });
    });

    it('says who a key acts as', async () => {
      const answer = await api.call('GET', '/api/v1/me', { key: await api.keyFor(world().origin, 'coordinator') });
      expect(bodyOf(answer)).toMatchObject({
        organisationOds: 'RR8',
        personId: world().origin.staff.coordinator,
        roles: ['COORDINATOR'],
      });
    });
  });

  describe('listing and reading cases', () => {
    it('lists a patient through POST /cases and reads the case back, with no patient identifier', async () => {
      const caseRef = await listByApi({ rttClockStart: '2025-01-06' });
      await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
      const key = await api.keyFor(world().origin, 'clinician');
      const answer = await api.call('GET', `/api/v1/cases/${caseRef}`, { key });
      expect(answer.status).toBe(200);
      expect(bodyOf(answer)).toMatchObject({
        caseRef,
        state: 'OPEN_FOR_OFFERS',
        specialtyCode: '110',
        specialtyName: 'Trauma & Orthopaedics',
        procedure: 'Primary total hip replacement',
        priority: 'P3',
        ageBand: '60-69',
        offers: [],
        offersShown: 'ALL',
      });
      expect(bodyOf<{ weeksWaiting: number }>(answer).weeksWaiting).toBeGreaterThan(52);
      expect(bodyOf<{ deadlines: object }>(answer).deadlines).toHaveProperty('offerWindowClosesAt');
      const [audit] = await db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.caseRef, caseRef), eq(auditLog.action, 'CASE_LISTED')));
      expect(audit).toMatchObject({ channel: 'API', actorPersonId: world().origin.staff.coordinator });
      // The case itself is in lower case too.
      expect((await api.call('GET', `/api/v1/cases/${caseRef.toLowerCase()}`, { key })).status).toBe(200);
    });

    it('pages through the trust’s cases longest-waiting first, filtered by state and specialty', async () => {
      const refs = [
        await listByApi({ rttClockStart: '2024-11-04' }),
        await listByApi({ rttClockStart: '2024-12-02' }),
        await listByApi({
          rttClockStart: '2025-02-03',
          specialtyCode: '130',
          procedure: 'Cataract surgery',
          opcsCode: 'C71.2',
        }),
      ];
      const key = await api.keyFor(world().origin, 'coordinator');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/api/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const answer = await api.call('GET', query, { key });
        expect(answer.status).toBe(200);
        const pageBody = bodyOf<{ items: { caseRef: string; weeksWaiting: number }[]; nextCursor: string | null }>(
          answer,
        );
        expect(pageBody.items.length).toBeLessThanOrEqual(2);
        seen.push(...pageBody.items.map((item) => item.caseRef));
        cursor = pageBody.nextCursor;
      } while (cursor);
      expect(seen.length).toBe(await countRows(db(), cases));
      expect(seen.indexOf(refs[0]!)).toBeLessThan(seen.indexOf(refs[1]!));
      expect(new Set(seen).size).toBe(seen.length);

      const eyes = await api.call('GET', '/api/v1/cases?specialty=130', { key });
      expect(bodyOf<{ items: { caseRef: string }[] }>(eyes).items.map((item) => item.caseRef)).toEqual([refs[2]]);
      const withdrawn = await api.call('GET', '/api/v1/cases?state=WITHDRAWN', { key });
      expect(bodyOf<{ items: unknown[] }>(withdrawn).items).toEqual([]);

      // A provider's key sees none of the trust's cases in its list.
      const provider = await api.call('GET', '/api/v1/cases', {
        key: await api.keyFor(world().independent, 'clinician'),
      });
      expect(bodyOf(provider)).toEqual({ items: [], nextCursor: null });
    });

    it('names each bad query parameter', async () => {
      const key = await api.keyFor(world().origin, 'coordinator');
      const answer = await api.call('GET', '/api/v1/cases?limit=0&state=SOMEWHERE&cursor=nope', { key });
      expect(answer.status).toBe(422);
      const fields = bodyOf<{ errors: { field: string }[] }>(answer).errors.map((error) => error.field);
      expect(fields.sort()).toEqual(['cursor', 'limit', 'state']);
    });

    it('lists the trust’s clinicians, one of whom judges each move', async () => {
      const answer = await api.call('GET', '/api/v1/clinicians', {
        key: await api.keyFor(world().origin, 'coordinator'),
      });
      expect(bodyOf(answer)).toEqual({
        items: [{ personId: world().origin.staff.clinician, displayName: 'RR8 clinician' }],
      });
    });
  });

  describe('bad input', () => {
    async function expectNothingWritten(send: () => Promise<void>) {
      const before = { cases: await countRows(db(), cases), patients: await countRows(db(), patients) };
      await send();
      expect({ cases: await countRows(db(), cases), patients: await countRows(db(), patients) }).toEqual(before);
    }

    it('answers 422 naming each field for a bad NHS number, missing fields and wrong types, writing nothing', async () => {
      const key = await api.keyFor(world().origin, 'coordinator');
      const good = apiListing(listingFor(world()));
      const badNhs = `${good.nhsNumber.slice(0, 9)}${(Number(good.nhsNumber.at(-1)) + 1) % 10}`;
      expect(isValidNhsNumber(badNhs)).toBe(false);
      const missing: Partial<typeof good> = { ...good };
      delete missing.givenName;
      delete missing.procedure;
      const cases422: [string, unknown, string[]][] = [
        ['a bad NHS number', { ...good, nhsNumber: badNhs }, ['nhsNumber']],
        ['missing fields', missing, ['givenName', 'procedure']],
        [
          'wrong types',
          { ...good, bmi: 'heavy', needsCriticalCare: 'yes', travelNeeds: 'none' },
          ['bmi', 'needsCriticalCare', 'travelNeeds'],
        ],
        ['an origin that is not the key’s', { ...good, originOds: 'RHQ' }, ['originOds']],
        ['no body at all', undefined, ['nhsNumber', 'givenName']],
      ];
      for (const [problem, body, fields] of cases422) {
        await expectNothingWritten(async () => {
          const answer = await api.call('POST', '/api/v1/cases', { key, body });
          expect(answer.status, problem).toBe(422);
          const answered = bodyOf<{ code: string; errors: { field: string; message: string }[] }>(answer);
          expect(answered.code).toBe('INPUT.INVALID');
          expect(
            answered.errors.map((error) => error.field),
            problem,
          ).toEqual(expect.arrayContaining(fields));
          // Messages say what is wrong without repeating the value.
          expect(answer.text).not.toContain(badNhs);
        });
      }
      const nhs = await api.call('POST', '/api/v1/cases', { key, body: { ...good, nhsNumber: badNhs } });
      expect(bodyOf(nhs)).toMatchObject({
        errors: [{ field: 'nhsNumber', message: 'NHS number must be 10 digits with a valid check digit' }],
      });
    });

    it('refuses a key whose person may not list (a manager) with 403, writing nothing', async () => {
      await expectNothingWritten(async () => {
        const answer = await api.call('POST', '/api/v1/cases', {
          key: await api.keyFor(world().origin, 'manager'),
          body: apiListing(listingFor(world())),
        });
        expect(answer.status).toBe(403);
        expect(bodyOf(answer)).toMatchObject({ code: 'ACTOR.NOT_AUTHORISED' });
      });
    });

    it('answers malformed JSON with 400, a body that is not JSON with 415, and an oversized one with 413', async () => {
      const key = await api.keyFor(world().origin, 'coordinator');
      await expectNothingWritten(async () => {
        const malformed = await api.call('POST', '/api/v1/cases', { key, rawBody: '{"nhsNumber": "943 476 5919",' });
        expect(malformed.status).toBe(400);
        expect(bodyOf(malformed)).toEqual({
          code: 'INPUT.MALFORMED_JSON',
          message: 'The request body is not valid JSON.',
        });
        expect(malformed.text).not.toContain('943 476');

        const form = await api.call('POST', '/api/v1/cases', {
          key,
          rawBody: 'nhsNumber=9434765919',
          contentType: 'application/x-www-form-urlencoded',
        });
        expect(form.status).toBe(415);

        const huge = await api.call('POST', '/api/v1/cases', {
          key,
          body: { ...apiListing(listingFor(world())), procedure: 'x'.repeat(300 * 1024) },
        });
        expect(huge.status).toBe(413);
        expect(bodyOf(huge)).toMatchObject({ code: 'INPUT.TOO_LARGE' });
      });
    });

    it('answers an unknown route with a JSON 404, and never a stack trace', async () => {
      const key = await api.keyFor(world().origin, 'coordinator');
      for (const [method, path] of [
        ['GET', '/api/v1/patients'],
        ['DELETE', '/api/v1/cases'],
        ['GET', '/api/v1/cases/MA-12345678/secrets'],
      ] as const) {
        const answer = await api.call(method, path, { key });
        expect(answer.status, path).toBe(404);
        expect(bodyOf(answer)).toMatchObject({ code: 'NOT_FOUND' });
        expect(answer.text).not.toMatch(/\bat .*\.ts:\d+/);
      }
      const badRef = await api.call('GET', '/api/v1/cases/not-a-case', { key });
      expect(badRef.status).toBe(404);
    });
  });

  describe('another organisation’s key', () => {
    it('cannot read or withdraw a case it has no part in (404, audited), and the case is unchanged', async () => {
      const caseRef = await listByApi();
      await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
      const key = await api.keyFor(world().independent, 'clinician');
      const read = await api.call('GET', `/api/v1/cases/${caseRef}`, { key });
      expect(read.status).toBe(404);
      const unknown = await api.call('GET', '/api/v1/cases/MA-00000000', { key });
      // A case that exists and one that does not are answered alike, so references cannot be probed.
      expect(bodyOf(read)).toEqual({
        code: 'CASE.NOT_FOUND',
        message: `There is no case ${caseRef} that your organisation can see.`,
      });
      expect(bodyOf<{ code: string }>(unknown).code).toBe('CASE.NOT_FOUND');

      const withdraw = await api.call('POST', `/api/v1/cases/${caseRef}/withdraw`, {
        key,
        body: { reason: 'OTHER' },
      });
      expect(withdraw.status).toBe(404);
      const status = await api.journeys.status(caseRef);
      expect(status.ok && status.value.state).toBe('OPEN_FOR_OFFERS');

      const refusals = await db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.caseRef, caseRef), eq(auditLog.outcome, 'REFUSED')));
      expect(refusals.map((row) => [row.action, row.channel, row.actorPersonId, row.organisationId])).toEqual([
        ['VIEW_CASE', 'API', world().independent.staff.clinician, world().independent.id],
        ['withdrawCase', 'API', world().independent.staff.clinician, world().independent.id],
      ]);
    });

    it('once it has offered, sees the case with its own offer only, and still may not withdraw it (403)', async () => {
      const caseRef = await listByApi();
      await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
      await makeOffer(api.journeys, caseRef, world().nhsProvider);
      const york = await makeOffer(api.journeys, caseRef, world().independent);
      const key = await api.keyFor(world().independent, 'manager');
      const read = await api.call('GET', `/api/v1/cases/${caseRef}`, { key });
      expect(read.status).toBe(200);
      expect(bodyOf(read)).toMatchObject({ offersShown: 'OWN', offers: [{ offerId: york.offerId, status: 'LIVE' }] });
      expect(bodyOf<{ offers: unknown[] }>(read).offers).toHaveLength(1);

      const origin = await api.call('GET', `/api/v1/cases/${caseRef}`, {
        key: await api.keyFor(world().origin, 'coordinator'),
      });
      expect(bodyOf<{ offers: unknown[] }>(origin).offers).toHaveLength(2);

      const withdraw = await api.call('POST', `/api/v1/cases/${caseRef}/withdraw`, { key, body: { reason: 'OTHER' } });
      expect(withdraw.status).toBe(403);
      expect(bodyOf(withdraw)).toMatchObject({ code: 'ACTOR.NOT_AUTHORISED' });
      const status = await api.journeys.status(caseRef);
      expect(status.ok && status.value.state).toBe('OPEN_FOR_OFFERS');
      const [refused] = await db()
        .select({ n: count() })
        .from(auditLog)
        .where(
          and(eq(auditLog.caseRef, caseRef), eq(auditLog.action, 'withdrawCase'), eq(auditLog.outcome, 'REFUSED')),
        );
      expect(refused?.n).toBe(1);
    });
  });

  describe('withdrawing', () => {
    it('withdraws the trust’s own case, once; a second try is a 409', async () => {
      const caseRef = await listByApi();
      await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
      const key = await api.keyFor(world().origin, 'coordinator');
      const bad = await api.call('POST', `/api/v1/cases/${caseRef}/withdraw`, { key, body: { reason: 'BORED' } });
      expect(bad.status).toBe(422);
      expect(bodyOf(bad)).toMatchObject({ errors: [{ field: 'reason' }] });

      const withdrawn = await api.call('POST', `/api/v1/cases/${caseRef}/withdraw`, {
        key,
        body: { reason: 'TREATED_LOCALLY' },
        headers: { 'idempotency-key': 'withdraw-1' },
      });
      expect(withdrawn.status, withdrawn.text).toBe(200);
      expect(bodyOf(withdrawn)).toMatchObject({ caseRef, state: 'WITHDRAWN', closedReason: 'TREATED_LOCALLY' });

      const again = await api.call('POST', `/api/v1/cases/${caseRef}/withdraw`, { key, body: { reason: 'OTHER' } });
      expect(again.status).toBe(409);
      expect(bodyOf(again)).toMatchObject({ code: 'JOURNEY.WRONG_STATE' });

      const read = await api.call('GET', `/api/v1/cases/${caseRef}`, { key });
      expect(bodyOf(read)).toMatchObject({ state: 'WITHDRAWN' });
    });
  });

  it('never answers with a patient identifier', () => {
    expect(listings.length).toBeGreaterThan(3);
    for (const listing of listings) expectNoPatientIdentifiers(api.seen, listing);
  });
});
