/**
 * Brings up what `npm start` runs on, each step timed and logged: the Temporal
 * CLI (found or built once), a persistent PostgreSQL cluster unless
 * DATABASE_URL is set, the committed migrations, and the Temporal dev server
 * with its web UI on a SQLite file unless TEMPORAL_ADDRESS is set. Everything
 * started is registered with the cleanup, so an interruption at any point
 * stops what is already running.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { runMigrations } from '../../db/migrate';
import { isPortFree } from '../infra/free-port';
import { startPostgresCluster } from '../infra/postgres-cluster';
import { resolveTemporalCli } from '../infra/temporal-cli';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import type { Cleanup } from './cleanup';
import type { StartOptions } from './options';
import { ROOT_STATE_BASE } from './state-dir';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  /** Set when we started the dev server with its UI. */
  temporalUiUrl?: string;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Redacts a password, if any, before a URL is printed. */
function printable(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Durable state directories; as root, each level must let the `postgres` user through. */
function prepareStateDir(options: StartOptions, uid: number): void {
  mkdirSync(options.paths.stateDir, { recursive: true, mode: 0o755 });
  if (uid === 0) {
    chmodSync(ROOT_STATE_BASE, 0o755);
    chmodSync(options.paths.stateDir, 0o755);
  }
}

export async function provisionInfrastructure(
  options: StartOptions,
  cleanup: Cleanup,
  log: (line: string) => void,
  uid: number,
): Promise<Infrastructure> {
  const { temporal } = options;

  // Ports first: if another `npm start` holds them, fail before touching its database.
  if (temporal.mode === 'embedded') {
    for (const [name, port] of [
      ['TEMPORAL_PORT', temporal.port],
      ['TEMPORAL_UI_PORT', temporal.uiPort],
    ] as const) {
      if (!(await isPortFree(port))) {
        throw new Error(
          `Port ${port} is in use (another npm start, or a Temporal server left running?). ` +
            `Stop it, choose another port with ${name}, or set TEMPORAL_ADDRESS to use a running server.`,
        );
      }
    }
    const started = Date.now();
    const cli = resolveTemporalCli(log);
    if (!cli)
      throw new Error('No Temporal CLI: install Go (to build it once) or put `temporal` on PATH, or set TEMPORAL_CLI.');
    log(`Temporal CLI: ${cli.path} (${cli.source}, ${seconds(started)})`);
  }

  if (!options.databaseUrl || temporal.mode === 'embedded') prepareStateDir(options, uid);

  let databaseUrl = options.databaseUrl;
  if (databaseUrl) {
    log(`PostgreSQL: using DATABASE_URL ${printable(databaseUrl)}`);
  } else {
    const started = Date.now();
    const cluster = await startPostgresCluster({ dir: options.paths.postgresDir, database: 'mutual_aid' });
    cleanup.add('PostgreSQL', () => cluster.stop());
    databaseUrl = cluster.url;
    log(`PostgreSQL: ${cluster.url} (data in ${options.paths.postgresDir}, ${seconds(started)})`);
  }

  const migrated = Date.now();
  await runMigrations(databaseUrl);
  log(`Migrations applied (${seconds(migrated)})`);

  if (temporal.mode === 'external') {
    log(`Temporal: using TEMPORAL_ADDRESS ${temporal.address}`);
    return { databaseUrl, temporalAddress: temporal.address };
  }
  const started = Date.now();
  const server = await startTemporalDevServer({
    dbFile: temporal.dbFile,
    port: temporal.port,
    uiPort: temporal.uiPort,
    detached: true,
    startTimeoutMs: 60_000,
  });
  const pid = server.pid;
  // Last resort if this process dies without running the cleanup: do not leave the server holding the port.
  const killOnExit = () => {
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);
  cleanup.add('Temporal dev server', async () => {
    await server.stop();
    process.removeListener('exit', killOnExit);
  });
  log(`Temporal dev server: ${server.address}, journeys kept in ${temporal.dbFile} (${seconds(started)})`);
  return { databaseUrl, temporalAddress: server.address, temporalUiUrl: server.uiUrl };
}
