/** People, their organisations and roles: who is acting, and for whom. */
import { and, eq } from 'drizzle-orm';
import type { Role } from '../domain/codes';
import type { ChatPlatform } from '../domain/journey-states';
import type { Queryable } from './client';
import { chatIdentities, memberships, organisations } from './schema';

export interface Membership {
  personId: string;
  organisationId: string;
  organisationOds: string;
  roles: Role[];
}

/** The person's roles in the organisation with this ODS code; undefined when they have none there. */
export async function membershipIn(
  db: Queryable,
  personId: string,
  organisationOds: string,
): Promise<Membership | undefined> {
  const rows = await db
    .select({ organisationId: organisations.id, role: memberships.role })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(and(eq(memberships.personId, personId), eq(organisations.odsCode, organisationOds)));
  const first = rows[0];
  if (!first) return undefined;
  return { personId, organisationId: first.organisationId, organisationOds, roles: rows.map((row) => row.role) };
}

/** The person behind a Slack user in a workspace or a Teams user in a tenant. */
export async function personForChatUser(
  db: Queryable,
  platform: ChatPlatform,
  workspaceId: string,
  externalUserId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ personId: chatIdentities.personId })
    .from(chatIdentities)
    .where(
      and(
        eq(chatIdentities.platform, platform),
        eq(chatIdentities.workspaceId, workspaceId),
        eq(chatIdentities.externalUserId, externalUserId),
      ),
    );
  return row?.personId;
}

export async function organisationByOds(db: Queryable, odsCode: string) {
  const [row] = await db.select().from(organisations).where(eq(organisations.odsCode, odsCode));
  return row;
}
