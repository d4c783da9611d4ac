/**
 * Finds the Temporal CLI that runs the dev server, building it once if needed.
 *
 * Order: $TEMPORAL_CLI, then `temporal` on PATH, then our cache
 * (~/.cache/mutual-aid/bin), then `go install` into that cache. On a machine
 * without Go we return undefined and the Temporal SDK downloads the CLI as it
 * normally would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export function temporalCacheDir(): string {
  return process.env.MUTUAL_AID_CACHE ?? join(homedir(), '.cache', 'mutual-aid');
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function cachedBinary(): string {
  return join(temporalCacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export interface ResolvedCli {
  path: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'built';
  buildSeconds?: number;
}

/** Returns the CLI to use, building it with `go install` when there is none. */
export function resolveTemporalCli(log: (line: string) => void = console.log): ResolvedCli | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI points at ${fromEnv}, which does not exist`);
    return { path: fromEnv, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = cachedBinary();
  if (existsSync(cached)) return { path: cached, source: 'cache' };

  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    log('No Temporal CLI and no Go toolchain: the Temporal SDK will download the CLI itself.');
    return undefined;
  }
  const binDir = join(temporalCacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  mkdirSync(binDir, { recursive: true });
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} once with go install (about 3 minutes cold)...`);
  const started = Date.now();
  const result = spawnSync(go, ['install', GO_PACKAGE], {
    env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(cached)) {
    throw new Error(`go install ${GO_PACKAGE} failed (exit ${String(result.status)})`);
  }
  const buildSeconds = (Date.now() - started) / 1000;
  log(`Temporal CLI built in ${buildSeconds.toFixed(0)} s: ${cached}`);
  return { path: cached, source: 'built', buildSeconds };
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}
