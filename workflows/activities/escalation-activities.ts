/**
 * Finds what the daily escalation digest reports and shapes it, per origin
 * region, into what a notification may carry: counts, and case references
 * with their state and weeks waiting (a sample, so a digest stays readable).
 */
import type { Db } from '../../db/client';
import { escalationCandidates } from '../../db/escalations';
import type { Region } from '../../domain/codes';

/** Cases named per list in one digest; the counts cover them all. */
export const DIGEST_SAMPLE = 20;

export interface RegionEscalations {
  region: Region;
  data: Record<string, string | number>;
}

export function createEscalationActivities({ db }: { db: Db }) {
  return {
    async findEscalations(step: { at: string; stalledAfterMs: number }): Promise<RegionEscalations[]> {
      const now = new Date(step.at);
      const found = (await escalationCandidates(db, { now, stalledAfterMs: step.stalledAfterMs })).filter(
        (c) => c.stalled || c.approaching,
      );
      const regions = [...new Set(found.map((c) => c.region))].sort();
      return regions.map((region) => {
        const inRegion = found.filter((c) => c.region === region);
        const stalled = inRegion.filter((c) => c.stalled);
        const approaching = inRegion.filter((c) => c.approaching);
        const near = (milestone: number) => approaching.filter((c) => c.approaching === milestone).length;
        return {
          region,
          data: {
            stalledCount: stalled.length,
            stalled: stalled
              .slice(0, DIGEST_SAMPLE)
              .map((c) => `${c.caseRef} ${c.state} ${c.daysInState}d ${c.weeksWaiting}w`)
              .join(', '),
            approachingCount: approaching.length,
            approaching52: near(52),
            approaching65: near(65),
            approaching78: near(78),
            approaching: approaching
              .slice(0, DIGEST_SAMPLE)
              .map((c) => `${c.caseRef} ${c.weeksWaiting}w→${c.approaching}`)
              .join(', '),
          },
        };
      });
    },
  };
}
