/**
 * Benchmark: an "Offer treatment" modal submission through the real Slack
 * front end, 50 at a time. From the moment each signed `view_submission` is
 * sent to the bot's HTTP receiver it measures:
 *
 * - the ack: the HTTP response Slack waits for (it gives up after 3 s). The
 *   app waits up to its ack budget (1.5 s by default) for the Workflow
 *   Update, so the ack can carry the result itself, but only while fewer
 *   than 10 submissions are in flight: past that it acks "Working on it";
 * - the result: that ack when it already says "Offer made", otherwise the
 *   `views.update` replacing the "Working on it" view, timed when the fake
 *   Slack Web API receives it.
 *
 * Why the comparison is fair: the baseline is a minimal Bolt app on its own
 * ExpressReceiver (same signing secret, same payloads, same concurrency)
 * whose view listener acks at once, i.e. what Express, Bolt, the signature
 * check and the loopback round trip cost by themselves. Both run in the same
 * run, round by round, alternating which goes first, after a warm-up round of
 * each that is not counted, so machine noise and JIT warm-up fall on both.
 * The load generator, the bot, the workers and the fake Slack share one
 * Node.js process, which inflates both sides' absolute figures alike.
 *
 * Real PostgreSQL (a throwaway cluster, migrated), a real Temporal dev
 * server, the real journey and notification workers (outbox notifier, no
 * channels linked) and the real bot server; only Slack's Web API is faked.
 * Every submission must leave exactly one LIVE offer, named by its view, or
 * the benchmark fails. Dev tooling: it reuses the test world, the fake Slack
 * and the signing requester from test/support.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import { retryPolicies } from '@slack/web-api';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import express, { type Express } from 'express';
import { uuidFrom } from '../../bot/core/chat-handlers';
import { validityOptions } from '../../bot/core/forms';
import { startBotServer } from '../../bot/server';
import { ACTION_ID_PATTERN, encodeFormContext } from '../../bot/slack/blocks';
import { SLACK_EVENTS_PATH } from '../../bot/slack/slack-app';
import { openDatabase, type Db } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { chatIdentities, offers } from '../../db/schema';
import { as, listingFor, seedWorld, type World } from '../../test/support/fixtures';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../../test/support/slack/fake-slack';
import {
  SlackRequester,
  stateValue,
  type SendOptions,
  type SlackHttpResponse,
  type ViewSubmissionInput,
} from '../../test/support/slack/signed-requests';
import { CapacityClient } from '../../workflows/capacity-client';
import { JourneyClient } from '../../workflows/client';
import { loadConfig } from '../../workflows/config';
import type { JourneyPolicy } from '../../workflows/contract';
import { createWorkers } from '../../workflows/worker';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { Cleanup } from '../start/cleanup';
import { benchDatabase } from './bench-database';
import type { BenchConfig } from './config';
import { installQuietRuntime } from './load-stack';
import { percentile, round } from './stats';
import type { BenchGroup, Measurement } from './types';
import { startWorkerProcess } from './worker-process';

const CONCURRENCY = 50;
const MEASURED_ROUNDS = 4;
/** Slack shows the user an error when an interaction is not acked within 3 seconds. */
export const SLACK_ACK_LIMIT_MS = 3_000;
const RESULT_TIMEOUT_MS = 60_000;
const OPEN_TIMEOUT_MS = 60_000;
/** Lets the listings' follow-on work (announcements, notifications) finish before a round is timed. */
const SETTLE_MS = 1_000;
const DAY_MS = 86_400_000;

export const TEAM_ID = 'T0BENCH';
const SIGNING_SECRET = 'bench-signing-secret-5e1c7a9b3d2f';
const BOT_TOKEN = 'xoxb-bench-bot-token';
const BOT_USER = 'UBOT';
/** The independent provider's clinician, as Slack names them. */
const CLINICIAN_USER = 'UNT2CLINICIAN';
/** Every input element's action id in the bot's modals (bot/slack/blocks.ts). */
const INPUT_ACTION_ID = 'value';
export const RESULT_TITLE = 'Offer made';
export const WORKING_TITLE = 'Working on it';

/** The configured policy with an hour-long offer window, so no round's cases move on while it runs. */
const POLICY: JourneyPolicy = {
  ...loadConfig({}).journeyPolicy,
  offerWindowMs: 3_600_000,
  maxOfferValidityMs: 21 * DAY_MS,
};
/** How long the offer stays open: the form's own default choice, in days. */
const VALID_FOR = defaultValidity(POLICY.maxOfferValidityMs);

export interface Stack {
  world: World;
  journeys: JourneyClient;
  db: Db;
  fake: FakeSlack;
  app: SlackRequester;
  baseline: SlackRequester;
}

export interface AppSample {
  ackMs: number;
  resultMs: number;
  /** Acked with "Working on it": the result came later by `views.update`. */
  deferred: boolean;
}

