/** Capacity postings: posted from chat with a definite answer, validated field by field, edited, filled, withdrawn. */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, capacityPostings } from '../../db/schema';
import type { capacityPosting } from '../../workflows';
import { postingWorkflowId } from '../../workflows/contract';
import { postCapacity, postingTerms } from '../support/capacity-helpers';
import { as } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('capacity postings', () => {
  let env: JourneyEnv;
  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
  });
  afterAll(() => env.close());

  const postingRow = async (id: string) => {
    const [row] = await env.database.db.select().from(capacityPostings).where(eq(capacityPostings.id, id));
    return row;
  };
  const postingAudit = async (postingId: string) =>
    (await env.database.db.select().from(auditLog).where(isNull(auditLog.caseRef)).orderBy(asc(auditLog.id)))
      .filter((row) => (row.detail as { postingId?: string }).postingId === postingId)
      .map((row) => (row.outcome === 'OK' ? row.action : `${row.action}:${row.outcome}`));

  it('posts capacity for its own site and answers with the open posting, saved with its audit entry', async () => {
    const { world } = env;
    const posted = await env.capacity().post(postingTerms(world.independent), as(world.independent, 'clinician'));
    expect(posted.ok).toBe(true);
    if (!posted.ok) return;
    expect(posted.value).toMatchObject({ status: 'OPEN', slotsFilled: 0, organisationId: world.independent.id });
    expect(posted.value.terms.procedureCodes).toEqual(['W37', 'W38']);
    const row = await postingRow(posted.value.postingId);
    expect(row).toMatchObject({ status: 'OPEN', slots: 4, siteId: world.independent.siteId, maxAsa: 3 });
    expect(await postingAudit(posted.value.postingId)).toEqual(['POSTING_OPENED']);
  });

  it('answers a retried post with the same posting id once, without a second posting', async () => {
    const { world } = env;
    const postingId = randomUUID();
    const capacity = env.capacity();
    const first = await capacity.post(postingTerms(world.nhsProvider), as(world.nhsProvider, 'manager'), postingId);
    const again = await capacity.post(postingTerms(world.nhsProvider), as(world.nhsProvider, 'manager'), postingId);
    expect(first.ok && again.ok).toBe(true);
    expect(again.ok && again.value.postingId).toBe(postingId);
    expect(await postingAudit(postingId)).toEqual(['POSTING_OPENED']);
  });

  it('refuses invalid fields one by one and writes no posting', async () => {
    const { world } = env;
    const refused = await env.capacity().post(
      postingTerms(world.independent, {
        specialtyCode: '999',
        careType: 'DIAGNOSTIC',
        procedureCodes: ['hip'],
        slots: 0,
        availableFrom: inDays(20),
        availableUntil: inDays(10),
        maxBmi: 90,
        maxAsa: 5,
        minAge: 70,
        maxAge: 60,
      }),
      as(world.independent, 'clinician'),
    );
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.code).toBe('INPUT.INVALID');
    expect(refused.errors?.map((error) => error.field).sort()).toEqual(
      [
        'availableUntil',
        'diagnosticModality',
        'maxAge',
        'maxAsa',
        'maxBmi',
        'procedureCodes.0',
        'slots',
        'specialtyCode',
      ].sort(),
    );
    const rows = await env.database.db
      .select()
      .from(capacityPostings)
      .where(eq(capacityPostings.organisationId, world.independent.id));
    expect(rows.every((row) => row.specialtyCode === '110')).toBe(true);
  });

  it('refuses a site of another organisation, and a coordinator who is neither clinician nor manager', async () => {
    const { world } = env;
    const capacity = env.capacity();
    const otherSite = await capacity.post(
      postingTerms(world.independent, { siteId: world.nhsProvider.siteId }),
      as(world.independent, 'clinician'),
    );
    expect(otherSite.ok).toBe(false);
    expect(!otherSite.ok && otherSite.errors?.map((error) => error.field)).toEqual(['siteId']);
    const coordinator = await capacity.post(postingTerms(world.independent), as(world.independent, 'coordinator'));
    expect(!coordinator.ok && coordinator.code).toBe('ACTOR.NOT_AUTHORISED');
  });

  it('edits a posting as a whole, records slots filled until it is FILLED, then refuses further changes', async () => {
    const { world } = env;
    const capacity = env.capacity();
    const posting = await postCapacity(capacity, world.nhsProvider, { slots: 3 });
    const clinician = as(world.nhsProvider, 'clinician');

    const badEdit = await capacity.edit(posting.postingId, clinician, { maxAsa: 7, slots: 0 });
    expect(!badEdit.ok && badEdit.code).toBe('INPUT.INVALID');
    expect(!badEdit.ok && badEdit.errors?.map((error) => error.field).sort()).toEqual(['maxAsa', 'slots']);
    expect((await postingRow(posting.postingId))?.slots).toBe(3);

    const outsider = await capacity.edit(posting.postingId, as(world.independent, 'clinician'), { slots: 5 });
    expect(!outsider.ok && outsider.code).toBe('ACTOR.NOT_AUTHORISED');

    const edited = await capacity.edit(posting.postingId, clinician, { slots: 2, maxBmi: 38.04 });
    expect(edited.ok && edited.value.terms).toMatchObject({ slots: 2, maxBmi: 38 });
    expect(await postingRow(posting.postingId)).toMatchObject({ slots: 2, maxBmi: 38 });

    const tooMany = await capacity.recordSlotsFilled(posting.postingId, clinician, 3);
    expect(!tooMany.ok && tooMany.code).toBe('POSTING.OVERFILLED');
    const one = await capacity.recordSlotsFilled(posting.postingId, clinician, 1);
    expect(one.ok && one.value).toMatchObject({ status: 'OPEN', slotsFilled: 1 });
    const full = await capacity.recordSlotsFilled(posting.postingId, as(world.nhsProvider, 'manager'), 1);
    expect(full.ok && full.value).toMatchObject({ status: 'FILLED', slotsFilled: 2 });
    expect(await postingRow(posting.postingId)).toMatchObject({ status: 'FILLED', slotsFilled: 2 });

    const late = await capacity.withdraw(posting.postingId, clinician);
    expect(late.ok).toBe(false);
    const outcome = await env.client.workflow
      .getHandle<typeof capacityPosting>(postingWorkflowId(posting.postingId))
      .result();
    expect(outcome).toEqual({ status: 'FILLED', slotsFilled: 2 });
    expect(await postingAudit(posting.postingId)).toEqual([
      'POSTING_OPENED',
      'editPosting:REFUSED',
      'editPosting:REFUSED',
      'POSTING_EDITED',
      'recordSlotsFilled:REFUSED',
      'POSTING_SLOTS_FILLED',
      'POSTING_FILLED',
      'withdrawPosting:REFUSED',
    ]);
  });

  it('withdraws a posting at the request of its clinician and closes its workflow', async () => {
    const { world } = env;
    const capacity = env.capacity();
    const posting = await postCapacity(capacity, world.independent);
    const withdrawn = await capacity.withdraw(posting.postingId, as(world.independent, 'clinician'));
    expect(withdrawn.ok && withdrawn.value.status).toBe('WITHDRAWN');
    const outcome = await env.client.workflow
      .getHandle<typeof capacityPosting>(postingWorkflowId(posting.postingId))
      .result();
    expect(outcome.status).toBe('WITHDRAWN');
    const [row] = await env.database.db
      .select()
      .from(capacityPostings)
      .where(and(eq(capacityPostings.id, posting.postingId), eq(capacityPostings.status, 'WITHDRAWN')));
    expect(row).toBeDefined();
  });
});
