/**
 * Delivering one notification to each of its chat targets exactly once,
 * for every platform: a target already in chat_deliveries is skipped (a
 * retried notify activity sends nothing twice), and each new message's
 * reference is recorded so a click on it can refresh it in place.
 *
 * A target that can never be reached (the platform says so: the channel is
 * gone, the bot removed) or that failed on the notify activity's last
 * attempt gets a dead letter instead, once, and is not tried again; the
 * other targets are still sent to. Any other failure is thrown after every
 * target has been tried, so Temporal retries the ones left: after the
 * platform's Retry-After when it gave one, else after the step's backoff.
 *
 * A target is not started when its send could run past the attempt's
 * `sendBy`: it is left to the next attempt, never dead-lettered for it.
 * Each platform's sender keeps one send within `CHAT_SEND_BUDGET_MS` (see
 * `workflows/shared/step-timeout.ts`), so no send outlives its attempt.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import { deliveredMessage, recordDelivery, type ChannelRow } from '../../db/chat-directory';
import { isDeadLettered, recordDeadLetter } from '../../db/dead-letters';
import type { ChatPlatform } from '../../domain/journey-states';
import type { DeliveryAttempt, JourneyNotification } from '../../domain/notifications';
import { tooLateToSend } from '../../workflows/shared/step-timeout';

/** How a platform's send failures read: a short code, and whether retrying can ever help. */
export interface SendErrors {
  /** The platform's error code (`channel_not_found`, `HTTP 403`): never a message body or an address. */
  code(error: unknown): string;
  /** True when the platform has said this target can never take the message. */
  permanent(error: unknown): boolean;
  /** How long the platform asked us to wait before trying again (a 429's Retry-After), if it did. */
  retryAfterMs?(error: unknown): number | undefined;
}

export interface DeliverOptions {
  attempt?: DeliveryAttempt;
  errors: SendErrors;
  /** Where a dead letter is reported (codes and references only); defaults to stderr. */
  log?: (line: string) => void;
}

/** `send` posts to one target and returns the platform's reference to the message (Slack ts, Teams activity id). */
export async function deliverOnceToEach(
  db: Db,
  platform: ChatPlatform,
  notification: JourneyNotification,
  targets: ChannelRow[],
  send: (target: ChannelRow) => Promise<string>,
  options: DeliverOptions,
): Promise<void> {
  const attempt = options.attempt ?? { number: 1, final: false };
  const log = options.log ?? ((line: string) => console.warn(line));
  let retryable: Error | undefined;
  let retryAfterMs: number | undefined;
  for (const target of targets) {
    const where = {
      notificationKey: notification.key,
      platform,
      workspaceId: target.workspaceId,
      channelId: target.channelId,
    };
    if (await deliveredMessage(db, where)) continue;
    if (await isDeadLettered(db, where)) continue;
    if (tooLateToSend(attempt.sendBy)) {
      retryable ??= new Error(`No time left in attempt ${attempt.number} to send to ${platform} ${target.channelId}`);
      continue;
    }
    let messageRef: string;
    try {
      messageRef = await send(target);
    } catch (error) {
      const permanent = options.errors.permanent(error);
      if (!permanent && !attempt.final) {
        retryable ??= error instanceof Error ? error : new Error(`Send failed: ${options.errors.code(error)}`);
        const wait = options.errors.retryAfterMs?.(error);
        if (wait !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, wait);
        continue;
      }
      const errorCode = options.errors.code(error);
      const reason = permanent ? 'PERMANENT' : 'RETRIES_EXHAUSTED';
      const recorded = await recordDeadLetter(db, {
        ...where,
        kind: notification.kind,
        caseRef: notification.caseRef,
        reason,
        errorCode,
        attempts: attempt.number,
      });
      if (recorded) {
        log(
          `Undeliverable: ${notification.kind}${notification.caseRef ? ` for ${notification.caseRef}` : ''} to ` +
            `${platform} ${target.channelId} (${reason}, ${errorCode}, attempt ${attempt.number}); see npm run dead-letters`,
        );
      }
      continue;
    }
    await recordDelivery(db, { ...where, messageRef, caseRef: notification.caseRef });
  }
  if (retryable !== undefined && retryAfterMs !== undefined) {
    // The platform said when: the step's next attempt waits that long (its backoff would not know to).
    throw ApplicationFailure.create({
      message: `${platform} rate-limited the send; retrying after ${retryAfterMs} ms`,
      type: 'ChatRateLimited',
      nextRetryDelay: retryAfterMs,
      cause: retryable,
    });
  }
  if (retryable !== undefined) throw retryable;
}
