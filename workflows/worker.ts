/**
 * Composition root of the journey worker: connects to Temporal and
 * PostgreSQL, wires the activities and runs until stopped.
 * `npm run worker` runs it against TEMPORAL_ADDRESS and DATABASE_URL.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { openDatabase, type Db } from '../db/client';
import type { Notifier } from '../domain/notifications';
import { createActivities } from './activities';
import { OutboxNotifier } from './activities/outbox-notifier';
import { loadConfig } from './config';

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  notifier?: Notifier;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  const notifier = options.notifier ?? new OutboxNotifier(options.db);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ db: options.db, notifier }),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./index') }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL: the worker needs the mutual-aid database.');
  const database = openDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const codePath = process.env.WORKFLOW_BUNDLE;
  try {
    const worker = await createJourneyWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db: database.db,
      workflowBundle: codePath ? { codePath } : undefined,
    });
    console.log(`Journey worker polling ${config.temporal.taskQueue} on ${config.temporal.address}`);
    await worker.run();
  } finally {
    await connection.close();
    await database.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
