/**
 * What `npm start` runs once its infrastructure is up, given connections it
 * does not own: the journey and notification workers (with the outbox
 * notifier), the daily escalation schedule, the console chat client that
 * prints each notification, and the scripted demo. The smoke test runs
 * exactly this against the test servers.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { BotConfig } from '../../bot/config';
import { startConsoleChat } from '../../bot/console/console-chat';
import { startBotServer, type BotServer } from '../../bot/server';
import { chatNotifiers } from '../../bot/notifiers';
import { allNotifiers } from '../../domain/notifications';
import type { Db } from '../../db/client';
import { OutboxNotifier } from '../../workflows/activities/outbox-notifier';
import { CapacityClient } from '../../workflows/capacity-client';
import { JourneyClient } from '../../workflows/client';
import { loadConfig, type EscalationSettings, type NotificationSettings } from '../../workflows/config';
import type { JourneyPolicy } from '../../workflows/contract';
import { ensureSchedules } from '../../workflows/schedules';
import { createWorkers } from '../../workflows/worker';
import { runDemo, type DemoReport } from '../demo/run-demo';

export interface AppDeps {
  db: Db;
  client: Client;
  workerConnection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  policy: JourneyPolicy;
  /** Defaults: the configuration's defaults, on a notifications task queue beside `taskQueue`. */
  notifications?: NotificationSettings;
  escalation?: EscalationSettings;
  /** The escalation schedule's id; tests give each run its own. */
  scheduleId?: string;
  print: (line: string) => void;
  /** A prebuilt workflow bundle (the tests'); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  chatPollMs?: number;
  /** Starts the bot's HTTP server (and Slack, when configured); absent: console chat only. */
  bot?: BotConfig;
}

export interface App {
  journeys: JourneyClient;
  capacity: CapacityClient;
  /** Runs the scripted demo, then prints every notification it caused before resolving. */
  runDemo(options: { pauseMs: number; signal?: AbortSignal }): Promise<DemoReport>;
  /** Settles when the worker stops; rejects if it fails. */
  readonly workerDone: Promise<void>;
  /** The bot's HTTP server, when `bot` was given. */
  bot?: BotServer;
  /** Stops the worker (letting running tasks finish) and the chat client, printing what is left. */
  stop(): Promise<void>;
}

export async function startApp(deps: AppDeps): Promise<App> {
  const defaults = loadConfig({});
  const notifications = deps.notifications ?? {
    ...defaults.notifications,
    notificationsTaskQueue: `${deps.taskQueue}-notifications`,
  };
  const workers = await createWorkers({
    connection: deps.workerConnection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    db: deps.db,
    client: deps.client,
    notifier: allNotifiers(new OutboxNotifier(deps.db), ...(deps.bot ? chatNotifiers(deps.db, deps.bot) : [])),
    notifications,
    workflowBundle: deps.workflowBundle,
  });
  await ensureSchedules(deps.client, {
    taskQueue: deps.taskQueue,
    notificationsTaskQueue: notifications.notificationsTaskQueue,
    escalation: deps.escalation ?? defaults.escalation,
    scheduleId: deps.scheduleId,
  });
  const workerDone = workers.run();
  const chat = startConsoleChat({ db: deps.db, print: deps.print, pollMs: deps.chatPollMs });
  const journeys = new JourneyClient({
    client: deps.client,
    db: deps.db,
    taskQueue: deps.taskQueue,
    policy: deps.policy,
  });
  const capacity = new CapacityClient({ client: deps.client, db: deps.db, taskQueue: deps.taskQueue });
  const bot =
    deps.bot && (await startBotServer({ db: deps.db, journeys, capacity, policy: deps.policy, config: deps.bot }));
  let stopping: Promise<void> | undefined;

  return {
    journeys,
    capacity,
    bot,
    workerDone,
    async runDemo({ pauseMs, signal }) {
      const report = await runDemo({
        db: deps.db,
        client: deps.client,
        journeys,
        policy: deps.policy,
        print: deps.print,
        pauseMs,
        signal,
      });
      await chat.drain();
      return report;
    },
    stop() {
      stopping ??= (async () => {
        await bot?.close();
        workers.shutdown();
        try {
          await workerDone;
        } finally {
          await chat.drain();
          await chat.stop();
        }
      })();
      return stopping;
    },
  };
}
