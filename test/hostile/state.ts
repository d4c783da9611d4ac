/**
 * What "no state change" means in the hostile-input tests: the rows of every
 * table a request could write, counted before and after, with the audit log
 * split into refusals (which a refused request may add: that is its record)
 * and everything else; and every table still there to count.
 */
import { count, eq, ne, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { expect } from 'vitest';
import type { Db } from '../../db/client';
import {
  approvals,
  auditLog,
  capacityPostings,
  cases,
  chatChannels,
  chatIdentities,
  choices,
  memberships,
  notificationOutbox,
  offers,
  patientLinks,
  patientRequests,
  patients,
  people,
  providerPasses,
} from '../../db/schema';
import { eventually } from '../support/journey-env';

const TABLES: Record<string, PgTable> = {
  cases,
  patients,
  offers,
  choices,
  approvals,
  notification_outbox: notificationOutbox,
  provider_passes: providerPasses,
  patient_links: patientLinks,
  patient_requests: patientRequests,
  capacity_postings: capacityPostings,
  people,
  memberships,
  chat_identities: chatIdentities,
  chat_channels: chatChannels,
};

export interface Counts {
  tables: Record<string, number>;
  /** Audit entries other than refusals. */
  audited: number;
  refused: number;
}

async function rows(db: Db, table: PgTable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table);
  return row!.n;
}

export async function counts(db: Db): Promise<Counts> {
  const tables: Record<string, number> = {};
  for (const [name, table] of Object.entries(TABLES)) tables[name] = await rows(db, table);
  const [audited] = await db.select({ n: count() }).from(auditLog).where(ne(auditLog.outcome, 'REFUSED'));
  const [refused] = await db.select({ n: count() }).from(auditLog).where(eq(auditLog.outcome, 'REFUSED'));
  return { tables, audited: audited!.n, refused: refused!.n };
}

/** The counts once nothing has moved for a moment (a journey's notifications settle within a second). */
export async function settledCounts(db: Db): Promise<Counts> {
  let last = JSON.stringify(await counts(db));
  return eventually(async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const now = await counts(db);
    const same = JSON.stringify(now) === last;
    last = JSON.stringify(now);
    return same && now;
  }, 20_000);
}

/** Every table the schema names is still there (no request dropped one). */
export async function expectTablesExist(db: Db): Promise<void> {
  for (const name of [...Object.keys(TABLES), 'audit_log']) {
    const result = await db.execute(sql`select to_regclass(${`public.${name}`}) as found`);
    expect((result.rows[0] as { found: string | null }).found, name).toBe(name);
  }
}

/**
 * Runs `act` and checks that it changed nothing but, at most, `refusals` more
 * refusals in the audit log (and `alsoAudited` other entries, such as an
 * upload's own record), and that every table is still there.
 */
export async function expectNoStateChange(
  db: Db,
  act: () => Promise<void>,
  allowed: { refusals?: 'any' | number; alsoAudited?: number } = {},
): Promise<void> {
  const before = await settledCounts(db);
  await act();
  const after = await settledCounts(db);
  expect(after.tables).toEqual(before.tables);
  expect(after.audited - before.audited).toBe(allowed.alsoAudited ?? 0);
  const added = after.refused - before.refused;
  if (allowed.refusals === 'any') expect(added).toBeGreaterThanOrEqual(0);
  else expect(added).toBe(allowed.refusals ?? 0);
  await expectTablesExist(db);
}
