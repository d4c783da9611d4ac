/**
 * Notifications that will not reach one chat target: recorded once per
 * notification and target, listed for an operator, and resolved by them.
 * Rows carry codes and references only, never a message's text.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { ChatPlatform } from '../domain/journey-states';
import type { Queryable } from './client';
import { notificationDeadLetters } from './schema';

export interface DeliveryTarget {
  notificationKey: string;
  platform: ChatPlatform;
  workspaceId: string;
  channelId: string;
}

export interface DeadLetter extends DeliveryTarget {
  kind: string;
  caseRef?: string;
  reason: 'PERMANENT' | 'RETRIES_EXHAUSTED';
  errorCode: string;
  attempts: number;
}

/** Records the dead letter; true when it is new (a retried step finds it there). */
export async function recordDeadLetter(db: Queryable, letter: DeadLetter): Promise<boolean> {
  const inserted = await db
    .insert(notificationDeadLetters)
    .values(letter)
    .onConflictDoNothing()
    .returning({ id: notificationDeadLetters.id });
  return inserted.length > 0;
}

export async function isDeadLettered(db: Queryable, target: DeliveryTarget): Promise<boolean> {
  const [row] = await db
    .select({ id: notificationDeadLetters.id })
    .from(notificationDeadLetters)
    .where(
      and(
        eq(notificationDeadLetters.notificationKey, target.notificationKey),
        eq(notificationDeadLetters.platform, target.platform),
        eq(notificationDeadLetters.workspaceId, target.workspaceId),
        eq(notificationDeadLetters.channelId, target.channelId),
      ),
    );
  return row !== undefined;
}

/** Oldest first; unresolved only unless asked. */
export function deadLetters(db: Queryable, options: { includeResolved?: boolean; limit?: number } = {}) {
  return db
    .select()
    .from(notificationDeadLetters)
    .where(options.includeResolved ? sql`true` : isNull(notificationDeadLetters.resolvedAt))
    .orderBy(asc(notificationDeadLetters.id))
    .limit(options.limit ?? 200);
}

export async function unresolvedDeadLetterCount(db: Queryable): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notificationDeadLetters)
    .where(isNull(notificationDeadLetters.resolvedAt));
  return row?.count ?? 0;
}

/** Marks a dead letter dealt with (the channel relinked, the message passed on by hand); false if none open. */
export async function resolveDeadLetter(db: Queryable, id: number, resolvedBy: string): Promise<boolean> {
  const updated = await db
    .update(notificationDeadLetters)
    .set({ resolvedAt: sql`now()`, resolvedBy })
    .where(and(eq(notificationDeadLetters.id, id), isNull(notificationDeadLetters.resolvedAt)))
    .returning({ id: notificationDeadLetters.id });
  return updated.length > 0;
}
