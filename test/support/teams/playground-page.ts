/**
 * The Microsoft 365 Agents Playground's web page, driven by playwright-core in
 * headless Chromium: send a message, find an Adaptive Card by its text, press
 * its buttons and fill its inputs the way a person would. Requests to anywhere
 * but this machine are aborted (the page would fetch fonts and telemetry).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';

/** Anything not on the loopback interface. */
const EXTERNAL = /^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/;

/**
 * Browser-side (this project compiles without the DOM library, hence a
 * string): marks `window[key]` once any Adaptive Card contains every one of
 * `texts`, checking at once and after every change to the page, so a card
 * that is replaced a moment later is still seen.
 */
const WATCH_CARDS = `({ key, texts }) => {
  const seen = () => [...document.querySelectorAll('.ac-adaptiveCard')].some(
    (card) => texts.every((text) => (card.textContent || '').includes(text)),
  );
  window[key] = seen();
  if (window[key]) return;
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    window[key] = true;
    observer.disconnect();
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}`;

export class PlaygroundPage {
  private watches = 0;

  private constructor(readonly page: Page) {}

  /** A tab for the Playground: each wait on it gives up after `timeoutMs` unless told otherwise. */
  static async create(browser: Browser, timeoutMs = 20_000): Promise<PlaygroundPage> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(timeoutMs);
    page.setDefaultNavigationTimeout(timeoutMs);
    await page.route(EXTERNAL, (route) => route.abort());
    return new PlaygroundPage(page);
  }

  /** Loads the Playground and waits until its message box can be used. */
  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded' });
    await this.messageBox().waitFor({ state: 'visible' });
  }

  /** The compose box (a rich-text editor; cards' text inputs are textboxes too). */
  messageBox(): Locator {
    return this.page.locator('[role="textbox"][data-lexical-editor="true"]');
  }

  /** Adaptive Cards in the chat that contain every one of `texts`. */
  cards(...texts: (string | RegExp)[]): Locator {
    return texts.reduce<Locator>(
      (cards, text) => cards.filter({ hasText: text }),
      this.page.locator('.ac-adaptiveCard'),
    );
  }

  /** The last card containing every one of `texts`, once it is on the page. */
  async card(texts: (string | RegExp)[], timeoutMs?: number): Promise<Locator> {
    const card = this.cards(...texts).last();
    await card.waitFor({ state: 'visible', timeout: timeoutMs });
    return card;
  }

  /**
   * Starts watching for a card containing every one of `texts` and returns a
   * wait for it: it passes once such a card has been on the page at all, even
   * if it was replaced straight after (a card action's answer can be).
   */
  async watchForCard(texts: string[]): Promise<(timeoutMs?: number) => Promise<void>> {
    this.watches += 1;
    const key = `__cardSeen${this.watches}`;
    await this.page.evaluate(`(${WATCH_CARDS})(${JSON.stringify({ key, texts })})`);
    return async (timeoutMs) => {
      await this.page.waitForFunction(`window[${JSON.stringify(key)}] === true`, undefined, { timeout: timeoutMs });
    };
  }

  async send(text: string): Promise<void> {
    const box = this.messageBox();
    await box.click();
    await box.fill(text);
    await box.press('Enter');
  }

  /** A button on a card; Adaptive Cards label each action with its title. */
  button(card: Locator, title: string): Locator {
    return card.getByRole('button', { name: title, exact: true });
  }

  /** What the Playground shows when an action answers with a string instead of a card. */
  invokedMessages(): Locator {
    return this.page.locator('[aria-label="Display Invoked Message"]');
  }

  /** A screenshot and the page's HTML in `dir`, for a failure. Never throws. */
  async capture(dir: string, name: string): Promise<string[]> {
    const saved: string[] = [];
    try {
      mkdirSync(dir, { recursive: true });
      const png = join(dir, `${name}.png`);
      await this.page.screenshot({ path: png, fullPage: true, timeout: 5_000 });
      saved.push(png);
      const html = join(dir, `${name}.html`);
      writeFileSync(html, await this.page.content());
      saved.push(html);
    } catch {
      // the page may be gone
    }
    return saved;
  }
}
