/**
 * Starting the journeys of an upload's batch (workflows/bulk-listing.ts):
 * only for cases whose batch committed, each once.
 */
import { Context } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { existingCaseRefs, lockListingBatch } from '../../db/cases';
import type { JourneyInput, ListedJourneysInput } from '../contract';

/** Starts a journey; false when one with that case reference was already started. */
export interface JourneyStarter {
  start(input: JourneyInput): Promise<boolean>;
}

export interface ListingActivityDeps {
  db: Db;
  journeys: JourneyStarter;
}

/** Starts sent at once: Temporal's start rate binds, not this. */
const PARALLEL_STARTS = 20;

/** How far a previous attempt got: the heartbeat's detail. */
interface Progress {
  done: number;
  started: number;
}

export function createListingActivities({ db, journeys }: ListingActivityDeps) {
  return {
    async startJourneys(input: ListedJourneysInput): Promise<{ started: number }> {
      const context = Context.current();
      // Waits for the batch's transaction to end, then starts only what it committed.
      const committed = await db.transaction(async (tx) => {
        await lockListingBatch(tx, input.batchKey);
        return existingCaseRefs(
          tx,
          input.cases.map((listed) => listed.caseRef),
        );
      });
      const toStart = input.cases.filter((listed) => committed.has(listed.caseRef));
      const resumed = context.info.heartbeatDetails as Progress | undefined;
      let { done, started } = resumed ?? { done: 0, started: 0 };
      while (done < toStart.length) {
        const results = await Promise.all(
          toStart.slice(done, done + PARALLEL_STARTS).map((listed) => journeys.start({ ...input.basis, ...listed })),
        );
        done = Math.min(toStart.length, done + PARALLEL_STARTS);
        started += results.filter(Boolean).length;
        context.heartbeat({ done, started } satisfies Progress);
      }
      return { started };
    },
  };
}
