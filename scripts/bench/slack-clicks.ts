/**
 * Benchmark: ack latency under 200 concurrent chat clicks, through the real
 * Slack front end (the stack of scripts/bench/slack-offers.ts: the bot's Bolt
 * HTTP receiver with signed requests, the real workers, a fake Slack Web API).
 * The workers run in a child process, as they do in production, so the bot's
 * event loop is shared only with the load generator, the fake Slack and the
 * baseline app. Two kinds of click, 200 at once each, on 200 distinct open
 * cases:
 *
 * - "Not for us" buttons (`block_actions`) from the Sheffield trust's
 *   clinician. Bolt acks a button at once and the work follows, so the ack
 *   measures how long 200 requests queue for the event loop while the
 *   earlier ones' work (a journey Update each) runs beside them. The result
 *   is the ephemeral reply reaching the fake `response_url`; every click must
 *   leave one recorded pass.
 * - "Offer treatment" modal submissions (`view_submission`) from the York
 *   provider's clinician: the first few wait up to the 1.5 s ack budget for
 *   the journey's Update; once the bot is busy (10 in flight) the rest are
 *   acked "Working on it" at once and answered by `views.update`. The
 *   heavier kind. Every submission must leave one LIVE offer.
 *
 * Against the same baseline as the slack group, in the same run: a Bolt app
 * on its own ExpressReceiver that acks both at once, sent the same requests
 * at the same concurrency, alternating which goes first. A warm-up round of
 * 50 of each kind is not counted. Slack gives up on an ack after 3 s; the
 * figures count the acks past it.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { encodeActionValue } from '../../bot/slack/blocks';
import { chatIdentities, providerPasses } from '../../db/schema';
import type { SendOptions, SlackHttpResponse } from '../../test/support/slack/signed-requests';
import { Cleanup } from '../start/cleanup';
import type { BenchConfig } from './config';
import { failuresOnly, installQuietRuntime, sleep } from './load-stack';
import {
  RESULT_TITLE,
  SLACK_ACK_LIMIT_MS,
  TEAM_ID,
  WORKING_TITLE,
  listOpenCases,
  offerSubmission,
  startStack,
  submitToBaseline,
  verifyOffers,
  type AppSample,
  type Stack,
} from './slack-offers';
import { percentile, round } from './stats';
import type { BenchGroup, Measurement } from './types';

export interface ClicksBenchOptions {
  concurrency: number;
  warmUp: number;
}

const DEFAULTS: ClicksBenchOptions = { concurrency: 200, warmUp: 50 };
/** The Sheffield trust's clinician, as Slack names them: they answer "Not for us". */
const PASSER_USER = 'URHQCLINICIAN';
const PROVIDER_CHANNEL = 'CRHQCLINICIANS';
const RESULT_TIMEOUT_MS = 120_000;
/** A late ack is counted, not fatal: requests give up only after this long (the requester's default is 10 s). */
const SEND: SendOptions = { timeoutMs: 60_000 };
/** Lets the listings' follow-on work (announcements, notifications) finish before a round is timed. */
const SETTLE_MS = 2_000;

interface Samples {
  app: AppSample[];
  baseline: number[];
}

interface Click {
  caseRef: string;
  responseId: string;
  send(requester: Stack['app']): Promise<SlackHttpResponse>;
}

/** "Not for us" on the case's card in the provider's channel, as Slack posts the click. */
function notForUsClick(stack: Stack, caseRef: string, label: string, index: number): Click {
  const responseId = `${label}-${index}`;
  const organisationId = stack.world.nhsProvider.id;
  return {
    caseRef,
    responseId,
    send: (requester) =>
      requester.blockAction(
        {
          userId: PASSER_USER,
          actionId: 'NOT_FOR_US:1',
          value: encodeActionValue({ action: 'NOT_FOR_US', ref: { caseRef, organisationId } }),
          channelId: PROVIDER_CHANNEL,
          messageTs: `1767225600.${String(index).padStart(6, '0')}`,
          responseUrl: stack.fake.responseUrl(responseId),
        },
        SEND,
      ),
  };
}

function acked(response: SlackHttpResponse, what: string): void {
  if (response.status !== 200) throw new Error(`${what} was answered HTTP ${response.status}: ${response.body}`);
}

