/**
 * The daily escalation digest, started by a Temporal Schedule: each region's
 * escalation leads get one message listing its stalled cases and its patients
 * nearing 52, 65 and 78 weeks. The send goes through the notifications task
 * queue (rate-limited); its key names this run and the region, so a retried
 * send is delivered once and a later day's digest is a new message.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';
import type { EscalationDigestInput, EscalationDigestResult } from '../contract';

export async function escalationDigest(input: EscalationDigestInput): Promise<EscalationDigestResult> {
  // The region-wide query may take longer than a single journey step.
  const { findEscalations } = proxyActivities<Activities>({
    ...STEP_ACTIVITY_OPTIONS,
    startToCloseTimeout: '2 minutes',
  });
  const { notify } = proxyActivities<Activities>({ ...STEP_ACTIVITY_OPTIONS, taskQueue: input.notificationsTaskQueue });
  const groups = await findEscalations({
    at: new Date(Date.now()).toISOString(),
    stalledAfterMs: input.stalledAfterMs,
  });
  const result: EscalationDigestResult = { regions: 0, stalled: 0, approaching: 0 };
  for (const group of groups) {
    await notify({
      key: `escalation/${workflowInfo().workflowId}/${group.region}`,
      kind: 'ESCALATION_DIGEST',
      audience: { kind: 'REGION_ESCALATION', region: group.region },
      data: group.data,
    });
    result.regions += 1;
    result.stalled += Number(group.data.stalledCount ?? 0);
    result.approaching += Number(group.data.approachingCount ?? 0);
  }
  return result;
}
