/**
 * The patient's pages on the bot's HTTP server: the NHS.UK styles, and under
 * /choice the one-time choice link's pages, with the headers that keep the
 * token private, a 404 page for any other /choice address, and an error page
 * that logs no request detail (the address is the token).
 *
 * It routes at the app's root. Behind a reverse proxy that serves it under a
 * path prefix and strips the prefix before passing requests on, `basePath`
 * (PUBLIC_BASE_URL's path) is put back in front of every address the pages
 * emit: see site-path.ts.
 */
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { PatientLinks } from '../bot/core/patient-links';
import type { Db } from '../db/client';
import { withoutParameters } from '../db/errors';
import type { JourneyClient } from '../workflows/client';
import { choiceRoutes } from './choice-routes';
import { noticePage, notFoundPage, sendPage, serverErrorPage } from './error-pages';
import { nhsukAssets } from './nhsuk-assets';
import { patientPageHeaders } from './security-headers';
import { requestRoutes } from './request-routes';
import { sitePathUnder } from './site-path';
import type { PatientRequests } from '../workflows/patient-requests';

export interface PatientSiteDeps {
  db: Db;
  journeys: JourneyClient;
  patientLinks: PatientLinks;
  /** Patient-initiated requests' pages under /request, when the service is on. */
  patientRequests?: PatientRequests;
  /** The path prefix a reverse proxy serves the pages under, such as /mutual-aid (see basePathOf); '' or none at the root. */
  basePath?: string;
  now?: () => Date;
  /** Where failures are reported; defaults to stderr. Lines carry an error's kind and stack frames only. */
  log?: (line: string) => void;
}

/** The error's class, code and stack frames, without its message: messages can quote a query's values or a URL. */
export function describeFailure(error: unknown): string {
  const safe = withoutParameters(error);
  if (!(safe instanceof Error)) return `Patient page failed: ${typeof safe}`;
  const code = (safe as { code?: unknown }).code;
  const frames = (safe.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`Patient page failed: ${safe.name}${typeof code === 'string' ? ` (${code})` : ''}`, ...frames].join('\n');
}

export function patientSite(deps: PatientSiteDeps): Router {
  const log = deps.log ?? ((line: string) => console.error(line));
  const sitePath = sitePathUnder(deps.basePath ?? '');
  const router = express.Router();
  router.use(nhsukAssets(sitePath));
  router.use(
    '/choice',
    patientPageHeaders,
    // One radio value: anything bigger is not our form.
    express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }),
  );
  router.use(choiceRoutes({ ...deps, sitePath }));
  router.use('/choice', (_req, res) => sendPage(res, notFoundPage(sitePath)));
  if (deps.patientRequests) {
    router.use(
      '/request',
      patientPageHeaders,
      express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }),
    );
    router.use(requestRoutes({ db: deps.db, patientRequests: deps.patientRequests, sitePath, now: deps.now }));
    router.use('/request', (_req, res) => sendPage(res, notFoundPage(sitePath)));
  }

  const failed: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: unknown }).status;
    // The body parser's refusals (too large, malformed): the request's fault, nothing to log.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendPage(
        res,
        noticePage(sitePath, status, 'Sorry, we could not read your answer', ['Go back to the page and try again.']),
      );
    }
    log(describeFailure(error));
    sendPage(res, serverErrorPage(sitePath));
  };
  router.use('/choice', failed);
  router.use('/request', failed);
  return router;
}
