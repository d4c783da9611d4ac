/**
 * Benchmark: the time to notify every provider (650, as in England) about one
 * newly listed case, from the listing to the last digest in the outbox,
 * against the least time the rate limits allow: one batching window, then
 * 650 sends at the notifications task queue's rate limit (one send per
 * provider channel, so the per-channel pacing does not bind). Real
 * PostgreSQL, a real Temporal dev server and the real workers.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { count, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { capacityPostings, memberships, notificationOutbox, organisations, people, sites } from '../../db/schema';
import { toCalendarDate } from '../../domain/rtt';
import { JourneyClient } from '../../workflows/client';
import { loadConfig, type NotificationSettings } from '../../workflows/config';
import { createWorkers } from '../../workflows/worker';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { benchDatabase } from './bench-database';
import type { BenchConfig } from './config';
import { installQuietRuntime } from './load-stack';
import type { BenchGroup, Measurement } from './types';

const PROVIDERS = 650;

/** 650 providers, each with a site in England and open hip capacity; one origin trust in Leeds. */
async function seed(db: Db, today: string) {
  const [origin] = await db
    .insert(organisations)
    .values({
      odsCode: 'RR8',
      name: 'Leeds Teaching Hospitals NHS Trust',
      kind: 'NHS_TRUST',
      region: 'NORTH_EAST_AND_YORKSHIRE',
    })
    .returning();
  const [coordinator] = await db.insert(people).values({ displayName: 'RR8 coordinator' }).returning();
  const [clinician] = await db.insert(people).values({ displayName: 'RR8 clinician' }).returning();
  await db.insert(memberships).values([
    { personId: coordinator!.id, organisationId: origin!.id, role: 'COORDINATOR' },
    { personId: clinician!.id, organisationId: origin!.id, role: 'CLINICIAN' },
  ]);
  const providers = await db
    .insert(organisations)
    .values(
      Array.from({ length: PROVIDERS }, (_, i) => ({
        odsCode: `P${String(i).padStart(4, '0')}`,
        name: `Provider ${i}`,
        kind: 'INDEPENDENT_PROVIDER' as const,
        region: 'MIDLANDS' as const,
      })),
    )
    .returning({ id: organisations.id });
  const posters = await db
    .insert(people)
    .values(providers.map((_, i) => ({ displayName: `Provider ${i} clinician` })))
    .returning({ id: people.id });
  await db
    .insert(memberships)
    .values(providers.map((p, i) => ({ personId: posters[i]!.id, organisationId: p.id, role: 'CLINICIAN' as const })));
  // Spread across England (52.0–54.0 N, 2.5–0.5 W); the patient will travel anywhere.
  const siteRows = await db
    .insert(sites)
    .values(
      providers.map((p, i) => ({
        organisationId: p.id,
        siteCode: `S${String(i).padStart(4, '0')}`,
        name: `Provider ${i} hospital`,
        town: 'Town',
        postcode: 'LS9 7TF',
        outcode: 'LS9',
        latitude: 52 + (i % 26) / 13,
        longitude: -2.5 + Math.floor(i / 26) / 13,
        maxBmi: 45,
        maxAsa: 3,
        hasCriticalCare: true,
      })),
    )
    .returning({ id: sites.id, organisationId: sites.organisationId });
  const until = toCalendarDate(new Date(Date.parse(today) + 60 * 86_400_000));
  await db.insert(capacityPostings).values(
    siteRows.map((site, i) => ({
      id: randomUUID(),
      organisationId: site.organisationId,
      siteId: site.id,
      specialtyCode: '110',
      careType: 'ADMITTED' as const,
      procedureCodes: ['W37'],
      slots: 5,
      availableFrom: today,
      availableUntil: until,
      maxBmi: 40,
      maxAsa: 3,
      hasCriticalCare: false,
      postedBy: posters[i]!.id,
    })),
  );
  return { coordinator: coordinator!.id, clinician: clinician!.id };
}

