/**
 * What `npm start` runs once its infrastructure is up, given connections it
 * does not own: the journey worker (with the outbox notifier), the console
 * chat client that prints each notification, and the scripted demo. The
 * smoke test runs exactly this against the test servers.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { startConsoleChat } from '../../bot/console/console-chat';
import type { Db } from '../../db/client';
import { OutboxNotifier } from '../../workflows/activities/outbox-notifier';
import { JourneyClient } from '../../workflows/client';
import type { JourneyPolicy } from '../../workflows/contract';
import { createJourneyWorker } from '../../workflows/worker';
import { runDemo, type DemoReport } from '../demo/run-demo';

export interface AppDeps {
  db: Db;
  client: Client;
  workerConnection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  policy: JourneyPolicy;
  print: (line: string) => void;
  /** A prebuilt workflow bundle (the tests'); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  chatPollMs?: number;
}

export interface App {
  journeys: JourneyClient;
  /** Runs the scripted demo, then prints every notification it caused before resolving. */
  runDemo(options: { pauseMs: number; signal?: AbortSignal }): Promise<DemoReport>;
  /** Settles when the worker stops; rejects if it fails. */
  readonly workerDone: Promise<void>;
  /** Stops the worker (letting running tasks finish) and the chat client, printing what is left. */
  stop(): Promise<void>;
}

export async function startApp(deps: AppDeps): Promise<App> {
  const worker = await createJourneyWorker({
    connection: deps.workerConnection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    db: deps.db,
    notifier: new OutboxNotifier(deps.db),
    workflowBundle: deps.workflowBundle,
  });
  const workerDone = worker.run();
  const chat = startConsoleChat({ db: deps.db, print: deps.print, pollMs: deps.chatPollMs });
  const journeys = new JourneyClient({
    client: deps.client,
    db: deps.db,
    taskQueue: deps.taskQueue,
    policy: deps.policy,
  });
  let stopping: Promise<void> | undefined;

  return {
    journeys,
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
        if (worker.getState() === 'RUNNING') worker.shutdown();
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
