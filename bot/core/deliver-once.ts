/**
 * Delivering one notification to each of its chat targets exactly once,
 * for every platform: a target already in chat_deliveries is skipped (a
 * retried notify activity sends nothing twice), and each new message's
 * reference is recorded so a click on it can refresh it in place.
 */
import type { Db } from '../../db/client';
import { deliveredMessage, recordDelivery, type ChannelRow } from '../../db/chat-directory';
import type { ChatPlatform } from '../../domain/journey-states';
import type { JourneyNotification } from '../../domain/notifications';

/** `send` posts to one target and returns the platform's reference to the message (Slack ts, Teams activity id). */
export async function deliverOnceToEach(
  db: Db,
  platform: ChatPlatform,
  notification: JourneyNotification,
  targets: ChannelRow[],
  send: (target: ChannelRow) => Promise<string>,
): Promise<void> {
  for (const target of targets) {
    const where = {
      notificationKey: notification.key,
      platform,
      workspaceId: target.workspaceId,
      channelId: target.channelId,
    };
    if (await deliveredMessage(db, where)) continue;
    const messageRef = await send(target);
    await recordDelivery(db, { ...where, messageRef, caseRef: notification.caseRef });
  }
}
