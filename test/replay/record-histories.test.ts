/**
 * Records journey histories for the replay test. Skipped in normal runs;
 * `npm run histories:record` runs it after a deliberate, versioned change to
 * the workflow, and the new files under test/histories are committed.
 *
 * `offers-overtaken-before-queue.json` was recorded by the last case below,
 * run against the journey as it was before the `journey-notifications-in-order`
 * patch (the second offer's message overtakes the first one's retry): it keeps
 * that patch's old path replaying. Recording again leaves it alone; delete it
 * only with that patch's old path.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import type { Notifier } from '../../domain/notifications';
import type { patientJourney } from '../../workflows';
import { as } from '../support/fixtures';
import { writeHistory } from '../support/histories';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { listPatient, makeOffer, waitForState } from '../support/journey-helpers';

const HISTORIES = join(__dirname, '..', 'histories');

async function saveHistory(env: JourneyEnv, name: string, caseRef: string): Promise<void> {
  const handle = env.client.workflow.getHandle<typeof patientJourney>(caseRef);
  await handle.result();
  const history = await handle.fetchHistory();
  writeHistory(join(HISTORIES, `${name}.json`), history);
}

/** The first "new offer" message fails its first try, so Temporal retries it while the next offer comes in. */
function failingFirstOfferMessage(outbox: Notifier): Notifier {
  let retried: string | undefined;
  return {
    async notify(notification, attempt) {
      if (notification.kind === 'OFFER_RECEIVED') retried ??= notification.key;
      if (notification.key === retried && attempt?.number === 1) throw new Error('chat unavailable');
      await outbox.notify(notification, attempt);
    },
  };
}

describe.runIf(process.env.RECORD_HISTORIES === '1')('recording journey histories', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env?.close());

  async function save(name: string, caseRef: string): Promise<void> {
    await saveHistory(env, name, caseRef);
  }

  it('records a transfer after two competing offers', async () => {
    const { world } = env;
    const journeys = env.journeys();
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    await makeOffer(journeys, caseRef, world.independent);
    const chosen = await makeOffer(journeys, caseRef, world.nhsProvider);
    await waitForState(journeys, caseRef, 'CHOOSING');
    await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), { kind: 'ACCEPT', offerId: chosen.offerId });
    await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true });
    await journeys.decideApproval(caseRef, as(world.nhsProvider, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: true,
    });
    const done = await journeys.confirmTransfer(caseRef, as(world.nhsProvider, 'clinician'), '2027-01-11');
    expect(done.ok).toBe(true);
    await save('transferred-after-two-offers', caseRef);
  });

  it('records a rejection, a relisting, an expired offer and a withdrawal', async () => {
    const { world } = env;
    const journeys = env.journeys({ maxRounds: 3 });
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    const offer = await makeOffer(journeys, caseRef, world.independent);
    await waitForState(journeys, caseRef, 'CHOOSING');
    await journeys.recordChoice(caseRef, as(world.origin, 'clinician'), { kind: 'ACCEPT', offerId: offer.offerId });
    await journeys.decideApproval(caseRef, as(world.independent, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: false,
      reason: 'Theatre list no longer available',
    });
    await waitForState(journeys, caseRef, 'RELISTED');
    await makeOffer(journeys, caseRef, world.nhsProvider, { validForMs: 1_000 });
    await waitForState(journeys, caseRef, 'RELISTED', 10_000);
    const withdrawn = await journeys.withdrawCase(caseRef, as(world.origin, 'coordinator'), 'TREATED_LOCALLY');
    expect(withdrawn.ok).toBe(true);
    await save('rejected-relisted-withdrawn', caseRef);
  });

  it('records a case closed after rounds without offers, and a patient who stays local', async () => {
    const { world } = env;
    const silent = await listPatient(env.journeys({ offerWindowMs: 1_500, maxRounds: 2 }), world);
    const journeys = env.journeys();
    const local = await listPatient(journeys, world);
    await waitForState(journeys, local, 'OPEN_FOR_OFFERS');
    await makeOffer(journeys, local, world.independent);
    await makeOffer(journeys, local, world.nhsProvider);
    await waitForState(journeys, local, 'CHOOSING');
    await journeys.recordChoice(local, as(world.origin, 'coordinator'), { kind: 'STAY_LOCAL' });
    await save('closed-no-offers', silent);
    await save('stayed-local-flagged', local);
  });
});

describe.runIf(process.env.RECORD_HISTORIES === '1')('recording a journey whose messages are retried', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv({ notifier: failingFirstOfferMessage });
    await env.startWorker();
  });
  afterAll(() => env?.close());

  it('records offers whose messages wait behind a retried one, an expired offer and a transfer', async () => {
    const { world } = env;
    const journeys = env.journeys({ offerWindowMs: 5_000 });
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');
    const expiring = await makeOffer(journeys, caseRef, world.independent, { validForMs: 2_500 });
    const chosen = await makeOffer(journeys, caseRef, world.nhsProvider);
    await waitForState(journeys, caseRef, 'CHOOSING');
    await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), { kind: 'ACCEPT', offerId: chosen.offerId });
    await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true });
    await journeys.decideApproval(caseRef, as(world.nhsProvider, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: true,
    });
    expect((await journeys.confirmTransfer(caseRef, as(world.nhsProvider, 'clinician'), '2027-01-11')).ok).toBe(true);
    await saveHistory(env, 'offers-sent-in-order', caseRef);
    // The second offer's message waited for the first one's retry instead of overtaking it.
    const offerMessages = (await notificationsForCase(env.database.db, caseRef))
      .filter((row) => row.kind === 'OFFER_RECEIVED')
      .map((row) => (row.payload as { offerId: string }).offerId);
    expect(offerMessages).toEqual([expiring.offerId, chosen.offerId]);
  });
});
