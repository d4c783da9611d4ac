/**
 * Whether a site can safely take a patient: its clinical limits and the
 * distance the patient will travel. Returns the reasons it cannot, in words
 * a provider clinician recognises (clinical summary only, no identifiers).
 */
import type { CareType, DiagnosticModality, Priority } from './codes';
import type { CaseState, OfferStatus } from './journey-states';
import { ageInYears, parseCalendarDate, toCalendarDate } from './rtt';

const DAY_MS = 86_400_000;
export interface PatientNeeds {
  bmi: number;
  asa: number;
  needsCriticalCare: boolean;
  /** Null: anywhere in England. */
  maxTravelMiles: number | null;
}

export interface SiteLimits {
  maxBmi: number;
  maxAsa: number;
  hasCriticalCare: boolean;
}

export function siteProblems(patient: PatientNeeds, site: SiteLimits, distanceMiles: number): string[] {
  const problems: string[] = [];
  if (patient.bmi > site.maxBmi) problems.push(`BMI ${patient.bmi} is above the site's limit of ${site.maxBmi}`);
  if (patient.asa > site.maxAsa) problems.push(`ASA ${patient.asa} is above the site's limit of ${site.maxAsa}`);
  if (patient.needsCriticalCare && !site.hasCriticalCare)
    problems.push('the patient needs critical care cover, which the site does not have');
  if (patient.maxTravelMiles !== null && distanceMiles > patient.maxTravelMiles) {
    problems.push(
      `the site is ${Math.round(distanceMiles)} miles away, beyond the patient's ${patient.maxTravelMiles} miles`,
    );
  }
  return problems;
}

/*
 * The matching rules, shared with the SQL in db/matching.ts: a case matches a
 * capacity posting when every check below passes. The SQL is the fast path;
 * these pure helpers state the same rules for the journey and the tests.
 */

/** Case states in which providers may see and offer for a case. */
export const MATCHABLE_CASE_STATES = [
  'OPEN_FOR_OFFERS',
  'RELISTED',
  'CHOOSING',
] as const satisfies readonly CaseState[];

/** An earlier offer with one of these statuses does not stop the provider offering again. */
export const OFFER_STATUSES_ALLOWING_A_NEW_OFFER = [
  'WITHDRAWN',
  'EXPIRED',
  'LAPSED',
] as const satisfies readonly OfferStatus[];

/** A patient who will travel anywhere is matched as if they would travel this far. */
export const ANYWHERE_MILES = 1000;

/** Days from listing by which a patient of each priority should be treated; null: no clinical limit. */
export const TREAT_WITHIN_DAYS: Record<Priority, number | null> = { P1: 3, P2: 31, P3: 92, P4: null };

/** The clinical treat-by date (`YYYY-MM-DD`, UTC) of a case listed at `listedAt`; null for P4. */
export function treatByDate(priority: Priority, listedAt: Date): string | null {
  const days = TREAT_WITHIN_DAYS[priority];
  if (days === null) return null;
  const listedDay = parseCalendarDate(toCalendarDate(listedAt))!;
  return toCalendarDate(new Date(listedDay.getTime() + days * DAY_MS));
}

/** Whether a posting's capacity starts in time for the patient's clinical priority. */
export function datesFit(priority: Priority, listedAt: Date, availableFrom: string): boolean {
  const treatBy = treatByDate(priority, listedAt);
  return treatBy === null || availableFrom <= treatBy;
}

/** A posting with no procedure codes covers the specialty; otherwise the case's OPCS code must start with one. */
export function procedureCovered(opcsCode: string | null, procedureCodes: readonly string[]): boolean {
  if (procedureCodes.length === 0) return true;
  return opcsCode !== null && procedureCodes.some((code) => opcsCode.startsWith(code));
}

export interface CaseForMatching extends PatientNeeds {
  specialtyCode: string;
  careType: CareType;
  diagnosticModality: DiagnosticModality | null;
  opcsCode: string | null;
  priority: Priority;
  listedAt: Date;
  dateOfBirth: string;
}

export interface PostingForMatching extends SiteLimits {
  specialtyCode: string;
  careType: CareType;
  diagnosticModality: DiagnosticModality | null;
  procedureCodes: readonly string[];
  minAge: number;
  maxAge: number;
  availableFrom: string;
}

/**
 * Why a posting's capacity cannot take a case, in words; empty when it can.
 * Covers the case-and-posting rules only: whether either is still open, the
 * origin organisation and earlier offers are facts about the moment, checked
 * by the caller (and by the SQL).
 */
export function postingProblems(
  patient: CaseForMatching,
  posting: PostingForMatching,
  distanceMiles: number,
  today: Date,
): string[] {
  const problems: string[] = [];
  if (patient.specialtyCode !== posting.specialtyCode) problems.push('the posting is for another specialty');
  if (patient.careType !== posting.careType || patient.diagnosticModality !== posting.diagnosticModality)
    problems.push('the posting is for another type of care');
  if (!procedureCovered(patient.opcsCode, posting.procedureCodes))
    problems.push('the posting does not cover the procedure');
  problems.push(
    ...siteProblems(
      { ...patient, maxTravelMiles: patient.maxTravelMiles ?? ANYWHERE_MILES },
      posting,
      distanceMiles,
    ).map((problem) => problem.replace("the site's limit", "the posting's limit")),
  );
  const age = ageInYears(patient.dateOfBirth, today);
  if (age < posting.minAge || age > posting.maxAge)
    problems.push(`the posting takes patients aged ${posting.minAge} to ${posting.maxAge}`);
  if (!datesFit(patient.priority, patient.listedAt, posting.availableFrom))
    problems.push(`the capacity starts after the ${patient.priority} treat-by date`);
  return problems;
}
