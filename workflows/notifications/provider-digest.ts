/**
 * One provider organisation's digest of newly matching cases: the single
 * place its clinicians' channel is written to, so batching and pacing live
 * here, in Temporal's own timers.
 *
 *   match signalled ─► batching window (timer) ─► ONE digest sent ─► channel pacing (timer) ─► …
 *
 * A match seen before (same case, same round) is dropped, so a retried
 * fan-out never notifies twice; each digest's key is fixed before it is sent,
 * so a retried send is delivered once. History stays bounded by
 * continue-as-new, carrying what is pending and what was seen.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';
import { digestStatusQuery, newMatchesSignal, type CaseMatch, type ProviderDigestInput } from '../contract';

/** Matches remembered for de-duplication, across continue-as-new. */
const MAX_SEEN = 5_000;
/** Digests sent per run before continuing as new. */
const SENDS_PER_RUN = 100;
/** With nothing to send for this long the workflow ends; the next match starts it again. */
const IDLE_MS = 24 * 60 * 60 * 1000;
/** Case references named in one digest; its count covers them all. */
export const MAX_REFS_PER_DIGEST = 50;

export const matchKey = (match: CaseMatch): string => `${match.caseRef}#${match.round}`;

export async function providerDigest(input: ProviderDigestInput): Promise<{ sent: number }> {
  const { organisationId, settings } = input;
  const { notify } = proxyActivities<Activities>({
    ...STEP_ACTIVITY_OPTIONS,
    taskQueue: settings.notificationsTaskQueue,
  });
  const seen: string[] = [...(input.carried?.seen ?? [])];
  const seenSet = new Set(seen);
  let pending: CaseMatch[] = [...(input.carried?.pending ?? [])];
  let sent = input.carried?.sent ?? 0;

  setHandler(digestStatusQuery, () => ({ organisationId, pending: pending.length, sent, seen: seen.length }));

  setHandler(newMatchesSignal, (matches) => {
    for (const match of matches) {
      const id = matchKey(match);
      if (seenSet.has(id)) continue;
      seenSet.add(id);
      seen.push(id);
      pending.push({ caseRef: match.caseRef, round: match.round });
    }
  });

  for (let sentThisRun = 0; ;) {
    if (!(await condition(() => pending.length > 0, IDLE_MS))) break;
    // Batching window: matches arriving meanwhile join this digest.
    await sleep(settings.windowMs);
    const batch = pending;
    pending = [];
    sent += 1;
    await notify({
      // The first run's id keeps keys distinct from an earlier digest workflow for the same organisation.
      key: `digest/${organisationId}/${workflowInfo().firstExecutionRunId}/${sent}`,
      kind: 'NEW_MATCHES_DIGEST',
      audience: { kind: 'ORGANISATION', organisationId, roles: ['CLINICIAN'] },
      data: {
        count: batch.length,
        caseRefs: batch
          .slice(0, MAX_REFS_PER_DIGEST)
          .map((match) => match.caseRef)
          .join(','),
      },
    });
    sentThisRun += 1;
    // Channel pacing: the next message to this channel waits at least this long.
    await sleep(settings.channelIntervalMs);
    if (sentThisRun >= SENDS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof providerDigest>({
        organisationId,
        settings,
        carried: { seen: seen.slice(-MAX_SEEN), pending, sent },
      });
    }
  }
  await condition(allHandlersFinished);
  return { sent };
}
