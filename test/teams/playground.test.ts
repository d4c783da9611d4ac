/**
 * The Microsoft 365 Agents Playground's web page driven in headless Chromium
 * (playwright-core with the distribution's Chromium) through an offer, as the
 * demo runs it: the bot in Teams local mode (unauthenticated) behind the real
 * Playground process, its user (Alex Wilber) linked to the demo world as a
 * Leeds coordinator and a Nuffield Health clinician, and the journey on the
 * real Temporal server and PostgreSQL with the Teams notifier in its workers.
 * The page connects and "help" is answered (the personal chat is recorded);
 * a patient listed at Leeds reaches Alex's chat in Nuffield's match digest;
 * "Offer treatment" on it opens the offer form in place, and "Make offer",
 * with a posted slot chosen, makes the offer and refreshes the card. Then the
 * rest of the README's walkthrough: `link` in the chat gives the patient's
 * one-time link, the patient chooses on their page in a phone-sized tab,
 * Alex approves as both trusts' manager, and `confirm` transfers the patient.
 * On failure a screenshot and the page's HTML are kept in a temporary
 * directory, named in the error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type BotServer } from '../../bot/server';
import { createTeamsNotifier } from '../../bot/teams/teams-notifier';
import type { Db } from '../../db/client';
import { seedDemoWorld, type DemoOrg, type DemoWorld } from '../../db/demo-seed';
import { chatConversations, offers } from '../../db/schema';
import { allNotifiers } from '../../domain/notifications';
import { startAgentsPlayground, type AgentsPlayground } from '../../scripts/infra/agents-playground';
import { ensureChromium } from '../../scripts/infra/chromium';
import {
  PLAYGROUND_USER_NAME,
  linkPlaygroundUser,
  PLAYGROUND_TENANT_ID,
  PLAYGROUND_USER_AAD_ID,
} from '../../scripts/start/playground';
import type { ActingAs } from '../../workflows/client';
import type { JourneyPolicy } from '../../workflows/contract';
import { postingTerms } from '../support/capacity-helpers';
import { listingFor, type Org } from '../support/fixtures';
import { createJourneyEnv, FAST_POLICY, type JourneyEnv } from '../support/journey-env';
import { makeOffer, waitForState } from '../support/journey-helpers';
import { PlaygroundPage } from '../support/teams/playground-page';

const DAY_MS = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

/** The offer window stays open for the whole test (its reminder too); offers stay open for days, as in production. */
const POLICY: JourneyPolicy = {
  ...FAST_POLICY,
  offerWindowMs: 300_000,
  reminderBeforeMs: 60_000,
  maxOfferValidityMs: 3 * DAY_MS,
};

const CLINICAL_TEAM = 'Nuffield York arthroplasty team';

/** A demo organisation in the shape the test helpers take. */
const orgOf = (demo: DemoOrg): Org => ({
  id: demo.id,
  ods: demo.ods,
  siteId: demo.siteId,
  staff: {
    clinician: demo.staff.clinician.personId,
    manager: demo.staff.manager.personId,
    coordinator: demo.staff.coordinator.personId,
  },
});

const inTeams = (demo: DemoOrg, who: keyof DemoOrg['staff']): ActingAs => ({
  personId: demo.staff[who].personId,
  organisationOds: demo.ods,
  channel: 'TEAMS',
});

