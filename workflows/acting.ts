/**
 * Acting on someone's behalf, shared by the journey and capacity clients:
 * who is acting (a person, for one organisation, through one channel), their
 * roles there, the refusal an Update came back with, and the audit entry
 * every refused action leaves.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { appendAudit } from '../db/audit';
import type { Db } from '../db/client';
import { membershipIn, organisationByOds } from '../db/people';
import type { Channel, StaffActor } from './contract';

/** Who is acting: a person, for one organisation, through one channel. */
export interface ActingAs {
  personId: string;
  organisationOds: string;
  channel: Channel;
}

/** The person as staff of the organisation they act for; undefined when they hold no role there. */
export async function staffActorFor(db: Db, actingAs: ActingAs): Promise<StaffActor | undefined> {
  const membership = await membershipIn(db, actingAs.personId, actingAs.organisationOds);
  if (!membership) return undefined;
  return {
    kind: 'STAFF',
    personId: actingAs.personId,
    organisationId: membership.organisationId,
    roles: membership.roles,
    channel: actingAs.channel,
  };
}

export interface UpdateRefusal {
  code: string;
  message: string;
  details?: unknown[];
}

/** The workflow's refusal of an Update, with its code and words; undefined for any other error. */
export function updateRefusal(error: unknown, fallbackCode: string): UpdateRefusal | undefined {
  if (!(error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)) return undefined;
  return {
    code: error.cause.type ?? fallbackCode,
    message: error.cause.message,
    details: error.cause.details ?? undefined,
  };
}

/** Writes a refused action to the audit log: codes and references only. */
export async function auditRefusal(
  db: Db,
  actingAs: ActingAs,
  action: string,
  code: string,
  refs: { caseRef?: string; organisationId?: string; detail?: Record<string, string> } = {},
): Promise<void> {
  // The organisation they tried to act for, even when they hold no role there: the audit names it.
  const organisationId =
    refs.organisationId ??
    (actingAs.organisationOds ? (await organisationByOds(db, actingAs.organisationOds))?.id : undefined);
  await appendAudit(db, {
    caseRef: refs.caseRef,
    action,
    outcome: 'REFUSED',
    actor: {
      kind: 'PERSON',
      personId: actingAs.personId,
      organisationId,
      channel: actingAs.channel,
    },
    detail: { code, organisationOds: actingAs.organisationOds, ...refs.detail },
  });
}
