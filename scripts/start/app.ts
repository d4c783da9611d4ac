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
import {
  loadConfig,
  type EscalationSettings,
  type NotificationSettings,
  type PatientInitiatedSettings,
  type WeeklyDigestSettings,
} from '../../workflows/config';
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
  weeklyDigest?: WeeklyDigestSettings;
  /** The escalation schedule's id; tests give each run its own. */
  scheduleId?: string;
  print: (line: string) => void;
  /** A prebuilt workflow bundle (the tests'); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  chatPollMs?: number;
  /** Starts the bot's HTTP server (and Slack, when configured); absent: console chat only. */
  bot?: BotConfig;
  /** Patient-initiated requests (on with the bot when it has a patient-link secret); defaults: the national scheme's. */
  patientInitiated?: PatientInitiatedSettings;
  /** Journey timings of the demo's uploaded waiting list; defaults to the production timings, so they stay open. */
  waitingListPolicy?: JourneyPolicy;
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
    weeklyDigest: deps.weeklyDigest ?? defaults.weeklyDigest,
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
  const waitingListJourneys = new JourneyClient({
    client: deps.client,
    db: deps.db,
    taskQueue: deps.taskQueue,
    policy: deps.waitingListPolicy ?? defaults.journeyPolicy,
  });
  const patientInitiated = deps.patientInitiated ?? defaults.patientInitiated;
  const bot =
    deps.bot &&
    (await startBotServer({
      db: deps.db,
      journeys,
      capacity,
      policy: deps.policy,
      config: deps.bot,
      patientInitiated: {
        client: deps.client,
        taskQueue: deps.taskQueue,
        journeyPolicy: deps.policy,
        policy: patientInitiated.policy,
        rules: patientInitiated.rules,
        invitationTtlMs: patientInitiated.invitationTtlMs,
      },
    }));
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
        capacity,
        waitingListJourneys,
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
