/**
 * The patient's own request to move, in headless Chromium as a patient on a
 * phone without JavaScript, served by the bot's HTTP server on the real
 * Temporal dev server and PostgreSQL: the question, the error when nothing
 * is chosen, the answer sent, the request's status on a later visit, and the
 * page that tells an ineligible patient why. Each page is checked for layout
 * at phone width and with axe-core for WCAG 2.2 AA.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type BotServer } from '../../bot/server';
import { patientRequests } from '../../db/schema';
import { DEFAULT_ELIGIBILITY } from '../../domain/patient-initiated';
import { as, invitationFor } from '../support/fixtures';
import { createJourneyEnv, FAST_POLICY, type JourneyEnv } from '../support/journey-env';
import { PatientBrowser } from '../support/web/patient-browser';

const weeksAgo = (weeks: number) => new Date(Date.now() - weeks * 7 * 86_400_000).toISOString().slice(0, 10);

describe('a patient asking to move, in a browser without JavaScript', () => {
  let env: JourneyEnv | undefined;
  let bot: BotServer | undefined;
  let browser: PatientBrowser | undefined;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    bot = await startBotServer({
      db: env.database.db,
      journeys: env.journeys(),
      capacity: env.capacity(),
      policy: FAST_POLICY,
      host: '127.0.0.1',
      config: { httpPort: 0, patientLink: { secret: 'request-page-browser-test-secret-0123456789', ttlMs: 3_600_000 } },
      patientInitiated: {
        client: env.client,
        taskQueue: env.taskQueue,
        journeyPolicy: FAST_POLICY,
        policy: { regionalForMs: 60_000, matchWithinMs: 600_000, decideReminderMs: 600_000 },
        rules: DEFAULT_ELIGIBILITY,
        invitationTtlMs: 3_600_000,
      },
    });
    browser = await PatientBrowser.launch('request-page');
  });

  afterAll(async () => {
    await browser?.close();
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
});
