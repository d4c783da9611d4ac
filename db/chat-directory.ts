/**
 * Who is who in chat, and where each audience listens: chat identities
 * linked to people and their roles, channels linked to an organisation's role
 * or a region's escalation leads, and the record of each message delivered.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { OrganisationKind, Region, Role } from '../domain/codes';
import type { ChatPlatform } from '../domain/journey-states';
import type { Audience } from '../domain/notifications';
import type { Db, Queryable } from './client';
import {
  chatChannels,
  chatConversations,
  chatDeliveries,
  chatIdentities,
  memberships,
  organisations,
  people,
} from './schema';

export interface OrganisationMembership {
  organisationId: string;
  ods: string;
  name: string;
  kind: OrganisationKind;
  region: Region;
  roles: Role[];
}

/** Every organisation the person belongs to, with their roles there, by name. */
export async function membershipsOf(db: Queryable, personId: string): Promise<OrganisationMembership[]> {
  const rows = await db
    .select({
      organisationId: organisations.id,
      ods: organisations.odsCode,
      name: organisations.name,
      kind: organisations.kind,
      region: organisations.region,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(eq(memberships.personId, personId))
    .orderBy(organisations.name, memberships.role);
  const byOrg = new Map<string, OrganisationMembership>();
  for (const { role, ...org } of rows) {
    const found = byOrg.get(org.organisationId) ?? { ...org, roles: [] };
    found.roles.push(role);
    byOrg.set(org.organisationId, found);
  }
  return [...byOrg.values()];
}

export interface ChatUserLink {
  platform: ChatPlatform;
  workspaceId: string;
  externalUserId: string;
  displayName: string;
  email?: string;
  organisationId: string;
  roles: Role[];
}

/**
 * Links a chat user to a person (created on first link, found by the chat
 * identity or the email after) and gives them roles in one organisation.
 * Linking again adds roles and changes nothing else.
 */
export async function linkChatUser(db: Db, link: ChatUserLink): Promise<string> {
  return db.transaction(async (tx) => {
    const [identity] = await tx
      .select({ personId: chatIdentities.personId })
      .from(chatIdentities)
      .where(
        and(
          eq(chatIdentities.platform, link.platform),
          eq(chatIdentities.workspaceId, link.workspaceId),
          eq(chatIdentities.externalUserId, link.externalUserId),
        ),
      );
    let personId = identity?.personId;
    if (!personId && link.email) {
      const [byEmail] = await tx.select({ id: people.id }).from(people).where(eq(people.email, link.email));
      personId = byEmail?.id;
    }
    if (!personId) {
      const [created] = await tx
        .insert(people)
        .values({ displayName: link.displayName, email: link.email })
        .returning({ id: people.id });
      personId = created!.id;
    }
    await tx
      .insert(chatIdentities)
      .values({
        personId,
        platform: link.platform,
        workspaceId: link.workspaceId,
        externalUserId: link.externalUserId,
      })
      .onConflictDoNothing();
    if (link.roles.length > 0) {
      await tx
        .insert(memberships)
        .values(link.roles.map((role) => ({ personId: personId, organisationId: link.organisationId, role })))
        .onConflictDoNothing();
    }
    return personId;
  });
}

export type ChannelAudience = { organisationId: string; role: Role } | { region: Region };

export interface ChannelLink {
  platform: ChatPlatform;
  workspaceId: string;
  channelId: string;
  audience: ChannelAudience;
  linkedBy?: string;
  conversationReference?: unknown;
}

/** Links a channel to an audience; linking it again changes nothing. */
export async function linkChannel(db: Queryable, link: ChannelLink): Promise<void> {
  const audience =
    'region' in link.audience
      ? { region: link.audience.region, organisationId: null, role: null }
      : { organisationId: link.audience.organisationId, role: link.audience.role, region: null };
  await db
    .insert(chatChannels)
    .values({
      platform: link.platform,
      workspaceId: link.workspaceId,
      channelId: link.channelId,
      ...audience,
      linkedBy: link.linkedBy,
      conversationReference: link.conversationReference ?? null,
    })
    .onConflictDoNothing();
}

export interface ChannelRow {
  workspaceId: string;
  channelId: string;
  conversationReference: unknown;
}

/** The channels an audience listens in on one platform, each once. */
export async function channelsForAudience(
  db: Queryable,
  platform: ChatPlatform,
  audience: Audience,
): Promise<ChannelRow[]> {
  const where =
    audience.kind === 'REGION_ESCALATION'
      ? eq(chatChannels.region, audience.region)
      : and(
          eq(chatChannels.organisationId, audience.organisationId),
          audience.roles.length > 0 ? inArray(chatChannels.role, audience.roles) : sql`false`,
        );
  const rows = await db
    .selectDistinctOn([chatChannels.workspaceId, chatChannels.channelId], {
      workspaceId: chatChannels.workspaceId,
      channelId: chatChannels.channelId,
      conversationReference: chatChannels.conversationReference,
    })
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, platform), where))
    .orderBy(chatChannels.workspaceId, chatChannels.channelId);
  return rows;
}

