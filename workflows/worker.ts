/**
 * Composition root of the workers: connects to Temporal and PostgreSQL, wires
 * the activities, ensures the schedules and runs until stopped. Two workers
 * share one process and one connection:
 *
 * - the journeys task queue: every workflow, and the activities that write
 *   the database or fan notifications out;
 * - the notifications task queue: the sends only, under Temporal's
 *   task-queue rate limit (`maxTaskQueueActivitiesPerSecond`), so the pace
 *   to Slack and Teams holds across all workers.
 *
 * `npm run worker` runs it against TEMPORAL_ADDRESS and DATABASE_URL.
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { openDatabase, type Db } from '../db/client';
import { allNotifiers, type Notifier } from '../domain/notifications';
import { createActivities, createNotificationActivities, type DigestStarter, type JourneyStarter } from './activities';
import { OutboxNotifier } from './activities/outbox-notifier';
import { loadBotConfig } from '../bot/config';
import { chatNotifiers } from '../bot/notifiers';
import { loadConfig, loadEnvFile, type NotificationSettings } from './config';
import { digestWorkflowId, newMatchesSignal, type CaseMatch, type ProviderDigestInput } from './contract';
import type { providerDigest } from './notifications/provider-digest';
import { startJourney } from './journey-start';
import { ensureSchedules } from './schedules';

/** Defaults for code that does not read the configuration (tests override what they exercise). */
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = loadConfig({}).notifications;

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  /** Starts and signals provider digests from the fan-out activities. */
  client: Client;
  notifier?: Notifier;
  notifications?: NotificationSettings;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Signal-with-start of an organisation's digest workflow on the journeys task queue. */
export function digestStarter(client: Client, taskQueue: string, settings: NotificationSettings): DigestStarter {
  const digest: ProviderDigestInput['settings'] = {
    windowMs: settings.windowMs,
    channelIntervalMs: settings.channelIntervalMs,
    notificationsTaskQueue: settings.notificationsTaskQueue,
  };
  return {
    async addMatches(organisationId, matches) {
      await client.workflow.signalWithStart<typeof providerDigest, [CaseMatch[]]>('providerDigest', {
        workflowId: digestWorkflowId(organisationId),
        taskQueue,
        args: [{ organisationId, settings: digest }],
        signal: newMatchesSignal,
        signalArgs: [matches],
      });
    },
  };
}

/** Starts journeys on the journeys task queue, each once (an upload's batches, workflows/bulk-listing.ts). */
export function journeyStarter(client: Client, taskQueue: string): JourneyStarter {
  return {
    async start(input) {
      try {
        await startJourney(client, taskQueue, input);
        return true;
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw error;
      }
    },
  };
}

export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  const notifier = options.notifier ?? new OutboxNotifier(options.db);
  const settings = options.notifications ?? DEFAULT_NOTIFICATION_SETTINGS;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      db: options.db,
      notifier,
      digests: digestStarter(options.client, options.taskQueue, settings),
      journeys: journeyStarter(options.client, options.taskQueue),
      notifyMaxAttempts: settings.maxAttempts,
    }),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./index') }),
  });
}

export function createNotificationWorker(
  options: Pick<JourneyWorkerOptions, 'connection' | 'namespace' | 'db' | 'notifier' | 'notifications'>,
): Promise<Worker> {
  const settings = options.notifications ?? DEFAULT_NOTIFICATION_SETTINGS;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: settings.notificationsTaskQueue,
    activities: createNotificationActivities({
      notifier: options.notifier ?? new OutboxNotifier(options.db),
      notifyMaxAttempts: settings.maxAttempts,
    }),
    // Temporal's task-queue rate limit: enforced by the server for every worker polling this queue.
    maxTaskQueueActivitiesPerSecond: settings.maxPerSecond,
  });
}

export interface Workers {
  journeys: Worker;
  notifications: Worker;
  /** Runs both until both stop; if one fails, the other is shut down. */
  run(): Promise<void>;
  shutdown(): void;
}

/** Both workers, from one set of options. */
export async function createWorkers(options: JourneyWorkerOptions): Promise<Workers> {
  const journeys = await createJourneyWorker(options);
  const notifications = await createNotificationWorker(options);
  const shutdown = () => {
    for (const worker of [journeys, notifications]) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    journeys,
    notifications,
    shutdown,
    async run() {
      const runs = [journeys.run(), notifications.run()].map((run) =>
        run.catch((error: unknown) => {
          shutdown();
          throw error;
        }),
      );
      const results = await Promise.allSettled(runs);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL: the worker needs the mutual-aid database.');
  const database = openDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const codePath = process.env.WORKFLOW_BUNDLE;
  const chat = loadBotConfig();
  const notifier = allNotifiers(new OutboxNotifier(database.db), ...chatNotifiers(database.db, chat));
  try {
    const workers = await createWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db: database.db,
      client,
      notifications: config.notifications,
      notifier,
      workflowBundle: codePath ? { codePath } : undefined,
    });
    await ensureSchedules(client, {
      taskQueue: config.temporal.taskQueue,
      notificationsTaskQueue: config.notifications.notificationsTaskQueue,
      escalation: config.escalation,
      weeklyDigest: config.weeklyDigest,
    });
    console.log(
      `Journey worker polling ${config.temporal.taskQueue}, notification worker polling ${config.notifications.notificationsTaskQueue} on ${config.temporal.address}`,
    );
    await workers.run();
  } finally {
    await clientConnection.close();
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