/** The clicks at once; each one's ack, then its reply at the fake `response_url`; then the passes are checked. */
async function clickApp(stack: Stack, clicks: Click[]): Promise<AppSample[]> {
  const sent = await Promise.all(
    clicks.map(async (click) => {
      const sentAt = Date.now();
      const response = await click.send(stack.app);
      acked(response, `"Not for us" on ${click.caseRef}`);
      return { click, sentAt, ackMs: response.elapsedMs };
    }),
  );
  // The fake keeps every call it has had, so replies that came before the wait began count too.
  const ids = new Set(clicks.map((click) => click.responseId));
  const replies = await stack.fake.waitFor((call) => call.method === 'response_url' && ids.has(call.responseId ?? ''), {
    count: clicks.length,
    timeoutMs: RESULT_TIMEOUT_MS,
  });
  const byId = new Map(replies.map((call) => [call.responseId, call]));
  const samples = sent.map(({ click, sentAt, ackMs }) => {
    const reply = byId.get(click.responseId)!;
    if (!JSON.stringify(reply.body).includes('Noted for')) {
      throw new Error(`"Not for us" on ${click.caseRef} was answered: ${JSON.stringify(reply.body).slice(0, 300)}`);
    }
    return { ackMs, resultMs: Math.max(ackMs, reply.at - sentAt), deferred: false };
  });
  const caseRefs = clicks.map((click) => click.caseRef);
  const passes = await stack.db
    .select({ caseRef: providerPasses.caseRef })
    .from(providerPasses)
    .where(
      and(inArray(providerPasses.caseRef, caseRefs), eq(providerPasses.organisationId, stack.world.nhsProvider.id)),
    );
  if (passes.length !== clicks.length) {
    throw new Error(`${clicks.length} "Not for us" clicks left ${passes.length} recorded passes`);
  }
  stack.fake.reset();
  return samples;
}

async function clickBaseline(stack: Stack, clicks: Click[]): Promise<number[]> {
  return Promise.all(
    clicks.map(async (click) => {
      const response = await click.send(stack.baseline);
      acked(response, `"Not for us" on ${click.caseRef} (baseline)`);
      return response.elapsedMs;
    }),
  );
}

/**
 * The submissions at once, each timed like the slack group's (its result is the ack when it says "Offer made",
 * else the `views.update` that follows), with one wait for all the updates rather than one each.
 */
async function submitApp(stack: Stack, caseRefs: string[], label: string): Promise<AppSample[]> {
  const submissions = caseRefs.map((caseRef, i) => offerSubmission(stack.world, caseRef, `V${label}APP${i}`));
  const sent = await Promise.all(
    submissions.map(async (submission) => {
      const sentAt = Date.now();
      const response = await stack.app.viewSubmission(submission.input, SEND);
      acked(response, `The offer for ${submission.caseRef}`);
      const deferred = !response.body.includes(RESULT_TITLE);
      if (deferred && !response.body.includes(WORKING_TITLE)) {
        throw new Error(`The offer for ${submission.caseRef} was refused: ${response.body.slice(0, 300)}`);
      }
      return { submission, sentAt, ackMs: response.elapsedMs, deferred };
    }),
  );
  const waiting = new Set(sent.filter((s) => s.deferred).map((s) => s.submission.viewId));
  const updates =
    waiting.size === 0
      ? []
      : await stack.fake.waitFor((call) => call.method === 'views.update' && waiting.has(String(call.body.view_id)), {
          count: waiting.size,
          timeoutMs: RESULT_TIMEOUT_MS,
        });
  const updateOf = new Map(updates.map((call) => [String(call.body.view_id), call]));
  const samples = sent.map(({ submission, sentAt, ackMs, deferred }) => {
    if (!deferred) return { ackMs, resultMs: ackMs, deferred };
    const update = updateOf.get(submission.viewId)!;
    if (!JSON.stringify(update.body.view).includes(RESULT_TITLE)) {
      throw new Error(`The offer for ${submission.caseRef} ended: ${JSON.stringify(update.body.view).slice(0, 300)}`);
    }
    return { ackMs, resultMs: Math.max(ackMs, update.at - sentAt), deferred };
  });
  await verifyOffers(stack, submissions);
  stack.fake.reset();
  return samples;
}

const submitBaseline = (stack: Stack, caseRefs: string[], label: string) =>
  Promise.all(
    caseRefs.map((caseRef, i) =>
      submitToBaseline(stack, offerSubmission(stack.world, caseRef, `V${label}BASE${i}`), SEND),
    ),
  );

