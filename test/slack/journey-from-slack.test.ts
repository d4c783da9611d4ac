/**
 * A whole journey driven from Slack, through the real Bolt stack over HTTP
 * with signed requests, the journey on the real Temporal server and
 * PostgreSQL, and Slack's Web API a local fake: capacity posted from a modal,
 * a patient listed from a modal, the match card in the provider's channel,
 * an offer (first refused on its field, then made), "not for us", the
 * patient's choice recorded by phone, both approvals, and the transfer.
 * Every message the bot sent is then checked for the patient's identifiers.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, offers, providerPasses } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { listingFor } from '../support/fixtures';
import { expectNoPatientIdentifiers } from '../support/privacy';
import { waitForState } from '../support/journey-helpers';
import { CHANNELS, createSlackEnv, slackUser, type SlackEnv } from '../support/slack/slack-env';
import { ackOf, button, click, openedModal, postedTo, submitModal, textOf, tsOf } from '../support/slack/slack-steps';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('a journey driven from Slack', () => {
  let s: SlackEnv;
  let listing: ListingInput;

  beforeAll(async () => {
    s = await createSlackEnv({ policy: { offerWindowMs: 8_000 } });
    listing = listingFor(s.world);
  });
  afterAll(async () => {
    await s?.close();
  });

  let caseRef = '';

  it('posts capacity from the post modal', async () => {
    const { world, slack, fake } = s;
    for (const [org, user] of [
      [world.independent, slackUser(world.independent, 'clinician')],
      [world.nhsProvider, slackUser(world.nhsProvider, 'clinician')],
    ] as const) {
      const started = Date.now();
      const command = await slack.slashCommand({ userId: user, text: 'post', channelId: 'CANY', triggerId: 't1' });
      expect(command.status).toBe(200);
      const view = await openedModal(fake, 'POST_CAPACITY', started);
      const ack = ackOf(
        await submitModal(slack, user, view, {
          siteId: org.siteId,
          specialtyCode: '110',
          careType: 'ADMITTED',
          procedureCodes: 'W37, W38',
          slots: '3',
          availableFrom: day(0),
          availableUntil: day(40),
          maxBmi: '40',
          maxAsa: '3',
          minAge: '18',
          maxAge: '90',
          hasCriticalCare: 'no',
        }),
      );
      expect(ack.response_action).toBe('update');
      expect(textOf(ack.view)).toContain('Capacity posted');
    }
  });

  it('refuses a listing with bad answers field by field, then lists the patient', async () => {
    const { world, slack, fake } = s;
    const coordinator = slackUser(world.origin, 'coordinator');
    const started = Date.now();
    await slack.slashCommand({ userId: coordinator, text: 'list', channelId: CHANNELS.originTeam, triggerId: 't2' });
    const view = await openedModal(fake, 'LIST_PATIENT', started);
    const answers = {
      ...Object.fromEntries(
        Object.entries(listing).map(([k, v]) => [
          k,
          typeof v === 'string' || typeof v === 'number' ? String(v) : undefined,
        ]),
      ),
      needsCriticalCare: 'no',
      travelNeeds: undefined,
      asa: String(listing.asa),
    };
    const bad = ackOf(await submitModal(slack, coordinator, view, { ...answers, nhsNumber: '1234567890', bmi: '95' }));
    expect(bad.response_action).toBe('errors');
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(['bmi', 'nhsNumber']);
    expect(textOf(bad)).not.toContain('1234567890');

    const good = ackOf(await submitModal(slack, coordinator, view, answers));
    expect(good.response_action).toBe('update');
    caseRef = /MA-[0-9A-HJKMNP-TV-Z]{8}/.exec(textOf(good.view))?.[0] ?? '';
    expect(caseRef).toMatch(/^MA-/);
  });

  it('sends the match card to both providers, takes an offer through the modal and refreshes the card', async () => {
    const { world, slack, fake, db } = s;
    const clinician = slackUser(world.independent, 'clinician');
    const card = await postedTo(fake, CHANNELS.independentClinicians, caseRef);
    const cardText = textOf(card.body);
    for (const shown of ['Trauma', 'Primary total hip replacement', 'P3', 'weeks', 'BMI', 'ASA', 'miles from']) {
      expect(cardText).toContain(shown);
    }
    const started = Date.now();
    const clicked = await click(
      slack,
      card,
      clinician,
      button(card.body.blocks, 'OFFER_TREATMENT', caseRef),
      tsOf(card),
    );
    expect(clicked.status).toBe(200);
    const view = await openedModal(fake, 'OFFER', started);

    const past = ackOf(
      await submitModal(slack, clinician, view, {
        siteId: world.independent.siteId,
        proposedDate: day(-3),
        validFor: undefined,
        clinicalTeam: 'Mr Example’s hip team',
      }),
    );
    expect(past.response_action).toBe('errors');
    expect(past.errors?.proposedDate ?? past.errors?.validFor).toBeTruthy();

    const firstValidity = /"value":"(\d+)"/.exec(textOf(view.blocks.find((b) => b.block_id === 'validFor')))?.[1];
    const made = ackOf(
      await submitModal(slack, clinician, view, {
        siteId: world.independent.siteId,
        proposedDate: day(21),
        validFor: firstValidity,
        clinicalTeam: 'Hip arthroplasty team',
      }),
    );
    expect(made.response_action).toBe('update');
    expect(textOf(made.view)).toContain('Offer made');
    const live = await db
      .select()
      .from(offers)
      .where(and(eq(offers.caseRef, caseRef), eq(offers.status, 'LIVE')));
    expect(live).toHaveLength(1);

    const updated = await fake.waitFor(
      (c) =>
        c.method === 'chat.update' && c.body.channel === CHANNELS.independentClinicians && c.body.ts === tsOf(card),
    );
    expect(textOf(updated[0]!.body)).toContain('Your offer');
    expect(() => button(updated[0]!.body.blocks, 'WITHDRAW_OFFER', caseRef)).not.toThrow();
    await postedTo(fake, CHANNELS.originTeam, 'New offer');
  });

  it('records "not for us" once and stops offering the case to that provider', async () => {
    const { world, slack, fake, db } = s;
    const card = await postedTo(fake, CHANNELS.nhsProviderClinicians, caseRef);
    const pass = button(card.body.blocks, 'NOT_FOR_US', caseRef);
    const user = slackUser(world.nhsProvider, 'clinician');
    await Promise.all([click(slack, card, user, pass, tsOf(card)), click(slack, card, user, pass, tsOf(card))]);
    await fake.waitFor(
      (c) => c.method === 'chat.update' && c.body.ts === tsOf(card) && textOf(c.body).includes('not for you'),
    );
    const passes = await db.select().from(providerPasses).where(eq(providerPasses.caseRef, caseRef));
    expect(passes).toHaveLength(1);
  });

  it("records the patient's choice by phone and takes both approvals from the managers' channels", async () => {
    const { world, slack, fake, db, journeys } = s;
    await waitForState(journeys, caseRef, 'CHOOSING');
    const coordinator = slackUser(world.origin, 'coordinator');
    const needed = await postedTo(fake, CHANNELS.originTeam, "Patient's choice needed");
    const started = Date.now();
    await click(slack, needed, coordinator, button(needed.body.blocks, 'RECORD_CHOICE', caseRef), tsOf(needed));
    const view = await openedModal(fake, 'RECORD_CHOICE', started);
    const [offer] = await db.select().from(offers).where(eq(offers.caseRef, caseRef));
    const chosen = ackOf(await submitModal(slack, coordinator, view, { choice: offer!.id }));
    expect(textOf(chosen.view)).toContain('Choice recorded');
    await waitForState(journeys, caseRef, 'AWAITING_APPROVAL');
    await postedTo(fake, CHANNELS.originTeam, 'The patient chose');

    const originAsk = await postedTo(fake, CHANNELS.originManagers, 'Approval needed');
    const providerAsk = await postedTo(fake, CHANNELS.independentManagers, 'Approval needed');
    const originManager = slackUser(world.origin, 'manager');
    const approve = button(originAsk.body.blocks, 'APPROVE', caseRef);
    // A double click: one approval.
    await Promise.all([
      click(slack, originAsk, originManager, approve, tsOf(originAsk)),
      click(slack, originAsk, originManager, approve, tsOf(originAsk)),
    ]);
    await click(
      slack,
      providerAsk,
      slackUser(world.independent, 'manager'),
      button(providerAsk.body.blocks, 'APPROVE', caseRef),
      tsOf(providerAsk),
    );
    await waitForState(journeys, caseRef, 'APPROVED');
    expect(await db.select().from(approvals).where(eq(approvals.caseRef, caseRef))).toHaveLength(2);
    await fake.waitFor(
      (c) => c.method === 'chat.update' && c.body.ts === tsOf(originAsk) && textOf(c.body).includes('Approved by'),
    );
  });

  it('confirms the transfer from the slash command', async () => {
    const { world, slack, fake, journeys } = s;
    const response = await slack.slashCommand({
      userId: slackUser(world.independent, 'coordinator'),
      text: `confirm ${caseRef} ${day(30)}`,
      channelId: CHANNELS.independentClinicians,
    });
    expect(response.status).toBe(200);
    await waitForState(journeys, caseRef, 'TRANSFERRED');
    await fake.waitFor((c) => c.method === 'response_url' && textOf(c.body).includes('Transfer confirmed'));
  });

  it('never sent the patient’s NHS number, name, date of birth or postcode to Slack', () => {
    expectNoPatientIdentifiers(s.fake.texts(), listing);
  });
});
