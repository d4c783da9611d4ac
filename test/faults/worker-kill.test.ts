/**
 * The worker dies (SIGKILL, as a crash or an OOM kill would) with journeys in
 * every state — open for offers, relisted, choosing, awaiting approval,
 * approved, one Update's database step half-way through, and one listed
 * while no worker runs — and a new worker takes over. Every journey reaches
 * its end (transferred, closed or withdrawn) and every offer, choice,
 * approval, audit entry and notification is written exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyPolicy } from '../../workflows/contract';
import { as } from '../support/fixtures';
import { caseRow, outcomeOf } from '../support/journey-assertions';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { auditActions, listPatient, waitForState } from '../support/journey-helpers';
import { journeyRecord, kinds, transferredRecord } from '../support/journey-record';
import {
  expectOk,
  listWithOffers,
  LONG_OFFER,
  LONG_WAIT_MS,
  LONG_WAITS_AFTER_OFFERS,
  toApproved,
  toAwaitingApproval,
  toChoosing,
} from '../support/journey-stages';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

describe('journeys whose worker is killed in every state', () => {
  let env: JourneyEnv;
  let worker: WorkerProcess | undefined;
  let lock: pg.Client | undefined;

  beforeAll(async () => {
    env = await createJourneyEnv();
  });
  afterAll(async () => {
    await lock?.end().catch(() => undefined);
    await worker?.kill();
    await env?.close();
  });

  it(
    'completes every journey after a new worker takes over, writing each step exactly once',
    { timeout: 170_000 },
    async () => {
      const { world, database } = env;
      const journeys = (policy: Partial<JourneyPolicy>) => env.journeys({ ...LONG_WAITS_AFTER_OFFERS, ...policy });
      const open = journeys({ offerWindowMs: LONG_WAIT_MS });
      const relisting = journeys({ offerWindowMs: 15_000, maxRounds: 2 });
      const quick = journeys({ offerWindowMs: 4_000 });
      const single = journeys({ offerWindowMs: 10_000, maxRounds: 1 });

      worker = await startWorkerProcess(env);
      // Every state at once: the relisted case, whose second window lasts 15 s, is the one that sets the pace.
      const [openCase, relistedRef, choosing, awaiting, approved] = await Promise.all([
        listWithOffers(open, world, [world.independent], LONG_OFFER),
        (async () => {
          const caseRef = await listPatient(relisting, world);
          await waitForState(relisting, caseRef, 'RELISTED', 40_000);
          return caseRef;
        })(),
        toChoosing(quick, world, [world.independent, world.nhsProvider], LONG_OFFER),
        (async () => {
          const staged = await toAwaitingApproval(quick, world, [world.independent]);
          expectOk(
            await quick.decideApproval(staged.caseRef, as(world.origin, 'manager'), {
              side: 'ORIGIN_RELEASE',
              approve: true,
            }),
          );
          return staged;
        })(),
        toApproved(quick, world, [world.independent, world.nhsProvider]),
      ]);

      // The approved case's transfer is confirmed, and its database step is held on a row lock when the worker dies.
      lock = new pg.Client({ connectionString: database.url });
      await lock.connect();
      await lock.query('begin');
      await lock.query('select 1 from cases where case_ref = $1 for no key update', [approved.caseRef]);
      const confirming = quick.confirmTransfer(approved.caseRef, as(world.independent, 'manager'), '2027-02-01');
      confirming.catch(() => undefined); // awaited after the restart
      await eventually(async () => {
        const waiting = await database.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for update%'`,
        );
        return waiting.rows[0]!.n > 0;
      }, 20_000);

      const states = await Promise.all(
        [openCase.caseRef, relistedRef, choosing.caseRef, awaiting.caseRef, approved.caseRef].map(async (ref) => {
          const status = expectOk(await open.status(ref));
          return status.state;
        }),
      );
      expect(states).toEqual(['OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING', 'AWAITING_APPROVAL', 'APPROVED']);

      await worker.kill();
      // The killed worker's transaction never commits: its connection is gone once the lock is let go.
      await lock.query('rollback');
      await lock.end();
      lock = undefined;
      await eventually(async () => {
        const left = await database.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and state <> 'idle' and pid <> pg_backend_pid()`,
        );
        return left.rows[0]!.n === 0;
      }, 20_000);
      expect(await auditActions(database.db, approved.caseRef)).not.toContain('CASE_TRANSFERRED');
      expect((await caseRow(database.db, approved.caseRef)).state).toBe('APPROVED');
      // A patient is listed while no worker runs: the journey waits, listed, for the next one.
      const listedRef = await listPatient(single, world);
      expect((await caseRow(database.db, listedRef)).state).toBe('LISTED');

      worker = await startWorkerProcess(env);

      await Promise.all([
        (async () => {
          const [offer] = openCase.offers;
          expectOk(await open.withdrawOffer(openCase.caseRef, as(world.independent, 'clinician'), offer!.offerId));
          const withdrawn = await open.withdrawCase(
            openCase.caseRef,
            as(world.origin, 'coordinator'),
            'NO_LONGER_NEEDED',
          );
          expect(expectOk(withdrawn).state).toBe('WITHDRAWN');
        })(),
        (async () => {
          const stayed = await quick.recordChoice(choosing.caseRef, as(world.origin, 'coordinator'), {
            kind: 'STAY_LOCAL',
          });
          expect(expectOk(stayed).state).toBe('CLOSED');
        })(),
        (async () => {
          const accepted = await quick.decideApproval(awaiting.caseRef, as(world.independent, 'manager'), {
            side: 'RECEIVING_ACCEPTANCE',
            approve: true,
          });
          expect(expectOk(accepted).state).toBe('APPROVED');
          const done = await quick.confirmTransfer(awaiting.caseRef, as(world.independent, 'manager'), '2027-02-01');
          expect(expectOk(done).state).toBe('TRANSFERRED');
        })(),
        (async () => {
          // The Update sent before the crash is answered once its step is retried on the new worker.
          expect(expectOk(await confirming).state).toBe('TRANSFERRED');
        })(),
        (async () => {
          await waitForState(single, listedRef, 'OPEN_FOR_OFFERS', 30_000);
          expectOk(await single.declineToOffer(listedRef, as(world.independent, 'clinician')));
        })(),
      ]);

      const outcomes = await Promise.all(
        [openCase.caseRef, relistedRef, choosing.caseRef, awaiting.caseRef, approved.caseRef, listedRef].map((ref) =>
          outcomeOf(env, ref),
        ),
      );
      expect(outcomes.map((outcome) => [outcome.state, outcome.reason])).toEqual([
        ['WITHDRAWN', 'NO_LONGER_NEEDED'],
        ['CLOSED', 'NO_OFFERS'],
        ['CLOSED', 'STAYED_LOCAL'],
        ['TRANSFERRED', undefined],
        ['TRANSFERRED', undefined],
        ['CLOSED', 'NO_OFFERS'],
      ]);

      expect(await journeyRecord(database.db, openCase.caseRef)).toEqual({
        state: 'WITHDRAWN',
        closedReason: 'NO_LONGER_NEEDED',
        audit: ['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'OFFER_MADE', 'OFFER_WITHDRAWN', 'CASE_WITHDRAWN'],
        offers: 1,
        choices: 0,
        approvals: 0,
        transferDatasets: 0,
        notifications: kinds({ CASE_OPEN_FOR_OFFERS: 1, OFFER_RECEIVED: 1, OFFER_WITHDRAWN: 1, CASE_WITHDRAWN: 1 }),
      });
      expect(await journeyRecord(database.db, relistedRef)).toEqual({
        state: 'CLOSED',
        closedReason: 'NO_OFFERS',
        audit: ['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'CASE_RELISTED', 'CASE_CLOSED'],
        offers: 0,
        choices: 0,
        approvals: 0,
        transferDatasets: 0,
        notifications: kinds({
          CASE_OPEN_FOR_OFFERS: 1,
          OFFER_WINDOW_CLOSING: 2,
          NO_OFFERS_ESCALATION: 2,
          CASE_RELISTED: 1,
          CASE_CLOSED: 1,
        }),
      });
      expect(await journeyRecord(database.db, choosing.caseRef)).toEqual({
        state: 'CLOSED',
        closedReason: 'STAYED_LOCAL',
        audit: [
          'CASE_LISTED',
          'CASE_OPEN_FOR_OFFERS',
          'OFFER_MADE',
          'OFFER_MADE',
          'CASE_CHOOSING',
          'CHOICE_STAYED_LOCAL',
          'CASE_FLAGGED_FOR_REVIEW',
          'CASE_CLOSED',
        ],
        offers: 2,
        choices: 1,
        approvals: 0,
        transferDatasets: 0,
        notifications: kinds({
          CASE_OPEN_FOR_OFFERS: 1,
          OFFER_RECEIVED: 2,
          OFFER_WINDOW_CLOSING: 1,
          CHOICE_NEEDED: 1,
          REVIEW_FLAGGED: 1,
          CASE_CLOSED: 1,
        }),
      });
      expect(await journeyRecord(database.db, awaiting.caseRef)).toEqual(transferredRecord(1));
      expect(await journeyRecord(database.db, approved.caseRef)).toEqual(transferredRecord(2));
      expect(await journeyRecord(database.db, listedRef)).toEqual({
        state: 'CLOSED',
        closedReason: 'NO_OFFERS',
        audit: ['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'PROVIDER_PASSED', 'CASE_CLOSED'],
        offers: 0,
        choices: 0,
        approvals: 0,
        transferDatasets: 0,
        notifications: kinds({
          CASE_OPEN_FOR_OFFERS: 1,
          OFFER_WINDOW_CLOSING: 1,
          NO_OFFERS_ESCALATION: 1,
          CASE_CLOSED: 1,
        }),
      });
    },
  );
});
