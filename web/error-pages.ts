/**
 * Pages for requests that go wrong, shared by every patient page: an address
 * we do not serve, and a failure of ours. Neither says anything about the
 * request beyond that.
 */
import type { Response } from 'express';
import { html } from './html';
import { patientPage } from './layout';
import type { SitePath } from './site-path';

export interface RenderedPage {
  status: number;
  html: string;
}

export function sendPage(res: Response, page: RenderedPage): void {
  res.status(page.status).type('html').send(page.html);
}

/** A page of a heading and a few paragraphs, for refusals and errors. */
export function noticePage(sitePath: SitePath, status: number, title: string, paragraphs: string[]): RenderedPage {
  const content = html`<h1>${title}</h1>
    ${paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}`;
  return { status, html: patientPage({ sitePath, title, content }) };
}

export const notFoundPage = (sitePath: SitePath): RenderedPage =>
  noticePage(sitePath, 404, 'Page not found', [
    'If you typed the web address, check it is correct.',
    'If you pasted the web address, check you copied the entire address.',
  ]);

export const serverErrorPage = (sitePath: SitePath): RenderedPage =>
  noticePage(sitePath, 500, 'Sorry, there is a problem with the service', [
    'Try again later using the same link.',
    'If you were sending your choice, it may not have been sent. Using the same link again will not send it twice.',
  ]);
