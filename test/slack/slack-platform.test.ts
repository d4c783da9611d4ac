/**
 * What Slack demands of an app, and what the house demands of every entry
 * point, through the real Bolt stack: signatures, refusals (audited, in
 * words, changing nothing), double submissions and Slack's retries, 429s
 * from the Web API, the Home tab, admin commands, and the escalation
 * channel's link to act.
 */
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PatientLinks } from '../../bot/core/patient-links';
import { auditLog, capacityPostings, chatChannels, chatDeliveries, chatIdentities, offers } from '../../db/schema';
import { postCapacity } from '../support/capacity-helpers';
import { listPatient, waitForState } from '../support/journey-helpers';
import {
  ADMIN_USER,
  CHANNELS,
  PATIENT_LINK_SECRET,
  STRANGER_USER,
  TEAM_ID,
  createSlackEnv,
  slackUser,
  type SlackEnv,
} from '../support/slack/slack-env';
import { ackOf, button, click, openedModal, postedTo, submitModal, textOf, tsOf } from '../support/slack/slack-steps';
import { encodeActionValue, encodeFormContext } from '../../bot/slack/blocks';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('Slack platform rules', () => {
  let s: SlackEnv;
  let caseRef: string;

  beforeAll(async () => {
    s = await createSlackEnv({ policy: { offerWindowMs: 60_000 } });
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

  const refusalsSince = async (id: number) =>
    (await s.db.select().from(auditLog).orderBy(desc(auditLog.id))).filter(
      (row) => row.id > id && row.outcome === 'REFUSED',
    );
  const lastAuditId = async () => (await s.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]?.id ?? 0;
  const offerValue = (organisationId: string) =>
    encodeActionValue({ action: 'OFFER_TREATMENT', ref: { caseRef, organisationId } });

  it('answers a forged or stale signature with 401 and does nothing', async () => {
    const before = await lastAuditId();
    const forged = await s.slack.slashCommand(
      { userId: ADMIN_USER, text: 'connect managers', channelId: 'CFORGED' },
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    );
    expect(forged.status).toBe(401);
    const stale = await s.slack.slashCommand(
      { userId: ADMIN_USER, text: 'connect managers', channelId: 'CSTALE' },
      { timestampSeconds: Math.floor(Date.now() / 1000) - 10 * 60 },
    );
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.fake.calls).toHaveLength(0);
    expect(await s.db.select().from(chatChannels).where(eq(chatChannels.channelId, 'CFORGED'))).toHaveLength(0);
    expect(await lastAuditId()).toBe(before);
  });

  it('tells an unlinked Slack user how to get access, privately, and audits the attempt', async () => {
    const before = await lastAuditId();
    const response = await s.slack.blockAction({
      userId: STRANGER_USER,
      actionId: 'OFFER_TREATMENT:0',
      value: offerValue(s.world.independent.id),
      channelId: CHANNELS.independentClinicians,
      messageTs: '1700000000.000100',
      triggerId: 'trigger-stranger',
    });
    expect(response.status).toBe(200);
    const [reply] = await s.fake.waitFor('response_url');
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(textOf(reply!.body)).toContain('not linked');
    expect(s.fake.callsTo('views.open')).toHaveLength(0);
    const refused = await refusalsSince(before);
    expect(refused.map((row) => (row.detail as { code: string }).code)).toEqual(['ACTOR.UNKNOWN']);
  });

  it('refuses an offer made for an organisation the user does not belong to, and saves nothing', async () => {
    const before = await lastAuditId();
    const sheffield = slackUser(s.world.nhsProvider, 'clinician');
    const view = {
      callback_id: 'OFFER',
      private_metadata: encodeFormContext({ caseRef, organisationId: s.world.independent.id, openedFor: sheffield }),
      blocks: ['siteId', 'proposedDate', 'validFor', 'clinicalTeam'].map((id) => ({
        type: 'input',
        block_id: id,
        element: {
          type: id === 'proposedDate' ? 'datepicker' : id === 'clinicalTeam' ? 'plain_text_input' : 'static_select',
        },
      })),
    };
    const ack = ackOf(
      await submitModal(s.slack, sheffield, view, {
        siteId: s.world.independent.siteId,
        proposedDate: day(10),
        validFor: String(86_400_000),
        clinicalTeam: 'Borrowed team',
      }),
    );
    expect(ack.response_action).toBe('update');
    expect(textOf(ack.view)).toContain('do not act for that organisation');
    expect(await s.db.select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(0);
    expect((await refusalsSince(before)).length).toBeGreaterThan(0);
  });

  it('refuses the listing trust an offer for its own patient, on the form', async () => {
    const leeds = slackUser(s.world.origin, 'clinician');
    await s.slack.blockAction({
      userId: leeds,
      actionId: 'OFFER_TREATMENT:0',
      value: offerValue(s.world.origin.id),
      channelId: CHANNELS.originTeam,
      messageTs: '1700000000.000200',
      triggerId: 'trigger-own',
    });
    const view = await openedModal(s.fake, 'OFFER');
    const validFor = /"value":"(\d+)"/.exec(textOf(view.blocks.find((b) => b.block_id === 'validFor')))![1];
    const ack = ackOf(
      await submitModal(s.slack, leeds, view, {
        siteId: s.world.origin.siteId,
        proposedDate: day(10),
        validFor,
        clinicalTeam: 'Our own team',
      }),
    );
    expect(textOf(ack)).toContain('cannot offer to treat them');
    expect(await s.db.select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(0);
  });

  it('makes one offer when the same modal is submitted twice at once', async () => {
    const york = slackUser(s.world.independent, 'clinician');
    await s.slack.blockAction({
      userId: york,
      actionId: 'OFFER_TREATMENT:0',
      value: offerValue(s.world.independent.id),
      triggerId: 'trigger-double',
    });
    const view = await openedModal(s.fake, 'OFFER');
    const validFor = /"value":"(\d+)"/.exec(textOf(view.blocks.find((b) => b.block_id === 'validFor')))![1];
    const answers = { siteId: s.world.independent.siteId, proposedDate: day(14), validFor, clinicalTeam: 'Hip team' };
    const [a, b] = await Promise.all([
      submitModal(s.slack, york, view, answers, 'VDOUBLE1'),
      submitModal(s.slack, york, view, answers, 'VDOUBLE1'),
    ]);
    expect(textOf(ackOf(a).view)).toContain('Offer made');
    expect(textOf(ackOf(b).view)).toContain('Offer made');
    expect(await s.db.select().from(offers).where(eq(offers.caseRef, caseRef))).toHaveLength(1);
  });

  it('publishes the Home tab once per opening, ignoring Slack retries of the same event', async () => {
    const york = slackUser(s.world.independent, 'clinician');
    const first = await s.slack.event({ type: 'app_home_opened', userId: york, tab: 'home', channel: 'DHOME' });
    expect(first.status).toBe(200);
    const [published] = await s.fake.waitFor('views.publish');
    const home = textOf(published!.body.view);
    expect(home).toContain('Posting: Nuffield Health York Hospital');
    expect(home).toContain(`Live offer: ${caseRef}`);
    const retry = await s.slack.event(
      { type: 'app_home_opened', userId: york, tab: 'home', channel: 'DHOME' },
      { retryNum: 1, retryReason: 'http_timeout', eventId: String(first.sent.event_id) },
    );
    expect(retry.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(s.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('withdraws an offer from the Home tab, and edits and withdraws capacity from the postings list', async () => {
    const york = slackUser(s.world.independent, 'clinician');
    await s.slack.event({ type: 'app_home_opened', userId: york, tab: 'home', channel: 'DHOME' });
    const [published] = await s.fake.waitFor('views.publish');
    const view = published!.body.view as { blocks: unknown[] };
    const withdraw = button(view.blocks, 'WITHDRAW_OFFER', caseRef);
    await s.slack.blockAction({
      userId: york,
      actionId: withdraw.action_id,
      value: withdraw.value,
      view: { id: 'VHOME', type: 'home' },
      triggerId: 'trigger-home',
    });
    const [told] = await s.fake.waitFor((c) => c.method === 'views.open' && textOf(c.body).includes('Offer withdrawn'));
    expect(told).toBeDefined();
    expect(await s.db.select().from(offers).where(eq(offers.status, 'LIVE'))).toHaveLength(0);

    s.fake.reset();
    await s.slack.slashCommand({ userId: york, text: 'postings', channelId: CHANNELS.independentClinicians });
    const [list] = await s.fake.waitFor('response_url');
    const edit = button(list!.body.blocks, 'EDIT_POSTING');
    await s.slack.blockAction({
      userId: york,
      actionId: edit.action_id,
      value: edit.value,
      channelId: CHANNELS.independentClinicians,
      triggerId: 'trigger-edit',
    });
    const form = await openedModal(s.fake, 'EDIT_CAPACITY');
    const initial = (id: string) => {
      const block = form.blocks.find((b) => b.block_id === id) as { element?: Record<string, unknown> } | undefined;
      const element = block?.element ?? {};
      const option = element.initial_option as { value?: string } | undefined;
      return (option?.value ?? element.initial_value ?? element.initial_date) as string | undefined;
    };
    const answers = Object.fromEntries(
      form.blocks.flatMap((b) => (b.type === 'input' && b.block_id ? [[b.block_id, initial(b.block_id)]] : [])),
    );
    const edited = ackOf(await submitModal(s.slack, york, form, { ...answers, slots: '9' }));
    expect(textOf(edited.view)).toContain('Posting updated');

    const withdrawPosting = button(list!.body.blocks, 'WITHDRAW_POSTING');
    s.fake.reset();
    await s.slack.blockAction({
      userId: york,
      actionId: withdrawPosting.action_id,
      value: withdrawPosting.value,
      channelId: CHANNELS.independentClinicians,
      triggerId: 'trigger-withdraw-posting',
    });
    const [gone] = await s.fake.waitFor(
      (c) => c.method === 'response_url' && textOf(c.body).includes('Posting withdrawn'),
    );
    expect(gone).toBeDefined();
    const postings = await s.db
      .select()
      .from(capacityPostings)
      .where(eq(capacityPostings.organisationId, s.world.independent.id));
    expect(postings.map((p) => [p.status, p.slots])).toEqual([['WITHDRAWN', 9]]);
  });

  it('delivers each notification once when Slack answers 429 with Retry-After', async () => {
    s.fake.rateLimitNext('chat.postMessage', { times: 1, retryAfterSeconds: 1 });
    const reply = await s.journeys.withdrawCase(
      caseRef,
      { personId: s.world.origin.staff.coordinator, organisationOds: 'RR8', channel: 'SLACK' },
      'NO_LONGER_NEEDED',
    );
    expect(reply.ok).toBe(true);
    await postedTo(s.fake, CHANNELS.originTeam, 'Case withdrawn');
    const posts = s.fake.callsTo('chat.postMessage');
    expect(posts.filter((c) => c.rateLimited)).toHaveLength(1);
    const delivered = posts
      .filter((c) => !c.rateLimited)
      .map((c) => `${String(c.body.channel)} ${String(c.body.text)}`);
    expect(new Set(delivered).size).toBe(delivered.length);
    const recorded = await s.db.select().from(chatDeliveries).where(eq(chatDeliveries.caseRef, caseRef));
    expect(new Set(recorded.map((d) => `${d.notificationKey} ${d.channelId}`)).size).toBe(recorded.length);
  });

  it('lets an admin link a Slack user and a channel, and refuses anyone else', async () => {
    const added = await s.slack.slashCommand({
      userId: ADMIN_USER,
      text: 'adduser <@UNEWDOC|newdoc> RR8 clinician,coordinator Dr Nia Example',
      channelId: CHANNELS.originTeam,
    });
    expect(added.status).toBe(200);
    const [reply] = await s.fake.waitFor('response_url');
    expect(textOf(reply!.body)).toContain('Dr Nia Example now acts for Leeds');
    const linked = await s.db.select().from(chatIdentities).where(eq(chatIdentities.externalUserId, 'UNEWDOC'));
    expect(linked).toHaveLength(1);

    s.fake.reset();
    await s.slack.slashCommand({
      userId: slackUser(s.world.origin, 'coordinator'),
      text: 'adduser <@UOTHER> RR8 admin Someone Else',
      channelId: CHANNELS.originTeam,
    });
    const [refusal] = await s.fake.waitFor('response_url');
    expect(textOf(refusal!.body)).toContain('as admin');
    expect(await s.db.select().from(chatIdentities).where(eq(chatIdentities.externalUserId, 'UOTHER'))).toHaveLength(0);

    s.fake.reset();
    await s.slack.slashCommand({ userId: ADMIN_USER, text: 'connect managers', channelId: 'CNEWMANAGERS' });
    await s.fake.waitFor('response_url');
    const channel = await s.db.select().from(chatChannels).where(eq(chatChannels.channelId, 'CNEWMANAGERS'));
    expect(channel.map((c) => [c.role, c.organisationId, c.workspaceId])).toEqual([
      ['MANAGER', s.world.origin.id, TEAM_ID],
    ]);
  });

  it('answers help, and an unknown command without repeating what was typed', async () => {
    await s.slack.slashCommand({ userId: ADMIN_USER, text: '', channelId: CHANNELS.originTeam });
    const [help] = await s.fake.waitFor('response_url');
    expect(textOf(help!.body)).toContain('status MA-XXXXXXXX');
    s.fake.reset();
    await s.slack.slashCommand({ userId: ADMIN_USER, text: '9434765919 Smith', channelId: CHANNELS.originTeam });
    const [unknown] = await s.fake.waitFor('response_url');
    expect(textOf(unknown!.body)).toContain('I do not know that command');
    expect(textOf(unknown!.body)).not.toContain('9434765919');
  });
});

describe('Slack: choice links, escalations and slow answers', () => {
  let s: SlackEnv;

  beforeAll(async () => {
    // A tiny ack budget: every modal submission is acked with "working on it" and updated after.
    s = await createSlackEnv({ policy: { offerWindowMs: 6_000, maxRounds: 1, onNoOffers: 'CLOSE' }, ackBudgetMs: 1 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('posts an escalation with a link to open the case when no provider offers', async () => {
    const caseRef = await listPatient(s.journeys, s.world);
    const escalation = await postedTo(s.fake, CHANNELS.escalation, caseRef);
    expect(textOf(escalation.body)).toContain('Escalation');
    const lead = slackUser(s.world.origin, 'manager');
    await click(s.slack, escalation, lead, button(escalation.body.blocks, 'VIEW_CASE', caseRef), tsOf(escalation));
    const [status] = await s.fake.waitFor((c) => c.method === 'response_url' && textOf(c.body).includes(caseRef));
    expect(textOf(status!.body)).toContain(`Case ${caseRef}`);
  });

  it('acks a slow submission at once and shows the answer when it comes; issues a one-time patient link', async () => {
    await postCapacity(s.env.capacity(), s.world.independent);
    const caseRef = await listPatient(s.journeys, s.world);
    const card = await postedTo(s.fake, CHANNELS.independentClinicians, caseRef);
    const york = slackUser(s.world.independent, 'clinician');
    const started = Date.now();
    await click(s.slack, card, york, button(card.body.blocks, 'OFFER_TREATMENT', caseRef), tsOf(card));
    const view = await openedModal(s.fake, 'OFFER', started);
    const validFor = /"value":"(\d+)"/.exec(textOf(view.blocks.find((b) => b.block_id === 'validFor')))![1];
    const response = await submitModal(s.slack, york, view, {
      siteId: s.world.independent.siteId,
      proposedDate: day(9),
      validFor,
      clinicalTeam: 'Hip team',
    });
    expect(textOf(ackOf(response).view)).toContain('Working on it');
    const [updated] = await s.fake.waitFor((c) => c.method === 'views.update' && textOf(c.body).includes('Offer made'));
    expect(updated).toBeDefined();

    await waitForState(s.journeys, caseRef, 'CHOOSING');
    await s.slack.slashCommand({
      userId: slackUser(s.world.origin, 'coordinator'),
      text: `link ${caseRef}`,
      channelId: CHANNELS.originTeam,
    });
    const [linkReply] = await s.fake.waitFor((c) => c.method === 'response_url' && textOf(c.body).includes('/choice/'));
    expect(linkReply!.body.response_type).toBe('ephemeral');
    const url = /https:\/\/mutual-aid\.test\.nhs\.uk\/choice\/([\w-]+\.[\w-]+)/.exec(textOf(linkReply!.body))?.[1];
    const links = new PatientLinks({ db: s.db, secret: PATIENT_LINK_SECRET, baseUrl: 'https://x', ttlMs: 1 });
    expect(links.verify(url!)).toMatchObject({ ok: true, caseRef });
    expect(links.verify(`${url!}x`)).toMatchObject({ ok: false, reason: 'TAMPERED' });

    // A provider cannot get the patient's link.
    s.fake.reset();
    await s.slack.slashCommand({ userId: york, text: `link ${caseRef}`, channelId: CHANNELS.independentClinicians });
    const [refused] = await s.fake.waitFor('response_url');
    expect(textOf(refused!.body)).not.toContain('/choice/');
  });
});
