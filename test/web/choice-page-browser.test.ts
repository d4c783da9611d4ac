/**
 * The choice page in headless Chromium, as a patient on a phone without
 * JavaScript uses it, served by the bot's own HTTP server (startBotServer)
 * on the real Temporal dev server and PostgreSQL: open the link, continue
 * with nothing selected, pick an offer, confirm.
 *
 * Each page is checked for layout at phone width and for WCAG 2.2 AA with
 * axe-core (see test/support/web/patient-browser.ts for how), and nothing
 * may be fetched from anywhere but this machine. Then the same choice made
 * through a reverse proxy that serves the bot under /mutual-aid and strips
 * the prefix (PUBLIC_BASE_URL with a path): styled, and nothing asked for
 * outside the prefix.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type BotServer } from '../../bot/server';
import { choices } from '../../db/schema';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { PatientBrowser } from '../support/web/patient-browser';
import { startPrefixProxy, type PrefixProxy } from '../support/web/prefix-proxy';
import { CHOICE_POLICY, issueLink, LINK_TTL_MS, PATIENT_LINK_SECRET, stageChoosing } from './choice-helpers';

describe('the choice page in a browser without JavaScript', () => {
  let env: JourneyEnv | undefined;
  let bot: BotServer | undefined;
  let browser: PatientBrowser | undefined;
  /** A second bot server, reached through a proxy under /mutual-aid. */
  let proxied: BotServer | undefined;
  let proxy: PrefixProxy | undefined;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    bot = await startBotServer({
      db: env.database.db,
      journeys: env.journeys(CHOICE_POLICY),
      capacity: env.capacity(),
      policy: CHOICE_POLICY,
      host: '127.0.0.1',
      config: { httpPort: 0, patientLink: { secret: PATIENT_LINK_SECRET, ttlMs: LINK_TTL_MS } },
    });
    proxy = await startPrefixProxy('/mutual-aid');
    proxied = await startBotServer({
      db: env.database.db,
      journeys: env.journeys(CHOICE_POLICY),
      capacity: env.capacity(),
      policy: CHOICE_POLICY,
      host: '127.0.0.1',
      config: {
        httpPort: 0,
        publicBaseUrl: `${proxy.url}/mutual-aid`,
        patientLink: { secret: PATIENT_LINK_SECRET, ttlMs: LINK_TTL_MS },
      },
    });
    proxy.target = proxied.url;
    browser = await PatientBrowser.launch('choice-page');
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await proxied?.close();
    await bot?.close();
    await env?.close();
  });

  it('chooses an offer from a phone, each page accessible, with no script and nothing fetched from elsewhere', async () => {
    const staged = await stageChoosing(env!.journeys(CHOICE_POLICY), env!.world, [
      env!.world.independent,
      env!.world.nhsProvider,
    ]);
    const { url } = await issueLink(env!.database.db, env!.world, staged, bot!.url);
    const { checkLayout, expectAccessible, submit } = browser!;
    const page = await browser!.patient.newPage();
    const cssLoaded: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/nhsuk-frontend.css') && r.ok()) cssLoaded.push(r.url());
    });

    // The offers.
    const opened = await page.goto(url);
    expect(opened!.status()).toBe(200);
    expect(await page.title()).toBe('Choose where to have your treatment – Choose where to be treated – NHS');
    expect(cssLoaded).toHaveLength(1);
    // The NHS.UK styles are applied: the header is NHS blue.
    expect(
      await page.evaluate<string>("getComputedStyle(document.querySelector('header.nhsuk-header')).backgroundColor"),
    ).toBe('rgb(0, 94, 184)');
    await expect.poll(() => page.getByRole('radio').count()).toBe(4);
    await checkLayout(page, '1-choose');
    await expectAccessible(opened!);

    // Continue with nothing selected: the error summary, focused as the page loads.
    const error = await submit(page, 'Continue');
    expect(error.status()).toBe(400);
    expect(await page.title()).toMatch(/^Error: Choose where to have your treatment/);
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('nhsuk-error-summary');
    expect(await page.getByRole('alert').textContent()).toContain('Select where you would like to be treated');
    await checkLayout(page, '2-error');
    await expectAccessible(error);

    // Pick York by its label, then check.
    await page.getByLabel('Nuffield Health York Hospital, York').check();
    const check = await submit(page, 'Continue');
    expect(check.status()).toBe(200);
    expect(await page.title()).toMatch(/^Check your choice/);
    await checkLayout(page, '3-check');
    await expectAccessible(check);

    // Confirm: what happens next.
    const done = await submit(page, 'Confirm my choice');
    expect(done.status()).toBe(200);
    await expect.poll(() => page.locator('.nhsuk-panel h1').textContent()).toBe('Your choice has been sent');
    await checkLayout(page, '4-confirmation');
    await expectAccessible(done);

    const recorded = await env!.database.db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => [row.offerId, row.recordedBy])).toEqual([[staged.offers[0]!.offerId, null]]);
    expect(browser!.offSite).toEqual([]);
    console.info(`Choice page screenshots: ${browser!.screenshots}`);
    await page.close();
  }, 120_000);
  it('makes the same choice through a proxy that serves the pages under /mutual-aid, styled', async () => {
    const staged = await stageChoosing(env!.journeys(CHOICE_POLICY), env!.world, [
      env!.world.independent,
      env!.world.nhsProvider,
    ]);
    const publicBase = `${proxy!.url}/mutual-aid`;
    const { url, token } = await issueLink(env!.database.db, env!.world, staged, publicBase);
    expect(url).toBe(`${publicBase}/choice/${token}`);
    const { expectAccessible, submit } = browser!;
    const page = await browser!.patient.newPage();
    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    const cssLoaded: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/nhsuk-frontend.css') && r.ok()) cssLoaded.push(r.url());
    });

    const opened = await page.goto(url);
    expect(opened!.status()).toBe(200);
    // The prefixed stylesheet loads under the page's Content-Security-Policy, and styles the page.
    expect(cssLoaded).toEqual([`${publicBase}/assets/nhsuk/nhsuk-frontend.css`]);
    expect(opened!.headers()['content-security-policy']).toMatch(/style-src 'self'/);
    expect(
      await page.evaluate<string>("getComputedStyle(document.querySelector('header.nhsuk-header')).backgroundColor"),
    ).toBe('rgb(0, 94, 184)');
    await expectAccessible(opened!);

    expect((await submit(page, 'Continue')).status()).toBe(400);
    await page.getByLabel('Northern General Hospital, Sheffield').check();
    expect((await submit(page, 'Continue')).status()).toBe(200);
    expect(await page.title()).toMatch(/^Check your choice/);
    // Back to the offers by the page's own link, the choice still selected, then forward again.
    await Promise.all([page.waitForURL(/\?choice=/), page.getByRole('link', { name: 'Change your choice' }).click()]);
    expect(page.url()).toBe(`${url}?choice=${staged.offers[1]!.offerId}`);
    expect(await page.getByLabel('Northern General Hospital, Sheffield').isChecked()).toBe(true);
    expect((await submit(page, 'Continue')).status()).toBe(200);

    const done = await submit(page, 'Confirm my choice');
    expect(done.status()).toBe(200);
    expect(done.url()).toBe(`${url}/confirm`);
    await expect.poll(() => page.locator('.nhsuk-panel h1').textContent()).toBe('Your choice has been sent');
    expect(cssLoaded.length).toBeGreaterThanOrEqual(1);
    expect(
      await page.evaluate<string>("getComputedStyle(document.querySelector('.nhsuk-panel')).backgroundColor"),
    ).toBe('rgb(0, 127, 59)');

    const recorded = await env!.database.db.select().from(choices).where(eq(choices.caseRef, staged.caseRef));
    expect(recorded.map((row) => [row.offerId, row.recordedBy])).toEqual([[staged.offers[1]!.offerId, null]]);
    // Every request the pages made went under the prefix, and the proxy turned none away.
    expect(asked.filter((address) => !address.startsWith(`${publicBase}/`))).toEqual([]);
    expect(proxy!.outside).toEqual([]);
    expect(browser!.offSite).toEqual([]);
    await page.close();
  }, 120_000);
});
