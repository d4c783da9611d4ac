/**
 * `npm start`: the whole service on one machine, with no accounts.
 *
 * Reads its configuration once (here, and only here), provisions the Temporal
 * CLI, PostgreSQL and the Temporal dev server with its UI, starts the journey
 * worker in this process with a console chat client in place of Slack and
 * Teams, seeds the demo world and runs the scripted demo, printing each action
 * and each notification as a chat line. Then it keeps running until Ctrl-C,
 * or with `--once` (MUTUAL_AID_ONCE=1) exits 0 once the demo has ended as
 * expected. Everything started is stopped in reverse order on the way out.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadEnvFile } from '../workflows/config';
import { consoleLine } from '../bot/console/line';
import { openDatabase } from '../db/client';
import { describeReport } from './demo/run-demo';
import { startApp } from './start/app';
import { PLAYGROUND_USER_NAME, startDemoPlayground } from './start/playground';
import { Cleanup } from './start/cleanup';
import { provisionInfrastructure } from './start/infrastructure';
import { readStartConfiguration } from './start/configuration';
import type { StartOptions } from './start/options';

const print = (line: string) => console.log(line);
const log = (text: string) => print(consoleLine(new Date(), 'info', text));
const cleanup = new Cleanup();
let shuttingDown = false;
let firstSignalAt = 0;
/** tsx relays the terminal's Ctrl-C to us as well, so one key press can arrive twice in quick succession. */
const SAME_PRESS_MS = 1500;

/** Ctrl-C (or SIGTERM) at any point stops what has started; pressing it again exits at once. */
function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    if (Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    log(`${signal} again: exiting without waiting.`);
    process.exit(130);
  }
  shuttingDown = true;
  firstSignalAt = Date.now();
  log(`${signal}: stopping the worker, Temporal and PostgreSQL (journeys resume on the next start)...`);
  void cleanup.run(log).then(() => process.exit(0));
}

function describePolicy(options: StartOptions): string {
  const p = options.policy;
  const s = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);
  return (
    `Journey timings: offer window ${s(p.offerWindowMs)}, choice ${s(p.choiceWindowMs)}, ` +
    `approval ${s(p.approvalWindowMs)} (+${s(p.approvalGraceMs)} grace), transfer ${s(p.transferWindowMs)}, ` +
    `reminders ${s(p.reminderBeforeMs)} before, up to ${p.maxRounds} rounds, no offers → ${p.onNoOffers}`
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const uid = userInfo().uid;
  loadEnvFile(resolve(__dirname, '..', '.env'));
  const { options, bot } = readStartConfiguration(process.env, process.argv.slice(2), {
    repoRoot: resolve(__dirname, '..'),
    uid,
  });
  // Errors only, native SDK logs through the same logger, so the transcript stays readable;
  // no SDK signal handling: ours stops everything in order, the SDK's would stop only the worker.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`mutual-aid: starting${options.once ? ' (--once: exits after the demo)' : ''}`);

  const infra = await provisionInfrastructure(options, cleanup, log, uid);
  const database = openDatabase(infra.databaseUrl);
  cleanup.add('database connections', () => database.close());
  const clientConnection = await Connection.connect({ address: infra.temporalAddress });
  cleanup.add('Temporal client connection', () => clientConnection.close());
  const client = new Client({ connection: clientConnection, namespace: options.temporal.namespace });
  const workerConnection = await NativeConnection.connect({ address: infra.temporalAddress });
  cleanup.add('Temporal worker connection', () => workerConnection.close());

  log('Bundling the workflow code and starting the journey worker...');
  const bundling = Date.now();
  const app = await startApp({
    db: database.db,
    client,
    workerConnection,
    namespace: options.temporal.namespace,
    taskQueue: options.temporal.taskQueue,
    policy: options.policy,
    notifications: options.notifications,
    escalation: options.escalation,
    weeklyDigest: options.weeklyDigest,
    patientInitiated: options.patientInitiated,
    print,
    bot,
  });
  cleanup.add('journey worker and chat client', () => app.stop());
  log(`Journey worker polling ${options.temporal.taskQueue} (${((Date.now() - bundling) / 1000).toFixed(1)} s)`);
  if (infra.temporalUiUrl)
    log(`Temporal UI: ${infra.temporalUiUrl}/namespaces/${options.temporal.namespace}/workflows`);
  if (app.bot) log(`Bot HTTP server: ${app.bot.url} (health check at /healthz)`);
  if (app.bot && options.playground && bot.teams?.local) {
    const playground = await startDemoPlayground({
      db: database.db,
      capacity: app.capacity,
      botUrl: app.bot.url,
      port: options.playground.port,
      stateDir: options.paths.stateDir,
      log,
    });
    cleanup.add('Agents Playground', () => playground.stop());
    log(`Teams: the Agents Playground at ${playground.url}: chat with the bot as ${PLAYGROUND_USER_NAME} (try "help")`);
  }
  log(
    bot.slack
      ? `Slack: on, ${bot.slack.appToken ? 'over Socket Mode' : `over HTTP at ${app.bot?.url ?? ''}/slack/events`}`
      : 'Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode; see README)',
  );
  log(describePolicy(options));
  if (options.policy.offerWindowMs > 120_000) {
    log('Note: the demo waits out each offer window; shorten JOURNEY_OFFER_WINDOW to watch journeys move.');
  }
  log(
    `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Running the demo: "act" lines are what staff do, "chat" lines what chat tells them.`,
  );
  print('');

  const workerStopped = app.workerDone.then(() => {
    throw new Error('The journey worker stopped unexpectedly.');
  });
  // On Ctrl-C the demo stops first, while the worker and the connections it uses are still up.
  const interrupt = new AbortController();
  const demo = app.runDemo({ pauseMs: options.pauseMs, signal: interrupt.signal });
  cleanup.add('demo script', async () => {
    interrupt.abort(new Error('interrupted'));
    await demo.catch(() => undefined);
  });
  const report = await Promise.race([demo, workerStopped]);
  if (shuttingDown) return untilStopped();
  print('');
  log(`Demo ${report.ok ? 'complete' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s since start:`);
  for (const line of describeReport(report)) log(`  ${line}`);

  if (options.once) {
    await cleanup.run(log);
    return report.ok ? 0 : 1;
  }
  if (infra.temporalUiUrl) log(`Open the Temporal UI to see each journey's history: ${infra.temporalUiUrl}`);
  log('The worker keeps running and new notifications keep printing. Press Ctrl-C to stop.');
  await workerStopped;
  return 1;
}

/** While the signal handler stops everything and exits, the main flow has nothing more to say. */
function untilStopped(): Promise<never> {
  return new Promise<never>(() => undefined);
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    // A failure caused by our own shutdown is not news: the signal handler exits when done.
    if (shuttingDown) return;
    console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    await cleanup.run(log);
    process.exit(1);
  },
);
