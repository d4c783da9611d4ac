/**
 * What Teams demands of a bot, and what the house demands of every entry
 * point, through the real teams-ai stack: Bot Framework JWTs (no token or a
 * forged one: 401, nothing done), audited refusals, conversation references
 * captured on install and dropped on removal, proactive sends to channels and
 * to people's personal chats, the Bot Connector's 429s, and admin commands.
 */
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../bot/teams/teams-app';
import { TeamsNotifier } from '../../bot/teams/teams-notifier';
import { auditLog, chatChannels, chatConversations, chatDeliveries } from '../../db/schema';
import type { JourneyNotification } from '../../domain/notifications';
import { listPatient } from '../support/journey-helpers';
import { personalConversation } from '../support/teams/activities';
import { createTeamsEnv, type TeamsEnv } from '../support/teams/teams-env';
import { textOf } from '../support/teams/teams-steps';

describe('Teams platform rules', () => {
  let t: TeamsEnv;
  let notifier: TeamsNotifier;
  let caseRef: string;

  beforeAll(async () => {
    t = await createTeamsEnv({ policy: { offerWindowMs: 120_000 } });
    notifier = new TeamsNotifier({
      db: t.db,
      adapter: createTeamsAdapter({
        appId: t.auth.appId,
        appPassword: t.auth.password,
        authOverrides: t.auth.config,
        credentialsFactory: t.auth.credentialsFactory,
      }),
      appId: t.auth.appId,
    });
    caseRef = await listPatient(t.journeys, t.world);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    t.fake.reset();
  });

  const lastAuditId = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]?.id ?? 0;
  const managersOfSheffield = (key: string): JourneyNotification => ({
    key,
    kind: 'APPROVAL_REMINDER',
    caseRef,
    audience: { kind: 'ORGANISATION', organisationId: t.world.nhsProvider.id, roles: ['MANAGER'] },
  });

  it('answers an activity with no token or a forged one with 401, and does nothing', async () => {
    const before = await lastAuditId();
    const activity = t.activities.message('connect managers', { from: t.admin, conversation: t.channels.originTeam });
    const none = await t.teams.post(activity, { authorization: null });
    expect(none.status).toBe(401);
    const forged = t.fake.channelToken(t.auth.appId, { forge: 'unknown-kid' });
    const bad = await t.teams.post(activity, { authorization: `Bearer ${forged}` });
    expect(bad.status).toBe(401);
    const expired = t.fake.channelToken(t.auth.appId, { expiresInSeconds: -600 });
    expect((await t.teams.post(activity, { authorization: `Bearer ${expired}` })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Journey notifications may arrive meanwhile; nothing answers the refused activities.
    expect(t.fake.sent().filter((a) => /Channel connected|went wrong/.test(textOf(a)))).toEqual([]);
    const linked = await t.db.select().from(chatChannels).where(eq(chatChannels.channelId, t.channels.originTeam.id));
    expect(linked.map((row) => row.role).sort()).toEqual(['CLINICIAN', 'COORDINATOR']);
    const since = (await t.db.select().from(auditLog).orderBy(desc(auditLog.id))).filter((row) => row.id > before);
    expect(since.filter((row) => row.action === 'CHANNEL_LINKED' || row.outcome === 'REFUSED')).toHaveLength(0);
  });

  it('tells an unlinked Teams user how to get access, and audits the attempt', async () => {
    const before = await lastAuditId();
    const chat = personalConversation();
    const response = await t.teams.post(
      t.activities.message(`status ${caseRef}`, { from: t.stranger, conversation: chat }),
    );
    expect(response.status).toBe(200);
    const [reply] = await t.fake.waitForSent((a) => a.type === 'message' && a.toConversationId === chat.id);
    expect(textOf(reply)).toContain('not linked');
    expect(textOf(reply)).not.toContain('Specialty');
    const refused = (await t.db.select().from(auditLog).orderBy(desc(auditLog.id))).filter(
      (row) => row.id > before && row.outcome === 'REFUSED',
    );
    expect(refused.map((row) => (row.detail as { code: string }).code)).toEqual(['ACTOR.UNKNOWN']);
  });

  it('answers help with a card of commands', async () => {
    const chat = personalConversation();
    await t.teams.post(
      t.activities.message('help', { from: t.user(t.world.origin, 'coordinator'), conversation: chat }),
    );
    const [reply] = await t.fake.waitForSent((a) => a.type === 'message' && a.toConversationId === chat.id);
    expect(textOf(reply)).toContain('status MA-XXXXXXXX');
    expect(reply!.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  });

  it("sends to people's personal chats when their team has no linked channel, and stops when the bot is removed", async () => {
    const manager = t.user(t.world.nhsProvider, 'manager');
    const chat = personalConversation();
    await t.teams.post(t.activities.installationUpdate('add', { from: manager, conversation: chat }));
    const [stored] = await t.db.select().from(chatConversations).where(eq(chatConversations.conversationId, chat.id));
    expect(stored).toMatchObject({ conversationType: 'personal', externalUserId: manager.aadObjectId });

    await notifier.notify(managersOfSheffield('teams-test/reminder/1'));
    const [sent] = await t.fake.waitForSent((a) => a.toConversationId === chat.id);
    expect(textOf(sent)).toContain(caseRef);
    // A retried send finds its delivery and sends nothing more.
    await notifier.notify(managersOfSheffield('teams-test/reminder/1'));
    expect(t.fake.sent().filter((a) => a.toConversationId === chat.id)).toHaveLength(1);

    await t.teams.post(t.activities.installationUpdate('remove', { from: manager, conversation: chat }));
    t.fake.reset();
    await notifier.notify(managersOfSheffield('teams-test/reminder/2'));
    expect(t.fake.sent()).toHaveLength(0);
  });

  it('delivers once through the Bot Connector’s 429s, and leaves a failed send to be retried', async () => {
    const channel = t.channels.originManagers;
    const managers: JourneyNotification = {
      key: 'teams-test/429/1',
      kind: 'APPROVAL_REMINDER',
      caseRef,
      audience: { kind: 'ORGANISATION', organisationId: t.world.origin.id, roles: ['MANAGER'] },
    };
    t.fake.rateLimitNext(1, 1);
    await notifier.notify(managers);
    expect(t.fake.sent().filter((a) => a.toConversationId === channel.id)).toHaveLength(1);
    expect(t.fake.calls.some((c) => c.rateLimited)).toBe(true);

    t.fake.reset();
    t.fake.rateLimitNext(4, 1);
    const again = { ...managers, key: 'teams-test/429/2' };
    await expect(notifier.notify(again)).rejects.toThrow();
    expect(await t.db.select().from(chatDeliveries).where(eq(chatDeliveries.notificationKey, again.key))).toHaveLength(
      0,
    );
    await notifier.notify(again);
    expect(t.fake.sent().filter((a) => a.toConversationId === channel.id)).toHaveLength(1);
    expect(await t.db.select().from(chatDeliveries).where(eq(chatDeliveries.notificationKey, again.key))).toHaveLength(
      1,
    );
  });

  it('lets an admin connect a channel, keeping its conversation reference, and refuses anyone else', async () => {
    const channel = t.channels.originTeam;
    await t.teams.post(t.activities.message('connect managers', { from: t.admin, conversation: channel }));
    await t.fake.waitForSent((a) => textOf(a).includes('Channel connected'));
    const rows = await t.db.select().from(chatChannels).where(eq(chatChannels.channelId, channel.id));
    const managers = rows.find((row) => row.role === 'MANAGER');
    expect(managers?.conversationReference).toMatchObject({ conversation: { id: channel.id } });

    t.fake.reset();
    await t.teams.post(
      t.activities.message('connect coordinators', {
        from: t.user(t.world.independent, 'clinician'),
        conversation: t.channels.independentClinicians,
      }),
    );
    const [refusal] = await t.fake.waitForSent(
      (a) =>
        a.type === 'message' &&
        a.toConversationId === t.channels.independentClinicians.id &&
        !JSON.stringify(a.summary ?? '').includes('MA-'),
    );
    expect(textOf(refusal)).toContain('role');
  });
});
