/**
 * Benchmark: the worker's memory with 10,000 open journeys. The production
 * worker entry (workflows/worker.ts) runs in a child process
 * (scripts/bench/worker-process.ts), configured by
 * environment variables and given a prebuilt workflow bundle
 * (WORKFLOW_BUNDLE), with scripts/bench/memory-probe.ts preloaded to answer
 * memory samples over IPC. The baseline is the same process, idle, with no
 * journey open, sampled before the listing starts.
 *
 * 10,000 patients are listed through the waiting-list upload path
 * (`importWaitingList`, 500 rows per transaction, journeys started in the background) with the default 14-day offer
 * window, so every journey stays open. The worker is sampled once each has
 * had its first workflow tasks: every case is OPEN_FOR_OFFERS in the
 * database, its "open for offers" notification is in the outbox, and the
 * worker has had nothing in flight for a few samples in a row (each journey
 * is then waiting on its offer-window timer).
 *
 * What bounds the memory is the worker's sticky cache (`maxCachedWorkflows`,
 * by default derived from the V8 heap limit): journeys beyond it are evicted
 * and replayed from their history when their next task comes. The probe
 * reports the cache's size and how many journeys it holds, so the per-journey
 * figure is taken over the cached ones.
 *
 * RSS is the whole process: the main thread (activities, database pool,
 * Temporal's native core) and the worker thread running the workflow
 * sandbox. Heaps are reported for both; the main thread's after a full
 * collection, the sandbox's as found.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, eq } from 'drizzle-orm';
import { seedDemoWorld } from '../../db/demo-seed';
import { cases, notificationOutbox, people, postcodeDistricts } from '../../db/schema';
import { JourneyClient } from '../../workflows/client';
import { loadConfig } from '../../workflows/config';
import { importWaitingList } from '../../workflows/waiting-list-import';
import { Cleanup } from '../start/cleanup';
import type { BenchConfig } from './config';
import { failuresOnly, sleep, startLoadStack, type LoadStack } from './load-stack';
import type { MemorySample } from './memory-probe';
import { round } from './stats';
import type { BenchGroup, Measurement } from './types';
import { benchWaitingList } from './upload';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

export interface MemoryBenchOptions {
  openJourneys: number;
}

const DEFAULTS: MemoryBenchOptions = { openJourneys: 10_000 };
const SAMPLES = 5;
const SAMPLE_EVERY_MS = 1_000;
/** Samples in a row with nothing in flight before the worker counts as idle. */
const IDLE_SAMPLES = 3;
const OPEN_TIMEOUT_MS = 30 * 60_000;
const PROGRESS_EVERY_MS = 30_000;
const MiB = 1024 * 1024;

