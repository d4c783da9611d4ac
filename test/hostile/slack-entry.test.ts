/**
 * Hostile input through Slack, on the real Bolt stack over signed HTTP, the
 * journey on the real Temporal server and PostgreSQL: SQL metacharacters,
 * NUL, right-to-left overrides and 100 kB strings in every free-text field of
 * the listing modal, the offer modal and the slash command; a button on
 * another organisation's card; and requests replayed byte for byte. Each is
 * refused in words on its field (or, where the text is a person's to write,
 * stored as typed and shown escaped), and nothing else changes.
 *
 * Forged and stale signatures are in test/slack/slack-platform.test.ts; an
 * offer modal submitted for another organisation there too.
 */
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import { REPLAY_REFUSAL } from '../../bot/slack/replay-guard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeActionValue } from '../../bot/slack/blocks';
import { auditLog, cases, offers, patients, providerPasses } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { MAX_NOTES_LENGTH, MAX_TEAM_LENGTH } from '../../workflows/contract';
import { postCapacity } from '../support/capacity-helpers';
import { listingFor } from '../support/fixtures';
import { listPatient, waitForState } from '../support/journey-helpers';
import {
  ADMIN_USER,
  CHANNELS,
  SIGNING_SECRET,
  createSlackEnv,
  slackUser,
  type SlackEnv,
} from '../support/slack/slack-env';
import {
  signSlackRequest,
  stateValue,
  type SendOptions,
  type SlackHttpResponse,
  type StateValues,
} from '../support/slack/signed-requests';
import type { RecordedCall } from '../support/slack/fake-slack';
import { ackOf, button, openedModal, postedTo, textOf, tsOf } from '../support/slack/slack-steps';
import { expectNoStateChange, expectTablesExist } from './state';

const SQL_DROP = "'; drop table cases; --";
const SQL_OR = '" or 1=1 --';
const BACKSLASH_ZERO = '\\0';
const NUL = 'Ann\u0000e';
const RTL = 'Hip \u202Eecalper\u202C';
const HUGE = 'x'.repeat(100 * 1024);
const HOSTILE = { SQL_DROP, SQL_OR, BACKSLASH_ZERO, NUL, RTL, HUGE };

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

type View = {
  callback_id: string;
  private_metadata: string;
  blocks: { type: string; block_id?: string; element?: unknown }[];
};

/** A modal's state as Slack sends it, with answers by block id. */
function stateOf(view: View, answers: Record<string, string | undefined>): StateValues {
  const values: StateValues = {};
  for (const block of view.blocks) {
    if (block.type !== 'input' || !block.block_id) continue;
    const type = (block.element as { type: string }).type;
    const answer = answers[block.block_id];
    values[block.block_id] = {
      value:
        type === 'datepicker'
          ? stateValue.date(answer ?? null)
          : type === 'static_select' || type === 'radio_buttons'
            ? answer === undefined
              ? { type, selected_option: null }
              : type === 'static_select'
                ? stateValue.select(answer)
                : stateValue.radio(answer)
            : { type, value: answer ?? null },
    };
  }
  return values;
}

/** The listing as the modal's fields take it, as strings. */
function listingAnswers(listing: ListingInput): Record<string, string | undefined> {
  return {
    ...Object.fromEntries(
      Object.entries(listing).map(([k, v]) => [
        k,
        typeof v === 'string' || typeof v === 'number' ? String(v) : undefined,
      ]),
    ),
    needsCriticalCare: 'no',
    travelNeeds: undefined,
  };
}

