/**
 * What every workflow here does the same way: how its activities are
 * called and retried, who an audit entry names, and how an activity's
 * business refusal becomes the Update's refusal.
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
import type { AuditActor } from '../../db/audit';
import type { Actor } from '../contract';
import { STEP_START_TO_CLOSE_MS } from './step-timeout';

/**
 * Retried until the database (or chat) is back: every activity is idempotent by its step key. An attempt
 * that runs past its start-to-close timeout is abandoned, not stopped (these activities do not heartbeat):
 * whatever it does later must not matter, which is why the chat senders stop well within it (step-timeout.ts).
 */
export const STEP_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: STEP_START_TO_CLOSE_MS,
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
