/**
 * The choice flow over HTTP, with no JavaScript: GET the offers, POST a
 * selection to see it for checking, POST the confirmation to send it to the
 * journey. Every step checks the link again; only the last changes anything,
 * through the journey's recordChoice Update, whose id comes from the link so
 * that a repeated submit is the same Update.
 */
import express, { type Response, type Router } from 'express';
import type { PatientLinks } from '../bot/core/patient-links';
import type { Db } from '../db/client';
import type { JourneyClient } from '../workflows/client';
import { REFUSALS, type PatientChoice } from '../workflows/contract';
import { checkChoiceLink, choiceRequestId, markLinkUsed, type ChoiceLink } from './choice-link';
import {
  caseForChoice,
  liveOffersForChoice,
  localWaitFor,
  offerForChoice,
  patientChoiceIn,
  type CaseForChoice,
  type RecordedChoice,
} from './choice-offers';
import {
  checkChoicePage,
  choicePath,
  choiceRecordedPage,
  choosePage,
  DECLINE_ALL,
  STAY_LOCAL,
  type ChoiceView,
  type PageChoice,
} from './choice-page';
import { choiceNotSentPage, linkRefusedPage, offerGonePage, offersClosedPage } from './choice-refusals';
import { sendPage, type RenderedPage } from './error-pages';
import type { SitePath } from './site-path';

export interface ChoiceRoutesDeps {
  db: Db;
  journeys: JourneyClient;
  patientLinks: PatientLinks;
  /** Every address the pages emit, and the redirect's Location, go through it (a proxy's path prefix). */
  sitePath: SitePath;
  now?: () => Date;
}

type Opened = { ok: true; link: ChoiceLink; view: ChoiceView } | { ok: false; page: RenderedPage };

const sendHtml = (res: Response, status: number, markup: string) => res.status(status).type('html').send(markup);

/** The form's `choice` field, if it names one of the options shown. */
function selectedChoice(raw: unknown, view: ChoiceView): PageChoice | undefined {
  if (raw === STAY_LOCAL) return { kind: 'STAY_LOCAL' };
  if (raw === DECLINE_ALL) return { kind: 'DECLINE_ALL' };
  const offer = view.offers.find((candidate) => candidate.offerId === raw);
  return offer && { kind: 'ACCEPT', offer };
}

const journeyChoice = (choice: PageChoice): PatientChoice =>
  choice.kind === 'ACCEPT' ? { kind: 'ACCEPT', offerId: choice.offer.offerId } : { kind: choice.kind };

