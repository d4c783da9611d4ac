/**
 * The Temporal Schedules the service relies on, created idempotently at
 * start-up (worker and `npm start`): the daily escalation digest, at a local
 * time in a named time zone. A schedule that exists already is updated to
 * today's configuration, so changing the time needs no manual step.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import { ESCALATION_SCHEDULE_ID, type EscalationDigestInput } from './contract';
import type { EscalationSettings } from './config';

export interface ScheduleTarget {
  /** The journeys task queue, where the digest workflow and its query activity run. */
  taskQueue: string;
  notificationsTaskQueue: string;
  escalation: EscalationSettings;
  /** Tests give each run a schedule of its own. */
  scheduleId?: string;
}

export function escalationScheduleOptions(target: ScheduleTarget): ScheduleOptions {
  const { escalation } = target;
  const input: EscalationDigestInput = {
    stalledAfterMs: escalation.stalledAfterMs,
    notificationsTaskQueue: target.notificationsTaskQueue,
  };
  const scheduleId = target.scheduleId ?? ESCALATION_SCHEDULE_ID;
  return {
    scheduleId,
    spec: {
      calendars: [{ hour: escalation.hour, minute: escalation.minute }],
      timezone: escalation.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'escalationDigest',
      workflowId: scheduleId,
      taskQueue: target.taskQueue,
      args: [input],
    },
    // One digest a day: a late one is skipped rather than doubled.
    policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
  };
}

/** Creates the schedules, or brings existing ones up to date. Returns the escalation schedule's id. */
export async function ensureSchedules(client: Client, target: ScheduleTarget): Promise<string> {
  const options = escalationScheduleOptions(target);
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((current) => ({
      ...current,
      spec: options.spec,
      action: options.action,
      policies: { ...current.policies, ...options.policies },
    }));
  }
  return options.scheduleId;
}
