/**
 * The Temporal server stops mid-journey and starts again on the same SQLite
 * file and port. Journeys resume where they were — an offer made before is
 * still there, a timer that fell due while the server was down fires, an
 * Update sent while it was down lands once — and run to their end, with
 * every step written exactly once. The worker and client keep the
 * connections they had: both reconnect by themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/infra/free-port';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/infra/temporal-dev-server';
import type { JourneyPolicy } from '../../workflows/contract';
import { outcomeOf } from '../support/journey-assertions';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { listPatient, makeOffer, waitForState } from '../support/journey-helpers';
import { journeyRecord, kinds, transferredRecord } from '../support/journey-record';
import {
  acceptAndTransfer,
  expectOk,
  listWithOffers,
  LONG_OFFER,
  LONG_WAITS_AFTER_OFFERS,
  toChoosing,
} from '../support/journey-stages';

describe('journeys across a restart of the Temporal server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutual-aid-temporal-'));
  const dbFile = join(dir, 'temporal.sqlite');
  let port: number;
  let server: TemporalDevServer | undefined;
  let env: JourneyEnv | undefined;

  const startServer = async () => {
    server = await startTemporalDevServer({ dbFile, port });
  };

  beforeAll(async () => {
    port = await freePort();
    await startServer();
    env = await createJourneyEnv({ temporalAddress: server!.address });
    await env.startWorker();
  });
  afterAll(async () => {
    try {
      // The worker drains against a running server.
      if (!server) await startServer();
      await env?.close();
    } finally {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes every journey where it was and completes it, each step written once', { timeout: 150_000 }, async () => {
    const { world, database } = env!;
    const journeys = (policy: Partial<JourneyPolicy>) => env!.journeys({ ...LONG_WAITS_AFTER_OFFERS, ...policy });
    const open = journeys({ offerWindowMs: 40_000 });
    const quick = journeys({ offerWindowMs: 3_000 });
    const closing = journeys({ offerWindowMs: 5_000, maxRounds: 1 });

    const [openCase, choosing] = await Promise.all([
      listWithOffers(open, world, [world.independent], LONG_OFFER),
      toChoosing(quick, world, [world.nhsProvider], LONG_OFFER),
    ]);
    // Its offer window falls due while the server is down.
    const closingRef = await listPatient(closing, world);
    const { deadlines } = await waitForState(closing, closingRef, 'OPEN_FOR_OFFERS');

    const stopped = server!;
    server = undefined;
    const windowClosesAt = Date.parse(deadlines.offerWindowClosesAt!);
    expect(windowClosesAt).toBeGreaterThan(Date.now());
    await stopped.stop();
    // Sent while the server is down: the client retries until it is back.
    const lateOffer = makeOffer(open, openCase.caseRef, world.nhsProvider, LONG_OFFER);
    lateOffer.catch(() => undefined); // awaited once the server is back
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowClosesAt - Date.now()) + 500));
    await startServer();

    const second = await lateOffer;
    const status = expectOk(await open.status(openCase.caseRef));
    expect(status.state).toBe('OPEN_FOR_OFFERS');
    expect(status.offers.map((offer) => offer.offerId)).toEqual([openCase.offers[0]!.offerId, second.offerId]);

    await Promise.all([
      acceptAndTransfer(quick, world, choosing.caseRef, choosing.offers[0]!, world.nhsProvider),
      (async () => {
        await waitForState(open, openCase.caseRef, 'CHOOSING', 60_000);
        await acceptAndTransfer(open, world, openCase.caseRef, openCase.offers[0]!, world.independent);
      })(),
    ]);
    const outcomes = await Promise.all(
      [openCase.caseRef, choosing.caseRef, closingRef].map((ref) => outcomeOf(env!, ref)),
    );
    expect(outcomes.map((outcome) => [outcome.state, outcome.reason])).toEqual([
      ['TRANSFERRED', undefined],
      ['TRANSFERRED', undefined],
      ['CLOSED', 'NO_OFFERS'],
    ]);

    expect(await journeyRecord(database.db, openCase.caseRef)).toEqual(transferredRecord(2));
    expect(await journeyRecord(database.db, choosing.caseRef)).toEqual(transferredRecord(1));
    expect(await journeyRecord(database.db, closingRef)).toEqual({
      state: 'CLOSED',
      closedReason: 'NO_OFFERS',
      audit: ['CASE_LISTED', 'CASE_OPEN_FOR_OFFERS', 'CASE_CLOSED'],
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
  });
});
