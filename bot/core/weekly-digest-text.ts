/**
 * The words of the weekly managers' digest, shared by every chat front end:
 * the funnel as short lines ("Listed 7 → offered 6 → …"), what ended journeys
 * without a transfer, the median time spent in each state, and the waits.
 * Pure. The digest is read through its schema (domain/funnel.ts), so only
 * counts, durations and specialty codes ever reach chat: it is aggregate by
 * construction and names no case.
 */
import { TREATMENT_FUNCTIONS, isTreatmentFunctionCode } from '../../domain/codes';
import {
  DECLINE_REASONS,
  STAY_STATES,
  TIMEOUT_KINDS,
  readWeeklyDigest,
  type DigestSpecialty,
  type FunnelCounts,
  type StayState,
} from '../../domain/funnel';
import { WITHDRAW_REASONS } from '../../domain/journey-states';
import { MIN_PATIENTS_FOR_WAIT_FIGURES } from '../../domain/waits';

const STAY_LABELS: Record<StayState, string> = {
  LISTED: 'listed',
  OPEN_FOR_OFFERS: 'open for offers',
  RELISTED: 'relisted',
  CHOOSING: "patient's choice",
  AWAITING_APPROVAL: 'awaiting approval',
  APPROVED: 'approved, awaiting transfer',
};

const DECLINE_LABELS: Record<(typeof DECLINE_REASONS)[number], string> = {
  DECLINED_ALL: 'declined all offers',
  STAYED_LOCAL: 'stayed local',
  ORIGIN_RELEASE_REJECTED: 'release rejected',
  RECEIVING_ACCEPTANCE_REJECTED: 'acceptance rejected',
};

const TIMEOUT_LABELS: Record<(typeof TIMEOUT_KINDS)[number], string> = {
  NO_OFFERS: 'no offers',
  OFFER_EXPIRED: 'offer expired',
  CHOICE_LAPSED: 'choice overdue',
  APPROVAL_LAPSED: 'approval overdue',
  MATCH_DEADLINE: 'match deadline passed',
};

const WITHDRAW_LABELS: Record<(typeof WITHDRAW_REASONS)[number], string> = {
  TREATED_LOCALLY: 'treated locally',
  NO_LONGER_NEEDED: 'no longer needed',
  PATIENT_CHANGED_MIND: 'changed mind',
  CLINICAL_CHANGE: 'clinical change',
  OTHER: 'other',
};

const round1 = (value: number) => (Math.round(value * 10) / 10).toFixed(1).replace(/\.0$/, '');

