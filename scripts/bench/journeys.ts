/**
 * Benchmark: journeys started per second. Patients are listed one by one
 * through `JourneyClient.listPatient` (validation, the database checks, the
 * case's transaction and the journey's start), a bounded number at a time,
 * with the journey and notification workers running and picking up every
 * journey as it starts.
 *
 * The baseline, in the same run, at the same concurrency and on the same
 * server: starting as many `benchNoop` workflows (scripts/bench/workflows,
 * bundled for a worker of their own, never into the production bundle),
 * which that worker runs to completion. The ratio says what a journey start
 * costs beyond Temporal's own start: the listing's database work, and the
 * journeys' first tasks competing for the same two cores. Measured rounds
 * alternate which goes first, after a warm-up of each that is not counted.
 *
 * It also counts the journeys already OPEN_FOR_OFFERS when the last listing
 * returns: whether the worker kept up with the starts.
 * Real PostgreSQL, a real Temporal dev server; the listing side, the workers
 * and the no-op worker share one Node.js process.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { count, eq } from 'drizzle-orm';
import { cases } from '../../db/schema';
import { as, listingFor, seedWorld, type World } from '../../test/support/fixtures';
import { nhsNumberFrom } from '../../test/support/nhs-numbers';
import { JourneyClient } from '../../workflows/client';
import { loadConfig } from '../../workflows/config';
import { createWorkers } from '../../workflows/worker';
import { Cleanup } from '../start/cleanup';
import type { BenchConfig } from './config';
import { failuresOnly, startLoadStack, withConcurrency, type LoadStack } from './load-stack';
import { round } from './stats';
import type { BenchGroup, Measurement } from './types';
import type { benchNoop } from './workflows/noop';

export interface JourneysBenchOptions {
  /** Journeys listed, and no-op workflows started, over the measured rounds. */
  patients: number;
  rounds: number;
  concurrency: number;
}

const DEFAULTS: JourneysBenchOptions = { patients: 1_000, rounds: 2, concurrency: 32 };
const WARM_UP = 100;

interface Starter {
  journeys: JourneyClient;
  stack: LoadStack;
  world: World;
  noopQueue: string;
  /** Distinct NHS numbers across the run. */
  nextPatient: () => number;
}

async function listJourneys(starter: Starter, n: number, concurrency: number): Promise<number> {
  const lister = as(starter.world.origin, 'coordinator', 'CLI');
  const started = performance.now();
  await withConcurrency(n, concurrency, async () => {
    // Stride 2: nhsNumberFrom moves on to the next base when a check digit would be 10.
    const nhsNumber = nhsNumberFrom(900_000_000 + 2 * starter.nextPatient());
    const listed = await starter.journeys.listPatient(listingFor(starter.world, { nhsNumber }), lister);
    if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
  });
  return (performance.now() - started) / 1000;
}

async function startNoops(starter: Starter, n: number, concurrency: number): Promise<number> {
  const started = performance.now();
  await withConcurrency(n, concurrency, async () => {
    await starter.stack.client.workflow.start<typeof benchNoop>('benchNoop', {
      taskQueue: starter.noopQueue,
      workflowId: `bench-noop-${randomUUID()}`,
    });
  });
  return (performance.now() - started) / 1000;
}

const openCount = async (stack: LoadStack) =>
  (await stack.db.select({ n: count() }).from(cases).where(eq(cases.state, 'OPEN_FOR_OFFERS')))[0]!.n;

export function journeysBench(config: BenchConfig, overrides: Partial<JourneysBenchOptions> = {}): BenchGroup {
  const options = { ...DEFAULTS, ...overrides };
  return {
    name: 'journeys',
    async run(log) {
      const cleanup = new Cleanup();
      try {
        const { patients, rounds, concurrency } = options;
        const stack = await startLoadStack(config, 'journeys', cleanup, { poolSize: concurrency + 4 });
        const world = await seedWorld(stack.db);
        const defaults = loadConfig({});
        const taskQueue = `bench-journeys-${randomUUID()}`;
        const workers = await createWorkers({
          connection: stack.workerConnection,
          taskQueue,
          db: stack.workerDb,
          client: stack.client,
          notifications: { ...defaults.notifications, notificationsTaskQueue: `${taskQueue}-notifications` },
        });
        const noopQueue = `bench-noop-${randomUUID()}`;
        const noopWorker = await Worker.create({
          connection: stack.workerConnection,
          taskQueue: noopQueue,
          workflowsPath: require.resolve('./workflows/noop'),
        });
        const running = Promise.all([workers.run(), noopWorker.run()]);
        cleanup.add('the workers', async () => {
          workers.shutdown();
          noopWorker.shutdown();
          await running;
        });
        let patientNumber = 0;
        const starter: Starter = {
          stack,
          world,
          noopQueue,
          journeys: new JourneyClient({
            client: stack.client,
            db: stack.db,
            taskQueue,
            policy: defaults.journeyPolicy,
          }),
          nextPatient: () => (patientNumber += 1),
        };

        await listJourneys(starter, WARM_UP, concurrency);
        await startNoops(starter, WARM_UP, concurrency);
        log(`Warm-up: ${WARM_UP} journeys listed and ${WARM_UP} no-op workflows started (not counted)`);

        // The machine may be shared: the load when the measured rounds start says how far to trust the figures.
        const [loadAverage] = loadavg();
        const perRound = Math.ceil(patients / rounds);
        let journeySeconds = 0;
        let noopSeconds = 0;
        for (let index = 1; index <= rounds; index += 1) {
          const journeysFirst = index % 2 === 1;
          let journeyRound = 0;
          let noopRound = 0;
          if (journeysFirst) journeyRound = await listJourneys(starter, perRound, concurrency);
          noopRound = await startNoops(starter, perRound, concurrency);
          if (!journeysFirst) journeyRound = await listJourneys(starter, perRound, concurrency);
          journeySeconds += journeyRound;
          noopSeconds += noopRound;
          log(
            `Round ${index}/${rounds}: ${perRound} journeys in ${journeyRound.toFixed(1)} s ` +
              `(${Math.round(perRound / journeyRound)}/s), ${perRound} no-op workflows in ${noopRound.toFixed(1)} s ` +
              `(${Math.round(perRound / noopRound)}/s)`,
          );
        }
        const measured = perRound * rounds;
        // Did the worker keep up? Journeys already open for offers when the last listing returned.
        const listedTotal = measured + WARM_UP;
        const openAtEnd = await openCount(stack);
        log(`${openAtEnd} of ${listedTotal} journeys open for offers when the last listing returned`);

        const journeysPerSecond = measured / journeySeconds;
        const noopsPerSecond = measured / noopSeconds;
        const measurement: Measurement = {
          bench: 'journeys.started',
          n: measured,
          concurrency,
          journeys_per_s: Math.round(journeysPerSecond),
          baseline_noop_per_s: Math.round(noopsPerSecond),
          vs_baseline: round(journeysPerSecond / noopsPerSecond),
          journeys_s: round(journeySeconds),
          baseline_s: round(noopSeconds),
          open_at_end: openAtEnd,
          listed: listedTotal,
          load_avg_1m: round(loadAverage!),
        };
        return [measurement];
      } finally {
        await cleanup.run(failuresOnly(log));
      }
    },
  };
}
