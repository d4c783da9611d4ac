/**
 * Starts the journeys of one batch of an upload's cases
 * (workflows/bulk-listing.ts) in one step. The step is retried until
 * Temporal and the database answer, resuming where its last heartbeat left
 * off, and starting a journey twice is harmless (its workflow id is the case
 * reference), so every committed case of the batch gets its journey.
 *
 * One long step, not many short ones: a burst of new journeys fills the task
 * queue with their own first steps, and a batch whose starts were split into
 * many steps would wait behind them for each.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ListedJourneysInput } from '../contract';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';

const { startJourneys } = proxyActivities<Activities>({
  ...STEP_ACTIVITY_OPTIONS,
  // 500 starts take seconds on a quiet server and minutes on a busy one; the heartbeat says it is alive.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
});

export async function startListedJourneys(input: ListedJourneysInput): Promise<{ started: number }> {
  return startJourneys(input);
}
