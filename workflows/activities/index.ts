/** `createActivities(deps)`: every activity the worker registers, with its dependencies injected. */
import type { Db } from '../../db/client';
import type { Notifier } from '../../domain/notifications';
import { createJourneyActivities } from './journey-activities';
import { createNotifyActivities } from './notify-activities';

export interface ActivityDeps {
  db: Db;
  notifier: Notifier;
}

export const createActivities = (deps: ActivityDeps) => ({
  ...createJourneyActivities(deps),
  ...createNotifyActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