describe('the Agents Playground page, in headless Chromium', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'mutual-aid-playground-'));
  const logLines: string[] = [];
  const log = (line: string) => logLines.push(line);
  let env: JourneyEnv | undefined;
  let bot: BotServer | undefined;
  let playground: AgentsPlayground | undefined;
  let browser: Browser | undefined;
  let db: Db;
  let demo: DemoWorld;
  let slot: { from: string; until: string };

  beforeAll(async () => {
    // Installs Debian's chromium when missing and we are root; otherwise fails saying how to get one.
    const executablePath = await ensureChromium(log);
    // The workers start after the environment exists, so the notifier reads the database from here.
    const late: { db?: Db } = {};
    env = await createJourneyEnv({
      // Local mode (no app id): proactive sends go unauthenticated to the Playground's connector.
      notifier: (outbox) => allNotifiers(outbox, createTeamsNotifier(late.db!, {})),
    });
    db = env.database.db;
    late.db = db;
    await linkPlaygroundUser(db);
    // Idempotent: the ids linkPlaygroundUser linked Alex to.
    demo = await db.transaction((tx) => seedDemoWorld(tx));
    await env.startWorker();

    const nuffield = demo.orgs.nuffieldYork;
    slot = { from: day(0), until: day(40) };
    const posted = await env.capacity().post(
      postingTerms(orgOf(nuffield), {
        procedureCodes: ['W37'],
        slots: 3,
        availableFrom: slot.from,
        availableUntil: slot.until,
      }),
      inTeams(nuffield, 'clinician'),
    );
    if (!posted.ok) throw new Error(`Posting refused: ${posted.code} ${posted.message}`);

    bot = await startBotServer({
      db,
      journeys: env.journeys(POLICY),
      capacity: env.capacity(),
      policy: POLICY,
      host: '127.0.0.1',
      config: {
        httpPort: 0,
        teams: { local: true },
        patientLink: { secret: 'playground-test-patient-link-secret-0123456789', ttlMs: 3_600_000 },
      },
    });
    playground = await startAgentsPlayground({
      botEndpoint: `${bot.url}/api/messages`,
      stateDir: join(stateDir, 'playground'),
      log,
    });
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await bot?.close();
    await env?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('connects, answers help, shows the match digest and makes an offer from its form', async () => {
    const ui = await PlaygroundPage.create(browser!);
    try {
      await ui.open(playground!.url);
      // Connecting installs the bot in Alex's personal chat: it answers with its commands.
      const help = 'Mutual aid commands';
      await ui.card([help]);
      const helpCards = await ui.cards(help).count();
      await ui.send('help');
      await expect.poll(() => ui.cards(help).count(), { timeout: 15_000 }).toBe(helpCards + 1);
      const chats = await db
        .select()
        .from(chatConversations)
        .where(
          and(
            eq(chatConversations.workspaceId, PLAYGROUND_TENANT_ID),
            eq(chatConversations.externalUserId, PLAYGROUND_USER_AAD_ID),
          ),
        );
      expect(chats.map((chat) => [chat.conversationType, chat.removedAt])).toEqual([['personal', null]]);

      const leeds = demo.orgs.leeds;
      const nuffield = demo.orgs.nuffieldYork;
      const journeys = env!.journeys(POLICY);
      const listed = await journeys.listPatient(
        listingFor(env!.world, { appropriatenessJudgedBy: leeds.staff.clinician.personId }),
        inTeams(leeds, 'coordinator'),
      );
      if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
      const { caseRef } = listed;
      await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');

      // Nuffield's clinicians have no Teams channel: the digest comes to Alex's personal chat.
      const digest = await ui.card(['Waiting patients match your capacity', caseRef], 30_000);
      await ui.button(digest, 'Offer treatment').click();

      // The form replaces the digest in place: site and validity chosen, the slot to choose, the team to name.
      const form = await ui.card([`Offer to treat ${caseRef}`]);
      const site = form.getByRole('combobox', { name: /^Site/ });
      const validity = form.getByRole('combobox', { name: /^Offer open for/ });
      const slotChoice = form.getByRole('combobox', { name: /^From your posted capacity/ });
      expect(await site.inputValue()).toBe(`${nuffield.siteName}, York`);
      expect(await validity.inputValue()).toBe('3 days');
      // Without a slot the date is required: offer from the slot posted above (not preselected today).
      const slotLabel = `${nuffield.siteName}, ${slot.from} to ${slot.until}`;
      if ((await slotChoice.inputValue()) === '') {
        await slotChoice.click();
        await ui.page.getByRole('option', { name: slotLabel, exact: true }).click();
      }
      await expect.poll(() => slotChoice.inputValue()).toBe(slotLabel);
      await form.getByRole('textbox', { name: /^Treating clinical team/ }).fill(CLINICAL_TEAM);
      // The answer to the click and the refresh for everyone are the same card: the case as it now stands,
      // noting who made the offer.
      const offerMade = await ui.watchForCard([`Offer made by ${PLAYGROUND_USER_NAME}`, 'Your offer:']);
      await ui.button(form, 'Make offer').click();
      await offerMade(15_000);
      const refreshed = await ui.card(['Waiting patients match your capacity', caseRef, 'Your offer:']);
      await ui.button(refreshed, 'Withdraw offer').waitFor({ state: 'visible' });
      expect(await ui.button(refreshed, 'Offer treatment').count()).toBe(0);

      const rows = await db.select().from(offers).where(eq(offers.caseRef, caseRef));
      expect(
        rows.map((row) => ({
          provider: row.providerOrgId,
          site: row.siteId,
          status: row.status,
          team: row.clinicalTeam,
        })),
      ).toEqual([{ provider: nuffield.id, site: nuffield.siteId, status: 'LIVE', team: CLINICAL_TEAM }]);
    } catch (error) {
      throw await withDiagnostics(error, ui, playground!, logLines);
    } finally {
      await ui.page.close().catch(() => undefined);
    }
  }, 60_000);

  it('walks the rest of the README: the patient’s link from chat, their page, both approvals, the transfer', async () => {
    const ui = await PlaygroundPage.create(browser!);
    const patientTab = await browser!.newPage({ viewport: { width: 375, height: 667 } });
    try {
      await ui.open(playground!.url);
      const leeds = demo.orgs.leeds;
      const nuffield = demo.orgs.nuffieldYork;
      // A short offer window this time, so the case reaches the patient; the offer itself is step 2, tested above.
      const journeys = env!.journeys({ ...POLICY, offerWindowMs: 6_000, reminderBeforeMs: 1_000 });
      const listed = await journeys.listPatient(
        listingFor(env!.world, { appropriatenessJudgedBy: leeds.staff.clinician.personId }),
        inTeams(leeds, 'coordinator'),
      );
      if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
      const { caseRef } = listed;
      await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
      await makeOffer(journeys, caseRef, orgOf(nuffield), { validForMs: DAY_MS, proposedInDays: 20 });
      await waitForState(journeys, caseRef, 'CHOOSING', 30_000);
      await ui.card(["Patient's choice needed", caseRef], 30_000);

      // Step 3: `link MA-…` gives the one-time link; the patient opens it and chooses.
      await ui.send(`link ${caseRef}`);
      const linkCard = await ui.card([`Choice link for ${caseRef}`], 15_000);
      const url = /(http:\/\/[^\s]+\/choice\/[\w.-]+)/.exec((await linkCard.textContent()) ?? '')?.[1];
      expect(url, 'the link in the reply').toBeDefined();
      await patientTab.goto(url!);
      await patientTab.getByLabel(`${nuffield.siteName}, York`).check();
      await patientTab.getByRole('button', { name: 'Continue' }).click();
      await patientTab.getByRole('button', { name: 'Confirm my choice' }).click();
      await expect.poll(() => patientTab.locator('.nhsuk-panel h1').textContent()).toBe('Your choice has been sent');
      await waitForState(journeys, caseRef, 'AWAITING_APPROVAL');

      // Step 4: both approval requests come to Alex, a manager at both trusts; then the date is confirmed.
      for (const label of ['Approve release', 'Approve acceptance']) {
        const ask = await ui.card(['Approval needed', caseRef, label], 30_000);
        await ui.button(ask, label).click();
        await ui.card([`Approved by ${PLAYGROUND_USER_NAME}`, caseRef], 15_000);
      }
      await waitForState(journeys, caseRef, 'APPROVED');
      await ui.send(`confirm ${caseRef} ${day(30)}`);
      await ui.card(['Transfer confirmed', caseRef], 15_000);
      const outcome: unknown = await env!.client.workflow.getHandle(caseRef).result();
      expect(outcome).toMatchObject({ state: 'TRANSFERRED', rounds: 1 });
    } catch (error) {
      throw await withDiagnostics(error, ui, playground!, logLines);
    } finally {
      await patientTab.close().catch(() => undefined);
      await ui.page.close().catch(() => undefined);
    }
  }, 120_000);
});

/** The error, with where its screenshot is and what the Playground and the page said. */
async function withDiagnostics(
  error: unknown,
  ui: PlaygroundPage,
  playground: AgentsPlayground,
  logLines: string[],
): Promise<unknown> {
  if (!(error instanceof Error)) return error;
  const dir = mkdtempSync(join(tmpdir(), 'mutual-aid-playground-failure-'));
  const saved = await ui.capture(dir, 'page');
  const invoked = await ui
    .invokedMessages()
    .allTextContents()
    .catch(() => []);
  let playgroundLog = '';
  try {
    playgroundLog = readFileSync(playground.logFile, 'utf8').slice(-3000);
  } catch {
    // not written
  }
  error.message = [
    error.message,
    `Saved: ${saved.join(', ') || 'nothing'}`,
    invoked.length > 0 ? `Invoke results shown: ${invoked.join(' | ')}` : '',
    logLines.length > 0 ? `Log:\n${logLines.join('\n')}` : '',
    playgroundLog ? `Agents Playground log (end):\n${playgroundLog}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return error;
}
