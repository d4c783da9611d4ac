/**
 * Steps the patient page tests share: a case brought to CHOOSING with offers
 * (keeping its listing, for the privacy check), a choice link issued as the
 * listing team's command issues it, the page's text as a reader sees it,
 * form posts, and the recordChoice Updates in a journey's history.
 */
import type { Client } from '@temporalio/client';
import { PatientLinks } from '../../bot/core/patient-links';
import type { Db } from '../../db/client';
import type { ListingInput } from '../../domain/listing';
import { journeyWorkflowId, type JourneyPolicy, type OfferView } from '../../workflows/contract';
import type { JourneyClient } from '../../workflows/client';
import { as, listingFor, type Org, type World } from '../support/fixtures';
import { FAST_POLICY } from '../support/journey-env';
import { makeOffer, waitForState } from '../support/journey-helpers';

export const PATIENT_LINK_SECRET = 'choice-page-tests-secret-of-at-least-32-characters';
export const LINK_TTL_MS = 3_600_000;

/** Offers and the choice stay open well beyond a test's length; the offer window closes in seconds. */
export const CHOICE_POLICY: JourneyPolicy = {
  ...FAST_POLICY,
  maxOfferValidityMs: 600_000,
  choiceWindowMs: 300_000,
};

export interface StagedChoice {
  caseRef: string;
  listing: ListingInput;
  offers: OfferView[];
  round: number;
}

/** Lists a patient, takes an offer from each provider, and waits until the patient is asked to choose. */
export async function stageChoosing(journeys: JourneyClient, world: World, providers: Org[]): Promise<StagedChoice> {
  const listing = listingFor(world);
  const listed = await journeys.listPatient(listing, as(world.origin, 'coordinator'));
  if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
  const { caseRef } = listed;
  await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
  const offers: OfferView[] = [];
  for (const [index, provider] of providers.entries()) {
    offers.push(await makeOffer(journeys, caseRef, provider, { validForMs: 500_000, proposedInDays: 14 + 7 * index }));
  }
  const status = await waitForState(journeys, caseRef, 'CHOOSING');
  return { caseRef, listing, offers, round: status.round };
}

/**
 * A choice link for the case's round, issued by the origin coordinator; the path part is what the patient opens
 * (behind a proxy's path prefix when `baseUrl` has one).
 */
export async function issueLink(
  db: Db,
  world: World,
  staged: StagedChoice,
  baseUrl: string,
  now?: () => Date,
): Promise<{ url: string; path: string; token: string }> {
  const links = new PatientLinks({ db, secret: PATIENT_LINK_SECRET, baseUrl, ttlMs: LINK_TTL_MS, now });
  const { url } = await links.issue(staged.caseRef, staged.round, world.origin.staff.coordinator);
  const path = new URL(url).pathname;
  return { url, path, token: path.slice(path.lastIndexOf('/choice/') + '/choice/'.length) };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The page's text without markup, entities decoded and whitespace collapsed. */
export function visibleText(page: string): string {
  return page
    .replace(/<title>[\s\S]*?<\/title>/, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/** Markup with whitespace collapsed and no space or slash before a tag's end, for matching tags whatever their layout. */
export function compactHtml(page: string): string {
  return page.replace(/\s+/g, ' ').replace(/\s*\/?>/g, '>');
}

export function titleOf(page: string): string {
  const title = /<title>([\s\S]*?)<\/title>/.exec(page)?.[1] ?? '';
  return visibleText(title);
}

export interface Fetched {
  status: number;
  headers: Headers;
  body: string;
}

export async function get(url: string): Promise<Fetched> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Posts a form as a browser without JavaScript would. */
export async function postForm(url: string, fields: Record<string, string>): Promise<Fetched> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The ids of the recordChoice Updates the journey accepted, from its history. */
export async function acceptedChoiceUpdates(client: Client, caseRef: string): Promise<string[]> {
  const history = await client.workflow.getHandle(journeyWorkflowId(caseRef)).fetchHistory();
  return (history.events ?? [])
    .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
    .filter((request) => request?.input?.name === 'recordChoice')
    .map((request) => request?.meta?.updateId ?? '');
}
