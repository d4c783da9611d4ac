/**
 * What the database commands (`npm run api-key`, `npm run dead-letters`)
 * share: read `.env` and the configuration, open one connection to
 * DATABASE_URL (or say how to set it), run, close, and leave with the
 * command's code, printing a failure in one line.
 */
import { resolve } from 'node:path';
import { openDatabase, type Db } from '../db/client';
import { loadConfig, loadEnvFile } from '../workflows/config';

/** A time in a command's table, to the minute in UTC (`2026-11-23 19:45`), or `-` for none. */
export const tableTime = (date: Date | null): string =>
  date ? date.toISOString().slice(0, 16).replace('T', ' ') : '-';

export function runDatabaseCommand(name: string, run: (db: Db) => Promise<number>): void {
  const main = async (): Promise<number> => {
    loadEnvFile(resolve(__dirname, '..', '.env'));
    const config = loadConfig(process.env);
    if (!config.databaseUrl) {
      console.error('DATABASE_URL is not set: point it at the mutual-aid database (in the environment or .env).');
      return 1;
    }
    const database = openDatabase(config.databaseUrl, 1);
    try {
      return await run(database.db);
    } finally {
      await database.close();
    }
  };
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
