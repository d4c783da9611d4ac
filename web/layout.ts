/**
 * The NHS.UK page shell every patient page shares: skip link, header with the
 * NHS logo and service name, main content column, footer. Markup follows the
 * nhsuk-frontend templates (v10) so the design system's CSS styles it with no
 * JavaScript; pages pass their own content and say whether it shows an error,
 * which the title must announce first.
 */
import { html, type SafeHtml } from './html';
import type { SitePath } from './site-path';

/** Where the nhsuk-frontend CSS and images are served (see nhsuk-assets.ts), from the app's root. */
export const NHSUK_ASSETS_PATH = '/assets/nhsuk';
export const NHSUK_STYLESHEET = `${NHSUK_ASSETS_PATH}/nhsuk-frontend.css`;

export const SERVICE_NAME = 'Choose where to be treated';

export interface PatientPage {
  /** Puts the proxy's path prefix, if any, before the stylesheet's and icons' addresses. */
  sitePath: SitePath;
  /** The page's own name, as its h1 says it; the title adds the service and "NHS". */
  title: string;
  /** The page shows a validation error: the title starts "Error: " so screen readers hear it first. */
  hasError?: boolean;
  /** Above <main>, inside the width container: a back link. */
  beforeContent?: SafeHtml;
  content: SafeHtml;
  /** Content wider than the usual two-thirds reading column. */
  fullWidth?: boolean;
  serviceName?: string;
}

// The NHS logo, as nhsuk-frontend's header template draws it.
const NHS_LOGO = html`<svg
  class="nhsuk-header__logo"
  xmlns="http://www.w3.org/2000/svg"
  viewBox="0 0 200 80"
  height="40"
  width="100"
  focusable="false"
  role="img"
  aria-label="NHS"
>
  <title>NHS</title>
  <path
    fill="currentcolor"
    d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"
  />
</svg>`;

/** A whole HTML document around `page.content`. */
export function patientPage(page: PatientPage): string {
  const serviceName = page.serviceName ?? SERVICE_NAME;
  const title = `${page.hasError ? 'Error: ' : ''}${page.title} – ${serviceName} – NHS`;
  const image = (name: string) => page.sitePath(`${NHSUK_ASSETS_PATH}/images/${name}`);
  const column = page.fullWidth ? 'nhsuk-grid-column-full' : 'nhsuk-grid-column-two-thirds';
  return `<!DOCTYPE html>\n${
    html`<html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#005eb8" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <link rel="icon" href="${image('favicon.ico')}" sizes="48x48" />
        <link rel="icon" href="${image('favicon.svg')}" sizes="any" type="image/svg+xml" />
        <link rel="apple-touch-icon" href="${image('nhsuk-icon-180.png')}" />
        <link rel="stylesheet" href="${page.sitePath(NHSUK_STYLESHEET)}" />
      </head>
      <body>
        <a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
        <header class="nhsuk-header" role="banner">
          <div class="nhsuk-header__container nhsuk-width-container">
            <div class="nhsuk-header__service">
              ${NHS_LOGO}
              <span class="nhsuk-header__service-name">${serviceName}</span>
            </div>
          </div>
        </header>
        <div class="nhsuk-width-container">
          ${page.beforeContent}
          <main class="nhsuk-main-wrapper" id="maincontent">
            <div class="nhsuk-grid-row">
              <div class="${column}">${page.content}</div>
            </div>
          </main>
        </div>
        <footer class="nhsuk-footer" role="contentinfo">
          <div class="nhsuk-width-container">
            <div class="nhsuk-footer__meta">
              <p class="nhsuk-body-s">A service of NHS hospitals working together to shorten waits.</p>
            </div>
          </div>
        </footer>
      </body>
    </html>`.markup
  }\n`;
}
