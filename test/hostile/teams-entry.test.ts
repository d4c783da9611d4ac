/**
 * Hostile input through Teams, on the real teams-ai stack with Bot Framework
 * JWTs validated against a local fake's keys, the journey on the real
 * Temporal server and PostgreSQL: card actions with no token or a token that
 * is not the Bot Connector's for this bot; a button on another
 * organisation's card; hostile command text; and NUL, 100 kB and markup in
 * an offer form. Each is refused (401, or in words) and nothing else changes.
 *
 * A message with no token, a token signed with an unknown key or an expired
 * one: test/teams/teams-platform.test.ts.
 */
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, offers } from '../../db/schema';
import { MAX_TEAM_LENGTH } from '../../workflows/contract';
import { postCapacity } from '../support/capacity-helpers';
import { listPatient, waitForState } from '../support/journey-helpers';
import type { SentActivity } from '../support/teams/fake-bot-connector';
import { createTeamsEnv, type TeamsEnv } from '../support/teams/teams-env';
import { cardOf, execute, press, sentTo, submitForm, textOf } from '../support/teams/teams-steps';
import { expectNoStateChange } from './state';

const SQL_DROP = "'; drop table cases; --";
const NUL = 'Ann\u0000e';
const HUGE = 'x'.repeat(100 * 1024);

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('hostile input through Teams', () => {
  let t: TeamsEnv;
  let caseRef: string;
  let yorkCard: SentActivity;
  let sheffieldCard: SentActivity;

  const sheffield = () => t.user(t.world.nhsProvider, 'clinician');
  const lastAuditId = async () =>
    (await t.db.select({ id: auditLog.id }).from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]?.id ?? 0;
  /** What an invoke answered, as text (a card or words). */
  const said = (answer: { card?: unknown; text?: string }) => textOf(answer.card ?? answer.text);

  beforeAll(async () => {
    t = await createTeamsEnv({ policy: { offerWindowMs: 10 * 60_000, maxOfferValidityMs: 20 * 60_000 } });
    await postCapacity(t.env.capacity(), t.world.independent);
    await postCapacity(t.env.capacity(), t.world.nhsProvider);
    caseRef = await listPatient(t.journeys, t.world);
    await waitForState(t.journeys, caseRef, 'OPEN_FOR_OFFERS');
    yorkCard = await sentTo(t.fake, t.channels.independentClinicians, caseRef);
    sheffieldCard = await sentTo(t.fake, t.channels.nhsProviderClinicians, caseRef);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a card action with no token, or one not issued by the Bot Connector for this bot, with 401', async () => {
    const pass = execute(cardOf(sheffieldCard), 'NOT_FOR_US', caseRef);
    const activity = t.activities.adaptiveCardAction({
      verb: pass.verb,
      data: pass.data,
      replyToId: sheffieldCard.id,
      from: sheffield(),
      conversation: t.channels.nhsProviderClinicians,
    });
    const appId = t.auth.appId;
    const tokens: [string, string | null][] = [
      ['no token', null],
      ['a scheme that is not Bearer', `Basic ${Buffer.from('bot:secret').toString('base64')}`],
      ['a token that is not a JWT', `Bearer ${SQL_DROP}`],
      ['the published key id, another key', `Bearer ${t.fake.channelToken(appId, { forge: 'same-kid' })}`],
      [
        'another bot as audience',
        `Bearer ${t.fake.channelToken(appId, { audience: '11111111-2222-4333-8444-555555555555' })}`,
      ],
      ['another issuer', `Bearer ${t.fake.channelToken(appId, { issuer: 'https://sts.example.invalid/' })}`],
      ['another service URL', `Bearer ${t.fake.channelToken(appId, { serviceUrl: 'https://smba.example.invalid/' })}`],
      ['an expired token', `Bearer ${t.fake.channelToken(appId, { expiresInSeconds: -600 })}`],
    ];
    t.fake.reset();
    await expectNoStateChange(t.db, async () => {
      const statuses: string[] = [];
      for (const [what, authorization] of tokens) {
        const response = await t.teams.post(activity, { authorization });
        statuses.push(`${what}: ${response.status}`);
      }
      expect(statuses).toEqual(tokens.map(([what]) => `${what}: 401`));
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(t.fake.sent()).toEqual([]);
  });

  it("refuses a Sheffield clinician's press on York's card, audits it, and changes nothing else", async () => {
    const before = await lastAuditId();
    await expectNoStateChange(
      t.db,
      async () => {
        for (const verb of ['NOT_FOR_US', 'OFFER_TREATMENT']) {
          const action = execute(cardOf(yorkCard), verb, caseRef);
          const answer = await press(t, sheffield(), t.channels.independentClinicians, action, yorkCard.id);
          expect(said(answer), verb).toContain('You do not act for that organisation');
        }
      },
      { refusals: 2 },
    );
    const refused = await t.db.select().from(auditLog).where(gt(auditLog.id, before)).orderBy(asc(auditLog.id));
    expect(refused.map((row) => [row.outcome, (row.detail as { code?: string }).code, row.actorPersonId])).toEqual([
      ['REFUSED', 'ACTOR.NOT_AUTHORISED', t.world.nhsProvider.staff.clinician],
      ['REFUSED', 'ACTOR.NOT_AUTHORISED', t.world.nhsProvider.staff.clinician],
    ]);
  });

  it('answers hostile command text with a refusal that never repeats it, and changes nothing', async () => {
    const coordinator = t.user(t.world.origin, 'coordinator');
    await expectNoStateChange(t.db, async () => {
      for (const text of [SQL_DROP, `status ${SQL_DROP}`, `withdraw ${caseRef} ${SQL_DROP}`, NUL, HUGE]) {
        t.fake.reset();
        const response = await t.teams.post(
          t.activities.message(text, { from: coordinator, conversation: t.channels.originTeam }),
        );
        expect(response.status).toBe(200);
        const [reply] = await t.fake.waitForSent(
          (a) => a.type === 'message' && a.toConversationId === t.channels.originTeam.id,
        );
        const words = textOf(reply);
        expect(words).toMatch(/too long|do not know|Give|not one of/);
        expect(words).not.toContain('drop table');
      }
    });
  });

  it('refuses NUL and an oversized team on the offer form, and takes markup as typed', async () => {
    const york = t.user(t.world.independent, 'clinician');
    const channel = t.channels.independentClinicians;
    const form = await press(t, york, channel, execute(cardOf(yorkCard), 'OFFER_TREATMENT', caseRef), yorkCard.id);
    const validFor = /"value":"(\d+)"/.exec(textOf(form.card).slice(textOf(form.card).indexOf('"validFor"')))?.[1];
    const answers = { siteId: t.world.independent.siteId, proposedDate: day(14), validFor, clinicalTeam: 'Hip team' };
    await expectNoStateChange(
      t.db,
      async () => {
        const nul = await submitForm(t, york, channel, form.card, yorkCard.id, { ...answers, clinicalTeam: NUL });
        expect(said(nul)).toContain('control characters');
        const long = await submitForm(t, york, channel, form.card, yorkCard.id, {
          ...answers,
          clinicalTeam: 'x'.repeat(MAX_TEAM_LENGTH + 1),
        });
        expect(said(long)).toContain(`1 to ${MAX_TEAM_LENGTH} characters`);
        // Over what any card input can hold: the submission is not read at all.
        const huge = await submitForm(t, york, channel, form.card, yorkCard.id, { ...answers, clinicalTeam: HUGE });
        expect(said(huge)).toMatch(/could not be read|open it again/i);
      },
      // The journey's refusals of the NUL and the long team are audited.
      { refusals: 2 },
    );
    const team = `Hip <b>&</b> team ${SQL_DROP}`;
    const made = await submitForm(t, york, channel, form.card, yorkCard.id, { ...answers, clinicalTeam: team });
    expect(said(made)).toContain('Offer made');
    const rows = await t.db
      .select()
      .from(offers)
      .where(and(eq(offers.caseRef, caseRef), eq(offers.providerOrgId, t.world.independent.id)));
    expect(rows.map((row) => row.clinicalTeam)).toEqual([team]);
  });
});