export interface Submission {
  caseRef: string;
  viewId: string;
  input: ViewSubmissionInput;
}

interface RoundSamples {
  app: AppSample[];
  baseline: number[];
}

/** The option `offerForm` (bot/core/forms.ts) preselects. */
function defaultValidity(maxOfferValidityMs: number): { value: string; label: string } {
  const options = validityOptions(maxOfferValidityMs);
  return options[Math.min(2, options.length - 1)]!;
}

// ─── The stack ────────────────────────────────────────────────────────────────

export interface StackOptions {
  /**
   * Run the workers in a child process (workflows/worker.ts, as in production) instead of in this one,
   * so the bot's event loop is the bot's alone: the clicks group's 200 at once would otherwise measure
   * the workers' activities as much as the bot.
   */
  workersInChild?: boolean;
}

/** Database, Temporal, workers, fake Slack, the bot and the baseline app; each is stopped by `cleanup`. */
export async function startStack(config: BenchConfig, cleanup: Cleanup, options: StackOptions = {}): Promise<Stack> {
  const target = await benchDatabase(config.databaseUrl, 'slack');
  cleanup.add('the benchmark database', () => target.dispose());
  await runMigrations(target.url);
  const temporal = await startTemporalDevServer();
  cleanup.add('the Temporal dev server', () => temporal.stop());
  // The bot and the workers run as separate processes in production, each with a pool of its own.
  const botDatabase = openDatabase(target.url);
  cleanup.add("the bot's database pool", () => botDatabase.close());
  const clientConnection = await Connection.connect({ address: temporal.address });
  cleanup.add('the Temporal client connection', () => clientConnection.close());

  const db = botDatabase.db;
  const world = await seedWorld(db);
  await db.insert(chatIdentities).values({
    personId: world.independent.staff.clinician,
    platform: 'SLACK',
    workspaceId: TEAM_ID,
    externalUserId: CLINICIAN_USER,
  });
  const client = new Client({ connection: clientConnection });
  const taskQueue = `bench-slack-${randomUUID()}`;
  if (options.workersInChild) {
    const worker = await startWorkerProcess({ temporalAddress: temporal.address, databaseUrl: target.url, taskQueue });
    cleanup.add('the worker process', () => worker.stop());
  } else {
    const workerDatabase = openDatabase(target.url);
    cleanup.add("the workers' database pool", () => workerDatabase.close());
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    cleanup.add('the Temporal worker connection', () => workerConnection.close());
    const workers = await createWorkers({
      connection: workerConnection,
      taskQueue,
      db: workerDatabase.db,
      client,
      notifications: { ...loadConfig({}).notifications, notificationsTaskQueue: `${taskQueue}-notifications` },
    });
    const running = workers.run();
    cleanup.add('the workers', async () => {
      workers.shutdown();
      await running;
    });
  }

  const fake = await startFakeSlack({ teamId: TEAM_ID });
  cleanup.add('the fake Slack Web API', () => fake.close());
  const journeys = new JourneyClient({ client, db, taskQueue, policy: POLICY });
  const bot = await startBotServer({
    db,
    journeys,
    capacity: new CapacityClient({ client, db, taskQueue }),
    policy: POLICY,
    host: '127.0.0.1',
    config: { httpPort: 0, slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: fake.url } },
    slack: { botUserId: BOT_USER, retryConfig: retryPolicies.rapidRetryPolicy, logLevel: LogLevel.ERROR },
  });
  cleanup.add('the bot server', () => bot.close());
  const baseline = await startBaselineApp(fake.url);
  cleanup.add('the baseline Bolt app', () => baseline.close());
  return { world, journeys, db, fake, app: requesterFor(bot.url), baseline: requesterFor(baseline.url) };
}

/** A Bolt app that does nothing but ack the offer modal and the buttons: the cost of the HTTP and Bolt stack alone. */
async function startBaselineApp(slackApiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const http = express();
  const receiver = new ExpressReceiver({
    signingSecret: SIGNING_SECRET,
    endpoints: SLACK_EVENTS_PATH,
    app: http,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: BOT_TOKEN,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl },
    botUserId: BOT_USER,
    botId: BOT_USER,
  });
  app.view('OFFER', async ({ ack }) => {
    await ack();
  });
  app.action(ACTION_ID_PATTERN, async ({ ack }) => {
    await ack();
  });
  const server = await listenOnFreePort(http);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listenOnFreePort(http: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = http.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}

const requesterFor = (baseUrl: string) =>
  new SlackRequester({ url: `${baseUrl}${SLACK_EVENTS_PATH}`, signingSecret: SIGNING_SECRET, teamId: TEAM_ID });

// ─── One round ────────────────────────────────────────────────────────────────

