/**
 * Serves the NHS.UK design system's compiled CSS and images from the
 * installed nhsuk-frontend package, so patient pages fetch nothing from
 * another site (the Content-Security-Policy allows our own origin only).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { NHSUK_ASSETS_PATH, NHSUK_STYLESHEET } from './layout';
import type { SitePath } from './site-path';

const ONE_DAY_S = 86_400;

function packageDist(): string {
  // The package's exports map allows ./dist/*; its main entry lives in dist/nhsuk.
  return dirname(require.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'));
}

/**
 * The compiled CSS, adjusted once at start-up:
 * - its images are referenced at /assets/images; ours are served under NHSUK_ASSETS_PATH, behind the proxy's
 *   path prefix if any (a quoted url(), whatever characters the prefix has);
 * - its @font-face rules load Frutiger from assets.nhs.uk, which is licensed for nhs.uk
 *   domains only; without them the design system falls back to Arial, as it does elsewhere;
 * - the source map comment points at a file we do not serve.
 */
export function nhsukStylesheet(css: string, sitePath: SitePath): string {
  const image = (name: string) => sitePath(`${NHSUK_ASSETS_PATH}/images/${name}`).replace(/["\\]/g, '\\$&');
  const adjusted = css
    .replace(/@font-face\s*\{[^}]*assets\.nhs\.uk[^}]*\}/g, '')
    .replace(/url\((["']?)\/assets\/images\/([^"')\s]+)\1\)/g, (_url, _quote, name: string) => `url("${image(name)}")`)
    .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
  if (/url\(["']?https?:/.test(adjusted)) {
    throw new Error('nhsuk-frontend CSS still refers to another site: check the adjustments for its new version');
  }
  return adjusted;
}

/** The stylesheet and images, routed at the app's root; `sitePath` writes the addresses the CSS gives its images. */
export function nhsukAssets(sitePath: SitePath): Router {
  const dist = packageDist();
  const css = nhsukStylesheet(readFileSync(join(dist, 'nhsuk-frontend.min.css'), 'utf8'), sitePath);
  const router = express.Router();
  router.get(NHSUK_STYLESHEET, (_req, res) => {
    res.set('Cache-Control', `public, max-age=${ONE_DAY_S}`);
    res.type('text/css').send(css);
  });
  router.use(
    `${NHSUK_ASSETS_PATH}/images`,
    // No redirect of a folder's address to one ending in /: its Location would miss the proxy's prefix.
    express.static(join(dist, 'assets', 'images'), { maxAge: ONE_DAY_S * 1000, index: false, redirect: false }),
  );
  return router;
}
