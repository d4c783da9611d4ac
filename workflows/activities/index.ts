/** `createActivities(deps)`: every activity the worker registers, with its dependencies injected. */
import type { Db } from '../../db/client';
import { withoutParameters } from '../../db/errors';
import type { Notifier } from '../../domain/notifications';
import { createJourneyActivities } from './journey-activities';
import { createNotifyActivities } from './notify-activities';

export interface ActivityDeps {
  db: Db;
  notifier: Notifier;
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
  });

export type Activities = ReturnType<typeof createActivities>;
