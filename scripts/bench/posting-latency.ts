/**
 * Benchmark: end-to-end latency from a capacity posting to the provider's
 * first notification. With open cases already listed, each of several
 * providers posts matching capacity in turn (`CapacityClient.post`, the path
 * the bot and the API take); the clock stops when the provider's
 * NEW_MATCHES_DIGEST, naming the cases its posting could take, has been
 * delivered by the notifier (the outbox write, timed by a notifier wrapped
 * around it). Postings go one at a time, so each is timed on an otherwise
 * quiet system, and each from a provider of its own, so no digest is already
 * waiting out a window or its channel's pacing.
 *
 * The path: update-with-start of the posting workflow, `savePosting`, then
 * `announcePosting` (the matching query and a signal-with-start of the
 * provider's digest), then the digest's batching window, then `notify` on the
 * rate-limited notifications task queue. The batching window dominates: it is
 * set to 1 s here so the run measures everything else, and the measured
 * overhead (latency minus the window) is added to the production default
 * window (NOTIFY_DIGEST_WINDOW, 15 minutes) for the figure a provider would
 * see. The window is the lower bound the ratio is taken against. The channel
 * interval (NOTIFY_CHANNEL_INTERVAL) only delays a provider's later digests,
 * never its first.
 *
 * Real PostgreSQL, a real Temporal dev server and the real workers, in one
 * Node.js process with the load generator.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, eq } from 'drizzle-orm';
import { cases, memberships, organisations, people, sites } from '../../db/schema';
import type { JourneyNotification, Notifier } from '../../domain/notifications';
import type { PostingTermsInput } from '../../domain/posting';
import { as, listingFor, seedWorld, type World } from '../../test/support/fixtures';
import { nhsNumberFrom } from '../../test/support/nhs-numbers';
import { OutboxNotifier } from '../../workflows/activities/outbox-notifier';
import { CapacityClient } from '../../workflows/capacity-client';
import { JourneyClient } from '../../workflows/client';
import { loadConfig, type NotificationSettings } from '../../workflows/config';
import type { ActingAs } from '../../workflows/acting';
import { createWorkers } from '../../workflows/worker';
import { Cleanup } from '../start/cleanup';
import type { BenchConfig } from './config';
import { failuresOnly, startLoadStack, waitUntil, withConcurrency, type LoadStack } from './load-stack';
import { percentile, round } from './stats';
import type { BenchGroup, Measurement } from './types';

export interface PostingLatencyOptions {
  /** Postings timed, each by a provider of its own. */
  postings: number;
  /** Open cases listed before the first posting; every posting matches them all. */
  openCases: number;
  /** The digest's batching window for the run. */
  windowMs: number;
}

const DEFAULTS: PostingLatencyOptions = { postings: 20, openCases: 200, windowMs: 1_000 };
/** A posting before the timed ones, by a provider of its own (not counted). */
const WARM_UP = 1;
const DIGEST_TIMEOUT_MS = 60_000;
const OPEN_TIMEOUT_MS = 120_000;
const LISTING_CONCURRENCY = 16;
const DAY_MS = 86_400_000;

interface Provider {
  organisationId: string;
  siteId: string;
  actingAs: ActingAs;
}

/** Times each provider's first NEW_MATCHES_DIGEST once the notifier it wraps has delivered it. */
class DigestClock implements Notifier {
  private readonly delivered = new Map<string, number>();
  private readonly waiting = new Map<string, (at: number) => void>();

  constructor(private readonly inner: Notifier) {}

  async notify(notification: JourneyNotification, attempt?: Parameters<Notifier['notify']>[1]): Promise<void> {
    await this.inner.notify(notification, attempt);
    const { audience } = notification;
    if (notification.kind !== 'NEW_MATCHES_DIGEST' || audience.kind !== 'ORGANISATION') return;
    if (this.delivered.has(audience.organisationId)) return;
    const at = performance.now();
    this.delivered.set(audience.organisationId, at);
    this.waiting.get(audience.organisationId)?.(at);
  }

