/**
 * The patient's choice page over real HTTP, on the real Temporal dev server
 * and PostgreSQL: the offers it shows, the choose → check → confirm flow and
 * the Update it sends, each way a link can be refused (and that a refusal
 * changes nothing), that no page carries who the patient is, and that
 * behind a reverse proxy serving it under a path prefix every address it
 * gives stays under the prefix.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PatientLinks } from '../../bot/core/patient-links';
import type { Db } from '../../db/client';
import { cases, choices, patientLinks } from '../../db/schema';
import { localWait } from '../../db/waits';
import { distanceMiles } from '../../domain/distance';
import type { JourneyClient } from '../../workflows/client';
import { choiceRequestId } from '../../web/choice-link';
import { patientSite } from '../../web/patient-site';
import { signToken } from '../../web/signed-token';
import { basePathOf } from '../../web/site-path';
import { as } from '../support/fixtures';
import { addCase, addDays } from '../matching/matching-world';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { auditActions, waitForState } from '../support/journey-helpers';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { addressesIn, cssAddressesIn, pageAddressesEscaping } from '../support/web/addresses';
import { startPrefixProxy, type PrefixProxy } from '../support/web/prefix-proxy';
import {
  acceptedChoiceUpdates,
  CHOICE_POLICY,
  compactHtml,
  get,
  issueLink,
  LINK_TTL_MS,
  PATIENT_LINK_SECRET,
  postForm,
  stageChoosing,
  titleOf,
  visibleText,
  type Fetched,
} from './choice-helpers';

describe('the patient choice page', () => {
  let env: JourneyEnv;
  let db: Db;
  let journeys: JourneyClient;
  let server: Server;
  let base: string;
  /** The page's clock runs this far ahead of real time (to expire links). */
  let clockAheadMs = 0;
  const failures: string[] = [];

  beforeAll(async () => {
    env = await createJourneyEnv();
    db = env.database.db;
    await env.startWorker();
    journeys = env.journeys(CHOICE_POLICY);
    const now = () => new Date(Date.now() + clockAheadMs);
    const app = express();
    app.use(
      patientSite({
        db,
        journeys,
        patientLinks: new PatientLinks({ db, secret: PATIENT_LINK_SECRET, baseUrl: 'unused', ttlMs: LINK_TTL_MS, now }),
        now,
        log: (line) => failures.push(line),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await env?.close();
  });

  const stage = (providers = [env.world.independent, env.world.nhsProvider]) =>
    stageChoosing(journeys, env.world, providers);
  const link = (staged: Awaited<ReturnType<typeof stage>>) => issueLink(db, env.world, staged, base);

  const linkRow = async (token: string) => {
    const linkId = (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { l: string }).l;
    const [row] = await db.select().from(patientLinks).where(eq(patientLinks.id, linkId));
    return row!;
  };

  function expectPage(page: Fetched, status: number, heading: string) {
    expect(page.status, visibleText(page.body).slice(0, 400)).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toMatch(new RegExp(`<h1[^>]*>${heading.replace(/'/g, '&#39;')}</h1>`));
  }

  it('shows each live offer: provider, hospital, town, distance, travel time and earliest date, and the local wait', async () => {
    const staged = await stage();
    const { url } = await link(staged);
    const page = await get(url);
    expectPage(page, 200, 'Choose where to have your treatment');
    expect(titleOf(page.body)).toBe('Choose where to have your treatment – Choose where to be treated – NHS');
    expect(page.body).toContain('<html lang="en-GB">');
    // The token is in the address: nothing may carry it on, cache it or index it; no script may run.
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toMatch(/noindex/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(page.body).not.toMatch(/<script/i);

    const text = visibleText(page.body);
    const [kase] = await db.select().from(cases).where(eq(cases.caseRef, staged.caseRef));
    const york = { latitude: 53.975, longitude: -1.071 };
    const sheffield = { latitude: 53.41, longitude: -1.457 };
    for (const [site, town, provider, where, offer] of [
      ['Nuffield Health York Hospital', 'York', 'Nuffield Health', york, staged.offers[0]!],
      [
        'Northern General Hospital',
        'Sheffield',
        'Sheffield Teaching Hospitals NHS Foundation Trust',
        sheffield,
        staged.offers[1]!,
      ],
    ] as const) {
      const miles = distanceMiles(kase!, where);
      // 1.3 times the straight line at 40 mph, to the nearest 5 minutes.
      const minutes = Math.round((miles * 1.3 * 1.5) / 5) * 5;
      const drive =
        minutes >= 60
          ? `${Math.floor(minutes / 60)} hour${minutes % 60 ? ` ${minutes % 60} minutes` : ''}`
          : `${minutes} minutes`;
      expect(text).toContain(`${site}, ${town}`);
      expect(text).toContain(`Run by ${provider}`);
      expect(text).toContain(`Distance About ${Math.round(miles)} miles from your area, in a straight line`);
      expect(text).toContain(`Travel time About ${drive} by car`);
      const date = new Date(`${offer.proposedDate}T00:00:00Z`);
      const weekday = date.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
      const month = date.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
      expect(text).toContain(`Earliest date ${weekday} ${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`);
      expect(page.body).toContain(`value="${offer.offerId}"`);
    }
    expect(text).toContain('Primary total hip replacement');
    // Too few patients are waiting at Leeds for a figure (this patient is one of them): the page says so.
    const few = await localWait(db, env.world.origin.id, '110');
    expect(few).toMatchObject({ suppressed: 'TOO_FEW_PATIENTS', meanWeeks: null });
    expect(text).toContain(
      'How long you might wait locally Information: Too few patients are waiting for Trauma and Orthopaedics ' +
        'treatment at Leeds Teaching Hospitals NHS Trust for us to give a reliable figure for how long they wait. ' +
        'Your hospital team can tell you more.',
    );
    expect(text).not.toMatch(/on average|92 in 100/);
    // With five waiting, the figures.
    const today = new Date().toISOString().slice(0, 10);
    for (let added = few!.patients; added < 5; added += 1) {
      await addCase({ ...env.world, db }, { rttClockStart: addDays(today, -7 * (20 + 10 * added)) });
    }
    const wait = await localWait(db, env.world.origin.id, '110');
    if (wait?.suppressed !== null) throw new Error(`Expected figures from five patients: ${JSON.stringify(wait)}`);
    expect(visibleText((await get(url)).body)).toContain(
      `At Leeds Teaching Hospitals NHS Trust, patients waiting for Trauma and Orthopaedics treatment have waited ` +
        `${Math.round(wait.meanWeeks)} weeks on average. 92 in 100 have waited ${Math.round(wait.p92Weeks)} weeks or less.`,
    );
    // Every radio has a label, and they sit in a fieldset with a legend.
    const markup = compactHtml(page.body);
    expect(markup).toMatch(
      /<fieldset class="nhsuk-fieldset"[^>]*> ?<legend[^>]*> ?Where would you like to be treated\? ?<\/legend>/,
    );
    const radioIds = [...markup.matchAll(/<input class="nhsuk-radios__input" id="([^"]+)"/g)].map((m) => m[1]);
    expect(radioIds).toHaveLength(4);
    for (const id of radioIds) expect(markup).toContain(`<label class="nhsuk-label nhsuk-radios__label" for="${id}">`);
    expect(text).toContain('Stay with my local hospital');
    expect(text).toContain('None of these hospitals');
  });

  it('records a chosen offer: check page, then confirm sends the Update and the case awaits approval', async () => {
    const staged = await stage();
    const { url, token } = await link(staged);
    const chosen = staged.offers[1]!;
    const check = await postForm(url, { choice: chosen.offerId });
    expectPage(check, 200, 'Check your choice');
    expect(visibleText(check.body)).toContain('Your choice Northern General Hospital, Sheffield');
    expect(compactHtml(check.body)).toContain(`<input type="hidden" name="choice" value="${chosen.offerId}">`);
    expect(check.body).toContain(`action="/choice/${token}/confirm"`);
    // Nothing changes until the patient confirms.
    const before = await journeys.status(staged.caseRef);
    expect(before.ok && before.value.state).toBe('CHOOSING');
    expect((await linkRow(token)).usedAt).toBeNull();

    const done = await postForm(`${url}/confirm`, { choice: chosen.offerId });
    expectPage(done, 200, 'Your choice has been sent');
    expect(done.body).toContain('class="nhsuk-panel"');
    const text = visibleText(done.body);
    expect(text).toContain('You chose Northern General Hospital, Sheffield');
    expect(text).toContain(
      'Managers at Leeds Teaching Hospitals NHS Trust and at Sheffield Teaching Hospitals NHS Foundation Trust check and approve the move.',
    );
    expect(text).toContain(
      'Sheffield Teaching Hospitals NHS Foundation Trust then contacts you to arrange your treatment',
    );

    const status = await journeys.status(staged.caseRef);
    expect(status.ok && [status.value.state, status.value.chosenOfferId]).toEqual([
      'AWAITING_APPROVAL',
      chosen.offerId,
    ]);
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => [row.outcome, row.offerId, row.recordedBy])).toEqual([
      ['ACCEPTED_OFFER', chosen.offerId, null],
    ]);
    expect((await linkRow(token)).usedAt).toBeInstanceOf(Date);
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toEqual([
      `patient-link-${(await linkRow(token)).id}`,
    ]);
  });

  it('answers a used link with "already made your choice" and sends no second Update', async () => {
    const staged = await stage();
    const { url } = await link(staged);
    const spy = vi.spyOn(journeys, 'patientChoice');
    try {
      expect((await postForm(`${url}/confirm`, { choice: staged.offers[0]!.offerId })).status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(1);
      expectPage(await get(url), 410, 'You have already made your choice');
      expectPage(await postForm(url, { choice: staged.offers[1]!.offerId }), 410, 'You have already made your choice');
      expectPage(await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' }), 410, 'You have already made your choice');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toHaveLength(1);
    expect(await auditActions(db, staged.caseRef)).not.toContain('recordChoice:REFUSED');
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => row.offerId)).toEqual([staged.offers[0]!.offerId]);
  });

  it('takes a double submit, even of two different answers, as one Update and shows the choice recorded', async () => {
    const staged = await stage();
    const { url, token } = await link(staged);
    const [first, second] = await Promise.all([
      postForm(`${url}/confirm`, { choice: staged.offers[0]!.offerId }),
      postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' }),
    ]);
    expect([first.status, second.status].sort()).toContain(200);
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded).toHaveLength(1);
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toEqual([
      `patient-link-${(await linkRow(token)).id}`,
    ]);
    // Each answered page tells the truth: what the journey recorded, whichever form that came from.
    const truth =
      recorded[0]!.outcome === 'STAYED_LOCAL'
        ? 'You are staying with your local hospital'
        : 'Your choice has been sent';
    for (const page of [first, second]) {
      if (page.status === 200) expectPage(page, 200, truth);
      else expectPage(page, 410, 'You have already made your choice');
    }
  });

  it('treats a link as used once its choice reached the journey, even if the page stopped before marking it', async () => {
    const staged = await stage([env.world.independent]);
    const { url, token } = await link(staged);
    const row = await linkRow(token);
    // The page sent the Update, then crashed before recording the link's use.
    const sent = await journeys.patientChoice(
      staged.caseRef,
      { kind: 'ACCEPT', offerId: staged.offers[0]!.offerId },
      choiceRequestId({ ...row, linkId: row.id }),
    );
    expect(sent.ok).toBe(true);
    expect((await linkRow(token)).usedAt).toBeNull();

    const spy = vi.spyOn(journeys, 'patientChoice');
    try {
      expectPage(await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' }), 410, 'You have already made your choice');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect((await linkRow(token)).usedAt).toBeInstanceOf(Date);
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((choice) => choice.outcome)).toEqual(['ACCEPTED_OFFER']);
  });

  it('lets the patient stay with their local hospital: they keep their place and the case closes', async () => {
    const staged = await stage([env.world.independent]);
    const { url } = await link(staged);
    const check = await postForm(url, { choice: 'STAY_LOCAL' });
    expectPage(check, 200, 'Check your choice');
    expect(visibleText(check.body)).toContain('Your choice Stay with Leeds Teaching Hospitals NHS Trust');
    const done = await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' });
    expectPage(done, 200, 'You are staying with your local hospital');
    expect(visibleText(done.body)).toContain(
      'You keep your place on the waiting list at Leeds Teaching Hospitals NHS Trust.',
    );
    const status = await journeys.status(staged.caseRef);
    expect(status.ok && [status.value.state, status.value.closedReason]).toEqual(['CLOSED', 'STAYED_LOCAL']);
    const [kase] = await db.select().from(cases).where(eq(cases.caseRef, staged.caseRef));
    expect([kase!.state, kase!.closedReason]).toEqual(['CLOSED', 'STAYED_LOCAL']);
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => [row.outcome, row.recordedBy])).toEqual([['STAYED_LOCAL', null]]);
  });

  it('lets the patient turn down every offer: the case goes back for offers and they keep their place', async () => {
    const staged = await stage([env.world.independent]);
    const { url } = await link(staged);
    const done = await postForm(`${url}/confirm`, { choice: 'DECLINE_ALL' });
    expectPage(done, 200, 'You have turned down these offers');
    expect(visibleText(done.body)).toContain(
      'Your hospital team may look for other hospitals that can treat you sooner',
    );
    await waitForState(journeys, staged.caseRef, 'RELISTED');
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => [row.outcome, row.recordedBy])).toEqual([['DECLINED_ALL', null]]);
  });

  it('asks again, with an error summary and an inline error, when nothing is selected', async () => {
    const staged = await stage([env.world.independent]);
    const { url } = await link(staged);
    for (const fields of [{}, { choice: 'not-an-option' }] as Record<string, string>[]) {
      const page = await postForm(url, fields);
      expectPage(page, 400, 'Choose where to have your treatment');
      expect(titleOf(page.body)).toBe('Error: Choose where to have your treatment – Choose where to be treated – NHS');
      const markup = compactHtml(page.body);
      expect(markup).toMatch(/<div class="nhsuk-error-summary"[^>]*tabindex="-1"/);
      expect(markup).toMatch(/<a href="#choice"> ?Select where you would like to be treated ?<\/a>/);
      expect(markup).toContain('class="nhsuk-form-group nhsuk-form-group--error"');
      expect(markup).toContain('<fieldset class="nhsuk-fieldset" aria-describedby="choice-error">');
      expect(visibleText(page.body)).toContain('Error: Select where you would like to be treated');
      expect(markup).toMatch(/id="choice-error"[^<]*<span class="nhsuk-u-visually-hidden">Error:<\/span> Select where/);
      expect(markup).toContain('id="choice" name="choice"');
    }
    // A confirm with a value that is no option sends nothing either.
    const spy = vi.spyOn(journeys, 'patientChoice');
    try {
      expectPage(
        await postForm(`${url}/confirm`, { choice: randomUUID() }),
        400,
        'Choose where to have your treatment',
      );
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses an expired link, changing nothing', async () => {
    const staged = await stage([env.world.independent]);
    const { url, token } = await link(staged);
    clockAheadMs = LINK_TTL_MS + 60_000;
    try {
      expectPage(await get(url), 410, 'This link has expired');
      expectPage(await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' }), 410, 'This link has expired');
    } finally {
      clockAheadMs = 0;
    }
    expect((await linkRow(token)).usedAt).toBeNull();
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toEqual([]);
    expect(visibleText((await get(url)).body)).toContain('Choose where to have your treatment');
  });

  it('refuses tampered, malformed and unknown links with "This link does not work"', async () => {
    const staged = await stage([env.world.independent]);
    const { url, token } = await link(staged);
    const [body, signature] = token.split('.') as [string, string];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    // Signed with the real secret but naming a link that was never issued.
    const unknown = signToken(PATIENT_LINK_SECRET, randomUUID(), staged.caseRef, new Date(Date.now() + 600_000));
    for (const bad of [`${body}.${flipped}`, `${body}x.${signature}`, 'nonsense', `${token}.extra`, unknown]) {
      const page = await get(`${base}/choice/${bad}`);
      expectPage(page, 404, 'This link does not work');
      expect(page.body).not.toContain(staged.caseRef);
      expectPage(
        await postForm(`${base}/choice/${bad}/confirm`, { choice: 'STAY_LOCAL' }),
        404,
        'This link does not work',
      );
    }
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toEqual([]);
    expect((await get(url)).status).toBe(200);
  });

  it('refuses a link a newer one replaced, while the newer one works', async () => {
    const staged = await stage([env.world.independent]);
    const older = await link(staged);
    const newer = await link(staged);
    expectPage(await get(older.url), 410, 'A newer link was sent');
    expectPage(await postForm(`${older.url}/confirm`, { choice: 'STAY_LOCAL' }), 410, 'A newer link was sent');
    expect(await acceptedChoiceUpdates(env.client, staged.caseRef)).toEqual([]);
    expectPage(await get(newer.url), 200, 'Choose where to have your treatment');
  });

  it('says plainly when the case is no longer choosing: the journey refuses and the link stays unused', async () => {
    const staged = await stage([env.world.independent]);
    const { url, token } = await link(staged);
    expect((await get(url)).status).toBe(200);
    // Meanwhile the patient tells the hospital by phone, and the coordinator records it.
    const byPhone = await journeys.recordChoice(staged.caseRef, as(env.world.origin, 'coordinator'), {
      kind: 'ACCEPT',
      offerId: staged.offers[0]!.offerId,
    });
    expect(byPhone.ok && byPhone.value.state).toBe('AWAITING_APPROVAL');

    const refused = await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' });
    expectPage(refused, 409, 'These offers are no longer open');
    expect(visibleText(refused.body)).toContain('A choice has already been recorded for you');
    expect((await linkRow(token)).usedAt).toBeNull();
    expect(await auditActions(db, staged.caseRef)).toContain('recordChoice:REFUSED');
    const recorded = await db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => row.recordedBy)).toEqual([env.world.origin.staff.coordinator]);
    expectPage(await get(url), 409, 'These offers are no longer open');
  });

  it('says when the chosen offer was withdrawn between checking and confirming, and offers the rest', async () => {
    const staged = await stage();
    const { url, token } = await link(staged);
    const [gone, remaining] = staged.offers as [(typeof staged.offers)[0], (typeof staged.offers)[0]];
    expect((await postForm(url, { choice: gone.offerId })).status).toBe(200);
    const withdrawn = await journeys.withdrawOffer(
      staged.caseRef,
      as(env.world.independent, 'clinician'),
      gone.offerId,
    );
    expect(withdrawn.ok).toBe(true);

    const refused = await postForm(`${url}/confirm`, { choice: gone.offerId });
    expectPage(refused, 409, 'The hospital you chose is no longer available');
    expect(refused.body).toContain(`href="/choice/${token}"`);
    expect((await linkRow(token)).usedAt).toBeNull();
    // A page opened before the withdrawal says the same at its first step.
    expectPage(await postForm(url, { choice: gone.offerId }), 409, 'The hospital you chose is no longer available');
    const again = await get(url);
    expectPage(again, 200, 'Choose where to have your treatment');
    expect(again.body).toContain(`value="${remaining.offerId}"`);
    expect(again.body).not.toContain(`value="${gone.offerId}"`);
  });

  it('answers unknown addresses under /choice with a 404 page, and serves the NHS.UK styles from here', async () => {
    for (const path of ['/choice', '/choice/', '/choice/a/b/c']) {
      const page = await get(`${base}${path}`);
      expectPage(page, 404, 'Page not found');
      expect(page.headers.get('cache-control')).toBe('no-store');
    }
    const css = await get(`${base}/assets/nhsuk/nhsuk-frontend.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.body).toContain('.nhsuk-header');
    expect(css.body).not.toContain('assets.nhs.uk');
    expect(css.body).toContain('url("/assets/nhsuk/images/nhsuk-icon-cross.svg")');
    const icon = await fetch(`${base}/assets/nhsuk/images/nhsuk-icon-cross.svg`);
    expect(icon.status).toBe(200);
    expect((await get(`${base}/somewhere-else`)).status).toBe(404);
  });

  it('answers a failure of ours with a 500 page and logs neither the token nor the case', async () => {
    const staged = await stage([env.world.independent]);
    const { url, token } = await link(staged);
    const spy = vi
      .spyOn(journeys, 'patientChoice')
      .mockRejectedValueOnce(new Error(`Temporal unreachable for ${staged.caseRef} via ${url}`));
    try {
      const page = await postForm(`${url}/confirm`, { choice: 'STAY_LOCAL' });
      expectPage(page, 500, 'Sorry, there is a problem with the service');
      expect(visibleText(page.body)).toContain('Using the same link again will not send it twice.');
    } finally {
      spy.mockRestore();
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^Patient page failed: Error\n\s+at /);
    expect(failures[0]).not.toContain(token);
    expect(failures[0]).not.toContain(staged.caseRef);
    failures.length = 0;
    expect((await linkRow(token)).usedAt).toBeNull();
    expectPage(await get(url), 200, 'Choose where to have your treatment');
  });

  it('never shows the NHS number, name, date of birth or postcode on any page', async () => {
    const staged = await stage();
    const { url } = await link(staged);
    const pages = [
      await get(url),
      await postForm(url, {}),
      await postForm(url, { choice: staged.offers[0]!.offerId }),
      await postForm(`${url}/confirm`, { choice: staged.offers[0]!.offerId }),
      await get(url),
    ];
    expect(pages.map((page) => page.status)).toEqual([200, 400, 200, 200, 410]);
    expectNoPatientIdentifiers(
      pages.map((page) => page.body),
      staged.listing,
    );
    expect(failures).toEqual([]);
  });
  describe('behind a reverse proxy that serves it under /mutual-aid', () => {
    const PREFIX = '/mutual-aid';
    let proxy: PrefixProxy | undefined;
    let app: Server | undefined;
    /** PUBLIC_BASE_URL: the proxy's address and the prefix. */
    let publicBase: string;

    beforeAll(async () => {
      proxy = await startPrefixProxy(PREFIX);
      publicBase = `${proxy.url}${PREFIX}`;
      const site = express();
      site.use(
        patientSite({
          db,
          journeys,
          patientLinks: new PatientLinks({ db, secret: PATIENT_LINK_SECRET, baseUrl: publicBase, ttlMs: LINK_TTL_MS }),
          basePath: basePathOf(publicBase),
          log: (line) => failures.push(line),
        }),
      );
      // The app routes at its root; the proxy strips the prefix on the way in.
      app = await new Promise<Server>((resolve) => {
        const listening = site.listen(0, '127.0.0.1', () => resolve(listening));
      });
      proxy.target = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await proxy?.close();
      await new Promise((resolve) => app?.close(resolve));
    });

    /** The page gives no address that leads outside the prefix, and its stylesheet is the prefixed one. */
    function expectUnderPrefix(page: Fetched, at: string) {
      expect(pageAddressesEscaping(at, PREFIX, page.body)).toEqual([]);
      expect(addressesIn(page.body)).toContain(`${PREFIX}/assets/nhsuk/nhsuk-frontend.css`);
    }

    it('keeps every link, form, redirect and refusal page under the prefix, from the offers to the confirmation', async () => {
      const staged = await stage();
      const { url, token } = await issueLink(db, env.world, staged, publicBase);
      expect(url).toBe(`${publicBase}/choice/${token}`);
      const [gone, kept] = staged.offers as [(typeof staged.offers)[0], (typeof staged.offers)[0]];

      const choose = await get(url);
      expectPage(choose, 200, 'Choose where to have your treatment');
      expectUnderPrefix(choose, url);
      expect(addressesIn(choose.body)).toContain(`${PREFIX}/choice/${token}`);
      const missing = await postForm(url, {});
      expectPage(missing, 400, 'Choose where to have your treatment');
      expectUnderPrefix(missing, url);

      const check = await postForm(url, { choice: gone.offerId });
      expectPage(check, 200, 'Check your choice');
      expectUnderPrefix(check, url);
      const back = `${PREFIX}/choice/${token}?choice=${gone.offerId}`;
      expect(addressesIn(check.body)).toEqual(expect.arrayContaining([`${PREFIX}/choice/${token}/confirm`, back]));
      // The back link, followed through the proxy, shows the offers with the choice still selected.
      const changed = await get(new URL(back, url).href);
      expectPage(changed, 200, 'Choose where to have your treatment');
      expect(compactHtml(changed.body)).toContain(`value="${gone.offerId}" checked`);

      // The confirm address opened rather than posted to: the redirect's Location keeps the prefix.
      const redirected = await get(`${url}/confirm`);
      expect(redirected.status).toBe(303);
      expect(redirected.headers.get('location')).toBe(`${PREFIX}/choice/${token}`);

      // The offer withdrawn before the patient confirms: the page's way back to the offers keeps the prefix.
      expect(
        (await journeys.withdrawOffer(staged.caseRef, as(env.world.independent, 'clinician'), gone.offerId)).ok,
      ).toBe(true);
      const refused = await postForm(`${url}/confirm`, { choice: gone.offerId });
      expectPage(refused, 409, 'The hospital you chose is no longer available');
      expectUnderPrefix(refused, `${url}/confirm`);
      expect(addressesIn(refused.body)).toContain(`${PREFIX}/choice/${token}`);

      const done = await postForm(`${url}/confirm`, { choice: kept.offerId });
      expectPage(done, 200, 'Your choice has been sent');
      expectUnderPrefix(done, `${url}/confirm`);
      const used = await get(url);
      expectPage(used, 410, 'You have already made your choice');
      expectUnderPrefix(used, url);
      expect(proxy!.outside).toEqual([]);
    });

    it('serves the stylesheet, its images, and the 404, bad-link and unreadable-answer pages under the prefix', async () => {
      const stylesheet = `${publicBase}/assets/nhsuk/nhsuk-frontend.css`;
      const css = await get(stylesheet);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      const images = cssAddressesIn(css.body);
      expect(images.length).toBeGreaterThan(5);
      expect(images.filter((image) => !image.startsWith(`${PREFIX}/assets/nhsuk/images/`))).toEqual([]);
      const icon = await fetch(new URL(images[0]!, stylesheet));
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      // No redirect of the images' folder to its address with a slash, which would leave the prefix.
      expect((await get(`${publicBase}/assets/nhsuk/images`)).headers.get('location')).toBeNull();

      const notFound = await get(`${publicBase}/choice/a/b/c`);
      expectPage(notFound, 404, 'Page not found');
      expectUnderPrefix(notFound, `${publicBase}/choice/a/b/c`);
      const badLink = await get(`${publicBase}/choice/nonsense`);
      expectPage(badLink, 404, 'This link does not work');
      expectUnderPrefix(badLink, `${publicBase}/choice/nonsense`);
      const tooBig = await postForm(`${publicBase}/choice/nonsense`, { choice: 'x'.repeat(4000) });
      expectPage(tooBig, 413, 'Sorry, we could not read your answer');
      expectUnderPrefix(tooBig, `${publicBase}/choice/nonsense`);
      expect(proxy!.outside).toEqual([]);
      // Outside the prefix, the proxy passes nothing on.
      expect((await get(`${proxy!.url}/choice/nonsense`)).status).toBe(404);
      expect(proxy!.outside).toEqual(['GET /choice/nonsense']);
      proxy!.outside.length = 0;
    });
  });
});
