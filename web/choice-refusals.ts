/**
 * Why a choice link cannot be used, in words a patient can act on, with the
 * HTTP status that fits: a link we never issued (404), one that no longer
 * works (410), offers that moved on since the link was sent (409). None of
 * these pages changes anything.
 */
import type { CaseState } from '../domain/journey-states';
import type { LinkRefusal } from './choice-link';
import { choicePath } from './choice-page';
import { noticePage, type RenderedPage } from './error-pages';
import { html } from './html';
import { patientPage } from './layout';
import type { SitePath } from './site-path';

const CONTACT = 'If you have questions, contact your hospital team.';

export function linkRefusedPage(sitePath: SitePath, refusal: LinkRefusal): RenderedPage {
  switch (refusal) {
    case 'INVALID':
      return noticePage(sitePath, 404, 'This link does not work', [
        'Check that you copied the whole link from the message you were sent.',
        'If it still does not work, contact the hospital team who sent it to you.',
      ]);
    case 'EXPIRED':
      return noticePage(sitePath, 410, 'This link has expired', [
        'Links to choose where to be treated only work for a short time.',
        'Contact your hospital team and ask them for a new link.',
      ]);
    case 'USED':
      return noticePage(sitePath, 410, 'You have already made your choice', [
        'This link works once, and your choice has been sent.',
        'If you want to change your choice, contact your hospital team.',
      ]);
    case 'SUPERSEDED':
      return noticePage(sitePath, 410, 'A newer link was sent', [
        'Your hospital team has sent you a newer link, so this one no longer works. Use the most recent link you were sent.',
        'If you cannot find it, contact your hospital team.',
      ]);
  }
}

/** The case is not waiting for this link's choice any more (or has no open offers left). */
export function offersClosedPage(sitePath: SitePath, state: CaseState | undefined): RenderedPage {
  const why =
    state === 'AWAITING_APPROVAL' || state === 'APPROVED' || state === 'TRANSFERRED'
      ? 'A choice has already been recorded for you, so this link no longer works.'
      : state === 'CLOSED' || state === 'WITHDRAWN'
        ? 'Your hospital team has closed these offers, so this link no longer works.'
        : 'The offers in this link were withdrawn or ran out of time. Your hospital team may send you a new link if other hospitals offer to treat you.';
  return noticePage(sitePath, 409, 'These offers are no longer open', [why, CONTACT]);
}

/** The offer chosen was withdrawn or lapsed between the two pages; the others may still be open. */
export function offerGonePage(sitePath: SitePath, token: string): RenderedPage {
  const title = 'The hospital you chose is no longer available';
  const content = html`<h1>${title}</h1>
    <p>The offer was withdrawn or ran out of time. Your choice has not been sent.</p>
    <p><a href="${sitePath(choicePath(token))}">Choose again from the offers that are still open</a></p>
    <p>${CONTACT}</p>`;
  return { status: 409, html: patientPage({ sitePath, title, content }) };
}

/** A refusal the page has no better words for: nothing was sent. */
export const choiceNotSentPage = (sitePath: SitePath): RenderedPage =>
  noticePage(sitePath, 409, 'Your choice could not be sent', ['Nothing has changed.', CONTACT]);