/** One round on fresh cases: the clicks, then the submissions, each to the app and the baseline in the given order. */
async function runRound(stack: Stack, size: number, label: string, appFirst: boolean) {
  const caseRefs = await listOpenCases(stack.journeys, stack.world, size);
  await sleep(SETTLE_MS);
  const appClicks = caseRefs.map((caseRef, i) => notForUsClick(stack, caseRef, `${label}-app`, i));
  const baselineClicks = caseRefs.map((caseRef, i) => notForUsClick(stack, caseRef, `${label}-base`, i));
  const clicks: Samples = { app: [], baseline: [] };
  const offers: Samples = { app: [], baseline: [] };
  if (appFirst) {
    clicks.app = await clickApp(stack, appClicks);
    clicks.baseline = await clickBaseline(stack, baselineClicks);
    offers.app = await submitApp(stack, caseRefs, label);
    offers.baseline = await submitBaseline(stack, caseRefs, label);
  } else {
    clicks.baseline = await clickBaseline(stack, baselineClicks);
    clicks.app = await clickApp(stack, appClicks);
    offers.baseline = await submitBaseline(stack, caseRefs, label);
    offers.app = await submitApp(stack, caseRefs, label);
  }
  return { clicks, offers };
}

const ms = (value: number) => `${Math.round(value)} ms`;

function describe(kind: string, samples: Samples): string {
  const acks = samples.app.map((s) => s.ackMs);
  const results = samples.app.map((s) => s.resultMs);
  const late = acks.filter((ack) => ack >= SLACK_ACK_LIMIT_MS).length;
  return (
    `${kind}: app ack p50 ${ms(percentile(acks, 50))} p99 ${ms(percentile(acks, 99))} (${late} past 3 s), ` +
    `result p50 ${ms(percentile(results, 50))} p99 ${ms(percentile(results, 99))}; ` +
    `baseline ack p50 ${ms(percentile(samples.baseline, 50))} p99 ${ms(percentile(samples.baseline, 99))}`
  );
}

function measurement(bench: string, samples: Samples, concurrency: number): Measurement {
  const acks = samples.app.map((s) => s.ackMs);
  const results = samples.app.map((s) => s.resultMs);
  const ackP99 = percentile(acks, 99);
  const baselineP99 = percentile(samples.baseline, 99);
  return {
    bench,
    n: samples.app.length,
    concurrency,
    ack_p50_ms: round(percentile(acks, 50)),
    ack_p99_ms: round(ackP99),
    ack_max_ms: round(percentile(acks, 100)),
    result_p50_ms: round(percentile(results, 50)),
    result_p99_ms: round(percentile(results, 99)),
    baseline_ack_p50_ms: round(percentile(samples.baseline, 50)),
    baseline_ack_p99_ms: round(baselineP99),
    ack_p99_vs_baseline: round(ackP99 / baselineP99),
    acks_past_3s: acks.filter((ack) => ack >= SLACK_ACK_LIMIT_MS).length,
    baseline_acks_past_3s: samples.baseline.filter((ack) => ack >= SLACK_ACK_LIMIT_MS).length,
    deferred_acks: samples.app.filter((s) => s.deferred).length,
  };
}

export function slackClicksBench(config: BenchConfig, overrides: Partial<ClicksBenchOptions> = {}): BenchGroup {
  const options = { ...DEFAULTS, ...overrides };
  return {
    name: 'clicks',
    async run(log) {
      installQuietRuntime();
      const cleanup = new Cleanup();
      try {
        const stack = await startStack(config, cleanup, { workersInChild: true });
        await stack.db.insert(chatIdentities).values({
          personId: stack.world.nhsProvider.staff.clinician,
          platform: 'SLACK',
          workspaceId: TEAM_ID,
          externalUserId: PASSER_USER,
        });
        log(
          `Bot, baseline Bolt app, workers and fake Slack running; ${options.concurrency} concurrent "Not for us" ` +
            `clicks, then ${options.concurrency} concurrent offer submissions, after a warm-up round of ${options.warmUp}`,
        );
        const warmUp = await runRound(stack, options.warmUp, 'W', false);
        log(`Warm-up (not counted): ${describe('clicks', warmUp.clicks)}; ${describe('offers', warmUp.offers)}`);
        const measured = await runRound(stack, options.concurrency, 'M', true);
        log(describe(`${options.concurrency} "Not for us" clicks`, measured.clicks));
        log(describe(`${options.concurrency} offer submissions`, measured.offers));
        return [
          measurement('clicks.notForUs', measured.clicks, options.concurrency),
          measurement('clicks.offerSubmission', measured.offers, options.concurrency),
        ];
      } finally {
        await cleanup.run(failuresOnly(log));
      }
    },
  };
}
