/**
 * Records journey histories for the replay test. Skipped in normal runs;
 * `npm run histories:record` runs it after a deliberate, versioned change to
 * the workflow, and the new files under test/histories are committed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { patientJourney } from '../../workflows';
import { as } from '../support/fixtures';
import { writeHistory } from '../support/histories';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { listPatient, makeOffer, waitForState } from '../support/journey-helpers';

const HISTORIES = join(__dirname, '..', 'histories');

describe.runIf(process.env.RECORD_HISTORIES === '1')('recording journey histories', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env?.close());

  async function save(name: string, caseRef: string): Promise<void> {
    const handle = env.client.workflow.getHandle<typeof patientJourney>(caseRef);
    await handle.result();
    const history = await handle.fetchHistory();
    writeHistory(join(HISTORIES, `${name}.json`), history);
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