export function fanoutBench(config: BenchConfig): BenchGroup {
  return {
    name: 'fanout',
    async run(log) {
      const defaults = loadConfig({});
      installQuietRuntime();
      const target = await benchDatabase(config.databaseUrl, 'fanout');
      const temporal = await startTemporalDevServer();
      const database = openDatabase(target.url, 20);
      const clientConnection = await Connection.connect({ address: temporal.address });
      const workerConnection = await NativeConnection.connect({ address: temporal.address });
      let stopWorkers = (): Promise<void> => Promise.resolve();
      try {
        await runMigrations(target.url);
        const now = new Date();
        const people = await seed(database.db, toCalendarDate(now));
        const client = new Client({ connection: clientConnection });
        const taskQueue = `bench-journeys-${randomUUID()}`;
        // The configured pacing, with a short batching window so the run measures delivery, not waiting.
        const notifications: NotificationSettings = {
          ...defaults.notifications,
          windowMs: 1_000,
          notificationsTaskQueue: `${taskQueue}-notifications`,
        };
        const workers = await createWorkers({
          connection: workerConnection,
          taskQueue,
          db: database.db,
          client,
          notifications,
        });
        const running = workers.run();
        stopWorkers = async () => {
          workers.shutdown();
          await running;
        };
        const journeys = new JourneyClient({ client, db: database.db, taskQueue, policy: defaults.journeyPolicy });
        log(
          `Seeded ${PROVIDERS} providers with open capacity; rate limit ${notifications.maxPerSecond}/s, ` +
            `window ${notifications.windowMs} ms, channel interval ${notifications.channelIntervalMs} ms`,
        );

        const started = performance.now();
        const listed = await journeys.listPatient(
          {
            originOds: 'RR8',
            nhsNumber: '9434765919',
            givenName: 'Bench',
            familyName: 'Patient',
            dateOfBirth: '1961-04-12',
            postcode: 'LS6 2QN',
            localPatientId: 'RR8-BENCH',
            gpPracticeCode: 'B86001',
            referringOrgOds: 'B86001',
            ppid: 'PP00000001',
            ppidIssuerOds: 'RR8',
            specialtyCode: '110',
            procedure: 'Primary total hip replacement',
            opcsCode: 'W37.1',
            careType: 'ADMITTED',
            priority: 'P3',
            rttClockStart: '2025-09-01',
            bmi: 31.5,
            asa: 2,
            needsCriticalCare: false,
            maxTravelMiles: null,
            travelNeeds: [],
            appropriatenessJudgedBy: people.clinician,
          },
          { personId: people.coordinator, organisationOds: 'RR8', channel: 'CLI' },
        );
        if (!listed.ok) throw new Error(`Listing refused: ${JSON.stringify(listed.errors)}`);
        let delivered = 0;
        for (const deadline = Date.now() + 10 * 60_000; delivered < PROVIDERS;) {
          if (Date.now() > deadline)
            throw new Error(`Only ${delivered} of ${PROVIDERS} providers notified in 10 minutes`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const [row] = await database.db
            .select({ n: count() })
            .from(notificationOutbox)
            .where(eq(notificationOutbox.kind, 'NEW_MATCHES_DIGEST'));
          delivered = row?.n ?? 0;
        }
        const elapsedMs = performance.now() - started;
        const lowerBoundMs = notifications.windowMs + (PROVIDERS / notifications.maxPerSecond) * 1000;
        const measurement: Measurement = {
          bench: 'fanout.notifyAllProviders',
          n: PROVIDERS,
          elapsed_ms: Math.round(elapsedMs),
          lower_bound_ms: Math.round(lowerBoundMs),
          ratio: Math.round((elapsedMs / lowerBoundMs) * 100) / 100,
          max_per_second: notifications.maxPerSecond,
          window_ms: notifications.windowMs,
        };
        log(
          `Notified ${PROVIDERS} providers in ${(elapsedMs / 1000).toFixed(1)} s; the rate limits allow ${(lowerBoundMs / 1000).toFixed(1)} s at best`,
        );
        return [measurement];
      } finally {
        await stopWorkers();
        await workerConnection.close();
        await clientConnection.close();
        await database.close();
        await temporal.stop();
        await target.dispose();
      }
    },
  };
}
