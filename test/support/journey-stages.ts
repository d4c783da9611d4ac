/** Brings a freshly listed case to a stage of its journey, through the same client calls chat would make. */
import { expect } from 'vitest';
import type { ListingInput } from '../../domain/listing';
import type { JourneyPolicy, OfferView } from '../../workflows/contract';
import type { JourneyClient } from '../../workflows/client';
import { as, type Org, type World } from './fixtures';
import { listPatient, makeOffer, waitForState } from './journey-helpers';

/** Longer than any test runs: a deadline this far off never falls within one. */
export const LONG_WAIT_MS = 300_000;

/** Every deadline after the offer window out of reach; a test sets the offer window it needs. */
export const LONG_WAITS_AFTER_OFFERS: Partial<JourneyPolicy> = {
  maxOfferValidityMs: LONG_WAIT_MS,
  choiceWindowMs: LONG_WAIT_MS,
  approvalWindowMs: LONG_WAIT_MS,
  transferWindowMs: LONG_WAIT_MS,
};

/** An offer that stays live through a test, within `LONG_WAITS_AFTER_OFFERS`' longest validity. */
export const LONG_OFFER = { validForMs: LONG_WAIT_MS - 60_000 };

export interface Staged {
  caseRef: string;
  offers: OfferView[];
}

/** Lists a patient and, once the case is open, takes one offer from each provider in turn. */
export async function listWithOffers(
  journeys: JourneyClient,
  world: World,
  providers: Org[],
  offer: { validForMs?: number } = {},
  listing: Partial<ListingInput> = {},
): Promise<Staged> {
  const caseRef = await listPatient(journeys, world, listing);
  await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
  const offers: OfferView[] = [];
  for (const provider of providers) offers.push(await makeOffer(journeys, caseRef, provider, offer));
  return { caseRef, offers };
}

/** Offers from `providers`, then waits for the offer window to close and the patient to be asked. */
export async function toChoosing(
  journeys: JourneyClient,
  world: World,
  providers: Org[],
  offer: { validForMs?: number } = {},
): Promise<Staged> {
  const staged = await listWithOffers(journeys, world, providers, offer);
  await waitForState(journeys, staged.caseRef, 'CHOOSING');
  return staged;
}

/** The patient accepts the first provider's offer (told to the origin coordinator by phone). */
export async function toAwaitingApproval(
  journeys: JourneyClient,
  world: World,
  providers: Org[],
): Promise<Staged & { chosen: OfferView }> {
  const staged = await toChoosing(journeys, world, providers);
  const chosen = staged.offers[0]!;
  const chose = await journeys.recordChoice(staged.caseRef, as(world.origin, 'coordinator'), {
    kind: 'ACCEPT',
    offerId: chosen.offerId,
  });
  expect(chose.ok && chose.value.state).toBe('AWAITING_APPROVAL');
  return { ...staged, chosen };
}

/** Both managers approve the move of the patient to the first provider. */
export async function toApproved(
  journeys: JourneyClient,
  world: World,
  providers: Org[],
): Promise<Staged & { chosen: OfferView }> {
  const staged = await toAwaitingApproval(journeys, world, providers);
  const receiving = providers[0]!;
  const released = await journeys.decideApproval(staged.caseRef, as(world.origin, 'manager'), {
    side: 'ORIGIN_RELEASE',
    approve: true,
  });
  expect(released.ok && released.value.state).toBe('AWAITING_APPROVAL');
  const accepted = await journeys.decideApproval(staged.caseRef, as(receiving, 'manager'), {
    side: 'RECEIVING_ACCEPTANCE',
    approve: true,
  });
  expect(accepted.ok && accepted.value.state).toBe('APPROVED');
  return staged;
}

export function expectOk<T>(decision: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!decision.ok) throw new Error(`Expected success, got ${decision.code}: ${decision.message}`);
  return decision.value;
}

/** From choosing to transferred: the patient accepts `chosen`, both managers approve, the receiving manager confirms. */
export async function acceptAndTransfer(
  journeys: JourneyClient,
  world: World,
  caseRef: string,
  chosen: OfferView,
  receiving: Org,
): Promise<void> {
  const chose = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), {
    kind: 'ACCEPT',
    offerId: chosen.offerId,
  });
  expect(expectOk(chose).state).toBe('AWAITING_APPROVAL');
  expectOk(
    await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true }),
  );
  const accepted = await journeys.decideApproval(caseRef, as(receiving, 'manager'), {
    side: 'RECEIVING_ACCEPTANCE',
    approve: true,
  });
  expect(expectOk(accepted).state).toBe('APPROVED');
  const done = await journeys.confirmTransfer(caseRef, as(receiving, 'manager'), '2027-02-01');
  expect(expectOk(done).state).toBe('TRANSFERRED');
}
