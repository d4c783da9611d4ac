/** The notification outbox: one row per notification key, waiting for a chat sender. */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { JourneyNotification } from '../domain/notifications';
import type { Queryable } from './client';
import { notificationOutbox } from './schema';

export async function enqueueNotification(db: Queryable, notification: JourneyNotification): Promise<void> {
  await db
    .insert(notificationOutbox)
    .values({
      idempotencyKey: notification.key,
      caseRef: notification.caseRef,
      kind: notification.kind,
      audience: notification.audience,
      payload: notification.data ?? {},
    })
    .onConflictDoNothing({ target: notificationOutbox.idempotencyKey });
}

/** The notification with this key, as the journey sent it. */
export async function notificationByKey(db: Queryable, key: string): Promise<JourneyNotification | undefined> {
  const [row] = await db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, key));
  if (!row) return undefined;
  return {
    key: row.idempotencyKey,
    kind: row.kind as JourneyNotification['kind'],
    caseRef: row.caseRef ?? undefined,
    audience: row.audience as JourneyNotification['audience'],
    data: row.payload as JourneyNotification['data'],
  };
}

export function notificationsForCase(db: Queryable, caseRef: string) {
  return db
    .select()
    .from(notificationOutbox)
    .where(eq(notificationOutbox.caseRef, caseRef))
    .orderBy(asc(notificationOutbox.id));
}

export function undeliveredNotifications(db: Queryable, limit = 100) {
  return db
    .select()
    .from(notificationOutbox)
    .where(and(isNull(notificationOutbox.deliveredAt)))
    .orderBy(asc(notificationOutbox.id))
    .limit(limit);
}

/** Marks notifications as delivered once a chat sender (or the console client) has shown them. */
export async function markNotificationsDelivered(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notificationOutbox)
    .set({ deliveredAt: new Date() })
    .where(and(inArray(notificationOutbox.id, ids), isNull(notificationOutbox.deliveredAt)));
}