  /** When `organisationId`'s first digest was delivered (performance.now()), waiting for it if need be. */
  firstDigest(organisationId: string): Promise<number> {
    const at = this.delivered.get(organisationId);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(organisationId);
        reject(new Error(`No digest reached provider ${organisationId} within ${DIGEST_TIMEOUT_MS / 1000} s`));
      }, DIGEST_TIMEOUT_MS);
      this.waiting.set(organisationId, (delivered) => {
        clearTimeout(timer);
        this.waiting.delete(organisationId);
        resolve(delivered);
      });
    });
  }
}

/** Independent providers around York, each with a site that takes the default listing and a clinician who posts. */
async function seedProviders(stack: LoadStack, n: number): Promise<Provider[]> {
  const { db } = stack;
  const orgs = await db
    .insert(organisations)
    .values(
      Array.from({ length: n }, (_, i) => ({
        odsCode: `NL${String(i).padStart(3, '0')}`,
        name: `Latency provider ${i}`,
        kind: 'INDEPENDENT_PROVIDER' as const,
        region: 'NORTH_EAST_AND_YORKSHIRE' as const,
      })),
    )
    .returning({ id: organisations.id, ods: organisations.odsCode });
  const clinicians = await db
    .insert(people)
    .values(orgs.map((org) => ({ displayName: `${org.ods} clinician` })))
    .returning({ id: people.id });
  await db
    .insert(memberships)
    .values(
      orgs.map((org, i) => ({ personId: clinicians[i]!.id, organisationId: org.id, role: 'CLINICIAN' as const })),
    );
  const siteRows = await db
    .insert(sites)
    .values(
      orgs.map((org, i) => ({
        organisationId: org.id,
        siteCode: `${org.ods}01`,
        name: `${org.ods} hospital`,
        town: 'York',
        postcode: 'YO31 8TA',
        outcode: 'YO31',
        latitude: 53.9 + (i % 10) / 100,
        longitude: -1.1 + Math.floor(i / 10) / 100,
        maxBmi: 45,
        maxAsa: 3,
        hasCriticalCare: false,
      })),
    )
    .returning({ id: sites.id });
  return orgs.map((org, i) => ({
    organisationId: org.id,
    siteId: siteRows[i]!.id,
    actingAs: { personId: clinicians[i]!.id, organisationOds: org.ods, channel: 'CLI' },
  }));
}

/** Hip replacements at the provider's site for the next month: every default listing matches. */
function terms(provider: Provider): PostingTermsInput {
  const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);
  return {
    siteId: provider.siteId,
    specialtyCode: '110',
    careType: 'ADMITTED',
    procedureCodes: ['W37', 'W38'],
    slots: 4,
    availableFrom: day(0),
    availableUntil: day(30),
    maxBmi: 40,
    maxAsa: 3,
    minAge: 18,
    maxAge: 90,
    hasCriticalCare: false,
  };
}

async function listOpenCases(stack: LoadStack, journeys: JourneyClient, world: World, n: number): Promise<void> {
  const lister = as(world.origin, 'coordinator', 'CLI');
  await withConcurrency(n, LISTING_CONCURRENCY, async (i) => {
    const nhsNumber = nhsNumberFrom(800_000_000 + 2 * i);
    const listed = await journeys.listPatient(listingFor(world, { nhsNumber }), lister);
    if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
  });
  await waitUntil(
    `${n} cases open for offers`,
    async () => {
      const [row] = await stack.db.select({ n: count() }).from(cases).where(eq(cases.state, 'OPEN_FOR_OFFERS'));
      return row!.n >= n ? true : undefined;
    },
    { timeoutMs: OPEN_TIMEOUT_MS },
  );
}

interface Sample {
  /** From the call to `post` to its answer (the poster's "posted"). */
  postedMs: number;
  /** From the call to `post` to the provider's first digest delivered. */
  latencyMs: number;
}

