/** `createActivities(deps)`: every activity the worker registers, with its dependencies injected. */
import type { Db } from '../../db/client';
import { withoutParameters } from '../../db/errors';
import type { Notifier } from '../../domain/notifications';
import { createCapacityActivities } from './capacity-activities';
import { createEscalationActivities } from './escalation-activities';
import { createWeeklyDigestActivities } from './weekly-digest-activities';
import { createFanOutActivities, type DigestStarter } from './fanout-activities';
import { createJourneyActivities } from './journey-activities';
import { createListingActivities, type JourneyStarter } from './listing-activities';
import { createNotifyActivities } from './notify-activities';
import { createPatientRequestActivities } from './patient-request-activities';

export type { DigestStarter } from './fanout-activities';
export type { JourneyStarter } from './listing-activities';

export interface ActivityDeps {
  db: Db;
  notifier: Notifier;
  /** Signal-with-starts provider digests; built by the worker from its Temporal client. */
  digests: DigestStarter;
  /** Starts an upload's journeys; built by the worker from its Temporal client. */
  journeys: JourneyStarter;
  /** The notify step's last attempt: chat targets still failing then get a dead letter (NOTIFY_MAX_ATTEMPTS). */
  notifyMaxAttempts?: number;
}

/**
 * A failed activity's message lands in the Temporal history, kept for the
 * retention period: database errors are stripped of the values they quote.
 */
function guardHistory<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const guarded: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    guarded[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (error) {
        throw withoutParameters(error);
      }
    };
  }
  return guarded as T;
}

export const createActivities = (deps: ActivityDeps) =>
  guardHistory({
    ...createJourneyActivities(deps),
    ...createNotifyActivities(deps),
    ...createCapacityActivities(deps),
    ...createFanOutActivities(deps),
    ...createEscalationActivities(deps),
    ...createWeeklyDigestActivities(deps),
    ...createPatientRequestActivities(deps),
    ...createListingActivities(deps),
  });

/** What the notifications task queue's workers run: sends only, paced by that queue's rate limit. */
export const createNotificationActivities = (deps: Pick<ActivityDeps, 'notifier' | 'notifyMaxAttempts'>) =>
  guardHistory({ ...createNotifyActivities(deps) });

export type Activities = ReturnType<typeof createActivities>;