/** Lists `count` patients at once and waits until every journey takes offers. */
export async function listOpenCases(journeys: JourneyClient, world: World, count: number): Promise<string[]> {
  const caseRefs = await Promise.all(
    Array.from({ length: count }, async () => {
      const listed = await journeys.listPatient(listingFor(world), as(world.origin, 'coordinator'));
      if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
      return listed.caseRef;
    }),
  );
  await Promise.all(caseRefs.map((caseRef) => waitOpenForOffers(journeys, caseRef)));
  return caseRefs;
}

async function waitOpenForOffers(journeys: JourneyClient, caseRef: string): Promise<void> {
  for (const deadline = Date.now() + OPEN_TIMEOUT_MS; ;) {
    const status = await journeys.status(caseRef);
    if (status.ok && status.value.state === 'OPEN_FOR_OFFERS') return;
    if (Date.now() > deadline) throw new Error(`${caseRef} was not open for offers within ${OPEN_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

/** The offer modal as the independent provider's clinician fills it in: their site, two weeks ahead. */
export function offerSubmission(world: World, caseRef: string, viewId: string): Submission {
  const proposedDate = new Date(Date.now() + 14 * DAY_MS).toISOString().slice(0, 10);
  const input: ViewSubmissionInput = {
    userId: CLINICIAN_USER,
    callbackId: 'OFFER',
    viewId,
    privateMetadata: encodeFormContext({ caseRef, organisationId: world.independent.id, openedFor: CLINICIAN_USER }),
    values: {
      siteId: { [INPUT_ACTION_ID]: stateValue.select(world.independent.siteId) },
      proposedDate: { [INPUT_ACTION_ID]: stateValue.date(proposedDate) },
      validFor: { [INPUT_ACTION_ID]: stateValue.select(VALID_FOR.value, VALID_FOR.label) },
      clinicalTeam: { [INPUT_ACTION_ID]: stateValue.text('NT2 arthroplasty team') },
      notes: { [INPUT_ACTION_ID]: stateValue.text(null) },
    },
  };
  return { caseRef, viewId, input };
}

/** One submission to the bot: its ack, and its result from the ack or from the later `views.update`. */
export async function submitToApp(stack: Stack, submission: Submission, options?: SendOptions): Promise<AppSample> {
  const startedAt = Date.now();
  const response = await stack.app.viewSubmission(submission.input, options);
  const ack = answered(response, submission);
  if (ack.includes(RESULT_TITLE)) return { ackMs: response.elapsedMs, resultMs: response.elapsedMs, deferred: false };
  if (!ack.includes(WORKING_TITLE)) {
    throw new Error(`Submission ${submission.viewId} for ${submission.caseRef} was refused: ${ack.slice(0, 300)}`);
  }
  const [update] = await stack.fake.waitFor(viewUpdateOf(submission.viewId), { timeoutMs: RESULT_TIMEOUT_MS });
  const result = JSON.stringify(update!.body.view);
  if (!result.includes(RESULT_TITLE)) {
    throw new Error(`Submission ${submission.viewId} for ${submission.caseRef} ended: ${result.slice(0, 300)}`);
  }
  return { ackMs: response.elapsedMs, resultMs: Math.max(response.elapsedMs, update!.at - startedAt), deferred: true };
}

const viewUpdateOf =
  (viewId: string) =>
  (call: RecordedCall): boolean =>
    call.method === 'views.update' && call.body.view_id === viewId;

/** The ack's body; anything but HTTP 200 fails the benchmark. */
function answered(response: SlackHttpResponse, submission: Submission): string {
  if (response.status !== 200) {
    throw new Error(`Submission ${submission.viewId} was answered HTTP ${response.status}: ${response.body}`);
  }
  return response.body;
}

export async function submitToBaseline(stack: Stack, submission: Submission, options?: SendOptions): Promise<number> {
  const response = await stack.baseline.viewSubmission(submission.input, options);
  answered(response, submission);
  return response.elapsedMs;
}

/** Each submission left exactly one LIVE offer on its case: the provider's, with the id its view names. */
export async function verifyOffers(stack: Stack, submissions: Submission[]): Promise<void> {
  const caseRefs = submissions.map((submission) => submission.caseRef);
  const live = await stack.db
    .select({ id: offers.id, caseRef: offers.caseRef, providerOrgId: offers.providerOrgId })
    .from(offers)
    .where(and(inArray(offers.caseRef, caseRefs), eq(offers.status, 'LIVE')));
  const problems = submissions.flatMap((submission) => {
    const found = live.filter((offer) => offer.caseRef === submission.caseRef);
    const expectedId = uuidFrom(`slack-view:${submission.viewId}`);
    const right = found.length === 1 && found[0]!.id === expectedId;
    const fromProvider = found[0]?.providerOrgId === stack.world.independent.id;
    return right && fromProvider ? [] : [`${submission.caseRef}: ${found.length} live offer(s)`];
  });
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} of ${submissions.length} submissions did not leave exactly one LIVE offer: ` +
        problems.slice(0, 5).join('; '),
    );
  }
}

