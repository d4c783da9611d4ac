/** Gives each test file a database of its own: cloned from the migrated template, or one it made itself. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../db/client';

export interface TestDatabase extends Database {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(templateUrl: string): Promise<TestDatabase> {
  const template = new URL(templateUrl);
  const templateName = template.pathname.slice(1);
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new URL(templateUrl);
  admin.pathname = '/postgres';
  await adminQuery(admin.toString(), `create database ${name} template ${templateName}`);
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  const database = openDatabase(url.toString());
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close();
      await adminQuery(admin.toString(), `drop database if exists ${name} with (force)`);
    },
  };
}

/** A database the test made itself: opened as it is, and only closed (not dropped) at the end. */
export function useTestDatabase(url: string): TestDatabase {
  const database = openDatabase(url);
  return { ...database, url, drop: () => database.close() };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
