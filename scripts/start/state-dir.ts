/**
 * Where `npm start` keeps its durable state (the PostgreSQL cluster and the
 * Temporal dev server's SQLite file), so journeys survive a restart.
 *
 * As a normal user: `<repo>/.mutual-aid`. As root, PostgreSQL runs as the
 * `postgres` user, who often cannot reach a repository under a private home
 * directory, so the state goes to `/var/tmp/mutual-aid/<short hash of the
 * repo path>`: durable across reboots, reachable by everyone, one per checkout.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface StatePaths {
  stateDir: string;
  postgresDir: string;
  temporalDbFile: string;
}

export const ROOT_STATE_BASE = '/var/tmp/mutual-aid';

export function statePaths(repoRoot: string, uid: number): StatePaths {
  const stateDir =
    uid === 0
      ? join(ROOT_STATE_BASE, createHash('sha256').update(repoRoot).digest('hex').slice(0, 12))
      : join(repoRoot, '.mutual-aid');
  return { stateDir, postgresDir: join(stateDir, 'postgres'), temporalDbFile: join(stateDir, 'temporal.sqlite') };
}
