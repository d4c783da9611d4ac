/** The Slack requests taken while they could still be replayed, by signature: how a replayed one is recognised. */
import { lt, sql } from 'drizzle-orm';
import type { Queryable } from './client';
import { slackRequestsSeen } from './schema';

/** Records the signature until `rememberedUntil`; false when it was already there (the same request, sent again). */
export async function firstSighting(db: Queryable, signature: string, rememberedUntil: Date): Promise<boolean> {
  const inserted = await db
    .insert(slackRequestsSeen)
    .values({ signature, rememberedUntil })
    .onConflictDoNothing({ target: slackRequestsSeen.signature })
    .returning({ signature: slackRequestsSeen.signature });
  return inserted.length > 0;
}

/** Forgets the signatures of requests Bolt would now refuse as stale. */
export async function forgetStaleSightings(db: Queryable): Promise<void> {
  await db.delete(slackRequestsSeen).where(lt(slackRequestsSeen.rememberedUntil, sql`now()`));
}
