/**
 * Modal submissions in a burst, through the real Bolt stack over HTTP with
 * signed requests, the real journeys and a fake Slack Web API. While the bot
 * is busy (here: two submissions in flight) a new submission does not wait
 * for its Workflow Update: it is acked "Working on it" at once and answered
 * by `views.update`. Every offer is still made exactly once, and a
 * submission on its own still waits, so a refusal lands on its field.
 *
 * To tell "acked at once" from "acked when the budget ran out" without
 * reading a clock, every submission's work is held until the test lets it
 * go: the submissions acked while it is held cannot have waited for their
 * Update.
 */
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidFrom, type ChatHandlers } from '../../bot/core/chat-handlers';
import { validityOptions } from '../../bot/core/forms';
import { encodeFormContext } from '../../bot/slack/blocks';
import { offers } from '../../db/schema';
import { postCapacity } from '../support/capacity-helpers';
import { eventually, FAST_POLICY } from '../support/journey-env';
import { listPatient, waitForState } from '../support/journey-helpers';
import { stateValue, type SlackHttpResponse, type ViewSubmissionInput } from '../support/slack/signed-requests';
import { createSlackEnv, slackUser, type SlackEnv } from '../support/slack/slack-env';
import { ackOf, textOf } from '../support/slack/slack-steps';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const POLICY = { offerWindowMs: 60_000 };
/** The bot is busy with this many submissions in flight (the default is 10). */
const BUSY = 2;
const BURST = 8;

/** Holds every submission's work (and so its Update) until `release`. */
function holdSubmissions(handlers: ChatHandlers): { release(): void } {
  const submit = handlers.submit.bind(handlers);
  let open!: () => void;
  const held = new Promise<void>((resolve) => {
    open = resolve;
  });
  handlers.submit = async (...args) => {
    await held;
    return submit(...args);
  };
  return {
    release() {
      // Back to the class's own method.
      Reflect.deleteProperty(handlers, 'submit');
      open();
    },
  };
}

describe('"Offer treatment" submissions in a burst', () => {
  let s: SlackEnv;
  let caseRefs: string[];
  let york: string;
  let validFor: string;

  beforeAll(async () => {
    // The budget leaves the submissions that wait time to be answered after their work is let go.
    s = await createSlackEnv({ policy: POLICY, busyWithSubmissions: BUSY, ackBudgetMs: 2_500 });
    york = slackUser(s.world.independent, 'clinician');
    validFor = validityOptions({ ...FAST_POLICY, ...POLICY }.maxOfferValidityMs)[0]!.value;
    await postCapacity(s.env.capacity(), s.world.independent);
    caseRefs = [];
    for (let i = 0; i <= BURST; i += 1) caseRefs.push(await listPatient(s.journeys, s.world));
    await Promise.all(caseRefs.map((caseRef) => waitForState(s.journeys, caseRef, 'OPEN_FOR_OFFERS')));
  });
  afterAll(async () => {
    await s?.close();
  });

  /** The offer modal as York's clinician fills it in. */
  const offerInput = (caseRef: string, viewId: string, proposedDate = day(14)): ViewSubmissionInput => ({
    userId: york,
    callbackId: 'OFFER',
    viewId,
    privateMetadata: encodeFormContext({ caseRef, organisationId: s.world.independent.id, openedFor: york }),
    values: {
      siteId: { value: stateValue.select(s.world.independent.siteId) },
      proposedDate: { value: stateValue.date(proposedDate) },
      validFor: { value: stateValue.select(validFor) },
      clinicalTeam: { value: stateValue.text('Hip team') },
      notes: { value: stateValue.text(null) },
    },
  });

  it('acks "Working on it" at once while busy, answers by views.update, and makes each offer once', async () => {
    const submissions = caseRefs.slice(0, BURST).map((caseRef, i) => ({ caseRef, viewId: `VBURST${i}` }));
    const hold = holdSubmissions(s.bot.handlers);
    const ackOrder: string[] = [];
    const sent = submissions.map(async ({ caseRef, viewId }) => {
      const response = await s.slack.viewSubmission(offerInput(caseRef, viewId));
      ackOrder.push(viewId);
      return { viewId, response };
    });
    // The first BUSY submissions wait for their Updates; each one after them finds the bot busy and is acked.
    await eventually(() => Promise.resolve(ackOrder.length >= BURST - BUSY));
    hold.release();
    const acked = await Promise.all(sent);

    const said = (response: SlackHttpResponse) => {
      const ack = ackOf(response);
      expect(ack.response_action).toBe('update');
      return textOf(ack.view);
    };
    const working = acked.filter(({ response }) => said(response).includes('Working on it')).map((a) => a.viewId);
    const inline = acked.filter(({ response }) => said(response).includes('Offer made')).map((a) => a.viewId);
    expect(working).toHaveLength(BURST - BUSY);
    expect(inline).toHaveLength(BUSY);
    // Acked while no Update could answer: these did not wait for theirs.
    expect(ackOrder.slice(0, BURST - BUSY).sort()).toEqual([...working].sort());

    const updates = await s.fake.waitFor(
      (c) => c.method === 'views.update' && working.includes(String(c.body.view_id)),
      { count: working.length, timeoutMs: 30_000 },
    );
    for (const update of updates) expect(textOf(update.body.view)).toContain('Offer made');
    expect(new Set(updates.map((u) => u.body.view_id)).size).toBe(working.length);
    expect(s.fake.callsTo('views.update').filter((c) => inline.includes(String(c.body.view_id)))).toEqual([]);

    const made = await s.db
      .select({ id: offers.id, caseRef: offers.caseRef, status: offers.status })
      .from(offers)
      .where(
        inArray(
          offers.caseRef,
          submissions.map((sub) => sub.caseRef),
        ),
      );
    expect(made.map((offer) => [offer.caseRef, offer.id, offer.status]).sort()).toEqual(
      submissions.map((sub) => [sub.caseRef, uuidFrom(`slack-view:${sub.viewId}`), 'LIVE']).sort(),
    );
  });

  it('waits for the answer to a submission on its own, so a refusal lands on its field', async () => {
    const caseRef = caseRefs[BURST]!;
    const past = ackOf(await s.slack.viewSubmission(offerInput(caseRef, 'VALONE1', day(-3))));
    expect(past.response_action).toBe('errors');
    expect(past.errors?.proposedDate).toBeTruthy();

    const made = ackOf(await s.slack.viewSubmission(offerInput(caseRef, 'VALONE2')));
    expect(made.response_action).toBe('update');
    expect(textOf(made.view)).toContain('Offer made');
  });
});
