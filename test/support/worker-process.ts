/**
 * The production worker (`workflows/worker.ts`) in a child process of its own,
 * so a test can SIGKILL it as a crash would and start another: it polls the
 * environment's task queues, against its database, with the bundled workflows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { eventually, type JourneyEnv } from './journey-env';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  readonly pid: number | undefined;
  /** Everything the worker printed, for a failure message. */
  output(): string;
  /** SIGKILL, no drain: resolves once the process has gone. */
  kill(): Promise<void>;
}

/** Starts a worker and resolves once it says it is polling; kills it and rejects if it does not within `timeoutMs`. */
export async function startWorkerProcess(
  env: Pick<JourneyEnv, 'taskQueue' | 'notifications' | 'database'>,
  { temporalAddress = inject('temporalAddress'), timeoutMs = 60_000 } = {},
): Promise<WorkerProcess> {
  // Only what the worker needs: no chat tokens or settings from the developer's shell.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SLACK|TEAMS|NOTIFY|TEMPORAL|DATABASE)_/.test(name)),
  );
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'workflows', 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...inherited,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: env.taskQueue,
      NOTIFY_TASK_QUEUE: env.notifications.notificationsTaskQueue,
      DATABASE_URL: env.database.url,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: WorkerProcess = {
    pid: child.pid,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await eventually(() => {
      if (child.exitCode !== null) throw new Error(`The worker exited with code ${child.exitCode}: ${output}`);
      return Promise.resolve(output.includes('polling'));
    }, timeoutMs);
  } catch (error) {
    await worker.kill();
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the worker printed: ${output}`);
  }
  return worker;
}
