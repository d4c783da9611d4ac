/**
 * The append-only audit log. Each journey step writes its entry in the same
 * transaction as its effect, keyed by an idempotency key: a retried step
 * finds its entry already there and does nothing twice.
 */
import { auditLog } from './schema';
import type { Queryable } from './client';

export type AuditActor =
  | { kind: 'PERSON'; personId: string; organisationId?: string; channel: string }
  | { kind: 'PATIENT'; channel: string }
  /** The system itself; or, with a channel, someone the system could not identify (an unlinked chat account). */
  | { kind: 'SYSTEM'; channel?: string };

export interface AuditEntry {
  caseRef?: string;
  action: string;
  outcome?: 'OK' | 'REFUSED';
  actor: AuditActor;
  /** Codes and references only: never a patient identifier. */
  detail?: Record<string, unknown>;
  idempotencyKey?: string;
}

/** Appends an entry; false when an entry with the same idempotency key is already there. */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<boolean> {
  return (await appendAudits(db, [entry])) > 0;
}

/** Appends entries in one statement; entries whose idempotency key is already there are skipped. Returns how many were written. */
export async function appendAudits(db: Queryable, entries: AuditEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const inserted = await db
    .insert(auditLog)
    .values(entries.map(auditValues))
    .onConflictDoNothing({ target: auditLog.idempotencyKey })
    .returning({ id: auditLog.id });
  return inserted.length;
}

function auditValues(entry: AuditEntry) {
  return {
    caseRef: entry.caseRef,
    action: entry.action,
    outcome: entry.outcome ?? 'OK',
    actorKind: entry.actor.kind,
    actorPersonId: entry.actor.kind === 'PERSON' ? entry.actor.personId : null,
    organisationId: entry.actor.kind === 'PERSON' ? (entry.actor.organisationId ?? null) : null,
    channel: entry.actor.channel ?? 'SYSTEM',
    detail: entry.detail ?? {},
    idempotencyKey: entry.idempotencyKey,
  } satisfies typeof auditLog.$inferInsert;
}
