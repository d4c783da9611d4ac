/**
 * Everything a journey test needs, against the real servers the global setup
 * started: its own database, a Temporal client, the two workers (journeys and
 * notifications) on task queues of its own running the bundled workflows, and
 * the seeded world.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Notifier } from '../../domain/notifications';
import { CapacityClient } from '../../workflows/capacity-client';
import type { NotificationSettings } from '../../workflows/config';
import type { JourneyPolicy } from '../../workflows/contract';
import { JourneyClient } from '../../workflows/client';
import { createWorkers, DEFAULT_NOTIFICATION_SETTINGS } from '../../workflows/worker';
import { OutboxNotifier } from '../../workflows/activities/outbox-notifier';
import { createTestDatabase, useTestDatabase, type TestDatabase } from './database';
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

/** Notifications in tests: sent at once unless a test exercises the window or the pacing. */
export const FAST_NOTIFICATIONS: Omit<NotificationSettings, 'notificationsTaskQueue'> = {
  ...DEFAULT_NOTIFICATION_SETTINGS,
  windowMs: 200,
  channelIntervalMs: 200,
};

export interface JourneyEnvOptions {
  notifications?: Partial<Omit<NotificationSettings, 'notificationsTaskQueue'>>;
  /** Replaces the outbox notifier (which still receives what it passes on, if it wraps one). */
  notifier?: (outbox: Notifier) => Notifier;
  /** A Temporal server of the test's own, instead of the one the global setup started. */
  temporalAddress?: string;
  /** A migrated database of the test's own, used as it is (and not dropped) instead of a clone of the template. */
  databaseUrl?: string;
}

export interface JourneyEnv {
  database: TestDatabase;
  client: Client;
  connection: NativeConnection;
  taskQueue: string;
  notifications: NotificationSettings;
  world: World;
  journeys(policy?: Partial<JourneyPolicy>): JourneyClient;
  capacity(): CapacityClient;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  /** The journeys worker; the notifications worker runs and stops beside it. */
  worker: Worker;
  notificationWorker: Worker;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function createJourneyEnv(options: JourneyEnvOptions = {}): Promise<JourneyEnv> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const database = options.databaseUrl
    ? useTestDatabase(options.databaseUrl)
    : await createTestDatabase(inject('templateDatabaseUrl'));
  const address = options.temporalAddress ?? inject('temporalAddress');
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `journeys-${randomUUID()}`;
  const notifications: NotificationSettings = {
    ...FAST_NOTIFICATIONS,
    ...options.notifications,
    notificationsTaskQueue: `${taskQueue}-notifications`,
  };
  const world = await seedWorld(database.db);
  const workers: RunningWorker[] = [];

  const startWorker = async (): Promise<RunningWorker> => {
    const outbox = new OutboxNotifier(database.db);
    const both = await createWorkers({
      connection,
      taskQueue,
      db: database.db,
      client,
      notifier: options.notifier ? options.notifier(outbox) : outbox,
      notifications,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = both.run();
    const handle: RunningWorker = {
      worker: both.journeys,
      notificationWorker: both.notifications,
      async stop() {
        both.shutdown();
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
    notifications,
    world,
    journeys: (policy = {}) =>
      new JourneyClient({ client, db: database.db, taskQueue, policy: { ...FAST_POLICY, ...policy } }),
    capacity: () => new CapacityClient({ client, db: database.db, taskQueue }),
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