interface Figures {
  rss: number;
  mainHeapUsed: number;
  workflowHeapUsed: number;
  maxCached: number;
  cached: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The median of several samples a second apart, with the journey worker's cache. */
async function measure(worker: WorkerProcess, journeyQueue: string): Promise<Figures> {
  const samples: { sample: MemorySample; rss: number }[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    if (i > 0) await sleep(SAMPLE_EVERY_MS);
    const sample = await worker.sample();
    samples.push({ sample, rss: worker.procStatus().rss });
  }
  const journeyWorker = (sample: MemorySample) => {
    const found = sample.temporalWorkers.find((w) => w.taskQueue === journeyQueue);
    if (!found) throw new Error(`The worker process runs no worker on ${journeyQueue}`);
    return found;
  };
  const last = journeyWorker(samples.at(-1)!.sample);
  return {
    rss: median(samples.map((s) => s.rss)),
    mainHeapUsed: median(samples.map((s) => s.sample.mainHeapUsedBytes)),
    workflowHeapUsed: median(samples.map((s) => s.sample.workerThreadHeapUsedBytes)),
    maxCached: last.maxCachedWorkflows,
    cached: last.cachedWorkflows,
  };
}

/**
 * Until every journey is OPEN_FOR_OFFERS with its "open for offers" notification in the outbox, and the
 * worker has had nothing in flight for IDLE_SAMPLES samples in a row; progress is logged as it goes.
 */
async function untilAllWaiting(
  stack: LoadStack,
  worker: WorkerProcess,
  n: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  let idle = 0;
  let lastLogged = Date.now();
  for (;;) {
    const open = await countWhere(stack, 'open');
    const announced = await countWhere(stack, 'announced');
    const workers = (await worker.sample()).temporalWorkers;
    const activations = workers.reduce((total, w) => total + w.inFlightActivations, 0);
    const activities = workers.reduce((total, w) => total + w.inFlightActivities, 0);
    idle = open >= n && announced >= n && activations + activities === 0 ? idle + 1 : 0;
    if (idle >= IDLE_SAMPLES) return;
    const progress =
      `${open} of ${n} open for offers, ${announced} announced; ${Math.max(...workers.map((w) => w.cachedWorkflows))} ` +
      `workflows cached, ${activations} activations and ${activities} activities in flight`;
    if (Date.now() > deadline) throw new Error(`Timed out after ${OPEN_TIMEOUT_MS / 1000} s: ${progress}`);
    if (Date.now() - lastLogged >= PROGRESS_EVERY_MS) {
      log(`  … ${progress}`);
      lastLogged = Date.now();
    }
    await sleep(SAMPLE_EVERY_MS);
  }
}

async function countWhere(stack: LoadStack, query: 'open' | 'announced'): Promise<number> {
  const rows =
    query === 'open'
      ? await stack.db.select({ n: count() }).from(cases).where(eq(cases.state, 'OPEN_FOR_OFFERS'))
      : await stack.db
          .select({ n: count() })
          .from(notificationOutbox)
          .where(eq(notificationOutbox.kind, 'CASE_OPEN_FOR_OFFERS'));
  return rows[0]!.n;
}

const mib = (bytes: number) => round(bytes / MiB);

export function memoryBench(config: BenchConfig, overrides: Partial<MemoryBenchOptions> = {}): BenchGroup {
  const options = { ...DEFAULTS, ...overrides };
  return {
    name: 'memory',
    async run(log) {
      const cleanup = new Cleanup();
      try {
        const n = options.openJourneys;
        const stack = await startLoadStack(config, 'memory', cleanup);
        const world = await seedDemoWorld(stack.db);
        const taskQueue = `bench-memory-${randomUUID()}`;
        const worker = await startWorkerProcess({
          temporalAddress: stack.temporalAddress,
          databaseUrl: stack.databaseUrl,
          taskQueue,
        });
        cleanup.add('the worker process', () => worker.stop());
        await sleep(2_000);
        const baseline = await measure(worker, taskQueue);
        log(
          `Idle worker (pid ${worker.pid}): RSS ${mib(baseline.rss)} MiB, ` +
            `sticky cache of ${baseline.maxCached} workflows`,
        );

        const england = await stack.db
          .select({ outcode: postcodeDistricts.outcode })
          .from(postcodeDistricts)
          .where(eq(postcodeDistricts.country, 'England'))
          .orderBy(postcodeDistricts.outcode);
        const leeds = world.orgs.leeds;
        const [judge] = await stack.db
          .select({ email: people.email })
          .from(people)
          .where(eq(people.id, leeds.staff.clinician.personId));
        const journeys = new JourneyClient({
          client: stack.client,
          db: stack.db,
          taskQueue,
          policy: loadConfig({}).journeyPolicy,
        });
        const text = benchWaitingList(
          n,
          0,
          england.map((row) => row.outcode),
          judge!.email!,
        );
        const lister = {
          personId: leeds.staff.coordinator.personId,
          organisationOds: leeds.ods,
          channel: 'CLI' as const,
        };
        const started = performance.now();
        const report = await importWaitingList({ db: stack.db, journeys }, text, lister);
        if (report.listed.length !== n) {
          throw new Error(`${report.listed.length} of ${n} rows listed; ${report.invalid.length} invalid`);
        }
        const uploadSeconds = (performance.now() - started) / 1000;
        log(`Listed ${n} patients in ${uploadSeconds.toFixed(1)} s`);
        await untilAllWaiting(stack, worker, n, log);
        const allOpenSeconds = (performance.now() - started) / 1000;
        log(`Every journey open and waiting on its offer window ${allOpenSeconds.toFixed(1)} s after the upload began`);
        const open = await measure(worker, taskQueue);
        const peak = worker.procStatus().peak;
        log(
          `Worker with ${n} open journeys: RSS ${mib(open.rss)} MiB (peak ${mib(peak)} MiB), ` +
            `${open.cached} of ${open.maxCached} in the sticky cache`,
        );

        const perCachedKiB = open.cached > 0 ? (open.rss - baseline.rss) / open.cached / 1024 : NaN;
        const measurement: Measurement = {
          bench: 'memory.worker',
          n,
          rss_mib: mib(open.rss),
          baseline_rss_mib: mib(baseline.rss),
          vs_baseline: round(open.rss / baseline.rss),
          peak_rss_mib: mib(peak),
          main_heap_mib: mib(open.mainHeapUsed),
          baseline_main_heap_mib: mib(baseline.mainHeapUsed),
          workflow_heap_mib: mib(open.workflowHeapUsed),
          baseline_workflow_heap_mib: mib(baseline.workflowHeapUsed),
          max_cached_workflows: open.maxCached,
          cached_workflows: open.cached,
          rss_kib_per_cached: round(perCachedKiB),
          upload_s: round(uploadSeconds),
          all_open_s: round(allOpenSeconds),
        };
        return [measurement];
      } finally {
        await cleanup.run(failuresOnly(log));
      }
    },
  };
}
