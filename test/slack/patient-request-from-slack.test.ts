/**
 * A patient's own request to move, end to end: the trust invites the
 * patient; the patient opens their link on the bot's HTTP server and says
 * how far they will travel (a form post, no JavaScript); the origin team's
 * channel gets a card in Slack; a coordinator's click is refused (only a
 * clinician judges appropriateness) and a clinician's lists the case, with
 * the card updated in place. The patient's page then says where the request
 * is. Real Bolt over signed HTTP, real Temporal and PostgreSQL, Slack's Web
 * API a local fake.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, patientRequests } from '../../db/schema';
import { as, invitationFor } from '../support/fixtures';
import { eventually } from '../support/journey-env';
import { waitForState } from '../support/journey-helpers';
import { expectNoPatientIdentifiers, stringLeaves } from '../support/privacy';
import { CHANNELS, createSlackEnv, slackUser, type SlackEnv } from '../support/slack/slack-env';
import { button, click, postedTo, textOf, tsOf } from '../support/slack/slack-steps';

const weeksAgo = (weeks: number) => new Date(Date.now() - weeks * 7 * 86_400_000).toISOString().slice(0, 10);

describe('a patient-initiated request, from the patient’s page to a listing in Slack', () => {
  let s: SlackEnv;
  beforeAll(async () => {
    s = await createSlackEnv({ policy: { offerWindowMs: 60_000 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('takes the patient’s answer on their page, asks the origin team in Slack, and lists on a clinician’s word', async () => {
    const { world, slack, fake, db, bot } = s;
    const invitation = invitationFor(world, { rttClockStart: weeksAgo(50) });
    const invited = await bot.patientRequests!.invite(invitation, as(world.origin, 'coordinator', 'API'));
    if (!invited.ok) throw new Error(JSON.stringify(invited.errors));
    const path = new URL(invited.url).pathname;

    const question = await fetch(`${bot.url}${path}`);
    expect(question.status).toBe(200);
    const asked = await question.text();
    expect(asked).toContain('How far would you travel for your treatment?');
    expect(asked).toContain('You have been waiting 50 weeks');

    const unanswered = await fetch(`${bot.url}${path}`, { method: 'POST', body: new URLSearchParams({}) });
    expect(unanswered.status).toBe(400);
    expect(await unanswered.text()).toContain('Select how far you would travel for your treatment');

    const sent = await fetch(`${bot.url}${path}`, {
      method: 'POST',
      body: new URLSearchParams({ travel: 'MILES_100' }),
    });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('Request sent');

    const card = await postedTo(fake, CHANNELS.originTeam, invited.ref);
    expect(textOf(card.body)).toContain('Up to 100 miles');
    const appropriate = button(card.body.blocks, 'REQUEST_APPROPRIATE');

    await click(slack, card, slackUser(world.origin, 'coordinator'), appropriate, tsOf(card));
    await fake.waitFor((c) => c.method === 'response_url' && textOf(c.body).includes('clinician'));
    const [still] = await db.select().from(patientRequests).where(eq(patientRequests.id, invited.requestId));
    expect(still?.status).toBe('REQUESTED');

    await click(slack, card, slackUser(world.origin, 'clinician'), appropriate, tsOf(card));
    const [listed] = await eventually(async () => {
      const rows = await db.select().from(patientRequests).where(eq(patientRequests.id, invited.requestId));
      return rows[0]?.status === 'LISTED' ? rows : undefined;
    });
    const caseRef = listed!.caseRef!;
    const [kase] = await db.select().from(cases).where(eq(cases.caseRef, caseRef));
    expect(kase).toMatchObject({ route: 'PATIENT_INITIATED', maxTravelMiles: 100 });
    await waitForState(s.journeys, caseRef, 'OPEN_FOR_OFFERS');
    const [updated] = await fake.waitFor(
      (c) => c.method === 'chat.update' && c.body.ts === tsOf(card) && textOf(c.body).includes(`listed as ${caseRef}`),
    );
    expect(() => button(updated!.body.blocks, 'REQUEST_APPROPRIATE')).toThrow();

    const status = await (await fetch(`${bot.url}${path}`)).text();
    expect(status).toContain('Your hospital team agreed that moving is right for you');

    const toSlack = fake.calls.filter((c) => c.method !== 'response_url').map((c) => c.body);
    expectNoPatientIdentifiers([...stringLeaves(toSlack), asked, status], invitation);
  });
});
