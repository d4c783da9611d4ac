/**
 * The Temporal Schedules the service relies on, created idempotently at
 * start-up (worker and `npm start`): the daily escalation digest and the
 * weekly managers' digest, each at a local time in a named time zone. A
 * schedule that exists already is updated to today's configuration, so
 * changing the time needs no manual step.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import {
  ESCALATION_SCHEDULE_ID,
  WEEKLY_DIGEST_SCHEDULE_ID,
  type EscalationDigestInput,
  type WeeklyDigestInput,
} from './contract';
import type { EscalationSettings, WeeklyDigestSettings } from './config';

export interface ScheduleTarget {
  /** The journeys task queue, where the digest workflows and their query activities run. */
  taskQueue: string;
  notificationsTaskQueue: string;
  escalation: EscalationSettings;
  weeklyDigest: WeeklyDigestSettings;
  /** Tests give each run schedules of their own. */
  scheduleId?: string;
  weeklyScheduleId?: string;
}

export interface ScheduleIds {
  escalation: string;
  weeklyDigest: string;
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

export function weeklyDigestScheduleOptions(target: ScheduleTarget): ScheduleOptions {
  const { weeklyDigest } = target;
  const input: WeeklyDigestInput = { notificationsTaskQueue: target.notificationsTaskQueue };
  const scheduleId = target.weeklyScheduleId ?? WEEKLY_DIGEST_SCHEDULE_ID;
  return {
    scheduleId,
    spec: {
      calendars: [{ dayOfWeek: weeklyDigest.dayOfWeek, hour: weeklyDigest.hour, minute: weeklyDigest.minute }],
      timezone: weeklyDigest.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'weeklyManagersDigest',
      workflowId: scheduleId,
      taskQueue: target.taskQueue,
      args: [input],
    },
    // A digest that could not start on the morning (workers down) still goes out that day: its keys
    // name the trust and the week, so a late run never sends a week twice.
    policies: { overlap: 'SKIP', catchupWindow: '12 hours' },
  };
}

async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<string> {
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

/** Creates the schedules, or brings existing ones up to date. Returns their ids. */
export async function ensureSchedules(client: Client, target: ScheduleTarget): Promise<ScheduleIds> {
  return {
    escalation: await upsertSchedule(client, escalationScheduleOptions(target)),
    weeklyDigest: await upsertSchedule(client, weeklyDigestScheduleOptions(target)),
  };
}
