/**
 * A database of its own for a benchmark group: a fresh database on the server
 * at `databaseUrl` when one is given (dropped afterwards), otherwise a
 * throwaway PostgreSQL cluster (fsync off) that is removed when stopped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostgresCluster } from '../infra/postgres-cluster';

export interface BenchDatabase {
  url: string;
  dispose(): Promise<void>;
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function benchDatabase(databaseUrl: string | undefined, label: string): Promise<BenchDatabase> {
  const name = `bench_${label}_${randomBytes(4).toString('hex')}`;
  if (!databaseUrl) {
    const cluster = await startPostgresCluster({ ephemeral: true, database: name });
    // JIT compilation would add tens of milliseconds to the costly baseline plans and flatter the indexes.
    await admin(cluster.url, `alter database ${name} set jit = off`);
    return { url: cluster.url, dispose: () => cluster.stop() };
  }
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  await admin(adminUrl.toString(), `create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await admin(url.toString(), `alter database ${name} set jit = off`);
  return {
    url: url.toString(),
    dispose: () => admin(adminUrl.toString(), `drop database if exists ${name} with (force)`),
  };
}
