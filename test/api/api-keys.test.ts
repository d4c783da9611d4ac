import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  API_KEY_PATTERN,
  ApiKeyError,
  LAST_USED_RESOLUTION_MS,
  authenticate,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../api/api-keys';
import { apiKeys, auditLog, memberships, people } from '../../db/schema';
import { runApiKeyCommand } from '../../scripts/api-key';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedWorld, type World } from '../support/fixtures';

describe('operator API keys', () => {
  let database: TestDatabase;
  let world: World;
  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedWorld(database.db);
  });
  afterAll(() => database.drop());

  const keyRow = async (prefix: string) => {
    const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.keyPrefix, prefix));
    return row!;
  };

  it('issues a key shown once and keeps only its prefix and SHA-256, auditing the issue', async () => {
    const issued = await issueApiKey(database.db, {
      organisationOds: 'rr8',
      person: world.origin.staff.coordinator,
      label: '  PAS integration ',
      channel: 'CLI',
      operator: 'ops-user',
    });
    expect(issued.key).toMatch(API_KEY_PATTERN);
    expect(issued.key).toMatch(/^ma_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(issued.key.slice(3, 11)).toBe(issued.prefix);
    expect(issued).toMatchObject({ organisationOds: 'RR8', label: 'PAS integration' });

    const row = await keyRow(issued.prefix);
    expect(row.keyHash).toBe(createHash('sha256').update(issued.key).digest('hex'));
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    const secret = issued.key.slice(12);
    const everything = JSON.stringify(await database.db.select().from(apiKeys));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(issued.key);

    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'API_KEY_ISSUED'), eq(auditLog.actorPersonId, world.origin.staff.coordinator)));
    expect(audit).toMatchObject({
      outcome: 'OK',
      channel: 'CLI',
      organisationId: world.origin.id,
      detail: { keyPrefix: issued.prefix, organisationOds: 'RR8', operator: 'ops-user' },
    });
    expect(JSON.stringify(await database.db.select().from(auditLog))).not.toContain(secret);
  });

  it('authenticates a live key as its person and organisation, and nothing else', async () => {
    const issued = await issueApiKey(database.db, {
      organisationOds: 'NT2',
      person: world.independent.staff.clinician,
      label: 'Booking system',
      channel: 'CLI',
    });
    expect(await authenticate(database.db, issued.key)).toEqual({
      keyId: issued.id,
      keyPrefix: issued.prefix,
      label: 'Booking system',
      organisationId: world.independent.id,
      organisationOds: 'NT2',
      personId: world.independent.staff.clinician,
      roles: ['CLINICIAN'],
    });
    const lastChar = issued.key.at(-1) === 'A' ? 'B' : 'A';
    const wrongSecret = `${issued.key.slice(0, -1)}${lastChar}`;
    for (const presented of [
      wrongSecret,
      'ma_abc',
      '',
      `${issued.key} `,
      issued.key.toUpperCase(),
      'ma_zzzzzzzz_' + 'a'.repeat(43),
    ]) {
      expect(await authenticate(database.db, presented), presented).toBeUndefined();
    }
  });

  it('notes when a key was last used at most once a minute', async () => {
    const issued = await issueApiKey(database.db, {
      organisationOds: 'RHQ',
      person: world.nhsProvider.staff.manager,
      label: 'Theatre scheduler',
      channel: 'CLI',
    });
    expect((await keyRow(issued.prefix)).lastUsedAt).toBeNull();
    const first = new Date('2026-03-02T09:00:00Z');
    await authenticate(database.db, issued.key, first);
    expect((await keyRow(issued.prefix)).lastUsedAt).toEqual(first);
    await authenticate(database.db, issued.key, new Date(first.getTime() + LAST_USED_RESOLUTION_MS - 1000));
    expect((await keyRow(issued.prefix)).lastUsedAt).toEqual(first);
    const later = new Date(first.getTime() + LAST_USED_RESOLUTION_MS + 1000);
    await authenticate(database.db, issued.key, later);
    expect((await keyRow(issued.prefix)).lastUsedAt).toEqual(later);
  });

  it('revokes a key so that it no longer authenticates, once, with an audit entry', async () => {
    const issued = await issueApiKey(database.db, {
      organisationOds: 'RR8',
      person: world.origin.staff.manager,
      label: 'Old integration',
      channel: 'CLI',
    });
    expect(await authenticate(database.db, issued.key)).toBeDefined();
    expect(await revokeApiKey(database.db, { prefix: issued.prefix, channel: 'CLI' })).toBe(true);
    expect(await authenticate(database.db, issued.key)).toBeUndefined();
    expect(await revokeApiKey(database.db, { prefix: issued.prefix, channel: 'CLI' })).toBe(false);
    const revocations = await database.db.select().from(auditLog).where(eq(auditLog.action, 'API_KEY_REVOKED'));
    expect(
      revocations.filter((row) => (row.detail as { keyPrefix?: string }).keyPrefix === issued.prefix),
    ).toHaveLength(1);
    await expect(revokeApiKey(database.db, { prefix: 'zzzzzzzz', channel: 'CLI' })).rejects.toThrow(ApiKeyError);
  });

  it('lists an organisation’s keys by prefix and label, never with a hash', async () => {
    const listed = await listApiKeys(database.db, 'rr8');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(listed.map((key) => key.label)).toEqual(expect.arrayContaining(['PAS integration', 'Old integration']));
    for (const key of listed) {
      expect(Object.keys(key).sort()).toEqual(
        ['createdAt', 'label', 'lastUsedAt', 'personId', 'personName', 'prefix', 'revokedAt'].sort(),
      );
    }
    const revoked = listed.find((key) => key.label === 'Old integration');
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
  });

  it('refuses keys for an unknown organisation or person, a person with no role there, or no label', async () => {
    const attempt = (organisationOds: string, person: string, label = 'X') =>
      issueApiKey(database.db, { organisationOds, person, label, channel: 'CLI' }).then(
        () => 'issued',
        (error: ApiKeyError) => error.code,
      );
    expect(await attempt('ZZZ9', world.origin.staff.clinician)).toBe('ORGANISATION.UNKNOWN');
    expect(await attempt('RR8', 'nobody@example.invalid')).toBe('PERSON.UNKNOWN');
    expect(await attempt('RR8', world.outsider)).toBe('PERSON.NO_ROLE');
    expect(await attempt('RR8', world.independent.staff.clinician)).toBe('PERSON.NO_ROLE');
    expect(await attempt('RR8', world.origin.staff.clinician, '   ')).toBe('LABEL.INVALID');
  });

  it('stops authenticating with roles once its person has lost every role at the organisation', async () => {
    const [person] = await database.db.insert(people).values({ displayName: 'Leaver' }).returning();
    await database.db
      .insert(memberships)
      .values({ personId: person!.id, organisationId: world.origin.id, role: 'COORDINATOR' });
    const issued = await issueApiKey(database.db, {
      organisationOds: 'RR8',
      person: person!.id,
      label: 'Leaver key',
      channel: 'CLI',
    });
    await database.db.delete(memberships).where(eq(memberships.personId, person!.id));
    expect((await authenticate(database.db, issued.key))?.roles).toEqual([]);
  });

  describe('the api-key command', () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runApiKeyCommand(database.db, argv, {
        print: (line) => out.push(line),
        error: (line) => err.push(line),
        operator: 'test-operator',
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };

    it('creates a key for a person named by email, lists it and revokes it', async () => {
      await database.db
        .update(people)
        .set({ email: 'coordinator@rr8.example.invalid' })
        .where(eq(people.id, world.origin.staff.coordinator));
      const created = await run(
        'create',
        '--org',
        'RR8',
        '--person',
        'Coordinator@RR8.example.invalid',
        '--label',
        'PAS integration (CLI)',
      );
      expect(created).toMatchObject({ code: 0, err: '' });
      const key = /(ma_[a-z0-9]{8}_[A-Za-z0-9_-]{43})/.exec(created.out)?.[1];
      expect(key, created.out).toBeDefined();
      expect(created.out).toMatch(/shown this once/);
      const prefix = key!.slice(3, 11);
      expect(await authenticate(database.db, key!)).toMatchObject({ personId: world.origin.staff.coordinator });

      const listed = await run('list', '--org', 'RR8');
      expect(listed.code).toBe(0);
      expect(listed.out).toContain(prefix);
      expect(listed.out).toContain('PAS integration (CLI)');
      expect(listed.out).not.toContain(key!.slice(12));

      expect(await run('revoke', prefix)).toMatchObject({ code: 0, out: `Revoked ${prefix}: it no longer works.` });
      expect(await authenticate(database.db, key!)).toBeUndefined();
      const [audit] = await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'API_KEY_REVOKED'), eq(auditLog.channel, 'CLI')))
        .orderBy(auditLog.id);
      expect(audit).toBeDefined();
    });

    it('says clearly what is wrong with an unknown organisation or person, a person with no role, or missing options', async () => {
      expect(
        await run('create', '--org', 'ZZZ9', '--person', world.origin.staff.clinician, '--label', 'x'),
      ).toMatchObject({
        code: 1,
        err: 'There is no organisation with ODS code ZZZ9.',
      });
      expect(await run('create', '--org', 'RR8', '--person', 'who@example.invalid', '--label', 'x')).toMatchObject({
        code: 1,
        err: 'There is no person who@example.invalid in mutual aid.',
      });
      const noRole = await run('create', '--org', 'RR8', '--person', world.outsider, '--label', 'x');
      expect(noRole.code).toBe(1);
      expect(noRole.err).toMatch(/holds no role at RR8/);
      expect((await run('create', '--org', 'RR8')).code).toBe(2);
      expect((await run('list')).code).toBe(2);
      expect((await run('revoke')).code).toBe(2);
      expect((await run('rotate')).err).toMatch(/Unknown command rotate/);
      expect((await run('revoke', 'zzzzzzzz')).err).toBe('There is no API key with prefix zzzzzzzz.');
      expect((await run('list', '--org', 'RR8', '--colour')).code).toBe(2);
    });

    it('runs as `npm run api-key` against DATABASE_URL', async () => {
      const { stdout } = await promisify(execFile)(
        resolve(__dirname, '../../node_modules/.bin/tsx'),
        [resolve(__dirname, '../../scripts/api-key.ts'), 'list', '--org', 'NT2'],
        { env: { ...process.env, DATABASE_URL: database.url }, cwd: resolve(__dirname, '../..') },
      );
      expect(stdout).toContain('Booking system');
    });
  });
});
