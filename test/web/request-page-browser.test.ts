/**
 * The patient's own request to move, in headless Chromium as a patient on a
 * phone without JavaScript, served by the bot's HTTP server on the real
 * Temporal dev server and PostgreSQL: the question, the error when nothing
 * is chosen, the answer sent, the request's status on a later visit, and the
 * page that tells an ineligible patient why. Each page is checked for layout
 * at phone width and with axe-core for WCAG 2.2 AA. Then, over HTTP, the
 * same pages from a bot behind a reverse proxy under /mutual-aid: the link
 * it issues and every address its pages give stay under the prefix.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type BotServer } from '../../bot/server';
import { patientRequests } from '../../db/schema';
import { DEFAULT_ELIGIBILITY } from '../../domain/patient-initiated';
import { as, invitationFor } from '../support/fixtures';
import { createJourneyEnv, FAST_POLICY, type JourneyEnv } from '../support/journey-env';
import { addressesIn, pageAddressesEscaping } from '../support/web/addresses';
import { PatientBrowser } from '../support/web/patient-browser';
import { startPrefixProxy, type PrefixProxy } from '../support/web/prefix-proxy';
import { get, postForm, type Fetched } from './choice-helpers';

const weeksAgo = (weeks: number) => new Date(Date.now() - weeks * 7 * 86_400_000).toISOString().slice(0, 10);

describe('a patient asking to move, in a browser without JavaScript', () => {
  let env: JourneyEnv | undefined;
  let bot: BotServer | undefined;
  let browser: PatientBrowser | undefined;
  /** A second bot server, with PUBLIC_BASE_URL under /mutual-aid, reached through a proxy that strips it. */
  let proxied: BotServer | undefined;
  let proxy: PrefixProxy | undefined;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    const serverOptions = (publicBaseUrl?: string) => ({
      db: env!.database.db,
      journeys: env!.journeys(),
      capacity: env!.capacity(),
      policy: FAST_POLICY,
      host: '127.0.0.1',
      config: {
        httpPort: 0,
        publicBaseUrl,
        patientLink: { secret: 'request-page-browser-test-secret-0123456789', ttlMs: 3_600_000 },
      },
      patientInitiated: {
        client: env!.client,
        taskQueue: env!.taskQueue,
        journeyPolicy: FAST_POLICY,
        policy: { regionalForMs: 60_000, matchWithinMs: 600_000, decideReminderMs: 600_000 },
        rules: DEFAULT_ELIGIBILITY,
        invitationTtlMs: 3_600_000,
      },
    });
    bot = await startBotServer(serverOptions());
    proxy = await startPrefixProxy('/mutual-aid');
    proxied = await startBotServer(serverOptions(`${proxy.url}/mutual-aid`));
    proxy.target = proxied.url;
    browser = await PatientBrowser.launch('request-page');
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await proxied?.close();
    await bot?.close();
    await env?.close();
  });

  it('asks how far the patient will travel, sends the answer, and shows where the request is', async () => {
    const { checkLayout, expectAccessible, submit } = browser!;
    const invited = await bot!.patientRequests!.invite(
      invitationFor(env!.world, { rttClockStart: weeksAgo(52) }),
      as(env!.world.origin, 'coordinator', 'API'),
    );
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    const url = `${bot!.url}${new URL(invited.url).pathname}`;
    const page = await browser!.patient.newPage();

    const asked = await page.goto(url);
    expect(asked!.status()).toBe(200);
    expect(await page.title()).toBe(
      'How far would you travel for your treatment? – Ask to be treated at another hospital – NHS',
    );
    await expect.poll(() => page.getByRole('radio').count()).toBe(3);
    await checkLayout(page, '1-ask');
    await expectAccessible(asked!);

    const error = await submit(page, 'Send my request');
    expect(error.status()).toBe(400);
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('nhsuk-error-summary');
    await checkLayout(page, '2-error');
    await expectAccessible(error);

    await page.getByLabel('Up to 100 miles').check();
    const sent = await submit(page, 'Send my request');
    expect(sent.status()).toBe(200);
    await expect.poll(() => page.locator('.nhsuk-panel h1').textContent()).toBe('Request sent');
    await checkLayout(page, '3-sent');
    await expectAccessible(sent);
    const [row] = await env!.database.db
      .select()
      .from(patientRequests)
      .where(eq(patientRequests.id, invited.requestId));
    expect(row).toMatchObject({ status: 'REQUESTED', maxTravelMiles: 100 });

    const later = await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('Your request');
    expect(await page.locator('main').textContent()).toContain('Your hospital team is checking');
    await checkLayout(page, '4-status');
    await expectAccessible(later!);
    expect(browser!.offSite).toEqual([]);
    await page.close();
  }, 120_000);

  it('tells an ineligible patient why, in words, and takes no answer', async () => {
    const { checkLayout, expectAccessible } = browser!;
    const invited = await bot!.patientRequests!.invite(
      invitationFor(env!.world, { rttClockStart: weeksAgo(20), tertiaryReferral: true }),
      as(env!.world.origin, 'coordinator', 'API'),
    );
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    const page = await browser!.patient.newPage();
    const opened = await page.goto(`${bot!.url}${new URL(invited.url).pathname}`);
    expect(opened!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('You cannot ask to move hospital at the moment');
    const reasons = await page.locator('main li').allTextContents();
    expect(reasons).toEqual([
      'You have been waiting 20 weeks. You can ask to move once you have waited more than 40 weeks.',
      'You are being treated by a specialist (tertiary) service, which is not part of this scheme.',
    ]);
    expect(await page.getByRole('radio').count()).toBe(0);
    await checkLayout(page, '5-ineligible');
    await expectAccessible(opened!);
    console.info(`Request page screenshots: ${browser!.screenshots}`);
    await page.close();
  }, 60_000);
  it('behind a proxy under /mutual-aid, issues the link and gives every address under the prefix', async () => {
    const PREFIX = '/mutual-aid';
    const publicBase = `${proxy!.url}${PREFIX}`;
    const invited = await proxied!.patientRequests!.invite(
      invitationFor(env!.world, { rttClockStart: weeksAgo(52) }),
      as(env!.world.origin, 'coordinator', 'API'),
    );
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    // The link the server gives out is PUBLIC_BASE_URL's origin and path, then the page's.
    expect(invited.url.startsWith(`${publicBase}/request/`)).toBe(true);
    const { url } = invited;
    const expectUnderPrefix = (page: Fetched, status: number) => {
      expect(page.status).toBe(status);
      expect(pageAddressesEscaping(url, PREFIX, page.body)).toEqual([]);
      expect(addressesIn(page.body)).toContain(`${PREFIX}/assets/nhsuk/nhsuk-frontend.css`);
    };

    const asked = await get(url);
    expectUnderPrefix(asked, 200);
    expect(addressesIn(asked.body)).toContain(new URL(url).pathname);
    expectUnderPrefix(await postForm(url, {}), 400);
    const sent = await postForm(url, { travel: 'MILES_100' });
    expectUnderPrefix(sent, 200);
    expect(sent.body).toContain('Request sent');
    const later = await get(url);
    expectUnderPrefix(later, 200);
    expect(later.body).toContain('Your request');
    expectUnderPrefix(await get(`${publicBase}/request/nonsense`), 404);
    expect((await get(`${publicBase}/assets/nhsuk/nhsuk-frontend.css`)).status).toBe(200);
    expect(proxy!.outside).toEqual([]);
  });
});
