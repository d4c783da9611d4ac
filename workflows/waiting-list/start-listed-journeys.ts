/**
 * Starts the journeys of one batch of an upload's cases
 * (workflows/bulk-listing.ts), a step of `CASES_PER_STEP` at a time. Each
 * step is retried until Temporal and the database answer, and starting a
 * journey twice is harmless (its workflow id is the case reference), so
 * every committed case of the batch gets its journey.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ListedJourneysInput } from '../contract';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';

const { startJourneys } = proxyActivities<Activities>(STEP_ACTIVITY_OPTIONS);

/** Journeys per step: a few seconds of starts, well inside the step's timeout even on a busy server. */
const CASES_PER_STEP = 100;

export async function startListedJourneys(input: ListedJourneysInput): Promise<{ started: number }> {
  let started = 0;
  for (let i = 0; i < input.cases.length; i += CASES_PER_STEP) {
    const step = await startJourneys({ ...input, cases: input.cases.slice(i, i + CASES_PER_STEP) });
    started += step.started;
  }
  return { started };
}
