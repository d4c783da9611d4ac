/**
 * Slack over Socket Mode, end to end: the real Bolt app opens its socket
 * with the app-level token (through the fake Web API's
 * `apps.connections.open`, with no signing secret and no `/slack/events`),
 * requests arrive as envelopes on the socket, are acked on it, and drive the
 * real journey.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validityOptions } from '../../bot/core/forms';
import { encodeFormContext } from '../../bot/slack/blocks';
import { offers } from '../../db/schema';
import { postCapacity } from '../support/capacity-helpers';
import { listPatient } from '../support/journey-helpers';
import { FAST_POLICY } from '../support/journey-env';
import type { RecordedCall } from '../support/slack/fake-slack';
import { slashCommandPayload, viewSubmissionPayload, type FakeSocketMode } from '../support/slack/fake-socket-mode';
import { stateValue } from '../support/slack/signed-requests';
import {
  ADMIN_USER,
  APP_TOKEN,
  CHANNELS,
  TEAM_ID,
  createSlackEnv,
  slackUser,
  type SlackEnv,
} from '../support/slack/slack-env';
import { postedTo, textOf } from '../support/slack/slack-steps';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const POLICY = { offerWindowMs: 60_000 };

describe('Slack over Socket Mode', () => {
  let s: SlackEnv;
  let socket: FakeSocketMode;
  let caseRef: string;
  let opened: RecordedCall[];

  beforeAll(async () => {
    s = await createSlackEnv({ socketMode: true, policy: POLICY });
    socket = s.socket!;
    opened = s.fake.callsTo('apps.connections.open');
    await postCapacity(s.env.capacity(), s.world.independent);
    caseRef = await listPatient(s.journeys, s.world);
    await postedTo(s.fake, CHANNELS.independentClinicians, caseRef);
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(() => {
    s.fake.reset();
  });

  it('connects with the app-level token, and serves no HTTP endpoint for Slack', async () => {
    expect(opened).toHaveLength(1);
    expect(opened[0]!.token).toBe(APP_TOKEN);
    expect(socket.connections()).toBe(1);
    const http = await s.slack.slashCommand({ userId: ADMIN_USER, text: 'help', channelId: CHANNELS.originTeam });
    expect(http.status).toBe(404);
  });

  it('acks a /mutualaid help command on the socket and answers at its response_url', async () => {
    const ack = await socket.send(
      'slash_commands',
      slashCommandPayload(
        { teamId: TEAM_ID },
        { userId: ADMIN_USER, text: 'help', channelId: CHANNELS.originTeam, responseUrl: s.fake.responseUrl('help-1') },
      ),
    );
    expect(ack.payload ?? {}).toEqual({});
    expect(ack.elapsedMs).toBeLessThan(3_000);
    const [help] = await s.fake.waitFor('response_url');
    expect(help!.responseId).toBe('help-1');
    expect(help!.body.response_type).toBe('ephemeral');
    expect(textOf(help!.body)).toContain('status MA-XXXXXXXX');
    expect(socket.unexpected).toEqual([]);
  });

  it('makes an offer from a view_submission envelope and answers in the ack', async () => {
    const york = slackUser(s.world.independent, 'clinician');
    const validFor = validityOptions({ ...FAST_POLICY, ...POLICY }.maxOfferValidityMs)[0]!.value;
    const ack = await socket.send(
      'interactive',
      viewSubmissionPayload(
        { teamId: TEAM_ID },
        {
          userId: york,
          callbackId: 'OFFER',
          privateMetadata: encodeFormContext({ caseRef, organisationId: s.world.independent.id, openedFor: york }),
          values: {
            siteId: { value: stateValue.select(s.world.independent.siteId) },
            proposedDate: { value: stateValue.date(day(10)) },
            validFor: { value: stateValue.select(validFor) },
            clinicalTeam: { value: stateValue.text('Hip team') },
            notes: { value: stateValue.text(null) },
          },
        },
      ),
    );
    expect(ack.elapsedMs).toBeLessThan(3_000);
    expect(ack.payload?.response_action).toBe('update');
    expect(textOf(ack.payload?.view)).toContain('Offer made');
    const made = await s.db.select().from(offers).where(eq(offers.caseRef, caseRef));
    expect(made.map((offer) => [offer.status, offer.providerOrgId, offer.clinicalTeam])).toEqual([
      ['LIVE', s.world.independent.id, 'Hip team'],
    ]);
  });
});
