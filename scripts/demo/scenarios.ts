/**
 * The demo's three cases, run side by side:
 *
 *   hip replacement (Leeds)    two offers → patient chooses → both managers approve → transferred
 *   cataract (York)            one offer refused as too far, one made → chosen → approved → transferred
 *   gallbladder (Leeds)        no offers → escalated to the region → relisted → offer → withdrawn (treated locally)
 */
import type { DemoOrg, DemoWorld } from '../../db/demo-seed';
import type { JourneyOutcome, JourneyPolicy, OfferView } from '../../workflows/contract';
import { CATARACT, GALLBLADDER, HIP_REPLACEMENT } from './patients';
import type { Steps } from './steps';

export interface Scenario {
  label: string;
  expected: JourneyOutcome['state'];
  run(steps: Steps, track: (caseRef: string) => void): Promise<void>;
}

/** The end of a journey that works out: the patient picks the offer, both managers approve, treatment is booked. */
async function chosenApprovedTransferred(
  s: Steps,
  caseRef: string,
  origin: DemoOrg,
  provider: DemoOrg,
  offer: OfferView,
) {
  await s.pause();
  await s.choose(caseRef, origin, offer, provider.name);
  await s.pause();
  await s.approve(caseRef, origin, 'ORIGIN_RELEASE');
  await s.pause();
  await s.approve(caseRef, provider, 'RECEIVING_ACCEPTANCE');
  await s.pause();
  await s.confirm(caseRef, provider, offer.proposedDate);
}

/** Waits allow for the policy's offer window; every other step answers within a minute. */
export function scenarios(world: DemoWorld, policy: JourneyPolicy): Scenario[] {
  const { leeds, sheffield, york, nuffieldYork, spireLeeds, ramsayThornbury } = world.orgs;
  const windowWait = policy.offerWindowMs + 60_000;
  const step = 60_000;
  const windowSeconds = Math.round(policy.offerWindowMs / 1000);
  return [
    {
      label: 'Hip replacement, Leeds: two offers, patient chooses, approved, transferred',
      expected: 'TRANSFERRED',
      async run(s, track) {
        const caseRef = await s.list(leeds, 'coordinator', HIP_REPLACEMENT);
        track(caseRef);
        await s.waitFor(caseRef, 'OPEN_FOR_OFFERS', step);
        await s.pause(2);
        const nuffield = await s.offer(caseRef, nuffieldYork, 24);
        await s.pause();
        await s.offer(caseRef, sheffield, 31);
        s.say(
          `   ${caseRef}: the offer window stays open its full ${windowSeconds} s so every provider has its chance`,
        );
        await s.waitFor(caseRef, 'CHOOSING', windowWait);
        await chosenApprovedTransferred(s, caseRef, leeds, nuffieldYork, nuffield);
      },
    },
    {
      label: 'Cataract, York: one site too far for the patient, one offer chosen, approved, transferred',
      expected: 'TRANSFERRED',
      async run(s, track) {
        const caseRef = await s.list(york, 'coordinator', CATARACT);
        track(caseRef);
        await s.waitFor(caseRef, 'OPEN_FOR_OFFERS', step);
        await s.pause(2);
        await s.offerRefused(caseRef, ramsayThornbury, 19);
        await s.pause();
        const spire = await s.offer(caseRef, spireLeeds, 17);
        await s.waitFor(caseRef, 'CHOOSING', windowWait);
        await chosenApprovedTransferred(s, caseRef, york, spireLeeds, spire);
      },
    },
    {
      label: 'Gallbladder, Leeds: no offers, escalated, relisted, offered, then withdrawn (treated locally)',
      expected: 'WITHDRAWN',
      async run(s, track) {
        const caseRef = await s.list(leeds, 'clinician', GALLBLADDER);
        track(caseRef);
        await s.waitFor(caseRef, 'OPEN_FOR_OFFERS', step);
        s.say(`   ${caseRef}: no provider has general surgery capacity this round`);
        await s.waitFor(caseRef, 'RELISTED', windowWait, 2);
        await s.pause();
        await s.offer(caseRef, ramsayThornbury, 28);
        await s.pause(2);
        await s.withdraw(caseRef, leeds, 'a theatre slot came up at St James’s, so the patient is treated locally');
      },
    },
  ];
}
