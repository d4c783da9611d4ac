/**
 * The patient's request to move, over HTTP and with no JavaScript: GET shows
 * the question (or where the request has got to, or why the patient cannot
 * ask); POST sends the answer once. The link is checked on every request;
 * only an answered question changes anything.
 */
import express, { type Router } from 'express';
import { localWait } from '../db/waits';
import type { Db } from '../db/client';
import type { PatientRequests } from '../workflows/patient-requests';
import { sendPage } from './error-pages';
import type { SitePath } from './site-path';
import { askPage, ineligiblePage, requestLinkRefusedPage, requestSentPage, requestStatusPage } from './request-page';

export interface RequestRoutesDeps {
  db: Db;
  patientRequests: PatientRequests;
  /** Every address the pages emit goes through it (a proxy's path prefix). */
  sitePath: SitePath;
  now?: () => Date;
}

export function requestRoutes(deps: RequestRoutesDeps): Router {
  const { db, patientRequests, sitePath } = deps;
  const now = deps.now ?? (() => new Date());
  const router = express.Router();

  router.get('/request/:token', async (req, res) => {
    const opened = await patientRequests.open(req.params.token);
    if (!opened.ok) return sendPage(res, requestLinkRefusedPage(sitePath, opened.problem === 'EXPIRED'));
    const { request } = opened;
    if (request.status === 'INELIGIBLE') return sendPage(res, ineligiblePage(sitePath, request));
    if (request.status === 'EXPIRED') return sendPage(res, requestLinkRefusedPage(sitePath, true));
    if (request.status !== 'INVITED') return sendPage(res, requestStatusPage(sitePath, request));
    const wait = await localWait(db, request.originOrgId, request.specialtyCode, now());
    sendPage(res, askPage(sitePath, request, req.params.token, wait));
  });

  router.post('/request/:token', async (req, res) => {
    const { token } = req.params;
    const travel = (req.body as Record<string, unknown> | undefined)?.travel;
    const answered = await patientRequests.answer(token, travel);
    if (answered.ok) return sendPage(res, requestSentPage(sitePath, answered.request));
    if (answered.problem === 'EXPIRED') return sendPage(res, requestLinkRefusedPage(sitePath, true));
    if (answered.problem === 'MALFORMED' || answered.problem === 'TAMPERED' || answered.problem === 'NOT_FOUND') {
      return sendPage(res, requestLinkRefusedPage(sitePath, false));
    }
    const opened = await patientRequests.open(token);
    if (!opened.ok) return sendPage(res, requestLinkRefusedPage(sitePath, opened.problem === 'EXPIRED'));
    const { request } = opened;
    if (answered.problem === 'INELIGIBLE') return sendPage(res, ineligiblePage(sitePath, request));
    if (answered.problem === 'ALREADY_ANSWERED') return sendPage(res, requestStatusPage(sitePath, request));
    // No answer, or one we did not offer: ask again, saying what is missing.
    const wait = await localWait(db, request.originOrgId, request.specialtyCode, now());
    sendPage(res, askPage(sitePath, request, token, wait, { missing: true }));
  });

  return router;
}
