/**
 * What the daily escalation digest reports, per origin region: cases stalled
 * in a non-final state, and patients within four weeks of the 52, 65 and 78
 * week milestones. Case references, states and weeks only: never identifiers.
 */
import { and, asc, eq, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Region } from '../domain/codes';
import { TERMINAL_CASE_STATES, type CaseState } from '../domain/journey-states';
import type { Queryable } from './client';
import { cases, organisations } from './schema';

/** Milestones reported, and how many weeks before each a patient is "approaching" it. */
export const ESCALATION_MILESTONES = [52, 65, 78] as const;
export const APPROACHING_WITHIN_WEEKS = 4;
const WEEK_MS = 7 * 86_400_000;

export interface EscalationCase {
  caseRef: string;
  region: Region;
  state: CaseState;
  weeksWaiting: number;
  /** Whole days since the case last changed state. */
  daysInState: number;
  stalled: boolean;
  /** The milestone the patient is within four weeks of, if any. */
  approaching?: (typeof ESCALATION_MILESTONES)[number];
}

export async function escalationCandidates(
  db: Queryable,
  { now, stalledAfterMs }: { now: Date; stalledAfterMs: number },
): Promise<EscalationCase[]> {
  const stalledBefore = new Date(now.getTime() - stalledAfterMs);
  // A clock start in [now - m weeks, now - (m - 4) weeks) puts the patient in the four weeks below milestone m.
  const nearMilestone = ESCALATION_MILESTONES.map((weeks) => {
    const from = new Date(now.getTime() - weeks * WEEK_MS).toISOString().slice(0, 10);
    const to = new Date(now.getTime() - (weeks - APPROACHING_WITHIN_WEEKS) * WEEK_MS).toISOString().slice(0, 10);
    return sql`(${cases.rttClockStart} > ${from} and ${cases.rttClockStart} <= ${to})`;
  });
  const rows = await db
    .select({
      caseRef: cases.caseRef,
      region: organisations.region,
      state: cases.state,
      rttClockStart: cases.rttClockStart,
      stateChangedAt: cases.stateChangedAt,
    })
    .from(cases)
    .innerJoin(organisations, eq(organisations.id, cases.originOrgId))
    .where(
      and(
        notInArray(cases.state, [...TERMINAL_CASE_STATES]),
        or(lt(cases.stateChangedAt, stalledBefore), ...nearMilestone),
      ),
    )
    .orderBy(asc(cases.rttClockStart), asc(cases.caseRef));
  return rows.map((row) => {
    const weeks = Math.floor((now.getTime() - Date.parse(`${row.rttClockStart}T00:00:00Z`)) / WEEK_MS);
    const approaching = ESCALATION_MILESTONES.find((m) => weeks >= m - APPROACHING_WITHIN_WEEKS && weeks < m);
    return {
      caseRef: row.caseRef,
      region: row.region,
      state: row.state,
      weeksWaiting: weeks,
      daysInState: Math.floor((now.getTime() - row.stateChangedAt.getTime()) / 86_400_000),
      stalled: row.stateChangedAt < stalledBefore,
      ...(approaching ? { approaching } : {}),
    };
  });
}
