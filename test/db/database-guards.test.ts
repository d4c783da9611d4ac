/**
 * The database's own guards: the audit log refuses change, constraints refuse
 * bad rows, and a refused query's error carries no patient values onward.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendAudit } from '../../db/audit';
import { DatabaseError, isUniqueViolation, withoutParameters } from '../../db/errors';
import { auditLog, cases } from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('the database guards', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
  });
  afterAll(() => database.drop());

  it('refuses to update, delete or truncate audit entries', async () => {
    const { db } = database;
    await appendAudit(db, { action: 'TEST_ENTRY', actor: { kind: 'SYSTEM' }, idempotencyKey: 'guard/1' });
    await expect(
      db.update(auditLog).set({ action: 'EDITED' }).where(eq(auditLog.idempotencyKey, 'guard/1')),
    ).rejects.toThrow();
    await expect(db.delete(auditLog).where(eq(auditLog.idempotencyKey, 'guard/1'))).rejects.toThrow();
    await expect(db.execute(sql`truncate audit_log`)).rejects.toThrow();
    const [row] = await db.select().from(auditLog).where(eq(auditLog.idempotencyKey, 'guard/1'));
    expect(row?.action).toBe('TEST_ENTRY');
  });

  it('writes an audit entry once per idempotency key', async () => {
    const { db } = database;
    expect(await appendAudit(db, { action: 'ONCE', actor: { kind: 'SYSTEM' }, idempotencyKey: 'guard/2' })).toBe(true);
    expect(await appendAudit(db, { action: 'ONCE', actor: { kind: 'SYSTEM' }, idempotencyKey: 'guard/2' })).toBe(false);
    expect(await db.select().from(auditLog).where(eq(auditLog.idempotencyKey, 'guard/2'))).toHaveLength(1);
  });

  it('turns a refused query into an error that names the constraint but not the values', async () => {
    const nhsNumber = '9434765919';
    const error = await database.db
      .execute(sql`insert into cases (case_ref, nhs_number) values ('MA-TEST0001', ${nhsNumber})`)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(String((error as Error).message)).toContain(nhsNumber);
    const safe = withoutParameters(error);
    expect(safe).toBeInstanceOf(DatabaseError);
    expect((safe as DatabaseError).message).toMatch(/PostgreSQL error 23502/);
    expect((safe as DatabaseError).message).not.toContain(nhsNumber);
    expect(await database.db.select().from(cases)).toHaveLength(0);
  });

  it('recognises a unique violation of a named constraint', async () => {
    const { db } = database;
    await appendAudit(db, { action: 'DUP', actor: { kind: 'SYSTEM' }, idempotencyKey: 'guard/3' });
    const error = await db
      .insert(auditLog)
      .values({ action: 'DUP', outcome: 'OK', actorKind: 'SYSTEM', channel: 'SYSTEM', idempotencyKey: 'guard/3' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(isUniqueViolation(error, 'audit_log_idempotency_key_unique')).toBe(true);
    expect(isUniqueViolation(error, 'some_other_constraint')).toBe(false);
  });
});
