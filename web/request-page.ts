/**
 * The patient's own request to move (patient-initiated mutual aid), as
 * pages: the question of how far they will travel; what happens next once
 * asked; where their request has got to each time they come back; and, for
 * a patient the trust's rules leave out, why. Pure functions from what the
 * page knows to HTML: treatment, trust and wait, never who the patient is.
 */
import type { RequestSummary } from '../db/patient-requests';
import type { WaitFigures } from '../db/waits';
import { TRAVEL_CHOICES, type TravelChoice } from '../domain/patient-initiated';
import { confirmationPanel, errorSummary, insetText, radios, submitButton, summaryList } from './components';
import { longDate } from './dates';
import type { RenderedPage } from './error-pages';
import { html, type SafeHtml } from './html';
import { patientPage } from './layout';
import type { SitePath } from './site-path';

export const REQUEST_SERVICE_NAME = 'Ask to be treated at another hospital';
export const NO_TRAVEL_ERROR = 'Select how far you would travel for your treatment';
/** From the app's root: a page puts it through its SitePath. */
export const requestPath = (token: string) => `/request/${token}`;

const page = (
  sitePath: SitePath,
  status: number,
  title: string,
  content: SafeHtml,
  hasError = false,
): RenderedPage => ({
  status,
  html: patientPage({ sitePath, title, content, hasError, serviceName: REQUEST_SERVICE_NAME }),
});

const weeks = (value: number) => `${Math.round(value)} ${Math.round(value) === 1 ? 'week' : 'weeks'}`;
const treatment = (request: RequestSummary) => `${request.specialtyName.replace(/ & /g, ' and ')} treatment`;
const keepYourPlace = (request: RequestSummary) =>
  html`<p>You keep your place on the waiting list at ${request.trustName}. Nothing about your care there changes.</p>`;

function summary(request: RequestSummary): SafeHtml {
  return summaryList([
    { key: 'Treatment', value: request.procedure },
    { key: 'Type of care', value: request.specialtyName },
    { key: 'Your hospital', value: request.trustName },
    { key: 'Your reference', value: request.ref },
  ]);
}

function waitSentence(request: RequestSummary, figures: WaitFigures | undefined): SafeHtml {
  if (!figures) return html``;
  if (figures.suppressed) {
    return html`<p>
      Too few patients are waiting for ${treatment(request)} at ${request.trustName} for us to give a reliable figure
      for how long they wait.
    </p>`;
  }
  return html`<p>
    At ${request.trustName}, patients waiting for ${treatment(request)} have waited ${weeks(figures.meanWeeks)} on
    average. 92 in 100 have waited ${weeks(figures.p92Weeks)} or less.
  </p>`;
}

/** The question: how far the patient would travel. */
export function askPage(
  sitePath: SitePath,
  request: RequestSummary,
  token: string,
  localWait: WaitFigures | undefined,
  options: { missing?: boolean } = {},
): RenderedPage {
  const title = 'How far would you travel for your treatment?';
  const content = html`${options.missing && errorSummary([{ href: 'travel', message: NO_TRAVEL_ERROR }])}
    <h1>Ask to be treated at another hospital</h1>
    <p>
      You have been waiting ${weeks(request.weeksWaiting)} for ${treatment(request)} at ${request.trustName}. Another
      hospital may be able to treat you sooner.
    </p>
    ${waitSentence(request, localWait)}
    ${insetText(
      html`<p>
        If you ask, you keep your place on your current waiting list while we look. Your hospital team will check that
        moving is right for you before anything happens.
      </p>`,
    )}
    ${summary(request)}
    <form method="post" action="${sitePath(requestPath(token))}" novalidate>
      ${radios({
        name: 'travel',
        legend: title,
        legendSize: 'm',
        hint: 'We will only look for hospitals within the distance you choose. The NHS may help with travel costs.',
        error: options.missing ? NO_TRAVEL_ERROR : undefined,
        items: (Object.keys(TRAVEL_CHOICES) as TravelChoice[]).map((key) => ({
          value: key,
          label: TRAVEL_CHOICES[key].label,
        })),
      })}
      ${submitButton('Send my request')}
    </form>
    <p>This link works until ${longDate(request.expiresAt.toISOString().slice(0, 10))}.</p>`;
  return page(sitePath, options.missing ? 400 : 200, title, content, options.missing);
}

