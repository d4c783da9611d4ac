/**
 * Everything a journey test needs, against the real servers the global setup
 * started: its own database, a Temporal client, a worker on its own task
 * queue running the bundled workflows, and the seeded world.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { JourneyPolicy } from '../../workflows/contract';
import { JourneyClient } from '../../workflows/client';
import { createJourneyWorker } from '../../workflows/worker';
import { createTestDatabase, type TestDatabase } from './database';
import { seedWorld, type World } from './fixtures';

/** Seconds, not days, so dev-server tests run in real time. Tests override what they exercise. */
export const FAST_POLICY: JourneyPolicy = {
  offerWindowMs: 3_000,
  maxOfferValidityMs: 60_000,
  choiceWindowMs: 30_000,
  approvalWindowMs: 30_000,
  approvalGraceMs: 5_000,
  transferWindowMs: 30_000,
  reminderBeforeMs: 1_000,
  maxRounds: 2,
  onNoOffers: 'RELIST',
};

export interface JourneyEnv {
  database: TestDatabase;
  client: Client;
  connection: NativeConnection;
  taskQueue: string;
  world: World;
  journeys(policy?: Partial<JourneyPolicy>): JourneyClient;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function createJourneyEnv(): Promise<JourneyEnv> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const database = await createTestDatabase(inject('templateDatabaseUrl'));
  const address = inject('temporalAddress');
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `journeys-${randomUUID()}`;
  const world = await seedWorld(database.db);
  const workers: RunningWorker[] = [];

  const startWorker = async (): Promise<RunningWorker> => {
    const worker = await createJourneyWorker({
      connection,
      taskQueue,
      db: database.db,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = worker.run();
    const handle: RunningWorker = {
      worker,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
    workers.push(handle);
    return handle;
  };

  return {
    database,
    client,
    connection,
    taskQueue,
    world,
    journeys: (policy = {}) =>
      new JourneyClient({ client, db: database.db, taskQueue, policy: { ...FAST_POLICY, ...policy } }),
    startWorker,
    async close() {
      for (const worker of workers) await worker.stop();
      await connection.close();
      await clientConnection.close();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value, for waits on timers the journey runs in real time. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
