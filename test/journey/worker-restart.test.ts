/**
 * The worker dies (SIGKILL) at several points of a journey and a new one takes
 * over: the journey completes, and no offer, approval, audit entry or
 * notification is lost or written twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { notificationsForCase } from '../../db/outbox';
import { approvals, offers } from '../../db/schema';
import type { patientJourney } from '../../workflows';
import { as } from '../support/fixtures';
import { createJourneyEnv, eventually, type JourneyEnv } from '../support/journey-env';
import { TRANSFER_AUDIT_TRAIL, auditActions, listPatient, makeOffer, waitForState } from '../support/journey-helpers';

const ROOT = join(__dirname, '..', '..');

function startWorkerProcess(env: JourneyEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'workflows', 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: env.taskQueue,
      DATABASE_URL: env.database.url,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return child;
}

async function untilPolling(child: ChildProcess): Promise<void> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await eventually(() => {
    if (child.exitCode !== null) throw new Error(`worker exited early: ${output}`);
    return Promise.resolve(output.includes('polling'));
  }, 60_000);
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a journey whose worker is killed and restarted', () => {
  let env: JourneyEnv;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    env = await createJourneyEnv();
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) await kill(worker);
    await env.close();
  });

  const restart = async () => {
    if (worker) await kill(worker);
    worker = startWorkerProcess(env);
    await untilPolling(worker);
  };

  it('completes the journey with every step written exactly once', { timeout: 240_000 }, async () => {
    const { world, database } = env;
    const journeys = env.journeys({ offerWindowMs: 8_000 });
    await restart();
    const caseRef = await listPatient(journeys, world);
    await waitForState(journeys, caseRef, 'OPEN_FOR_OFFERS');

    await restart();
    const york = await makeOffer(journeys, caseRef, world.independent);
    await makeOffer(journeys, caseRef, world.nhsProvider);

    await waitForState(journeys, caseRef, 'CHOOSING');
    const chose = await journeys.recordChoice(caseRef, as(world.origin, 'coordinator'), {
      kind: 'ACCEPT',
      offerId: york.offerId,
    });
    expect(chose.ok).toBe(true);

    await journeys.decideApproval(caseRef, as(world.origin, 'manager'), { side: 'ORIGIN_RELEASE', approve: true });
    await restart();
    await journeys.decideApproval(caseRef, as(world.independent, 'manager'), {
      side: 'RECEIVING_ACCEPTANCE',
      approve: true,
    });
    await restart();
    const done = await journeys.confirmTransfer(caseRef, as(world.independent, 'manager'), '2027-02-01');
    expect(done.ok && done.value.state).toBe('TRANSFERRED');
    expect(await env.client.workflow.getHandle<typeof patientJourney>(caseRef).result()).toMatchObject({
      state: 'TRANSFERRED',
    });

    expect(await database.db.select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(2);
    expect(await database.db.select().from(approvals).where(eq(approvals.caseRef, caseRef))).toHaveLength(2);
    expect(await auditActions(database.db, caseRef)).toEqual(TRANSFER_AUDIT_TRAIL);
    const notifications = await notificationsForCase(database.db, caseRef);
    const perKind = notifications.reduce<Record<string, number>>(
      (counts, n) => ({ ...counts, [n.kind]: (counts[n.kind] ?? 0) + 1 }),
      {},
    );
    expect(perKind).toMatchObject({
      CASE_OPEN_FOR_OFFERS: 1,
      OFFER_RECEIVED: 2,
      CHOICE_NEEDED: 1,
      OFFER_CHOSEN: 1,
      PATIENT_CHOSE: 1,
      OFFER_NOT_CHOSEN: 1,
      APPROVAL_REQUESTED: 2,
      TRANSFER_APPROVED: 2,
      TRANSFERRED: 1,
    });
  });
});
