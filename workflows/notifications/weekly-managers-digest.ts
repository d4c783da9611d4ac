/**
 * The weekly managers' digest, started by a Temporal Schedule (Monday morning):
 * each origin trust's managers get one message with last week's funnel by
 * specialty (where journeys stalled) and the trust's waits. One activity plans
 * the run (which week, which trusts), one gathers each trust's figures, and
 * the send goes through the notifications task queue (rate-limited). Each key
 * names the trust and the week, so a retried or repeated run delivers each
 * trust's digest for a week once.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';
import type { WeeklyDigestInput, WeeklyDigestResult } from '../contract';

export async function weeklyManagersDigest(input: WeeklyDigestInput): Promise<WeeklyDigestResult> {
  // A trust's funnel is a few aggregate queries: longer than a journey step may take, far shorter than this.
  const { planWeeklyDigest, gatherWeeklyDigest } = proxyActivities<Activities>({
    ...STEP_ACTIVITY_OPTIONS,
    startToCloseTimeout: '2 minutes',
  });
  const { notify } = proxyActivities<Activities>({ ...STEP_ACTIVITY_OPTIONS, taskQueue: input.notificationsTaskQueue });

  const plan = await planWeeklyDigest({ at: new Date(Date.now()).toISOString() });
  for (const organisationId of plan.organisationIds) {
    const digest = await gatherWeeklyDigest({ organisationId, weekStarting: plan.weekStarting });
    await notify({
      key: `weekly-digest/${organisationId}/${plan.weekStarting}`,
      kind: 'WEEKLY_DIGEST',
      audience: { kind: 'ORGANISATION', organisationId, roles: ['MANAGER'] },
      data: digest.data,
    });
  }
  return { weekStarting: plan.weekStarting, organisations: plan.organisationIds.length };
}
