/**
 * The production worker (workflows/worker.ts, as `npm run worker` runs it) in
 * a child process of the benchmark, for groups that must not share an event
 * loop with it: the memory group measures the process alone, the clicks
 * group keeps the bot's event loop to the bot, as in production. It is given
 * a prebuilt workflow bundle (WORKFLOW_BUNDLE) and, preloaded,
 * scripts/bench/memory-probe.ts, which answers memory samples over IPC.
 *
 * It runs in a directory of its own with only the variables it needs, so no
 * `.env` and no chat credentials on the machine reach it: its notifications
 * stay in the outbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { sleep, waitUntil } from './load-stack';
import type { MemorySample } from './memory-probe';

const ROOT = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const SAMPLE_TIMEOUT_MS = 10_000;

export interface WorkerProcessOptions {
  temporalAddress: string;
  databaseUrl: string;
  /** The journeys task queue; the notifications queue is named after it. */
  taskQueue: string;
}

export interface WorkerProcess {
  pid: number;
  /** The process's memory and its Temporal workers' state, from the probe. */
  sample(): Promise<MemorySample>;
  /** VmRSS and VmHWM (its peak) from /proc, in bytes. */
  procStatus(): { rss: number; peak: number };
  /** SIGTERM (the worker drains and closes its connections), SIGKILL if it hangs; removes its directory. */
  stop(): Promise<void>;
}

/** The workflow bundle the worker loads, as `npm run worker` would with WORKFLOW_BUNDLE. */
async function writeBundle(dir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows/index'),
    logger: new DefaultLogger('ERROR'),
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return path;
}

/** Starts the worker and resolves once it says it is polling. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mutual-aid-bench-worker-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let child: ChildProcess;
  try {
    const bundlePath = await writeBundle(dir);
    child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--require',
        require.resolve('tsx/cjs'),
        '--require',
        join(__dirname, 'memory-probe.ts'),
        join(ROOT, 'workflows', 'worker.ts'),
      ],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
          TEMPORAL_ADDRESS: options.temporalAddress,
          TEMPORAL_TASK_QUEUE: options.taskQueue,
          NOTIFY_TASK_QUEUE: `${options.taskQueue}-notifications`,
          DATABASE_URL: options.databaseUrl,
          WORKFLOW_BUNDLE: bundlePath,
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
  } catch (error) {
    removeDir();
    throw error;
  }
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: WorkerProcess = {
    pid: child.pid!,
    sample: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('The worker did not answer a memory sample')),
          SAMPLE_TIMEOUT_MS,
        );
        child.once('message', (message) => {
          clearTimeout(timer);
          resolve(message as MemorySample);
        });
        child.send('sample');
      }),
    procStatus() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
        if (!stopped) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      removeDir();
    },
  };
  try {
    await waitUntil(
      'the worker to poll',
      () => {
        if (child.exitCode !== null) throw new Error(`The worker exited early: ${output}`);
        return Promise.resolve(output.includes('polling') ? true : undefined);
      },
      { timeoutMs: START_TIMEOUT_MS, everyMs: 100 },
    );
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}
