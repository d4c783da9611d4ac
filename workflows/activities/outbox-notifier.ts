/** Until the Slack and Teams senders exist, notifications wait in the database outbox. */
import type { Db } from '../../db/client';
import { enqueueNotification } from '../../db/outbox';
import type { JourneyNotification, Notifier } from '../../domain/notifications';

export class OutboxNotifier implements Notifier {
  constructor(private readonly db: Db) {}

  notify(notification: JourneyNotification): Promise<void> {
    return enqueueNotification(this.db, notification);
  }
}
