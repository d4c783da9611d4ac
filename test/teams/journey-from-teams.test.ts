/**
 * A whole journey driven from Microsoft Teams, through the real teams-ai
 * stack over HTTP with Bot Framework JWTs validated against a local fake's
 * keys, the journey on the real Temporal server and PostgreSQL: a patient
 * listed from a form card (refused on its fields first, answers kept), the
 * match card in the provider's channel, an offer through a form card
 * (refused on its date, then made) refreshing the card for everyone, "not
 * for us", the choice recorded by phone, both approvals, and the transfer.
 * Everything the bot sent is then checked for the patient's identifiers.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, offers, providerPasses } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { postCapacity } from '../support/capacity-helpers';
import { listingFor } from '../support/fixtures';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { waitForState } from '../support/journey-helpers';
import { createTeamsEnv, type TeamsEnv } from '../support/teams/teams-env';
import { cardOf, execute, executesIn, press, sentTo, submitForm, textOf } from '../support/teams/teams-steps';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('a journey driven from Teams', () => {
  let t: TeamsEnv;
  let listing: ListingInput;
  let caseRef = '';

  beforeAll(async () => {
    t = await createTeamsEnv({ policy: { offerWindowMs: 8_000 } });
    listing = listingFor(t.world);
    await postCapacity(t.env.capacity(), t.world.independent);
    await postCapacity(t.env.capacity(), t.world.nhsProvider);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists a patient from a form card, keeping the answers when some are wrong', async () => {
    const { world, fake } = t;
    const coordinator = t.user(world.origin, 'coordinator');
    const asked = await t.teams.post(
      t.activities.message('list', { from: coordinator, conversation: t.channels.originTeam }),
    );
    expect(asked.status).toBe(200);
    const formMessage = await sentTo(fake, t.channels.originTeam, 'SUBMIT:LIST_PATIENT');
    const answers = {
      ...Object.fromEntries(
        Object.entries(listing).map(([k, v]) => [
          k,
          typeof v === 'string' || typeof v === 'number' ? String(v) : undefined,
        ]),
      ),
      needsCriticalCare: 'no',
    };
    const bad = await submitForm(t, coordinator, t.channels.originTeam, cardOf(formMessage), formMessage.id, {
      ...answers,
      bmi: '95',
    });
    expect(textOf(bad.card)).toContain('There is a problem');
    expect(textOf(bad.card)).toContain('BMI must be between 10 and 80');
    // The answers typed are still in the form.
    expect(textOf(bad.card)).toContain(listing.procedure);

    const good = await submitForm(t, coordinator, t.channels.originTeam, cardOf(formMessage), formMessage.id, answers);
    caseRef = /MA-[0-9A-HJKMNP-TV-Z]{8}/.exec(textOf(good.card))?.[0] ?? '';
    expect(caseRef).toMatch(/^MA-/);
  });

  it('sends the match card, takes an offer through its form and refreshes the card for everyone', async () => {
    const { world, fake, db } = t;
    const clinician = t.user(world.independent, 'clinician');
    const channel = t.channels.independentClinicians;
    const card = await sentTo(fake, channel, caseRef);
    for (const shown of ['Trauma', 'Primary total hip replacement', 'P3', 'weeks', 'BMI', 'ASA', 'miles from']) {
      expect(textOf(cardOf(card))).toContain(shown);
    }
    const form = await press(t, clinician, channel, execute(cardOf(card), 'OFFER_TREATMENT', caseRef), card.id);
    expect(executesIn(form.card).map((a) => a.verb)).toContain('SUBMIT:OFFER');
    const validFor = /"value":"(\d+)"/.exec(textOf(form.card).slice(textOf(form.card).indexOf('"validFor"')))?.[1];

    const past = await submitForm(t, clinician, channel, form.card, card.id, {
      siteId: world.independent.siteId,
      proposedDate: day(-3),
      validFor,
      clinicalTeam: 'Hip arthroplasty team',
    });
    expect(textOf(past.card)).toContain('proposed treatment date is in the past');
    expect(await db.select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(0);

    const made = await submitForm(t, clinician, channel, form.card, card.id, {
      siteId: world.independent.siteId,
      proposedDate: day(21),
      validFor,
      clinicalTeam: 'Hip arthroplasty team',
    });
    expect(textOf(made.card)).toContain('Offer made');
    expect(
      await db
        .select()
        .from(offers)
        .where(and(eq(offers.caseRef, caseRef), eq(offers.status, 'LIVE'))),
    ).toHaveLength(1);
    const updates = fake.updates().filter((u) => u.activityId === card.id);
    expect(textOf(updates.at(-1)?.activity)).toContain('Your offer');
    await sentTo(fake, t.channels.originTeam, 'New offer');
  });

  it('records "not for us" once, even when pressed twice', async () => {
    const { world, fake, db } = t;
    const channel = t.channels.nhsProviderClinicians;
    const card = await sentTo(fake, channel, caseRef);
    const pass = execute(cardOf(card), 'NOT_FOR_US', caseRef);
    const clinician = t.user(world.nhsProvider, 'clinician');
    const [first, second] = await Promise.all([
      press(t, clinician, channel, pass, card.id),
      press(t, clinician, channel, pass, card.id),
    ]);
    expect(textOf(first.card) + textOf(second.card)).toContain('not for you');
    expect(await db.select().from(providerPasses).where(eq(providerPasses.caseRef, caseRef))).toHaveLength(1);
  });

  it("records the patient's choice and takes both approvals from the managers' channels", async () => {
    const { world, fake, db, journeys } = t;
    await waitForState(journeys, caseRef, 'CHOOSING');
    const coordinator = t.user(world.origin, 'coordinator');
    const needed = await sentTo(fake, t.channels.originTeam, "Patient's choice needed");
    const form = await press(
      t,
      coordinator,
      t.channels.originTeam,
      execute(cardOf(needed), 'RECORD_CHOICE', caseRef),
      needed.id,
    );
    const [offer] = await db.select().from(offers).where(eq(offers.caseRef, caseRef));
    const chosen = await submitForm(t, coordinator, t.channels.originTeam, form.card, needed.id, { choice: offer!.id });
    expect(textOf(chosen.card)).toContain('Choice recorded');
    await waitForState(journeys, caseRef, 'AWAITING_APPROVAL');

    const originAsk = await sentTo(fake, t.channels.originManagers, 'Approval needed');
    const providerAsk = await sentTo(fake, t.channels.independentManagers, 'Approval needed');
    const approve = execute(cardOf(originAsk), 'APPROVE', caseRef);
    const manager = t.user(world.origin, 'manager');
    await Promise.all([
      press(t, manager, t.channels.originManagers, approve, originAsk.id),
      press(t, manager, t.channels.originManagers, approve, originAsk.id),
    ]);
    await press(
      t,
      t.user(world.independent, 'manager'),
      t.channels.independentManagers,
      execute(cardOf(providerAsk), 'APPROVE', caseRef),
      providerAsk.id,
    );
    await waitForState(journeys, caseRef, 'APPROVED');
    expect(await db.select().from(approvals).where(eq(approvals.caseRef, caseRef))).toHaveLength(2);
    const updated = fake.updates().filter((u) => u.activityId === originAsk.id);
    expect(textOf(updated.at(-1)?.activity)).toContain('Approved by');
  });

  it('confirms the transfer with a message to the bot', async () => {
    const { world, journeys, fake } = t;
    const channel = t.channels.independentClinicians;
    await t.teams.post(
      t.activities.message(`confirm ${caseRef} ${day(30)}`, {
        from: t.user(world.independent, 'coordinator'),
        conversation: channel,
      }),
    );
    await waitForState(journeys, caseRef, 'TRANSFERRED');
    await sentTo(fake, channel, 'Transfer confirmed');
  });

  it('never sent the patient’s NHS number, name, date of birth or postcode to Teams', () => {
    expectNoPatientIdentifiers(t.fake.texts(), listing);
  });
});
