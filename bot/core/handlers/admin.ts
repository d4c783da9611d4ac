/**
 * What an admin does from chat: connect a channel to a team's notifications or
 * a region's escalations, and link a chat user to a person with roles.
 */
import { appendAudit } from '../../../db/audit';
import { linkChannel, linkChatUser } from '../../../db/chat-directory';
import { actFor, identify, type ChatUser } from '../chat-user';
import type { Command } from '../commands';
import { humanise } from '../forms';
import { refused, said, type CommandPlace, type HandlerContext, type Reply } from './context';

type ConnectCommand = Extract<Command, { kind: 'connect' }>;
type AddUserCommand = Extract<Command, { kind: 'adduser' }>;

/** An admin of any organisation in the region may point the region's escalations at a channel. */
async function regionAdmin(ctx: HandlerContext, user: ChatUser, region: string) {
  const who = await identify(ctx.db, user, 'CONNECT_CHANNEL');
  if (!who.ok) return who;
  const membership = who.value.memberships.find(
    (m) => m.region === region && m.roles.some((r) => r === 'ADMIN' || r === 'ESCALATION_LEAD'),
  );
  if (!membership) {
    return {
      ok: false as const,
      message: 'Only an admin or escalation lead in that region can connect its escalations.',
    };
  }
  return { ok: true as const, value: { identity: who.value, membership } };
}

/** `connect …`: send a team's notifications, or a region's escalations, to the channel the command was typed in. */
export async function connectChannel(
  ctx: HandlerContext,
  user: ChatUser,
  audience: ConnectCommand['audience'],
  where: CommandPlace,
): Promise<Reply> {
  const { db } = ctx;
  const acting =
    'region' in audience
      ? await regionAdmin(ctx, user, audience.region)
      : await actFor(db, user, 'CONNECT_CHANNEL', { ods: audience.ods, roles: ['ADMIN'] });
  if (!acting.ok) return refused(acting.message);
  await linkChannel(db, {
    platform: user.platform,
    workspaceId: user.workspaceId,
    channelId: where.channelId,
    audience:
      'region' in audience
        ? { region: audience.region }
        : { organisationId: acting.value.membership.organisationId, role: audience.role },
    linkedBy: acting.value.identity.personId,
    conversationReference: where.conversationReference,
  });
  await appendAudit(db, {
    action: 'CHANNEL_LINKED',
    actor: {
      kind: 'PERSON',
      personId: acting.value.identity.personId,
      organisationId: acting.value.membership.organisationId,
      channel: user.platform,
    },
    detail: {
      channelId: where.channelId,
      ...('region' in audience ? { region: audience.region } : { role: audience.role }),
    },
  });
  const who =
    'region' in audience
      ? `${humanise(audience.region)} escalations`
      : `${acting.value.membership.name} ${humanise(audience.role).toLowerCase()}s`;
  return { kind: 'message', message: said('Channel connected', `This channel now receives ${who}.`) };
}

/** `adduser …`: link a chat user to a person of the admin's organisation, with roles. */
export async function addUser(ctx: HandlerContext, user: ChatUser, command: AddUserCommand): Promise<Reply> {
  const { db } = ctx;
  const acting = await actFor(db, user, 'LINK_CHAT_USER', { ods: command.ods, roles: ['ADMIN'] });
  if (!acting.ok) return refused(acting.message);
  const personId = await linkChatUser(db, {
    platform: user.platform,
    workspaceId: user.workspaceId,
    externalUserId: command.userId,
    displayName: command.displayName,
    organisationId: acting.value.membership.organisationId,
    roles: command.roles,
  });
  await appendAudit(db, {
    action: 'CHAT_USER_LINKED',
    actor: {
      kind: 'PERSON',
      personId: acting.value.identity.personId,
      organisationId: acting.value.membership.organisationId,
      channel: user.platform,
    },
    detail: { personId, chatUserId: command.userId, roles: command.roles },
  });
  return {
    kind: 'message',
    message: said(
      'Person linked',
      `${command.displayName} now acts for ${acting.value.membership.name} as ${command.roles.map((r) => humanise(r).toLowerCase()).join(', ')}.`,
    ),
  };
}