export function choiceRoutes(deps: ChoiceRoutesDeps): Router {
  const { db, journeys, patientLinks, sitePath } = deps;
  const now = deps.now ?? (() => new Date());
  const router = express.Router();

  /** The link checked and what the choose page shows; or the page saying why not. */
  async function openChoice(token: string): Promise<Opened> {
    const checked = await checkChoiceLink(db, patientLinks, token, now());
    if (!checked.ok) return { ok: false, page: linkRefusedPage(sitePath, checked.refusal) };
    const { link } = checked;
    const kase = await caseForChoice(db, link.caseRef);
    if (!kase) return { ok: false, page: linkRefusedPage(sitePath, 'INVALID') };
    if (kase.state !== 'CHOOSING' || kase.round !== link.round)
      return { ok: false, page: offersClosedPage(sitePath, kase.state) };
    const offers = await liveOffersForChoice(db, kase, link.round, now());
    if (offers.length === 0) return { ok: false, page: offersClosedPage(sitePath, kase.state) };
    const localWait = await localWaitFor(db, kase, now());
    return { ok: true, link, view: { kase, offers, localWait, linkExpiresAt: link.expiresAt } };
  }

  router.get('/choice/:token', async (req, res) => {
    const opened = await openChoice(req.params.token);
    if (!opened.ok) return sendPage(res, opened.page);
    const selected = typeof req.query.choice === 'string' ? req.query.choice : undefined;
    sendHtml(res, 200, choosePage(sitePath, opened.view, req.params.token, { selected }));
  });

  router.post('/choice/:token', async (req, res) => {
    const { token } = req.params;
    const opened = await openChoice(token);
    if (!opened.ok) return sendPage(res, opened.page);
    const raw = (req.body as Record<string, unknown> | undefined)?.choice;
    const choice = selectedChoice(raw, opened.view);
    if (!choice) {
      // An offer of this round that closed while the page was open: say so, rather than "select one".
      const closed = await confirmedChoice(opened.view.kase, opened.link, raw);
      if (closed?.kind === 'ACCEPT') return sendPage(res, offerGonePage(sitePath, token));
      return sendHtml(res, 400, choosePage(sitePath, opened.view, token, { missingSelection: true }));
    }
    sendHtml(res, 200, checkChoicePage(sitePath, opened.view, token, choice));
  });

  // The confirm address is only ever posted to; a bookmark or a reload of it starts again.
  router.get('/choice/:token/confirm', (req, res) => {
    res.redirect(303, sitePath(choicePath(req.params.token)));
  });

  router.post('/choice/:token/confirm', async (req, res) => {
    const { token } = req.params;
    const checked = await checkChoiceLink(db, patientLinks, token, now());
    if (!checked.ok) return sendPage(res, linkRefusedPage(sitePath, checked.refusal));
    const { link } = checked;
    const kase = await caseForChoice(db, link.caseRef);
    if (!kase) return sendPage(res, linkRefusedPage(sitePath, 'INVALID'));
    const choice = await confirmedChoice(kase, link, (req.body as Record<string, unknown> | undefined)?.choice);
    if (!choice) {
      // Not one of the options: start again at the question, as with no selection.
      const opened = await openChoice(token);
      if (!opened.ok) return sendPage(res, opened.page);
      return sendHtml(res, 400, choosePage(sitePath, opened.view, token, { missingSelection: true }));
    }
    // Whether the case is still choosing and the offer still open is the journey's to say, not the database's.
    const decision = await journeys.patientChoice(link.caseRef, journeyChoice(choice), choiceRequestId(link));
    if (!decision.ok) return sendPage(res, await refusalPage(decision.code, link, token));
    await markLinkUsed(db, link.linkId, now());
    // Show what the journey recorded: after a double submit with two different forms, that is the first.
    const recorded = await patientChoiceIn(db, link.caseRef, link.round);
    sendHtml(
      res,
      200,
      choiceRecordedPage(sitePath, kase, (recorded && (await asPageChoice(kase, recorded))) ?? choice),
    );
  });

  /** The confirmed value: stay, none, or an offer of the link's round (open or not: the journey judges that). */
  async function confirmedChoice(kase: CaseForChoice, link: ChoiceLink, raw: unknown): Promise<PageChoice | undefined> {
    if (raw === STAY_LOCAL) return { kind: 'STAY_LOCAL' };
    if (raw === DECLINE_ALL) return { kind: 'DECLINE_ALL' };
    if (typeof raw !== 'string' || !/^[0-9a-f-]{36}$/i.test(raw)) return undefined;
    const offer = await offerForChoice(db, kase, raw);
    return offer && offer.round === link.round ? { kind: 'ACCEPT', offer } : undefined;
  }

  async function asPageChoice(kase: CaseForChoice, recorded: RecordedChoice): Promise<PageChoice | undefined> {
    if (recorded.outcome === 'STAYED_LOCAL') return { kind: 'STAY_LOCAL' };
    if (recorded.outcome === 'DECLINED_ALL') return { kind: 'DECLINE_ALL' };
    const offer = recorded.offerId ? await offerForChoice(db, kase, recorded.offerId) : undefined;
    return offer && { kind: 'ACCEPT', offer };
  }

  /** The journey refused: say why in the patient's words. Its own message is written for staff. */
  async function refusalPage(code: string, link: ChoiceLink, token: string): Promise<RenderedPage> {
    if (code === REFUSALS.offerNotLive || code === REFUSALS.offerNotFound) return offerGonePage(sitePath, token);
    // CASE.NOT_FOUND: the client's word for a journey that is no longer running.
    if (code === REFUSALS.wrongState || code === 'CASE.NOT_FOUND') {
      return offersClosedPage(sitePath, (await caseForChoice(db, link.caseRef))?.state);
    }
    return choiceNotSentPage(sitePath);
  }

  return router;
}