export interface Delivery {
  notificationKey: string;
  platform: ChatPlatform;
  workspaceId: string;
  channelId: string;
  messageRef: string;
  caseRef?: string;
}

/** The message already delivered for this notification in this channel, if any. */
export async function deliveredMessage(
  db: Queryable,
  key: Omit<Delivery, 'messageRef' | 'caseRef'>,
): Promise<string | undefined> {
  const [row] = await db
    .select({ messageRef: chatDeliveries.messageRef })
    .from(chatDeliveries)
    .where(
      and(
        eq(chatDeliveries.notificationKey, key.notificationKey),
        eq(chatDeliveries.platform, key.platform),
        eq(chatDeliveries.workspaceId, key.workspaceId),
        eq(chatDeliveries.channelId, key.channelId),
      ),
    );
  return row?.messageRef;
}

export async function recordDelivery(db: Queryable, delivery: Delivery): Promise<void> {
  await db.insert(chatDeliveries).values(delivery).onConflictDoNothing();
}

/** The notification behind a message the bot posted, found from where the message is. */
export async function deliveryAt(
  db: Queryable,
  where: { platform: ChatPlatform; workspaceId: string; channelId: string; messageRef: string },
): Promise<string | undefined> {
  const [row] = await db
    .select({ notificationKey: chatDeliveries.notificationKey })
    .from(chatDeliveries)
    .where(
      and(
        eq(chatDeliveries.platform, where.platform),
        eq(chatDeliveries.workspaceId, where.workspaceId),
        eq(chatDeliveries.channelId, where.channelId),
        eq(chatDeliveries.messageRef, where.messageRef),
      ),
    );
  return row?.notificationKey;
}

export interface Conversation {
  platform: ChatPlatform;
  workspaceId: string;
  conversationId: string;
  conversationType: string;
  externalUserId?: string;
  reference: unknown;
}

/** The bot was installed in (or is still in) a conversation: remember how to reach it. */
export async function recordConversation(db: Queryable, conversation: Conversation): Promise<void> {
  await db
    .insert(chatConversations)
    .values({ ...conversation, externalUserId: conversation.externalUserId ?? null })
    .onConflictDoUpdate({
      target: [chatConversations.platform, chatConversations.conversationId],
      set: { reference: conversation.reference, removedAt: null, workspaceId: conversation.workspaceId },
    });
}

/** The bot was removed from a conversation: send nothing more to it. */
export async function removeConversation(db: Queryable, platform: ChatPlatform, conversationId: string): Promise<void> {
  await db
    .update(chatConversations)
    .set({ removedAt: new Date() })
    .where(and(eq(chatConversations.platform, platform), eq(chatConversations.conversationId, conversationId)));
}

/** The stored reference of a conversation the bot is still in. */
export async function conversationReference(
  db: Queryable,
  platform: ChatPlatform,
  conversationId: string,
): Promise<unknown> {
  const [row] = await db
    .select({ reference: chatConversations.reference })
    .from(chatConversations)
    .where(
      and(
        eq(chatConversations.platform, platform),
        eq(chatConversations.conversationId, conversationId),
        isNull(chatConversations.removedAt),
      ),
    );
  return row?.reference;
}

/** Personal chats with the people an organisation audience names, for when it has no linked channel. */
export async function personalConversationsFor(
  db: Queryable,
  platform: ChatPlatform,
  audience: Audience,
): Promise<ChannelRow[]> {
  if (audience.kind !== 'ORGANISATION' || audience.roles.length === 0) return [];
  return db
    .selectDistinctOn([chatConversations.conversationId], {
      workspaceId: chatConversations.workspaceId,
      channelId: chatConversations.conversationId,
      conversationReference: chatConversations.reference,
    })
    .from(memberships)
    .innerJoin(
      chatIdentities,
      and(eq(chatIdentities.personId, memberships.personId), eq(chatIdentities.platform, platform)),
    )
    .innerJoin(
      chatConversations,
      and(
        eq(chatConversations.platform, platform),
        eq(chatConversations.workspaceId, chatIdentities.workspaceId),
        eq(chatConversations.externalUserId, chatIdentities.externalUserId),
        eq(chatConversations.conversationType, 'personal'),
        isNull(chatConversations.removedAt),
      ),
    )
    .where(and(eq(memberships.organisationId, audience.organisationId), inArray(memberships.role, audience.roles)))
    .orderBy(chatConversations.conversationId);
}
