/**
 * Serves the NHS.UK design system's compiled CSS and images from the
 * installed nhsuk-frontend package, so patient pages fetch nothing from
 * another site (the Content-Security-Policy allows our own origin only).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { NHSUK_ASSETS_PATH, NHSUK_STYLESHEET } from './layout';

const ONE_DAY_S = 86_400;

function packageDist(): string {
  // The package's exports map allows ./dist/*; its main entry lives in dist/nhsuk.
  return dirname(require.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'));
}

/**
 * The compiled CSS, adjusted once at start-up:
 * - its images are referenced at /assets/images; ours are served under NHSUK_ASSETS_PATH;
 * - its @font-face rules load Frutiger from assets.nhs.uk, which is licensed for nhs.uk
 *   domains only; without them the design system falls back to Arial, as it does elsewhere;
 * - the source map comment points at a file we do not serve.
 */
export function nhsukStylesheet(css: string): string {
  const adjusted = css
    .replace(/@font-face\s*\{[^}]*assets\.nhs\.uk[^}]*\}/g, '')
    .replace(/url\((["']?)\/assets\/images\//g, `url($1${NHSUK_ASSETS_PATH}/images/`)
    .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
  if (/url\(["']?https?:/.test(adjusted)) {
    throw new Error('nhsuk-frontend CSS still refers to another site: check the adjustments for its new version');
  }
  return adjusted;
}

export function nhsukAssets(): Router {
  const dist = packageDist();
  const css = nhsukStylesheet(readFileSync(join(dist, 'nhsuk-frontend.min.css'), 'utf8'));
  const router = express.Router();
  router.get(NHSUK_STYLESHEET, (_req, res) => {
    res.set('Cache-Control', `public, max-age=${ONE_DAY_S}`);
    res.type('text/css').send(css);
  });
  router.use(
    `${NHSUK_ASSETS_PATH}/images`,
    express.static(join(dist, 'assets', 'images'), { maxAge: ONE_DAY_S * 1000, index: false }),
  );
  return router;
}
