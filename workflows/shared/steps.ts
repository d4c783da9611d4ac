/**
 * What every workflow here does the same way: how its activities are
 * called and retried, who an audit entry names, and how an activity's
 * business refusal becomes the Update's refusal.
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
import type { AuditActor } from '../../db/audit';
import type { Actor } from '../contract';

/** Retried until the database (or chat) is back: every activity is idempotent by its step key. */
export const STEP_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

export function auditActor(actor: Actor): AuditActor {
  return actor.kind === 'PATIENT'
    ? { kind: 'PATIENT', channel: actor.channel }
    : { kind: 'PERSON', personId: actor.personId, organisationId: actor.organisationId, channel: actor.channel };
}

/** An activity's business refusal, with its code and words intact; undefined for any other failure. */
export function refusalOf(error: unknown): ApplicationFailure | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return ApplicationFailure.nonRetryable(error.cause.message, error.cause.type);
  }
  return undefined;
}