describe('hostile input through Slack', () => {
  let s: SlackEnv;
  let caseRef: string;
  let listingView: View;
  let offerView: View;
  /** The match cards as posted to York's and Sheffield's clinicians. */
  let yorkCard: RecordedCall;
  let sheffieldCard: RecordedCall;

  const coordinator = () => slackUser(s.world.origin, 'coordinator');
  const york = () => slackUser(s.world.independent, 'clinician');
  const sheffield = () => slackUser(s.world.nhsProvider, 'clinician');

  const submit = (userId: string, view: View, answers: Record<string, string | undefined>, viewId?: string) =>
    s.slack.viewSubmission({
      userId,
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      values: stateOf(view, answers),
      viewId,
    });

  const lastAuditId = async () =>
    (await s.db.select({ id: auditLog.id }).from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]?.id ?? 0;

  /** The ephemeral reply to the last command or click. */
  async function reply(needle?: RegExp): Promise<string> {
    const [answer] = await s.fake.waitFor(
      (c) => c.method === 'response_url' && (needle === undefined || needle.test(textOf(c.body))),
      { timeoutMs: 10_000 },
    );
    return textOf(answer!.body);
  }

  beforeAll(async () => {
    s = await createSlackEnv({ policy: { offerWindowMs: 10 * 60_000, maxOfferValidityMs: 20 * 60_000 } });
    await postCapacity(s.env.capacity(), s.world.independent);
    await postCapacity(s.env.capacity(), s.world.nhsProvider);
    caseRef = await listPatient(s.journeys, s.world);
    await waitForState(s.journeys, caseRef, 'OPEN_FOR_OFFERS');
    yorkCard = await postedTo(s.fake, CHANNELS.independentClinicians, caseRef);
    sheffieldCard = await postedTo(s.fake, CHANNELS.nhsProviderClinicians, caseRef);

    const started = Date.now();
    await s.slack.slashCommand({ userId: coordinator(), text: 'list', channelId: CHANNELS.originTeam });
    listingView = await openedModal(s.fake, 'LIST_PATIENT', started);
    const offer = button(yorkCard.body.blocks, 'OFFER_TREATMENT', caseRef);
    await s.slack.blockAction({
      userId: york(),
      actionId: offer.action_id,
      value: offer.value,
      channelId: CHANNELS.independentClinicians,
      messageTs: tsOf(yorkCard),
    });
    offerView = await openedModal(s.fake, 'OFFER', started);
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('the listing modal', () => {
    /** Fields a person types freely, with their limits; the rest are codes, numbers, dates or choices. */
    const FREE_TEXT: Record<string, number> = {
      givenName: 100,
      familyName: 100,
      localPatientId: 30,
      ppid: 20,
      procedure: 120,
    };
    const CODED = [
      'nhsNumber',
      'postcode',
      'gpPracticeCode',
      'referringOrgOds',
      'ppidIssuerOds',
      'opcsCode',
      'dateOfBirth',
      'rttClockStart',
      'bmi',
      'maxTravelMiles',
    ];

    it('refuses NUL and 100 kB in each free-text field on that field, naming the limit, and changes nothing', async () => {
      const good = listingAnswers(listingFor(s.world));
      await expectNoStateChange(s.db, async () => {
        for (const [field, limit] of Object.entries(FREE_TEXT)) {
          for (const [what, value, words] of [
            ['NUL', NUL, /must not contain control characters/],
            ['100 kB', HUGE, new RegExp(`must be at most ${limit} characters`)],
          ] as const) {
            const ack = ackOf(await submit(coordinator(), listingView, { ...good, [field]: value }));
            expect(ack.response_action, `${field} ${what}`).toBe('errors');
            expect(Object.keys(ack.errors ?? {}), `${field} ${what}`).toEqual([field]);
            expect(ack.errors?.[field], `${field} ${what}`).toMatch(words);
            expect(textOf(ack)).not.toContain(value.slice(0, 50));
          }
        }
      });
    });

    it('refuses every hostile string in each coded field on that field, in words, and changes nothing', async () => {
      const good = listingAnswers(listingFor(s.world));
      await expectNoStateChange(s.db, async () => {
        for (const field of CODED) {
          for (const [what, value] of Object.entries(HOSTILE)) {
            const ack = ackOf(await submit(coordinator(), listingView, { ...good, [field]: value }));
            expect(ack.response_action, `${field} ${what}`).toBe('errors');
            expect(Object.keys(ack.errors ?? {}), `${field} ${what}`).toEqual([field]);
            expect(ack.errors?.[field], `${field} ${what}`).toMatch(/\w+ \w+ \w+/);
            if (value.length > 3) expect(textOf(ack)).not.toContain(JSON.stringify(value).slice(1, 40));
          }
        }
      });
    });

    it('stores SQL metacharacters, markup and a right-to-left override in names and the procedure as typed, and shows them escaped', async () => {
      const listing = listingFor(s.world, {
        givenName: SQL_DROP,
        familyName: SQL_OR,
        localPatientId: BACKSLASH_ZERO,
        ppid: `x"; --`,
        procedure: `Hip <b>&amp;</b> <!channel> <https://x.invalid|see> ${RTL} '; drop table offers; --`,
      });
      const ack = ackOf(await submit(coordinator(), listingView, listingAnswers(listing)));
      expect(ack.response_action, textOf(ack)).toBe('update');
      const listed = /MA-[0-9A-HJKMNP-TV-Z]{8}/.exec(textOf(ack.view))![0];
      const [patient] = await s.db.select().from(patients).where(eq(patients.caseRef, listed));
      expect(patient).toMatchObject({
        givenName: SQL_DROP,
        familyName: SQL_OR,
        localPatientId: BACKSLASH_ZERO,
        ppid: `x"; --`,
      });
      const [kase] = await s.db.select().from(cases).where(eq(cases.caseRef, listed));
      expect(kase!.procedure).toBe(listing.procedure);
      // Shown to providers as Slack text, escaped: no markup, no link, no mention can be formed from it.
      const card = await postedTo(s.fake, CHANNELS.independentClinicians, listed);
      const shown = textOf(card.body);
      expect(shown).toContain('Hip &lt;b&gt;&amp;amp;&lt;/b&gt; &lt;!channel&gt; &lt;https://x.invalid|see&gt;');
      for (const markup of ['<b>', '<!channel>', '<https://']) expect(shown).not.toContain(markup);
      // A right-to-left override is text like any other: kept, and shown as typed.
      expect(shown).toContain(RTL);
      await expectTablesExist(s.db);
    });
  });

  describe('the offer modal', () => {
    const answers = () => {
      const validFor = /"value":"(\d+)"/.exec(textOf(offerView.blocks.find((b) => b.block_id === 'validFor')))![1];
      return { siteId: s.world.independent.siteId, proposedDate: day(14), validFor, clinicalTeam: 'Hip team' };
    };

    it('refuses NUL and 100 kB in the clinical team and the notes on that field, naming the limit, and changes nothing', async () => {
      const refusals: [string, string, RegExp][] = [
        ['clinicalTeam', NUL, /control characters/],
        ['clinicalTeam', HUGE, new RegExp(`1 to ${MAX_TEAM_LENGTH} characters`)],
        ['clinicalTeam', '   ', /Name the clinical team/],
        ['notes', NUL, /control characters/],
        ['notes', HUGE, new RegExp(`at most ${MAX_NOTES_LENGTH} characters`)],
      ];
      await expectNoStateChange(
        s.db,
        async () => {
          for (const [field, value, words] of refusals) {
            const response = await submit(york(), offerView, { ...answers(), [field]: value });
            const ack = ackOf(response);
            expect(response.elapsedMs, `${field} answered in time`).toBeLessThan(3_000);
            expect(ack.response_action, `${field} ${JSON.stringify(value.slice(0, 8))}`).toBe('errors');
            expect(Object.keys(ack.errors ?? {})).toEqual([field]);
            expect(ack.errors?.[field]).toMatch(words);
          }
        },
        // The journey's refusals are audited; the form's own check of a blank team is not.
        { refusals: 4 },
      );
    });

    it('refuses every hostile string in the coded fields in words, and changes nothing', async () => {
      await expectNoStateChange(
        s.db,
        async () => {
          for (const field of ['siteId', 'proposedDate', 'validFor']) {
            for (const [what, value] of Object.entries(HOSTILE)) {
              const ack = ackOf(await submit(york(), offerView, { ...answers(), [field]: value }));
              expect(ack.response_action, `${field} ${what}`).toBe('errors');
              expect(Object.keys(ack.errors ?? {}), `${field} ${what}`).toEqual([field]);
            }
          }
        },
        // The form's own checks: the journey is never asked.
        { refusals: 0 },
      );
    });

    it('makes the offer with a team name full of SQL and markup, stored as typed and shown escaped', async () => {
      const team = `Hip team <b>&</b> '; drop table offers; -- ${RTL}`;
      const ack = ackOf(await submit(york(), offerView, { ...answers(), clinicalTeam: team }));
      expect(textOf(ack.view)).toContain('Offer made');
      const made = await s.db.select().from(offers).where(eq(offers.caseRef, caseRef));
      expect(made.map((offer) => offer.clinicalTeam)).toEqual([team]);
      s.fake.reset();
      await s.slack.slashCommand({ userId: coordinator(), text: `status ${caseRef}`, channelId: CHANNELS.originTeam });
      const status = await reply(/Offer: /);
      expect(status).toContain('Hip team &lt;b&gt;&amp;&lt;/b&gt;');
      expect(status).not.toContain('<b>');
      await expectTablesExist(s.db);
    });
  });

  describe('the slash command', () => {
    it('answers hostile text with a refusal in words that never repeats it, and changes nothing', async () => {
      const texts = [
        ...Object.values(HOSTILE),
        `status ${SQL_DROP}`,
        `status ${caseRef}${SQL_OR}`,
        `withdraw ${caseRef} ${SQL_DROP}`,
        `confirm ${caseRef} ${SQL_OR}`,
        `list ${SQL_DROP}`,
        `connect ${SQL_DROP}`,
        `connect escalation ${RTL}`,
        `link MA-'--`,
      ];
      await expectNoStateChange(s.db, async () => {
        for (const text of texts) {
          s.fake.reset();
          const response = await s.slack.slashCommand({ userId: coordinator(), text, channelId: CHANNELS.originTeam });
          expect(response.status).toBe(200);
          const said = await reply();
          expect(said, text.slice(0, 40)).toMatch(/:no_entry:|too long|do not know|Give|Say|Name|not/);
          expect(said).not.toContain('drop table');
          expect(said).not.toContain('1=1');
        }
      });
    });

    it('refuses an admin adding a person whose name holds a control character, and adds no one', async () => {
      await expectNoStateChange(s.db, async () => {
        s.fake.reset();
        await s.slack.slashCommand({
          userId: ADMIN_USER,
          text: `adduser <@UNULNAME> RR8 clinician Dr ${NUL}`,
          channelId: CHANNELS.originTeam,
        });
        expect(await reply()).toMatch(/full name/);
      });
    });
  });

  describe('acting for an organisation the user does not belong to', () => {
    it("refuses a Sheffield clinician's click on York's card, audits it, and changes nothing else", async () => {
      const before = await lastAuditId();
      await expectNoStateChange(
        s.db,
        async () => {
          for (const action of ['NOT_FOR_US', 'OFFER_TREATMENT'] as const) {
            s.fake.reset();
            await s.slack.blockAction({
              userId: sheffield(),
              actionId: `${action}:0`,
              value: encodeActionValue({ action, ref: { caseRef, organisationId: s.world.independent.id } }),
              channelId: CHANNELS.independentClinicians,
              messageTs: tsOf(yorkCard),
            });
            expect(await reply()).toContain('You do not act for that organisation');
          }
          expect(s.fake.callsTo('views.open')).toHaveLength(0);
        },
        { refusals: 2 },
      );
      const refused = await s.db.select().from(auditLog).where(gt(auditLog.id, before)).orderBy(asc(auditLog.id));
      expect(refused.map((row) => [row.outcome, (row.detail as { code?: string }).code, row.actorPersonId])).toEqual([
        ['REFUSED', 'ACTOR.NOT_AUTHORISED', s.world.nhsProvider.staff.clinician],
        ['REFUSED', 'ACTOR.NOT_AUTHORISED', s.world.nhsProvider.staff.clinician],
      ]);
    });

    it("refuses Sheffield withdrawing York's offer, even in its own name, and the offer stays live", async () => {
      const [offer] = await s.db.select().from(offers).where(eq(offers.caseRef, caseRef));
      await expectNoStateChange(
        s.db,
        async () => {
          for (const organisationId of [s.world.independent.id, s.world.nhsProvider.id]) {
            s.fake.reset();
            await s.slack.blockAction({
              userId: sheffield(),
              actionId: 'WITHDRAW_OFFER:0',
              value: encodeActionValue({
                action: 'WITHDRAW_OFFER',
                ref: { caseRef, organisationId, offerId: offer!.id },
              }),
              channelId: CHANNELS.nhsProviderClinicians,
              messageTs: '1700000000.000300',
            });
            expect(await reply()).toMatch(/do not act for that organisation|withdraw this offer/);
          }
        },
        { refusals: 2 },
      );
      const [still] = await s.db.select().from(offers).where(eq(offers.id, offer!.id));
      expect(still!.status).toBe('LIVE');
    });
  });

  describe('replayed requests', () => {
    /**
     * Sends a request Slack signed once, twice, byte for byte, then once more
     * marked as Slack's own retry, and once signed six minutes ago. Bolt
     * refuses the stale one; the bot's replay guard refuses the second copy
     * (bot/slack/replay-guard.ts). The request is built by sending it first
     * with a bad signature (refused with 401: nothing done).
     */
    async function replayed(send: (options: SendOptions) => Promise<SlackHttpResponse>) {
      const forged = await send({ signature: `v0=${'0'.repeat(64)}` });
      expect(forged.status).toBe(401);
      const body = new URLSearchParams({ payload: JSON.stringify(forged.sent) }).toString();
      const headers = { ...signSlackRequest(SIGNING_SECRET, body), 'user-agent': 'Slackbot 1.0' };
      const first = await s.slack.raw(body, headers);
      const second = await s.slack.raw(body, headers);
      const stale = await s.slack.raw(body, {
        ...signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60),
      });
      expect(stale.status).toBe(401);
      return [first, second] as const;
    }

    it('refuses a replayed "not for us": one pass, one audit entry, one reply', async () => {
      const pass = button(sheffieldCard.body.blocks, 'NOT_FOR_US', caseRef);
      const [first, second] = await replayed((options) =>
        s.slack.blockAction(
          {
            userId: sheffield(),
            actionId: pass.action_id,
            value: pass.value,
            channelId: CHANNELS.nhsProviderClinicians,
            messageTs: tsOf(sheffieldCard),
            responseUrl: s.fake.responseUrl('replayed-pass'),
          },
          options,
        ),
      );
      expect([first.status, second.status]).toEqual([200, 401]);
      expect(second.body).toBe(REPLAY_REFUSAL);
      await s.fake.waitFor((c) => c.method === 'response_url' && textOf(c.body).includes('Not for us'));
      expect(await s.db.select().from(providerPasses).where(eq(providerPasses.caseRef, caseRef))).toHaveLength(1);
      const audited = await s.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.caseRef, caseRef), eq(auditLog.action, 'PROVIDER_PASSED')));
      expect(audited).toHaveLength(1);
      const replies = s.fake.calls.filter((c) => c.method === 'response_url' && textOf(c.body).includes('Not for us'));
      expect(replies).toHaveLength(1);
    });

    it('refuses a replayed listing: one patient listed', async () => {
      const listing = listingFor(s.world);
      const [first, second] = await replayed((options) =>
        s.slack.viewSubmission(
          {
            userId: coordinator(),
            callbackId: listingView.callback_id,
            privateMetadata: listingView.private_metadata,
            values: stateOf(listingView, listingAnswers(listing)),
            viewId: 'VREPLAYLIST',
          },
          options,
        ),
      );
      expect(ackOf(first).response_action).toBe('update');
      expect(second.status).toBe(401);
      expect(await s.db.select().from(patients).where(eq(patients.familyName, listing.familyName))).toHaveLength(1);
    });

    it("lets Slack's own retry of a request through to the listeners, which ignore it", async () => {
      const pass = button(sheffieldCard.body.blocks, 'NOT_FOR_US', caseRef);
      const forged = await s.slack.blockAction(
        {
          userId: sheffield(),
          actionId: pass.action_id,
          value: pass.value,
          channelId: CHANNELS.nhsProviderClinicians,
          messageTs: tsOf(sheffieldCard),
          responseUrl: s.fake.responseUrl('retried-pass'),
        },
        { signature: `v0=${'0'.repeat(64)}` },
      );
      const body = new URLSearchParams({ payload: JSON.stringify(forged.sent) }).toString();
      const headers = { ...signSlackRequest(SIGNING_SECRET, body) };
      expect((await s.slack.raw(body, headers)).status).toBe(200);
      const retry = await s.slack.raw(body, {
        ...headers,
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'timeout',
      });
      expect(retry.status).toBe(200);
      expect(await s.db.select().from(providerPasses).where(eq(providerPasses.caseRef, caseRef))).toHaveLength(1);
    });
  });
});
