/**
 * Gathers the weekly managers' digest of one origin trust: last week's funnel
 * by specialty (cases listed that week, how far they got and where they
 * waited), the trust's funnel over a longer period ending that week (so the
 * stall points have numbers behind them), the patient-initiated route over
 * that period, and today's waits per specialty (mean and 92nd percentile;
 * from too few patients, the count only, marked). Aggregates only: no case reference, nothing about a patient.
 */
import type { Db } from '../../db/client';
import { funnel, funnelTotals, trustsWithCases } from '../../db/funnel';
import { waitsBy } from '../../db/waits';
import {
  addDays,
  previousReportingWeek,
  reportingWeek,
  weeklyDigestData,
  type DigestSpecialty,
  type FunnelCounts,
  type WeeklyDigest,
} from '../../domain/funnel';

/** Weeks of listings the period totals cover, ending with the digest's week. */
export const DIGEST_PERIOD_WEEKS = 12;

export interface WeeklyDigestPlan {
  /** The Monday of the week the digest reports on: the last complete week before `at`. */
  weekStarting: string;
  /** Origin trusts with cases, each getting one digest. */
  organisationIds: string[];
}

export interface TrustDigest {
  weekStarting: string;
  data: Record<string, string>;
}

const EMPTY: FunnelCounts = {
  listed: 0,
  offered: 0,
  chosen: 0,
  approved: 0,
  transferred: 0,
  declined: {
    cases: 0,
    reasons: { DECLINED_ALL: 0, STAYED_LOCAL: 0, ORIGIN_RELEASE_REJECTED: 0, RECEIVING_ACCEPTANCE_REJECTED: 0 },
  },
  timedOut: {
    cases: 0,
    reasons: { NO_OFFERS: 0, OFFER_EXPIRED: 0, CHOICE_LAPSED: 0, APPROVAL_LAPSED: 0, MATCH_DEADLINE: 0 },
  },
  withdrawn: {
    cases: 0,
    reasons: { TREATED_LOCALLY: 0, NO_LONGER_NEEDED: 0, PATIENT_CHANGED_MIND: 0, CLINICAL_CHANGE: 0, OTHER: 0 },
  },
  inProgress: 0,
  timeInState: {},
};

/** The counts of a FunnelRow or FunnelTotals, without the names (the renderer has its own). */
const countsOnly = (row: FunnelCounts | undefined): FunnelCounts => {
  if (!row) return EMPTY;
  const { listed, offered, chosen, approved, transferred, declined, timedOut, withdrawn, inProgress, timeInState } =
    row;
  return { listed, offered, chosen, approved, transferred, declined, timedOut, withdrawn, inProgress, timeInState };
};

/** A specialty's 92nd-percentile wait for ordering; 0 without figures. */
const p92Of = (specialty: DigestSpecialty): number =>
  specialty.waits && 'p92Weeks' in specialty.waits ? specialty.waits.p92Weeks : 0;

export function createWeeklyDigestActivities({ db }: { db: Db }) {
  return {
    async planWeeklyDigest(step: { at: string }): Promise<WeeklyDigestPlan> {
      const { weekStarting } = previousReportingWeek(new Date(step.at));
      const trusts = await trustsWithCases(db);
      return { weekStarting, organisationIds: trusts.map((trust) => trust.organisationId) };
    },

    async gatherWeeklyDigest(step: { organisationId: string; weekStarting: string }): Promise<TrustDigest> {
      const week = reportingWeek(step.weekStarting);
      const periodFrom = addDays(step.weekStarting, -7 * (DIGEST_PERIOD_WEEKS - 1));
      const period = { organisationId: step.organisationId, from: reportingWeek(periodFrom).from, to: week.to };
      const lastWeek = { organisationId: step.organisationId, from: week.from, to: week.to };

      const [bySpecialty, [weekTotals], [periodTotals], [patientInitiated], waits] = await Promise.all([
        funnel(db, lastWeek),
        funnelTotals(db, lastWeek),
        funnelTotals(db, period),
        funnelTotals(db, { ...period, route: 'PATIENT_INITIATED' }),
        waitsBy(db, { organisationId: step.organisationId }),
      ]);

      const specialties = new Map<string, DigestSpecialty>();
      for (const row of bySpecialty) {
        specialties.set(row.specialtyCode, { specialtyCode: row.specialtyCode, week: countsOnly(row) });
      }
      for (const wait of waits) {
        const entry = specialties.get(wait.specialtyCode) ?? { specialtyCode: wait.specialtyCode };
        // Too few patients for figures: the count, marked (the figures were withheld by waitsBy).
        entry.waits = wait.suppressed
          ? { patients: wait.patients, suppressed: wait.suppressed }
          : { patients: wait.patients, meanWeeks: wait.meanWeeks, p92Weeks: wait.p92Weeks };
        specialties.set(wait.specialtyCode, entry);
      }
      // Most listed first, then the longest waits: the specialties a manager would look at first.
      const ordered = [...specialties.values()].sort(
        (a, b) =>
          (b.week?.listed ?? 0) - (a.week?.listed ?? 0) ||
          p92Of(b) - p92Of(a) ||
          a.specialtyCode.localeCompare(b.specialtyCode),
      );

      const digest: WeeklyDigest = {
        weekStarting: step.weekStarting,
        week: countsOnly(weekTotals),
        period: { weeks: DIGEST_PERIOD_WEEKS, from: periodFrom, all: countsOnly(periodTotals) },
        ...(patientInitiated ? { patientInitiated: countsOnly(patientInitiated) } : {}),
        specialties: ordered,
      };
      return { weekStarting: step.weekStarting, data: weeklyDigestData(digest) };
    },
  };
}
