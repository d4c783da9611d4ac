/**
 * What each chat conversation should have received from a journey and what
 * it did, both as notification keys in order, per conversation: the chat
 * fault tests compare the two, so a message lost, posted twice or out of the
 * journey's order shows as one diff.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { channelsForAudience, personalConversationsFor } from '../../db/chat-directory';
import { notificationsForCase } from '../../db/outbox';
import { chatDeliveries } from '../../db/schema';
import type { ChatPlatform } from '../../domain/journey-states';
import type { Audience } from '../../domain/notifications';

/** A message the platform accepted: where, and its reference there (Slack ts, Teams activity id). */
export interface AcceptedPost {
  channelId: string;
  messageRef: string;
}

export type PerConversation = Record<string, string[]>;

/**
 * The case's notifications for each conversation, in the order the journey sent them (the outbox's,
 * which the notify step writes before any chat send), to the targets the platform's notifier picks.
 */
export async function sentPerConversation(db: Db, platform: ChatPlatform, caseRef: string): Promise<PerConversation> {
  const sent: PerConversation = {};
  for (const row of await notificationsForCase(db, caseRef)) {
    const audience = row.audience as Audience;
    let targets = await channelsForAudience(db, platform, audience);
    // Teams sends only where it has a conversation reference, and to personal chats when no channel is linked.
    if (platform === 'TEAMS') {
      targets = targets.filter((target) => target.conversationReference);
      if (targets.length === 0) targets = await personalConversationsFor(db, platform, audience);
    }
    for (const target of targets) (sent[target.channelId] ??= []).push(row.idempotencyKey);
  }
  return sent;
}

/**
 * The notification behind each message the platform accepted, per conversation, in the order it accepted
 * them: the case's own, and any message with no delivery recorded for it (`UNRECORDED <ref>`), which is a
 * post the notifier did not know it made: a duplicate.
 */
export async function deliveredPerConversation(
  db: Db,
  platform: ChatPlatform,
  caseRef: string,
  accepted: AcceptedPost[],
): Promise<PerConversation> {
  const deliveries = await db.select().from(chatDeliveries).where(eq(chatDeliveries.platform, platform));
  const keyOf = new Map(deliveries.map((row) => [`${row.channelId} ${row.messageRef}`, row.notificationKey]));
  const delivered: PerConversation = {};
  for (const post of accepted) {
    const key = keyOf.get(`${post.channelId} ${post.messageRef}`) ?? `UNRECORDED ${post.messageRef}`;
    if (key.startsWith(`${caseRef}/`) || key.startsWith('UNRECORDED')) (delivered[post.channelId] ??= []).push(key);
  }
  return delivered;
}
