/**
 * Starts the Temporal CLI dev server (SQLite-backed when given a file) and
 * waits until its frontend answers. Used by `npm start`, the tests and the
 * benchmark, so every one of them runs against a real Temporal server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from './free-port';
import { resolveTemporalCli } from './temporal-cli';

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  cliPath: string;
  /** The server's process id, for a last-resort kill if our process dies without stopping it. */
  pid?: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; in-memory when absent. */
  dbFile?: string;
  port?: number;
  /** Serve the web UI on this port; headless when absent. */
  uiPort?: number;
  startTimeoutMs?: number;
  /**
   * Run the server in its own process group, so Ctrl-C in the terminal reaches
   * only us and we stop it after the worker has drained (`npm start`).
   */
  detached?: boolean;
}

export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<TemporalDevServer> {
  const cli = resolveTemporalCli();
  if (!cli) return startDownloadedDevServer(options);
  const port = options.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');

  const child = spawn(cli.path, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached ?? false });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitForFrontend(address, child, options.startTimeoutMs ?? 30_000, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    cliPath: cli.path,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

async function waitForFrontend(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode}: ${stderr()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${stderr()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Without a CLI or Go, the Temporal SDK downloads the dev server as it normally would and runs it. */
async function startDownloadedDevServer(options: DevServerOptions): Promise<TemporalDevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFile,
      extraArgs: ['--log-level', 'error'],
    },
  });
  return {
    address: env.address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    cliPath: 'downloaded by the Temporal SDK',
    stop: () => env.teardown(),
  };
}
