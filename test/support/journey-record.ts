/**
 * Everything a journey wrote, in one comparable value: the fault tests compare
 * it with what the journey should have written, so a step written twice (or
 * lost) after a crash, a restart or an outage shows as one diff per case.
 */
import { count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { notificationsForCase } from '../../db/outbox';
import { approvals, choices, offers, transferDatasets } from '../../db/schema';
import type { NotificationKind } from '../../domain/notifications';
import { caseRow } from './journey-assertions';
import { ONE_OFFER_TRANSFER_AUDIT_TRAIL, TRANSFER_AUDIT_TRAIL, auditActions } from './journey-helpers';

export interface JourneyRecord {
  state: string;
  closedReason: string | null;
  /** Audit actions in the order written (refusals as `ACTION:REFUSED`). */
  audit: string[];
  offers: number;
  choices: number;
  approvals: number;
  transferDatasets: number;
  /** Outbox notification kinds, sorted: one entry per notification key. */
  notifications: NotificationKind[];
}

export async function journeyRecord(db: Db, caseRef: string): Promise<JourneyRecord> {
  const rows = (table: typeof offers | typeof choices | typeof approvals | typeof transferDatasets) =>
    db
      .select({ n: count() })
      .from(table)
      .where(eq(table.caseRef, caseRef))
      .then(([row]) => row?.n ?? 0);
  const kase = await caseRow(db, caseRef);
  const outbox = await notificationsForCase(db, caseRef);
  return {
    state: kase.state,
    closedReason: kase.closedReason,
    audit: await auditActions(db, caseRef),
    offers: await rows(offers),
    choices: await rows(choices),
    approvals: await rows(approvals),
    transferDatasets: await rows(transferDatasets),
    notifications: outbox.map((row) => row.kind as NotificationKind).sort(),
  };
}

/** Expands `{ OFFER_RECEIVED: 2, … }` into the sorted kind list `journeyRecord` gives. */
export function kinds(counts: Partial<Record<NotificationKind, number>>): NotificationKind[] {
  return Object.entries(counts)
    .flatMap(([kind, n]) => Array.from({ length: n }, () => kind as NotificationKind))
    .sort();
}

/**
 * The record of a journey that ended in a transfer, each step once: with one
 * offer, accepted, or with two, the second chosen and the first told so.
 */
export function transferredRecord(offerCount: 1 | 2): JourneyRecord {
  return {
    state: 'TRANSFERRED',
    closedReason: null,
    audit: offerCount === 1 ? ONE_OFFER_TRANSFER_AUDIT_TRAIL : TRANSFER_AUDIT_TRAIL,
    offers: offerCount,
    choices: 1,
    approvals: 2,
    transferDatasets: 1,
    notifications: kinds({
      CASE_OPEN_FOR_OFFERS: 1,
      OFFER_RECEIVED: offerCount,
      OFFER_NOT_CHOSEN: offerCount - 1,
      OFFER_WINDOW_CLOSING: 1,
      CHOICE_NEEDED: 1,
      PATIENT_CHOSE: 1,
      OFFER_CHOSEN: 1,
      APPROVAL_REQUESTED: 2,
      TRANSFER_APPROVED: 2,
      TRANSFERRED: 1,
    }),
  };
}