/** A stay's length as people say it: minutes under an hour, hours under two days, then days. */
export function formatHours(hours: number): string {
  if (hours * 60 < 1) return 'under 1 min';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${round1(hours)} h`;
  return `${round1(hours / 24)} d`;
}

const specialtyTitle = (code: string) =>
  isTreatmentFunctionCode(code) ? `${code} ${TREATMENT_FUNCTIONS[code]}` : `Specialty ${code}`;

/** `Listed 7 → offered 6 → chosen 3 → approved 1 → transferred 1` */
export function stagesLine(counts: FunnelCounts): string {
  return (
    `Listed ${counts.listed} → offered ${counts.offered} → chosen ${counts.chosen} → ` +
    `approved ${counts.approved} → transferred ${counts.transferred}`
  );
}

function reasons<R extends string>(found: Record<R, number>, order: readonly R[], labels: Record<R, string>): string {
  const named = order.filter((reason) => found[reason] > 0).map((reason) => `${labels[reason]} ${found[reason]}`);
  return named.length > 0 ? ` (${named.join(', ')})` : '';
}

/** `Declined 2 (stayed local 1, release rejected 1) · timed out 1 (no offers 1) · withdrawn 0 · in progress 3` */
export function outcomesLine(counts: FunnelCounts): string {
  return [
    `Declined ${counts.declined.cases}${reasons(counts.declined.reasons, DECLINE_REASONS, DECLINE_LABELS)}`,
    `timed out ${counts.timedOut.cases}${reasons(counts.timedOut.reasons, TIMEOUT_KINDS, TIMEOUT_LABELS)}`,
    `withdrawn ${counts.withdrawn.cases}${reasons(counts.withdrawn.reasons, WITHDRAW_REASONS, WITHDRAW_LABELS)}`,
    `in progress ${counts.inProgress}`,
  ].join(' · ');
}

/** `Median time in state (stays): listed under 1 min (7) · open for offers 3 d (6) · …`; empty with no completed stay. */
export function staysLine(counts: FunnelCounts): string {
  const stays = STAY_STATES.flatMap((state) => {
    const stay = counts.timeInState[state];
    return stay ? [`${STAY_LABELS[state]} ${formatHours(stay.medianHours)} (${stay.stays})`] : [];
  });
  return stays.length > 0 ? `Median time in state (stays): ${stays.join(' · ')}` : '';
}

/** The state with the longest median stay: where journeys stall. Undefined with no completed stay. */
export function longestStay(counts: FunnelCounts): string | undefined {
  let longest: { state: StayState; medianHours: number; stays: number } | undefined;
  for (const state of STAY_STATES) {
    const stay = counts.timeInState[state];
    if (stay && (!longest || stay.medianHours > longest.medianHours)) longest = { state, ...stay };
  }
  if (!longest) return undefined;
  return `${STAY_LABELS[longest.state]}, median ${formatHours(longest.medianHours)} (${longest.stays} ${longest.stays === 1 ? 'stay' : 'stays'})`;
}

/**
 * `Waiting now: 120 · mean 30.2 wks · 92nd percentile 50.1 wks`, or with too few patients for a reliable figure
 * `Waiting now: 3 · too few patients for reliable wait figures (under 5)`. A digest gathered before figures were withheld still shows none
 * from fewer than MIN_PATIENTS_FOR_WAIT_FIGURES patients.
 */
export function waitsLine(waits: NonNullable<DigestSpecialty['waits']>): string {
  if ('suppressed' in waits || waits.patients < MIN_PATIENTS_FOR_WAIT_FIGURES) {
    return `Waiting now: ${waits.patients} · too few patients for reliable wait figures (under ${MIN_PATIENTS_FOR_WAIT_FIGURES})`;
  }
  return `Waiting now: ${waits.patients} · mean ${round1(waits.meanWeeks)} wks · 92nd percentile ${round1(waits.p92Weeks)} wks`;
}

export interface WeeklyDigestText {
  sentence: string;
  /** Label and line, for the trust as a whole over the longer period. */
  facts: { label: string; value: string }[];
  /** One per specialty, in the digest's order (most listed, then longest waits): all its lines, and a short form. */
  specialties: { title: string; lines: string[]; brief: string }[];
}

/** The digest in words; undefined when `data` does not hold a well-formed digest. */
export function weeklyDigestText(data: Record<string, unknown>): WeeklyDigestText | undefined {
  const digest = readWeeklyDigest(data);
  if (!digest) return undefined;
  const { week, period, patientInitiated } = digest;
  const stall = longestStay(week);
  const sentence =
    week.listed === 0
      ? `No patients were listed for mutual aid in the week starting ${digest.weekStarting}.`
      : `Patients listed in the week starting ${digest.weekStarting}: ${stagesLine(week)}. ${outcomesLine(week)}.` +
        (stall ? ` Longest median stay: ${stall}.` : '');

  const periodLabel = `Last ${period.weeks} weeks (listed from ${period.from})`;
  const facts = [
    { label: periodLabel, value: stagesLine(period.all) },
    { label: 'Declined, timed out, withdrawn', value: outcomesLine(period.all) },
  ];
  const periodStall = longestStay(period.all);
  if (periodStall) facts.push({ label: 'Longest median stay', value: periodStall });
  if (patientInitiated && patientInitiated.listed > 0) {
    facts.push({ label: 'Patient-initiated route', value: stagesLine(patientInitiated) });
  }

  const specialties = digest.specialties.map((specialty) => {
    const lines = specialty.week
      ? [stagesLine(specialty.week), outcomesLine(specialty.week), staysLine(specialty.week)].filter(Boolean)
      : ['None listed that week.'];
    const brief = [specialty.week ? stagesLine(specialty.week) : lines[0]!];
    if (specialty.waits) {
      lines.push(waitsLine(specialty.waits));
      brief.push(waitsLine(specialty.waits));
    }
    return { title: specialtyTitle(specialty.specialtyCode), lines, brief: brief.join('; ') };
  });
  return { sentence, facts, specialties };
}

/** The sentence every front end shows first (and the console shows alone, with one line per specialty). */
export function weeklyDigestSentence(data: Record<string, unknown>): string {
  return weeklyDigestText(data)?.sentence ?? 'Weekly mutual-aid digest: the figures could not be read.';
}
