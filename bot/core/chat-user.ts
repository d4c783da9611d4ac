/**
 * Who is clicking: a Slack user in a workspace, or a Teams user in a tenant,
 * resolved to a person and their roles. Every refusal here (an unknown chat
 * user, a person acting for an organisation they do not belong to) is
 * written to the audit log before the user is told.
 */
import { appendAudit } from '../../db/audit';
import type { Db } from '../../db/client';
import { membershipsOf, type OrganisationMembership } from '../../db/chat-directory';
import { personForChatUser } from '../../db/people';
import type { Role } from '../../domain/codes';
import type { ChatPlatform } from '../../domain/journey-states';
import { auditRefusal, type ActingAs } from '../../workflows/acting';

export interface ChatUser {
  platform: ChatPlatform;
  /** Slack team id, or Teams tenant id. */
  workspaceId: string;
  /** Slack user id, or AAD object id. */
  userId: string;
}

export interface Identity {
  personId: string;
  memberships: OrganisationMembership[];
}

export interface Acting {
  identity: Identity;
  membership: OrganisationMembership;
  actingAs: ActingAs;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; message: string };

const NOT_LINKED =
  'Your chat account is not linked to mutual aid yet. Ask your organisation’s mutual-aid admin to add you ' +
  '(`/mutualaid adduser`).';

/** The person behind a chat user, with all their organisations; a refusal (audited) when unknown. */
export async function identify(db: Db, user: ChatUser, action: string): Promise<Resolved<Identity>> {
  const personId = await personForChatUser(db, user.platform, user.workspaceId, user.userId);
  if (!personId) {
    await appendAudit(db, {
      action,
      outcome: 'REFUSED',
      actor: { kind: 'SYSTEM', channel: user.platform },
      detail: {
        code: 'ACTOR.UNKNOWN',
        platform: user.platform,
        workspaceId: user.workspaceId,
        chatUserId: user.userId,
      },
    });
    return { ok: false, message: NOT_LINKED };
  }
  return { ok: true, value: { personId, memberships: await membershipsOf(db, personId) } };
}

/**
 * The person acting for one organisation, chosen by id, or by the roles the
 * action needs when they belong to exactly one organisation with such a role.
 */
export async function actFor(
  db: Db,
  user: ChatUser,
  action: string,
  organisation: { organisationId?: string; ods?: string; roles?: Role[] },
): Promise<Resolved<Acting>> {
  const who = await identify(db, user, action);
  if (!who.ok) return who;
  const identity = who.value;
  const candidates = identity.memberships.filter(
    (m) =>
      (organisation.organisationId === undefined || m.organisationId === organisation.organisationId) &&
      (organisation.ods === undefined || m.ods === organisation.ods.toUpperCase()) &&
      (organisation.roles === undefined || m.roles.some((role) => organisation.roles!.includes(role))),
  );
  const channel = user.platform;
  if (candidates.length === 1) {
    const membership = candidates[0]!;
    return {
      ok: true,
      value: {
        identity,
        membership,
        actingAs: { personId: identity.personId, organisationOds: membership.ods, channel },
      },
    };
  }
  const named = organisation.ods ?? organisation.organisationId;
  await auditRefusal(
    db,
    { personId: identity.personId, organisationOds: organisation.ods ?? '', channel },
    action,
    'ACTOR.NOT_AUTHORISED',
    { organisationId: organisation.organisationId },
  );
  if (candidates.length > 1) {
    const codes = candidates.map((m) => m.ods).join(', ');
    return { ok: false, message: `You belong to more than one organisation that could do this (${codes}): name one.` };
  }
  const roles = organisation.roles?.map((role) => role.toLowerCase()).join(' or ');
  if (named) {
    return {
      ok: false,
      message: `You do not act for that organisation${roles ? ` as ${roles}` : ''} in mutual aid, so you cannot do this.`,
    };
  }
  return { ok: false, message: `You need the ${roles ?? 'right'} role in an organisation to do this.` };
}
