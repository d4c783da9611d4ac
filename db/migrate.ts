/** Applies the committed drizzle migrations in db/migrations. */
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { openDatabase } from './client';

export const MIGRATIONS_FOLDER = join(__dirname, 'migrations');

export async function runMigrations(url: string): Promise<void> {
  const database = openDatabase(url, 1);
  try {
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await database.close();
  }
}
