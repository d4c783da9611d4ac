/**
 * An upload's journeys start in the background (workflows/bulk-listing.ts):
 * each batch's transaction starts a `startListedJourneys` workflow and holds
 * a lock named by it, which the step starting the journeys takes first. These
 * tests hold such a transaction open on the real stack and show that the
 * journeys wait for its commit, that a rolled-back batch starts none, and
 * that a case caught between its listing and its journey's start is answered
 * in words.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCases, lockListingBatch, outcodeLocation, type NewCase } from '../../db/cases';
import { organisationByOds } from '../../db/people';
import { newCaseRef } from '../../domain/case-ref';
import { validateListing } from '../../domain/listing';
import { loadConfig } from '../../workflows/config';
import { listedJourneysWorkflowId, type ListedJourneysInput } from '../../workflows/contract';
import { journeyBasis, listedCase } from '../../workflows/journey-start';
import type { startListedJourneys } from '../../workflows/waiting-list/start-listed-journeys';
import { as, listingFor } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { waitForState } from '../support/journey-helpers';

const PENDING_ACTIVITY_STATE_STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

describe("an upload's journeys, started in the background", () => {
  let env: JourneyEnv;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  /** A valid case for the world's origin, as an upload's batch would write it. */
  async function newCase(): Promise<NewCase> {
    const validated = validateListing(listingFor(env.world), new Date());
    if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
    const listing = validated.value;
    return {
      caseRef: newCaseRef(randomInt),
      originOrgId: env.world.origin.id,
      listedBy: env.world.origin.staff.coordinator,
      ageBand: '60-69',
      location: (await outcodeLocation(env.database.db, listing.postcode.outcode))!,
      listing,
    };
  }

  async function starterInput(batchKey: string, written: NewCase[]): Promise<ListedJourneysInput> {
    const origin = (await organisationByOds(env.database.db, env.world.origin.ods))!;
    return {
      batchKey,
      basis: journeyBasis(
        { origin, actingAs: as(env.world.origin, 'coordinator', 'CLI') },
        loadConfig({}).journeyPolicy,
      ),
      cases: written.map(({ caseRef, listing }) => listedCase(caseRef, listing)),
    };
  }

  const startStarter = (input: ListedJourneysInput) =>
    env.client.workflow.start<typeof startListedJourneys>('startListedJourneys', {
      taskQueue: env.taskQueue,
      workflowId: input.batchKey,
      args: [input],
    });

  const journeyExists = (caseRef: string) =>
    env.client.workflow
      .getHandle(caseRef)
      .describe()
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return false;
          throw error;
        },
      );

  /** Until the starter exists and its step is running (and so waiting on the batch's lock). */
  async function stepRunning(workflowId: string): Promise<void> {
    for (let tries = 0; tries < 200; tries += 1) {
      const described = await env.client.workflow
        .getHandle(workflowId)
        .describe()
        .catch((error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        });
      if (described?.raw.pendingActivities?.some((activity) => activity.state === PENDING_ACTIVITY_STATE_STARTED))
        return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`The starter ${workflowId} never ran its step`);
  }

  it('starts a batch’s journeys only once its transaction has committed', { timeout: 60_000 }, async () => {
    const batchKey = listedJourneysWorkflowId(randomUUID(), 0);
    const cases = [await newCase(), await newCase()];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const transaction = env.database.db.transaction(async (tx) => {
      await lockListingBatch(tx, batchKey);
      await insertCases(tx, cases);
      await startStarter(await starterInput(batchKey, cases));
      await released;
    });

    await stepRunning(batchKey);
    // The step is running, but holds on the lock: no journey has started for an uncommitted case.
    expect(await journeyExists(cases[0]!.caseRef)).toBe(false);
    release();
    await transaction;

    expect(await env.client.workflow.getHandle(batchKey).result()).toEqual({ started: 2 });
    for (const { caseRef } of cases) await waitForState(env.journeys(), caseRef, 'OPEN_FOR_OFFERS');
  });

  it('starts none when the batch rolls back after its starter began', { timeout: 60_000 }, async () => {
    const batchKey = listedJourneysWorkflowId(randomUUID(), 0);
    const cases = [await newCase()];
    const rolledBack = env.database.db.transaction(async (tx) => {
      await lockListingBatch(tx, batchKey);
      await insertCases(tx, cases);
      await startStarter(await starterInput(batchKey, cases));
      await stepRunning(batchKey);
      throw new Error('the commit failed');
    });
    await expect(rolledBack).rejects.toThrow('the commit failed');

    expect(await env.client.workflow.getHandle(batchKey).result()).toEqual({ started: 0 });
    expect(await journeyExists(cases[0]!.caseRef)).toBe(false);
  });

  it('starts each journey once when a batch’s starts are run again', { timeout: 60_000 }, async () => {
    const cases = [await newCase(), await newCase()];
    await env.database.db.transaction((tx) => insertCases(tx, cases));
    const first = listedJourneysWorkflowId(randomUUID(), 0);
    await startStarter(await starterInput(first, cases));
    expect(await env.client.workflow.getHandle(first).result()).toEqual({ started: 2 });

    const again = listedJourneysWorkflowId(randomUUID(), 0);
    await startStarter(await starterInput(again, cases));
    expect(await env.client.workflow.getHandle(again).result()).toEqual({ started: 0 });
  });

  it('tells someone acting on a case whose journey has not started yet to try again shortly', async () => {
    const waiting = await newCase();
    await env.database.db.transaction((tx) => insertCases(tx, [waiting]));
    const journeys = env.journeys();

    expect(await journeys.status(waiting.caseRef)).toEqual({
      ok: false,
      code: 'JOURNEY.STARTING',
      message: `Case ${waiting.caseRef} was listed moments ago and its journey is still starting. Try again in a minute.`,
    });
    const withdrawn = await journeys.withdrawCase(
      waiting.caseRef,
      as(env.world.origin, 'coordinator'),
      'PATIENT_CHANGED_MIND',
    );
    expect(withdrawn).toMatchObject({ ok: false, code: 'JOURNEY.STARTING' });
  });
});
