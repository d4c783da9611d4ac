import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityPostings, offers } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { addCase, addDays } from '../matching/matching-world';
import { listingFor } from '../support/fixtures';
import { postingTerms } from '../support/capacity-helpers';
import { offerFrom, waitForState } from '../support/journey-helpers';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { bodyOf, startApiEnv, type ApiEnv } from './api-harness';

type Item = Record<string, unknown>;

describe('the operator API for offers, capacity and waits', () => {
  let api: ApiEnv;
  const listings: ListingInput[] = [];
  beforeAll(async () => {
    api = await startApiEnv();
  });
  afterAll(() => api.close());

  const db = () => api.env.database.db;
  const world = () => api.env.world;

  async function openCase(overrides: Partial<ListingInput> = {}): Promise<string> {
    const listing = listingFor(world(), overrides);
    listings.push(listing);
    const body: Partial<ListingInput> = { ...listing };
    delete body.originOds;
    const answer = await api.call('POST', '/api/v1/cases', {
      key: await api.keyFor(world().origin, 'coordinator'),
      body,
    });
    expect(answer.status, answer.text).toBe(201);
    const { caseRef } = bodyOf<{ caseRef: string }>(answer);
    await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
    return caseRef;
  }

  describe('capacity', () => {
    it('lists the organisation’s sites', async () => {
      const answer = await api.call('GET', '/api/v1/sites', {
        key: await api.keyFor(world().independent, 'clinician'),
      });
      expect(bodyOf(answer)).toEqual({
        items: [
          {
            siteId: world().independent.siteId,
            siteCode: 'NT2YK',
            name: 'Nuffield Health York Hospital',
            town: 'York',
          },
        ],
      });
    });

    it('posts capacity, lists it, and withdraws it', async () => {
      const key = await api.keyFor(world().independent, 'clinician');
      const posted = await api.call('POST', '/api/v1/capacity', { key, body: postingTerms(world().independent) });
      expect(posted.status, posted.text).toBe(201);
      const posting = bodyOf<{ postingId: string }>(posted);
      expect(posting).toMatchObject({ status: 'OPEN', siteId: world().independent.siteId, slots: 4, slotsFilled: 0 });

      const open = await api.call('GET', '/api/v1/capacity?status=OPEN', { key });
      expect(bodyOf<{ items: Item[] }>(open).items.map((item) => item.postingId)).toContain(posting.postingId);

      const withdrawn = await api.call('POST', `/api/v1/capacity/${posting.postingId}/withdraw`, { key });
      expect(withdrawn.status, withdrawn.text).toBe(200);
      expect(bodyOf(withdrawn)).toMatchObject({ postingId: posting.postingId, status: 'WITHDRAWN' });
      const listed = await api.call('GET', '/api/v1/capacity?status=WITHDRAWN', { key });
      expect(bodyOf<{ items: Item[] }>(listed).items.map((item) => item.postingId)).toEqual([posting.postingId]);

      const again = await api.call('POST', `/api/v1/capacity/${posting.postingId}/withdraw`, { key });
      expect([404, 409]).toContain(again.status);
    });

    it('posts once for one Idempotency-Key, however often the request is sent', async () => {
      const key = await api.keyFor(world().nhsProvider, 'manager');
      const send = () =>
        api.call('POST', '/api/v1/capacity', {
          key,
          body: postingTerms(world().nhsProvider, { slots: 2 }),
          headers: { 'idempotency-key': 'theatre-list-2026-03' },
        });
      const first = await send();
      const second = await send();
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(bodyOf<Item>(second).postingId).toBe(bodyOf<Item>(first).postingId);
      const rows = await db()
        .select()
        .from(capacityPostings)
        .where(eq(capacityPostings.organisationId, world().nhsProvider.id));
      expect(rows).toHaveLength(1);
    });

    it('names each bad field of a posting, and refuses another organisation’s site and a coordinator', async () => {
      const key = await api.keyFor(world().independent, 'clinician');
      const before = (await db().select().from(capacityPostings)).length;
      const bad = await api.call('POST', '/api/v1/capacity', {
        key,
        body: postingTerms(world().independent, {
          slots: 0,
          careType: 'SURGERY' as never,
          hasCriticalCare: 'no' as never,
        }),
      });
      expect(bad.status).toBe(422);
      expect(
        bodyOf<{ errors: { field: string }[] }>(bad)
          .errors.map((e) => e.field)
          .sort(),
      ).toEqual(['careType', 'hasCriticalCare', 'slots'].sort());
      const theirSite = await api.call('POST', '/api/v1/capacity', {
        key,
        body: postingTerms(world().nhsProvider),
      });
      expect(theirSite.status).toBe(422);
      expect(bodyOf(theirSite)).toMatchObject({ errors: [{ field: 'siteId' }] });
      const coordinator = await api.call('POST', '/api/v1/capacity', {
        key: await api.keyFor(world().independent, 'coordinator'),
        body: postingTerms(world().independent),
      });
      expect(coordinator.status).toBe(403);
      expect((await db().select().from(capacityPostings)).length).toBe(before);

      const otherOrgs = await api.call('POST', '/api/v1/capacity', { key, body: postingTerms(world().independent) });
      const postingId = bodyOf<Item>(otherOrgs).postingId as string;
      const notYours = await api.call('POST', `/api/v1/capacity/${postingId}/withdraw`, {
        key: await api.keyFor(world().nhsProvider, 'clinician'),
      });
      expect(notYours.status).toBe(403);
      const missing = await api.call('POST', '/api/v1/capacity/7d0c5f8e-93b1-4a55-9d2e-3f0c1b6a9e42/withdraw', { key });
      expect(missing.status).toBe(404);
    });
  });

  describe('offers', () => {
    it('makes an offer as a provider, once however often it is sent, lists it both ways, and withdraws it', async () => {
      const caseRef = await openCase();
      const key = await api.keyFor(world().independent, 'clinician');
      const offerId = '0b6f3c1e-5d1a-4f7b-9a57-6c1d2e3f4a5b';
      const body = { ...offerFrom(world().independent), offerId };
      const made = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, { key, body });
      expect(made.status, made.text).toBe(201);
      expect(bodyOf(made)).toMatchObject({
        offerId,
        caseRef,
        providerOrgId: world().independent.id,
        siteName: 'Nuffield Health York Hospital',
        status: 'LIVE',
      });
      const retried = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, { key, body });
      expect(retried.status).toBe(201);
      expect(await db().select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(1);

      const second = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key,
        body: offerFrom(world().independent),
      });
      expect(second.status).toBe(409);
      expect(bodyOf(second)).toMatchObject({ code: 'OFFER.DUPLICATE' });

      const provider = await api.call('GET', `/api/v1/offers?caseRef=${caseRef}`, { key });
      expect(bodyOf(provider)).toMatchObject({
        items: [{ offerId, direction: 'MADE', providerOds: 'NT2', status: 'LIVE' }],
        nextCursor: null,
      });
      const origin = await api.call('GET', '/api/v1/offers?status=LIVE', {
        key: await api.keyFor(world().origin, 'coordinator'),
      });
      expect(bodyOf<{ items: Item[] }>(origin).items).toEqual(
        expect.arrayContaining([expect.objectContaining({ offerId, direction: 'RECEIVED' })]),
      );
      const bystander = await api.call('GET', '/api/v1/offers', {
        key: await api.keyFor(world().nhsProvider, 'clinician'),
      });
      expect(bodyOf<{ items: Item[] }>(bystander).items.map((item) => item.offerId)).not.toContain(offerId);

      const notTheirs = await api.call('POST', `/api/v1/cases/${caseRef}/offers/${offerId}/withdraw`, {
        key: await api.keyFor(world().nhsProvider, 'clinician'),
      });
      expect(notTheirs.status).toBe(403);

      const withdrawn = await api.call('POST', `/api/v1/cases/${caseRef}/offers/${offerId}/withdraw`, {
        key: await api.keyFor(world().independent, 'manager'),
      });
      expect(withdrawn.status, withdrawn.text).toBe(200);
      expect(bodyOf(withdrawn)).toMatchObject({ offerId, status: 'WITHDRAWN' });
      const [row] = await db().select().from(offers).where(eq(offers.id, offerId));
      expect(row?.status).toBe('WITHDRAWN');

      const twice = await api.call('POST', `/api/v1/cases/${caseRef}/offers/${offerId}/withdraw`, { key });
      expect(twice.status).toBe(409);
      expect(bodyOf(twice)).toMatchObject({ code: 'OFFER.NOT_LIVE' });
      const unknownOffer = await api.call(
        'POST',
        `/api/v1/cases/${caseRef}/offers/5c4b3a29-1807-4f6e-8d5c-4b3a29180716/withdraw`,
        { key },
      );
      expect(unknownOffer.status).toBe(404);
    });

    it('refuses offers the journey would not take, with the field when there is one', async () => {
      const caseRef = await openCase();
      const key = await api.keyFor(world().nhsProvider, 'clinician');
      const own = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key: await api.keyFor(world().origin, 'clinician'),
        body: offerFrom(world().origin),
      });
      expect(own.status).toBe(403);
      expect(bodyOf(own)).toMatchObject({ code: 'OFFER.OWN_PATIENT' });

      const manager = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key: await api.keyFor(world().nhsProvider, 'manager'),
        body: offerFrom(world().nhsProvider),
      });
      expect(manager.status).toBe(403);

      const past = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key,
        body: { ...offerFrom(world().nhsProvider), proposedDate: '2020-01-06' },
      });
      expect(past.status).toBe(422);
      expect(bodyOf(past)).toMatchObject({ code: 'OFFER.INVALID', errors: [{ field: 'proposedDate' }] });

      const malformed = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key,
        body: { siteId: 'York', proposedDate: '31/12/2026', validUntil: 'soon', clinicalTeam: '' },
      });
      expect(malformed.status).toBe(422);
      expect(
        bodyOf<{ errors: { field: string }[] }>(malformed)
          .errors.map((e) => e.field)
          .sort(),
      ).toEqual(['clinicalTeam', 'proposedDate', 'siteId', 'validUntil'].sort());

      const noCase = await api.call('POST', '/api/v1/cases/MA-00000000/offers', {
        key,
        body: offerFrom(world().nhsProvider),
      });
      expect(noCase.status).toBe(404);
      expect(await db().select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(0);
    });

    it('pages through offers newest first', async () => {
      const key = await api.keyFor(world().nhsProvider, 'clinician');
      const made: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const caseRef = await openCase();
        const answer = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
          key,
          body: offerFrom(world().nhsProvider),
        });
        made.push(bodyOf<Item>(answer).offerId as string);
      }
      const first = await api.call('GET', '/api/v1/offers?limit=2', { key });
      const firstPage = bodyOf<{ items: Item[]; nextCursor: string }>(first);
      expect(firstPage.items.map((item) => item.offerId)).toEqual([made[2], made[1]]);
      const second = await api.call('GET', `/api/v1/offers?limit=2&cursor=${firstPage.nextCursor}`, { key });
      expect(bodyOf<{ items: Item[] }>(second).items.map((item) => item.offerId)).toEqual([made[0]]);
    });
  });

  describe('waits', () => {
    it('gives waits per trust and specialty to any key, filtered by trust and specialty', async () => {
      const key = await api.keyFor(world().nhsProvider, 'coordinator');
      const all = await api.call('GET', '/api/v1/waits', { key });
      expect(all.status).toBe(200);
      const leeds = bodyOf<{ items: Item[] }>(all).items.find((item) => item.odsCode === 'RR8');
      expect(leeds).toMatchObject({ specialtyCode: '110', specialtyName: 'Trauma & Orthopaedics' });
      expect(leeds?.patients).toBeGreaterThan(0);
      expect(leeds?.suppressed).toBe((leeds?.patients as number) < 5 ? 'TOO_FEW_PATIENTS' : null);

      const filtered = await api.call('GET', '/api/v1/waits?ods=rr8&specialty=110', { key });
      expect(bodyOf<{ items: Item[] }>(filtered).items).toEqual([leeds]);
      expect(bodyOf(await api.call('GET', '/api/v1/waits?ods=NT2', { key }))).toEqual({ items: [] });

      const unknown = await api.call('GET', '/api/v1/waits?ods=ZZZ9', { key });
      expect(unknown.status).toBe(422);
      expect(bodyOf(unknown)).toMatchObject({ errors: [{ field: 'ods' }] });
      const bad = await api.call('GET', '/api/v1/waits?specialty=hips', { key });
      expect(bad.status).toBe(422);
      expect(bodyOf(bad)).toMatchObject({ errors: [{ field: 'specialty' }] });
    });

    it('gives the count without figures where fewer than five patients are waiting', async () => {
      const key = await api.keyFor(world().nhsProvider, 'coordinator');
      const today = new Date().toISOString().slice(0, 10);
      const waiting = { ...world(), db: db() };
      const urology = async () =>
        bodyOf<{ items: Item[] }>(await api.call('GET', '/api/v1/waits?ods=RR8&specialty=101', { key })).items;
      const row = {
        odsCode: 'RR8',
        organisationName: 'Leeds Teaching Hospitals NHS Trust',
        specialtyCode: '101',
        specialtyName: 'Urology',
      };
      for (const weeks of [10, 20, 30, 40]) {
        await addCase(waiting, { specialtyCode: '101', rttClockStart: addDays(today, -7 * weeks) });
      }
      expect(await urology()).toEqual([
        { ...row, patients: 4, meanWeeks: null, p92Weeks: null, suppressed: 'TOO_FEW_PATIENTS' },
      ]);
      await addCase(waiting, { specialtyCode: '101', rttClockStart: addDays(today, -7 * 50) });
      expect(await urology()).toEqual([{ ...row, patients: 5, meanWeeks: 30, p92Weeks: 46.8, suppressed: null }]);
    });
  });

  it('never answers with a patient identifier', () => {
    expect(listings.length).toBeGreaterThan(3);
    for (const listing of listings) expectNoPatientIdentifiers(api.seen, listing);
  });
});
