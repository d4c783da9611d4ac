/**
 * Sends a notification through whichever notifier the worker was given.
 * The step is retried (with backoff) until it succeeds; on its last allowed
 * attempt, a chat target that still fails gets a dead letter instead of
 * another retry, so a message that can never be delivered ends where an
 * operator sees it rather than retrying for ever. A failure to write the
 * outbox (the database) is never dead-lettered: it is retried until it works.
 * Each attempt tells the chat senders when their sends must have ended, a
 * margin inside the step's timeout (`workflows/shared/step-timeout.ts`).
 */
import { Context } from '@temporalio/activity';
import type { JourneyNotification, Notifier } from '../../domain/notifications';
import { sendDeadline } from '../shared/step-timeout';

/** With the step's backoff (1 s doubling to 1 min), 20 attempts span about a quarter of an hour. */
export const DEFAULT_NOTIFY_MAX_ATTEMPTS = 20;

export function createNotifyActivities({
  notifier,
  notifyMaxAttempts = DEFAULT_NOTIFY_MAX_ATTEMPTS,
}: {
  notifier: Notifier;
  notifyMaxAttempts?: number;
}) {
  return {
    async notify(notification: JourneyNotification): Promise<void> {
      const { attempt: number, startToCloseTimeoutMs } = Context.current().info;
      await notifier.notify(notification, {
        number,
        final: number >= notifyMaxAttempts,
        sendBy: sendDeadline(startToCloseTimeoutMs),
      });
    },
  };
}