async function appRound(stack: Stack, submissions: Submission[]): Promise<AppSample[]> {
  const samples = await Promise.all(submissions.map((submission) => submitToApp(stack, submission)));
  await verifyOffers(stack, submissions);
  stack.fake.reset();
  return samples;
}

const baselineRound = (stack: Stack, submissions: Submission[]): Promise<number[]> =>
  Promise.all(submissions.map((submission) => submitToBaseline(stack, submission)));

/** Lists fresh cases, then sends the same 50 submissions to the app and to the baseline, in the given order. */
async function runRound(stack: Stack, index: number, appFirst: boolean): Promise<RoundSamples> {
  const caseRefs = await listOpenCases(stack.journeys, stack.world, CONCURRENCY);
  await sleep(SETTLE_MS);
  const toApp = caseRefs.map((caseRef, i) => offerSubmission(stack.world, caseRef, `VAPP${index}N${i}`));
  const toBaseline = caseRefs.map((caseRef, i) => offerSubmission(stack.world, caseRef, `VBASE${index}N${i}`));
  if (appFirst) {
    const app = await appRound(stack, toApp);
    return { app, baseline: await baselineRound(stack, toBaseline) };
  }
  const baseline = await baselineRound(stack, toBaseline);
  return { app: await appRound(stack, toApp), baseline };
}

// ─── Rounds and figures ───────────────────────────────────────────────────────

/** A warm-up round, then the measured ones, alternating whether the app or the baseline goes first. */
async function runRounds(stack: Stack, log: (line: string) => void): Promise<RoundSamples> {
  const all: RoundSamples = { app: [], baseline: [] };
  for (let index = 0; index <= MEASURED_ROUNDS; index += 1) {
    const samples = await runRound(stack, index, index % 2 === 0);
    const label = index === 0 ? 'Warm-up round (not counted)' : `Round ${index}/${MEASURED_ROUNDS}`;
    log(`${label}: ${describe(samples)}`);
    if (index === 0) continue;
    all.app.push(...samples.app);
    all.baseline.push(...samples.baseline);
  }
  return all;
}

const ms = (value: number) => `${Math.round(value)} ms`;

function describe(samples: RoundSamples): string {
  const acks = samples.app.map((s) => s.ackMs);
  const results = samples.app.map((s) => s.resultMs);
  const deferred = samples.app.filter((s) => s.deferred).length;
  return (
    `app ack p50 ${ms(percentile(acks, 50))} p99 ${ms(percentile(acks, 99))}, ` +
    `result p50 ${ms(percentile(results, 50))} p99 ${ms(percentile(results, 99))} (${deferred} deferred); ` +
    `baseline ack p50 ${ms(percentile(samples.baseline, 50))} p99 ${ms(percentile(samples.baseline, 99))}`
  );
}

function measurement(samples: RoundSamples): Measurement {
  const acks = samples.app.map((s) => s.ackMs);
  const results = samples.app.map((s) => s.resultMs);
  const ackP99 = percentile(acks, 99);
  const baselineP99 = percentile(samples.baseline, 99);
  return {
    bench: 'slack.offerSubmission',
    n: samples.app.length,
    concurrency: CONCURRENCY,
    ack_p50_ms: round(percentile(acks, 50)),
    ack_p99_ms: round(ackP99),
    result_p50_ms: round(percentile(results, 50)),
    result_p99_ms: round(percentile(results, 99)),
    baseline_ack_p50_ms: round(percentile(samples.baseline, 50)),
    baseline_ack_p99_ms: round(baselineP99),
    ack_p99_vs_baseline: round(ackP99 / baselineP99),
    deferred_acks: samples.app.filter((s) => s.deferred).length,
    within_3s: acks.every((ack) => ack < SLACK_ACK_LIMIT_MS),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function slackOffersBench(config: BenchConfig): BenchGroup {
  return {
    name: 'slack',
    async run(log) {
      installQuietRuntime();
      const cleanup = new Cleanup();
      try {
        const stack = await startStack(config, cleanup);
        log(
          `Bot, baseline Bolt app, workers and fake Slack running; ${MEASURED_ROUNDS} rounds of ` +
            `${CONCURRENCY} concurrent offer submissions after a warm-up round`,
        );
        const samples = await runRounds(stack, log);
        log(`All ${samples.app.length} submissions: ${describe(samples)}`);
        return [measurement(samples)];
      } finally {
        // Only a step that fails to stop is worth a line.
        await cleanup.run((line) => {
          if (!line.startsWith('Stopped ')) log(line);
        });
      }
    },
  };
}
