/**
 * Starts a private PostgreSQL cluster (initdb + pg_ctl) in a directory of our
 * own, for the tests, the benchmark and the embedded `npm start` default.
 * With DATABASE_URL set, callers use that database instead and never come here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port';

export interface PostgresCluster {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Where the cluster lives; reused if it already holds one. A fresh temporary directory when absent. */
  dir?: string;
  port?: number;
  /** Trade durability for speed: for throwaway test and benchmark clusters. */
  ephemeral?: boolean;
  database?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

const SUPERUSER = 'mutual_aid';

/** Finds the directory holding initdb, pg_ctl and postgres. */
export function findPostgresBinaries(): string {
  const candidates = [
    process.env.PG_BINDIR,
    ...(process.env.PATH ?? '').split(delimiter),
    ...listVersionDirs('/usr/lib/postgresql'),
  ].filter((dir): dir is string => Boolean(dir));
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) were not found. Install PostgreSQL 15 ' +
      '(Debian: apt-get install postgresql-15), set PG_BINDIR, or set DATABASE_URL to an existing database.',
  );
}

function listVersionDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` user. */
function runAs(): { uid: number; gid: number; user: string } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0) {
    throw new Error(
      'Running as root needs a "postgres" system user to own the database cluster (useradd -r postgres).',
    );
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(ids.stdout.trim()), gid: Number(gid.stdout.trim()), user: 'postgres' };
}

function run(bin: string, args: string[], owner: ReturnType<typeof runAs>): string {
  const [command, fullArgs] = owner ? ['runuser', ['-u', owner.user, '--', bin, ...args]] : [bin, args];
  return execFileSync(command, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `pg_ctl status` exits 0 only while a server is running on the data directory. */
function isRunning(bin: string, dataDir: string, owner: ReturnType<typeof runAs>): boolean {
  const statusArgs = ['-D', dataDir, 'status'];
  const [command, args] = owner
    ? ['runuser', ['-u', owner.user, '--', join(bin, 'pg_ctl'), ...statusArgs]]
    : [join(bin, 'pg_ctl'), statusArgs];
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  const owner = runAs();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mutual-aid-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(socketDir, owner.uid, owner.gid);
    if (spawnSync('runuser', ['-u', owner.user, '--', 'test', '-w', dir]).status !== 0) {
      throw new Error(`The postgres user cannot reach ${dir}: choose a directory outside any private home directory.`);
    }
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    run(join(bin, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C'], owner);
  } else if (existsSync(join(dataDir, 'postmaster.pid')) && isRunning(bin, dataDir, owner)) {
    // A reused cluster still running from an earlier run that died without stopping it: stop it, then start ours.
    run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], owner);
  }
  const port = options.port ?? (await freePort());
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    ...(options.ephemeral ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([key, value]) => `-c ${key}=${value}`)
    .join(' ');
  run(
    join(bin, 'pg_ctl'),
    ['-D', dataDir, '-l', join(dir, 'postgres.log'), '-o', serverOptions, '-w', '-t', '60', 'start'],
    owner,
  );
  const stop = (): Promise<void> => {
    run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], owner);
    if (options.ephemeral) rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  };
  const database = options.database ?? 'mutual_aid';
  try {
    await ensureDatabase(`postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`, dataDir, stop };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
