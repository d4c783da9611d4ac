/** Sends a journey notification through whichever notifier the worker was given. */
import type { JourneyNotification, Notifier } from '../../domain/notifications';

export function createNotifyActivities({ notifier }: { notifier: Notifier }) {
  return {
    async notify(notification: JourneyNotification): Promise<void> {
      await notifier.notify(notification);
    },
  };
}