async function timePosting(capacity: CapacityClient, clock: DigestClock, provider: Provider): Promise<Sample> {
  const started = performance.now();
  const posted = await capacity.post(terms(provider), provider.actingAs);
  const postedAt = performance.now();
  if (!posted.ok) throw new Error(`Posting refused: ${posted.code} ${posted.message}`);
  const deliveredAt = await clock.firstDigest(provider.organisationId);
  return { postedMs: postedAt - started, latencyMs: deliveredAt - started };
}

export function postingLatencyBench(config: BenchConfig, overrides: Partial<PostingLatencyOptions> = {}): BenchGroup {
  const options = { ...DEFAULTS, ...overrides };
  return {
    name: 'posting-latency',
    async run(log) {
      const cleanup = new Cleanup();
      try {
        const stack = await startLoadStack(config, 'posting', cleanup, { poolSize: LISTING_CONCURRENCY + 4 });
        const world = await seedWorld(stack.db);
        const providers = await seedProviders(stack, options.postings + WARM_UP);
        const defaults = loadConfig({});
        const taskQueue = `bench-posting-${randomUUID()}`;
        const notifications: NotificationSettings = {
          ...defaults.notifications,
          windowMs: options.windowMs,
          notificationsTaskQueue: `${taskQueue}-notifications`,
        };
        const clock = new DigestClock(new OutboxNotifier(stack.workerDb));
        const workers = await createWorkers({
          connection: stack.workerConnection,
          taskQueue,
          db: stack.workerDb,
          client: stack.client,
          notifier: clock,
          notifications,
        });
        const running = workers.run();
        cleanup.add('the workers', async () => {
          workers.shutdown();
          await running;
        });
        const journeys = new JourneyClient({
          client: stack.client,
          db: stack.db,
          taskQueue,
          policy: defaults.journeyPolicy,
        });
        const capacity = new CapacityClient({ client: stack.client, db: stack.db, taskQueue });

        await listOpenCases(stack, journeys, world, options.openCases);
        log(
          `${options.openCases} cases open for offers; digest window ${notifications.windowMs} ms, ` +
            `channel interval ${notifications.channelIntervalMs} ms, ${notifications.maxPerSecond} sends/s`,
        );
        for (const provider of providers.slice(0, WARM_UP)) await timePosting(capacity, clock, provider);

        const samples: Sample[] = [];
        for (const provider of providers.slice(WARM_UP)) samples.push(await timePosting(capacity, clock, provider));
        const latencies = samples.map((s) => s.latencyMs);
        const posted = samples.map((s) => s.postedMs);
        const p50 = percentile(latencies, 50);
        const overheads = latencies.map((ms) => ms - notifications.windowMs);
        log(
          `${samples.length} postings: first digest p50 ${Math.round(p50)} ms, p95 ${Math.round(percentile(latencies, 95))} ms, ` +
            `max ${Math.round(percentile(latencies, 100))} ms; "posted" p50 ${Math.round(percentile(posted, 50))} ms`,
        );
        const productionWindowMs = defaults.notifications.windowMs;
        const measurement: Measurement = {
          bench: 'posting-latency.firstDigest',
          n: samples.length,
          open_cases: options.openCases,
          window_ms: notifications.windowMs,
          channel_interval_ms: notifications.channelIntervalMs,
          p50_ms: round(p50),
          p95_ms: round(percentile(latencies, 95)),
          max_ms: round(percentile(latencies, 100)),
          lower_bound_ms: notifications.windowMs,
          ratio: round(p50 / notifications.windowMs),
          overhead_p50_ms: round(percentile(overheads, 50)),
          overhead_p95_ms: round(percentile(overheads, 95)),
          posted_p50_ms: round(percentile(posted, 50)),
          production_window_ms: productionWindowMs,
          production_p50_ms: Math.round(productionWindowMs + percentile(overheads, 50)),
          production_p95_ms: Math.round(productionWindowMs + percentile(overheads, 95)),
        };
        return [measurement];
      } finally {
        await cleanup.run(failuresOnly(log));
      }
    },
  };
}
