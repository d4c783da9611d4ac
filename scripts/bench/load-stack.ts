/**
 * What the load benchmarks (journeys, posting-latency, memory, clicks) share:
 * a migrated database of their own, a Temporal dev server and connections to
 * it, each registered with a `Cleanup` so a failure part-way still stops
 * everything; plus polling and waiting helpers.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openDatabase, type Db } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import type { Cleanup } from '../start/cleanup';
import { benchDatabase } from './bench-database';
import type { BenchConfig } from './config';

export interface LoadStack {
  databaseUrl: string;
  temporalAddress: string;
  /** The load generator's pool: listings, postings, chat handlers. */
  db: Db;
  /** A pool of its own for in-process workers, as they run in a process of their own in production. */
  workerDb: Db;
  client: Client;
  workerConnection: NativeConnection;
}

/** Temporal's native runtime is a singleton: installed once, before the first native connection. */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier group: keep it.
  }
}

export async function startLoadStack(
  config: BenchConfig,
  label: string,
  cleanup: Cleanup,
  options: { poolSize?: number } = {},
): Promise<LoadStack> {
  installQuietRuntime();
  const target = await benchDatabase(config.databaseUrl, label);
  cleanup.add('the benchmark database', () => target.dispose());
  await runMigrations(target.url);
  const temporal = await startTemporalDevServer();
  cleanup.add('the Temporal dev server', () => temporal.stop());
  const database = openDatabase(target.url, options.poolSize);
  cleanup.add("the load generator's database pool", () => database.close());
  const workerDatabase = openDatabase(target.url);
  cleanup.add("the workers' database pool", () => workerDatabase.close());
  const clientConnection = await Connection.connect({ address: temporal.address });
  cleanup.add('the Temporal client connection', () => clientConnection.close());
  const workerConnection = await NativeConnection.connect({ address: temporal.address });
  cleanup.add('the Temporal worker connection', () => workerConnection.close());
  return {
    databaseUrl: target.url,
    temporalAddress: temporal.address,
    db: database.db,
    workerDb: workerDatabase.db,
    client: new Client({ connection: clientConnection }),
    workerConnection,
  };
}

/** Runs `work(i)` for i in 0..n-1, at most `concurrency` at a time. */
export async function withConcurrency(
  n: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < n) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, runner));
}

/** Polls `check` every `everyMs` until it gives a value; fails after `timeoutMs`, saying what was awaited. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs, everyMs = 250 }: { timeoutMs: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Stops log lines of steps that stopped cleanly: only a step that fails to stop is worth a line. */
export const failuresOnly = (log: (line: string) => void) => (line: string) => {
  if (!line.startsWith('Stopped ')) log(line);
};
