/**
 * Preloaded into the worker process that the memory benchmark spawns
 * (`node --require tsx/cjs --require memory-probe.ts workflows/worker.ts`), so the
 * production entry point runs unchanged. Over the IPC channel it answers
 * each "sample" message with the process's memory and its Temporal workers'
 * state:
 *
 * - RSS, and the main thread's V8 heap after a full collection (`--expose-gc`);
 * - the V8 heaps of the worker threads, where Temporal runs the workflow
 *   sandbox (from the diagnostic report; not collected first);
 * - each Temporal worker's sticky cache: its size (`maxCachedWorkflows`) and
 *   the workflows held in it now, with the activations and activities in
 *   flight (zero for both: the worker is idle).
 *
 * The workers are caught as `Worker.create` makes them: a wrapper installed
 * here, before workflows/worker.ts loads, that only keeps a reference.
 */
import { isMainThread } from 'node:worker_threads';
import type * as TemporalWorker from '@temporalio/worker';

export interface MemorySample {
  rssBytes: number;
  mainHeapUsedBytes: number;
  mainHeapTotalBytes: number;
  externalBytes: number;
  workerThreadHeapUsedBytes: number;
  workerThreadHeapTotalBytes: number;
  temporalWorkers: {
    taskQueue: string;
    maxCachedWorkflows: number;
    cachedWorkflows: number;
    inFlightActivations: number;
    inFlightActivities: number;
  }[];
}

interface ReportHeap {
  javascriptHeap?: { totalMemory?: number; usedMemory?: number };
}

const workers: TemporalWorker.Worker[] = [];

function catchWorkers(): void {
  // Required here, not imported: the workflow sandbox's thread inherits the preload and must not load the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@temporalio/worker') as typeof TemporalWorker;
  const create = sdk.Worker.create.bind(sdk.Worker);
  sdk.Worker.create = async (options) => {
    const worker = await create(options);
    workers.push(worker);
    return worker;
  };
}

function sample(): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  const report = process.report.getReport() as unknown as { workers?: ReportHeap[] };
  const threads = report.workers ?? [];
  const sum = (pick: (heap: NonNullable<ReportHeap['javascriptHeap']>) => number | undefined) =>
    threads.reduce((total, thread) => total + (pick(thread.javascriptHeap ?? {}) ?? 0), 0);
  return {
    rssBytes: usage.rss,
    mainHeapUsedBytes: usage.heapUsed,
    mainHeapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    workerThreadHeapUsedBytes: sum((heap) => heap.usedMemory),
    workerThreadHeapTotalBytes: sum((heap) => heap.totalMemory),
    temporalWorkers: workers.map((worker) => {
      const status = worker.getStatus();
      return {
        taskQueue: worker.options.taskQueue,
        maxCachedWorkflows: worker.options.maxCachedWorkflows,
        cachedWorkflows: status.numCachedWorkflows,
        inFlightActivations: status.numInFlightWorkflowActivations,
        inFlightActivities: status.numInFlightActivities,
      };
    }),
  };
}

// Temporal runs the workflow sandbox in a worker thread, which inherits this preload: only the main thread probes.
if (isMainThread) {
  catchWorkers();
  process.on('message', (message) => {
    if (message === 'sample') process.send?.(sample());
  });
  // The channel must not keep the worker alive once it has shut down.
  process.channel?.unref();
}
