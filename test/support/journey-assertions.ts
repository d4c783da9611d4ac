/**
 * Reads the database the way the journey scenario tests assert on it: the
 * case row, offer statuses, choices, approvals, refusals in the audit log and
 * the notification outbox. Nothing here writes.
 */
import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { notificationsForCase } from '../../db/outbox';
import { approvals, auditLog, cases, choices, offers, type patients } from '../../db/schema';
import type { OfferStatus } from '../../domain/journey-states';
import type { NotificationKind } from '../../domain/notifications';
import type { JourneyOutcome, JourneyStatus } from '../../workflows/contract';
import type { JourneyClient } from '../../workflows/client';
import { eventually, type JourneyEnv } from './journey-env';

export async function caseRow(db: Db, caseRef: string) {
  const [row] = await db.select().from(cases).where(eq(cases.caseRef, caseRef));
  if (!row) throw new Error(`No cases row for ${caseRef}`);
  return row;
}

/** Offer id → status, as the database holds them. */
export async function offerStatuses(db: Db, caseRef: string): Promise<Record<string, OfferStatus>> {
  const rows = await db
    .select({ id: offers.id, status: offers.status })
    .from(offers)
    .where(eq(offers.caseRef, caseRef));
  return Object.fromEntries(rows.map((row) => [row.id, row.status]));
}

export function offerRows(db: Db, caseRef: string) {
  return db.select().from(offers).where(eq(offers.caseRef, caseRef)).orderBy(asc(offers.madeAt));
}

export function choiceRows(db: Db, caseRef: string) {
  return db.select().from(choices).where(eq(choices.caseRef, caseRef)).orderBy(asc(choices.round));
}

export function approvalRows(db: Db, caseRef: string) {
  return db.select().from(approvals).where(eq(approvals.caseRef, caseRef)).orderBy(asc(approvals.decidedAt));
}

export async function notificationKinds(db: Db, caseRef: string): Promise<string[]> {
  return (await notificationsForCase(db, caseRef)).map((row) => row.kind);
}

export async function notificationsOfKind(db: Db, caseRef: string, kind: NotificationKind) {
  return (await notificationsForCase(db, caseRef)).filter((row) => row.kind === kind);
}

/** Waits for a notification the journey sends from a timer. */
export function waitForNotification(db: Db, caseRef: string, kind: NotificationKind, timeoutMs = 30_000) {
  return eventually(async () => {
    const rows = await notificationsOfKind(db, caseRef, kind);
    return rows.length > 0 ? rows : undefined;
  }, timeoutMs);
}

/** The refusals written to the audit log for a case: the action refused, its code and who tried. */
export async function refusals(db: Db, caseRef: string) {
  const rows = await db.select().from(auditLog).where(eq(auditLog.caseRef, caseRef)).orderBy(asc(auditLog.id));
  return rows
    .filter((row) => row.outcome === 'REFUSED')
    .map((row) => ({ action: row.action, code: (row.detail as { code?: string }).code, personId: row.actorPersonId }));
}

export async function countRows(
  db: Db,
  table: typeof cases | typeof patients | typeof offers | typeof choices | typeof approvals,
) {
  const [row] = await db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

/** Polls the journey until it is in `state` in round `round`. */
export function waitForRound(
  journeys: JourneyClient,
  caseRef: string,
  state: JourneyStatus['state'],
  round: number,
  timeoutMs = 30_000,
) {
  return eventually(async () => {
    const status = await journeys.status(caseRef);
    return status.ok && status.value.state === state && status.value.round === round ? status.value : undefined;
  }, timeoutMs);
}

/** Polls the journey until the offer has `status`. */
export function waitForOfferStatus(
  journeys: JourneyClient,
  caseRef: string,
  offerId: string,
  status: OfferStatus,
  timeoutMs = 30_000,
) {
  return eventually(async () => {
    const current = await journeys.status(caseRef);
    return current.ok && current.value.offers.find((offer) => offer.offerId === offerId)?.status === status
      ? current.value
      : undefined;
  }, timeoutMs);
}

/** The journey workflow's result, once it has finished. */
export function outcomeOf(env: JourneyEnv, caseRef: string): Promise<JourneyOutcome> {
  return env.client.workflow.getHandle(caseRef).result() as Promise<JourneyOutcome>;
}