/** Sent: what happens next. */
export function requestSentPage(sitePath: SitePath, request: RequestSummary): RenderedPage {
  const content = html`${confirmationPanel('Request sent', html`Your reference is <strong>${request.ref}</strong>`)}
    <h2>What happens next</h2>
    <p>
      Your hospital team will check that moving is right for you. If it is, we will look for a hospital that can treat
      you sooner, first near you and then across the distance you chose.
    </p>
    <p>
      If a hospital offers to treat you, your hospital team will contact you and give you a link to choose. If we cannot
      find one within 8 weeks, we will tell you.
    </p>
    ${keepYourPlace(request)}
    <p>You can use this link again to see where your request has got to.</p>`;
  return page(sitePath, 200, 'Request sent', content);
}

/** Where an answered request has got to, in the patient's words. */
export function requestStatusPage(sitePath: SitePath, request: RequestSummary): RenderedPage {
  const title = 'Your request';
  const said = (...paragraphs: SafeHtml[]) =>
    page(
      sitePath,
      200,
      title,
      html`<h1>${title}</h1>
        ${paragraphs}${summary(request)}`,
    );
  if (request.status === 'REQUESTED') {
    return said(
      html`<p>We have your request. Your hospital team is checking that moving is right for you.</p>`,
      keepYourPlace(request),
    );
  }
  if (request.status === 'NOT_APPROPRIATE') {
    return said(
      html`<p>
        Your hospital team decided that moving to another hospital is not right for you at the moment. They can tell you
        why.
      </p>`,
      keepYourPlace(request),
    );
  }
  switch (request.caseState) {
    case 'TRANSFERRED':
      return said(html`<p>Your treatment has moved to the hospital you chose. They will contact you.</p>`);
    case 'APPROVED':
    case 'AWAITING_APPROVAL':
      return said(
        html`<p>
          You have chosen a hospital. Both hospitals are arranging your move; the new hospital will contact you.
        </p>`,
      );
    case 'CHOOSING':
      return said(
        html`<p>A hospital has offered to treat you. Your hospital team will contact you with a link to choose.</p>`,
      );
    case 'CLOSED':
      return said(
        request.caseClosedReason === 'STAYED_LOCAL'
          ? html`<p>You chose to stay with your hospital.</p>`
          : html`<p>We could not find another hospital able to treat you sooner.</p>`,
        keepYourPlace(request),
      );
    case 'WITHDRAWN':
      return said(
        html`<p>Your hospital team has closed your request. They can tell you why.</p>`,
        keepYourPlace(request),
      );
    default:
      return said(
        html`<p>
          Your hospital team agreed that moving is right for you. We are looking for a hospital that can treat you
          sooner, first near you and then further away, within the distance you chose.
        </p>`,
        keepYourPlace(request),
      );
  }
}

/** Not eligible under the trust's rules: why, and that nothing changes. */
export function ineligiblePage(sitePath: SitePath, request: RequestSummary): RenderedPage {
  const title = 'You cannot ask to move hospital at the moment';
  const content = html`<h1>${title}</h1>
    <p>This is because:</p>
    <ul>
      ${request.ineligibleReasons.map((reason) => html`<li>${reason}</li>`)}
    </ul>
    ${keepYourPlace(request)}
    <p>If you think this is wrong, or your situation changes, contact your hospital team at ${request.trustName}.</p>`;
  return page(sitePath, 200, title, content);
}

export const requestLinkRefusedPage = (sitePath: SitePath, expired: boolean): RenderedPage =>
  expired
    ? page(
        sitePath,
        410,
        'This link has expired',
        html`<h1>This link has expired</h1>
          <p>Contact your hospital team if you would still like to be treated at another hospital.</p>
          <p>You keep your place on your current waiting list.</p>`,
      )
    : page(
        sitePath,
        404,
        'This link does not work',
        html`<h1>This link does not work</h1>
          <p>Check you copied the whole link from the letter or message your hospital sent you.</p>
          <p>
            If it still does not work, contact your hospital team. You keep your place on your current waiting list.
          </p>`,
      );
