/**
 * PostgreSQL stops mid-journey and starts again on the same data directory
 * and port. While it is down, an Update whose sender cannot reach the
 * database is refused, an Update whose step was half-way through its
 * transaction times out for its sender and leaves nothing half-written, and
 * the journeys' steps fail and are retried by Temporal; once it is back,
 * every step lands, every journey completes and every row is written once.
 * The cluster is this file's own, so stopping it disturbs no other test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../db/migrate';
import { freePort } from '../../scripts/infra/free-port';
import { startPostgresCluster, type PostgresCluster } from '../../scripts/infra/postgres-cluster';
import type { JourneyPolicy } from '../../workflows/contract';
import { as } from '../support/fixtures';
import { outcomeOf } from '../support/journey-assertions';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { offerFrom, waitForState } from '../support/journey-helpers';
import { journeyRecord, kinds, transferredRecord } from '../support/journey-record';
import {
  acceptAndTransfer,
  expectOk,
  listWithOffers,
  LONG_OFFER,
  LONG_WAIT_MS,
  LONG_WAITS_AFTER_OFFERS,
  toAwaitingApproval,
} from '../support/journey-stages';

/** A throwaway cluster, but one that keeps its data directory when stopped, to be started again on it. */
const THROWAWAY = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

describe('journeys across a restart of PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutual-aid-pg-restart-'));
  let port: number;
  let cluster: PostgresCluster | undefined;
  let env: JourneyEnv | undefined;
  let lock: pg.Client | undefined;

  const startCluster = async () => {
    cluster = await startPostgresCluster({ dir, port, settings: THROWAWAY });
  };

  beforeAll(async () => {
    port = await freePort();
    await startCluster();
    await runMigrations(cluster!.url);
    env = await createJourneyEnv({ databaseUrl: cluster!.url });
    await env.startWorker();
  });
  afterAll(async () => {
    try {
      await lock?.end().catch(() => undefined);
      // The worker drains against a running database.
      if (!cluster) await startCluster();
      await env?.close();
    } finally {
      await cluster?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The journey's activities still to finish, with the attempt each is on and why the last one failed. */
  const pendingSteps = async (caseRef: string) => {
    const described = await env!.client.workflow.getHandle(caseRef).describe();
    return (described.raw.pendingActivities ?? []).map((activity) => ({
      name: activity.activityType?.name ?? '',
      attempt: activity.attempt ?? 0,
      lastFailure: activity.lastFailure?.message ?? '',
    }));
  };

  it(
    'refuses or times out Updates cleanly while it is down, then retries every step and completes every journey once',
    { timeout: 150_000 },
    async () => {
      const { world, database } = env!;
      const journeys = (policy: Partial<JourneyPolicy>) => env!.journeys({ ...LONG_WAITS_AFTER_OFFERS, ...policy });
      const open = journeys({ offerWindowMs: LONG_WAIT_MS });
      const quick = journeys({ offerWindowMs: 3_000 });
      const between = journeys({ offerWindowMs: 6_000 });

      const [offered, awaiting] = await Promise.all([
        listWithOffers(open, world, [world.independent], LONG_OFFER),
        toAwaitingApproval(quick, world, [world.independent]),
      ]);

      // An offer whose database step is held half-way through (its insert waits on a row lock) when PostgreSQL stops.
      lock = new pg.Client({ connectionString: cluster!.url });
      lock.on('error', () => undefined); // its connection is cut when PostgreSQL stops
      await lock.connect();
      await lock.query('begin');
      await lock.query('select 1 from cases where case_ref = $1 for update', [offered.caseRef]);
      const lateOffer = { ...offerFrom(world.nhsProvider, LONG_OFFER), offerId: randomUUID() };
      const sending = env!.client.withDeadline(Date.now() + 8_000, () =>
        open.makeOffer(offered.caseRef, as(world.nhsProvider, 'clinician'), lateOffer),
      );
      sending.catch(() => undefined); // its failure is checked below
      await eventually(async () => {
        const waiting = await database.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return waiting.rows[0]!.n > 0;
      }, 20_000);

      // A journey between steps: its offer window closes while PostgreSQL is down.
      const listed = await listWithOffers(between, world, [world.nhsProvider], LONG_OFFER);
      const { deadlines } = expectOk(await between.status(listed.caseRef));

      const stopped = cluster!;
      cluster = undefined;
      await stopped.stop();
      lock = undefined;

      // The sender who needs the database to know who they are is refused at once; the journey is untouched.
      await expect(
        quick.decideApproval(awaiting.caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true }),
      ).rejects.toThrow();
      expect(expectOk(await quick.status(awaiting.caseRef)).approvals).toEqual([]);

      // The offer's sender gives up at its deadline; the journey has not taken the offer, and its step is retried.
      await expect(sending).rejects.toThrow();
      expect(expectOk(await open.status(offered.caseRef)).offers).toHaveLength(1);
      const retried = (caseRef: string, step?: string) =>
        eventually(async () => {
          const pending = await pendingSteps(caseRef);
          return pending.find((activity) => (step === undefined || activity.name === step) && activity.attempt >= 2);
        }, 30_000);
      expect((await retried(offered.caseRef, 'saveOffer')).lastFailure).toMatch(/\w/);
      // The window's end falls while PostgreSQL is down, and the journey's next step fails and is retried.
      await eventually(() => Promise.resolve(Date.now() > Date.parse(deadlines.offerWindowClosesAt!) + 500), 30_000);
      expect((await retried(listed.caseRef)).lastFailure).toMatch(/\w/);

      await startCluster();

      // The offer's sender tries again with the same offer: one offer, the one the journey took on the retried step.
      const again = expectOk(await open.makeOffer(offered.caseRef, as(world.nhsProvider, 'clinician'), lateOffer));
      expect(again.offerId).toBe(lateOffer.offerId);
      expect(expectOk(await open.status(offered.caseRef)).offers.map((offer) => offer.offerId)).toEqual([
        offered.offers[0]!.offerId,
        lateOffer.offerId,
      ]);

      await Promise.all([
        (async () => {
          const withdrawn = await open.withdrawCase(
            offered.caseRef,
            as(world.origin, 'coordinator'),
            'TREATED_LOCALLY',
          );
          expect(expectOk(withdrawn).state).toBe('WITHDRAWN');
        })(),
        (async () => {
          await waitForState(between, listed.caseRef, 'CHOOSING', 60_000);
          await acceptAndTransfer(between, world, listed.caseRef, listed.offers[0]!, world.nhsProvider);
        })(),
        (async () => {
          const released = await quick.decideApproval(awaiting.caseRef, as(world.origin, 'manager'), {
            side: 'ORIGIN_RELEASE',
            approve: true,
          });
          expect(expectOk(released).state).toBe('AWAITING_APPROVAL');
          const accepted = await quick.decideApproval(awaiting.caseRef, as(world.independent, 'manager'), {
            side: 'RECEIVING_ACCEPTANCE',
            approve: true,
          });
          expect(expectOk(accepted).state).toBe('APPROVED');
          const done = await quick.confirmTransfer(awaiting.caseRef, as(world.independent, 'manager'), '2027-02-01');
          expect(expectOk(done).state).toBe('TRANSFERRED');
        })(),
      ]);
      const outcomes = await Promise.all(
        [offered.caseRef, listed.caseRef, awaiting.caseRef].map((ref) => outcomeOf(env!, ref)),
      );
      expect(outcomes.map((outcome) => [outcome.state, outcome.reason])).toEqual([
        ['WITHDRAWN', 'TREATED_LOCALLY'],
        ['TRANSFERRED', undefined],
        ['TRANSFERRED', undefined],
      ]);

      expect(await journeyRecord(database.db, offered.caseRef)).toEqual({
        state: 'WITHDRAWN',
        closedReason: 'TREATED_LOCALLY',
        audit: ['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'OFFER_MADE', 'OFFER_MADE', 'CASE_WITHDRAWN', 'OFFER_LAPSED'],
        offers: 2,
        choices: 0,
        approvals: 0,
        transferDatasets: 0,
        notifications: kinds({ CASE_OPEN_FOR_OFFERS: 1, OFFER_RECEIVED: 2, CASE_WITHDRAWN: 3 }),
      });
      expect(await journeyRecord(database.db, listed.caseRef)).toEqual(transferredRecord(1));
      expect(await journeyRecord(database.db, awaiting.caseRef)).toEqual(transferredRecord(1));
    },
  );
});
