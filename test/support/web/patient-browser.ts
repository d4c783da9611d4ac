/**
 * Headless Chromium as a patient on a phone without JavaScript, for the
 * patient pages' browser tests (playwright-core with the distribution's
 * Chromium): pages opened and forms submitted with no script; each page's
 * layout checked at phone width and at 320 px, with a screenshot; and each
 * page checked with axe-core against WCAG 2.0, 2.1 and 2.2 A and AA.
 *
 * axe is JavaScript and cannot run where JavaScript is off (its timers never
 * fire), so each page's response, exactly as the server sent it (status,
 * headers and body), is replayed at the same address into a second context
 * with JavaScript on and axe injected; the pages have no script of their
 * own, so both contexts build the same document, styled by the same CSS from
 * the server. That context ignores the Content-Security-Policy only so that
 * axe can be injected. Every request to anything but this machine is
 * blocked and recorded in `offSite`.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { expect } from 'vitest';
import { ensureChromium } from '../../../scripts/infra/chromium';

export const PHONE = { width: 375, height: 667 };
const NARROWEST = 320;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

interface AxeResults {
  violations: AxeViolation[];
  passes: number;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Its checks are bound functions, so a test can take them out: `const { submit } = browser`. */
export class PatientBrowser {
  /** Requests the pages tried to make to anywhere but this machine (blocked). */
  readonly offSite: string[] = [];
  private readonly axeSource = readFileSync(require.resolve('axe-core'), 'utf8');

  private constructor(
    private readonly browser: Browser,
    /** JavaScript off, phone-sized: the patient. */
    readonly patient: BrowserContext,
    /** JavaScript on, CSP bypassed: where axe runs on replayed responses. */
    private readonly auditor: BrowserContext,
    /** Where screenshots go. */
    readonly screenshots: string,
  ) {}

  static async launch(name: string): Promise<PatientBrowser> {
    const executablePath = await ensureChromium(() => undefined);
    const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    const patient = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const auditor = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true, viewport: PHONE });
    const opened = new PatientBrowser(browser, patient, auditor, mkdtempSync(join(tmpdir(), `mutual-aid-${name}-`)));
    await opened.localOnly(patient);
    await opened.localOnly(auditor);
    return opened;
  }

  close(): Promise<void> {
    return this.browser.close();
  }

  /** Lets requests to this machine through; blocks and records anything else. */
  private async localOnly(context: BrowserContext) {
    await context.route('**/*', async (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      if (protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      this.offSite.push(route.request().url());
      return route.abort('blockedbyclient');
    });
  }

  /** axe's WCAG A and AA violations for the response the patient's browser received. */
  private async wcagViolations(response: Response): Promise<AxeViolation[]> {
    const replayed = { status: response.status(), headers: await response.allHeaders(), body: await response.body() };
    const page = await this.auditor.newPage();
    try {
      await page.route(
        (url) => url.href === response.url(),
        (route) => route.fulfill(replayed),
      );
      await page.goto(response.url());
      await page.addScriptTag({ content: this.axeSource });
      // A string, as the code runs in the page (no DOM types here).
      const results = await page.evaluate<AxeResults>(
        `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } })` +
          '.then((r) => ({ violations: r.violations, passes: r.passes.length }))',
      );
      // Proof that axe looked: a page this size passes dozens of checks.
      expect(results.passes).toBeGreaterThan(15);
      return results.violations;
    } finally {
      await page.close();
    }
  }

  readonly expectAccessible = async (response: Response): Promise<void> => {
    const violations = await this.wcagViolations(response);
    expect(
      violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    ).toEqual([]);
  };

  /** No sideways scrolling at phone width, nor at 320 px (WCAG 1.4.10 reflow); a screenshot at phone width. */
  readonly checkLayout = async (page: Page, name: string): Promise<void> => {
    const scrollWidth = () => page.evaluate<number>('document.documentElement.scrollWidth');
    expect(await scrollWidth()).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize({ width: NARROWEST, height: PHONE.height });
    expect(await scrollWidth()).toBeLessThanOrEqual(NARROWEST);
    await page.setViewportSize(PHONE);
    const file = join(this.screenshots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  };

  /** Clicks the named button and returns the response of the page it leads to. */
  readonly submit = async (page: Page, name: string): Promise<Response> => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
      page.getByRole('button', { name }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  };
}
