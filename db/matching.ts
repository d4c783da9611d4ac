/**
 * Matching, in PostgreSQL: the open cases a capacity posting can take, and the
 * postings (and providers) that can take a case. Each direction reads its
 * anchor row first (the posting and its site, or the case and its patient's
 * date of birth), then runs one query with the anchor's values as bind
 * parameters: the planner sees real values, and the rules, in `matchRules`,
 * are written once over either side as columns or as parameters.
 * domain/eligibility.ts states the same rules in TypeScript. The indexes are
 * in migration 0005_matching_indexes. Rows carry clinical summaries only,
 * never a patient identifier: the date of birth is read to check age limits
 * and never returned.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { CareType, DiagnosticModality, Priority } from '../domain/codes';
import {
  ANYWHERE_MILES,
  MATCHABLE_CASE_STATES,
  OFFER_STATUSES_ALLOWING_A_NEW_OFFER,
  TREAT_WITHIN_DAYS,
} from '../domain/eligibility';
import { toCalendarDate } from '../domain/rtt';
import type { Queryable } from './client';

export interface MatchOptions {
  /** The moment "today" is taken from (its UTC calendar date); defaults to now. */
  now?: Date;
  /** Most rows returned; defaults to 50 (providersForCase: every provider). */
  limit?: number;
}

export interface CaseMatch {
  caseRef: string;
  specialtyCode: string;
  procedure: string;
  opcsCode: string | null;
  careType: CareType;
  priority: Priority;
  rttClockStart: string;
  bmi: number;
  asa: number;
  ageBand: string;
  needsCriticalCare: boolean;
  distanceMiles: number;
}

export interface PostingMatch {
  postingId: string;
  organisationId: string;
  siteId: string;
  siteName: string;
  siteTown: string;
  distanceMiles: number;
  availableFrom: string;
  availableUntil: string;
}

/** A provider organisation and its nearest posting that can take the case. */
export type ProviderMatch = PostingMatch;

/** The case's side of a match, as SQL: columns of `cases c` / `patients pt`, or bound values. */
interface CaseSide {
  caseRef: SQL;
  specialtyCode: SQL;
  careType: SQL;
  diagnosticModality: SQL;
  opcsCode: SQL;
  bmi: SQL;
  asa: SQL;
  needsCriticalCare: SQL;
  latitude: SQL;
  longitude: SQL;
  maxTravelMiles: SQL;
  priority: SQL;
  listedAt: SQL;
  originOrgId: SQL;
  dateOfBirth: SQL;
  nationalFrom: SQL;
}

/** The posting's side of a match: columns of `capacity_postings p` / `sites s`, or bound values. */
interface PostingSide {
  specialtyCode: SQL;
  careType: SQL;
  diagnosticModality: SQL;
  procedureCodes: SQL;
  maxBmi: SQL;
  maxAsa: SQL;
  hasCriticalCare: SQL;
  minAge: SQL;
  maxAge: SQL;
  availableFrom: SQL;
  organisationId: SQL;
  latitude: SQL;
  longitude: SQL;
}

const DEFAULT_LIMIT = 50;

const listSql = (values: readonly string[]) =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );

/** Great-circle miles between the two sides (haversine on 3958.8 miles, as domain/distance.ts). */
const distance = (c: CaseSide, p: PostingSide) =>
  sql`great_circle_miles(${c.latitude}, ${c.longitude}, ${p.latitude}, ${p.longitude})`;

/** Days from listing to the clinical treat-by date for the case's priority; null when there is no limit. */
const treatWithinDays = (c: CaseSide) =>
  sql`(case ${c.priority} ${sql.join(
    Object.entries(TREAT_WITHIN_DAYS)
      .filter((entry): entry is [string, number] => entry[1] !== null)
      .map(([priority, days]) => sql`when ${priority}::priority then ${days}::int`),
    sql` `,
  )} end)`;

/**
 * The clinical, procedural, travel and date rules of a match. Wrapped in
 * coalesce(…, false) on purpose: PostgreSQL multiplies its default guesses for
 * each condition into an estimate of almost no matching rows, and then sorts
 * every candidate instead of walking the ranking index and stopping at the
 * limit. As one opaque condition it is estimated at one half, which is closer.
 */
function eligibility(c: CaseSide, p: PostingSide): SQL {
  return sql`coalesce(${c.diagnosticModality} is not distinct from ${p.diagnosticModality}
    and (cardinality(${p.procedureCodes}) = 0
      or exists (select 1 from unnest(${p.procedureCodes}) as covered(code) where starts_with(${c.opcsCode}, covered.code)))
    and ${c.bmi} <= ${p.maxBmi}
    and ${c.asa} <= ${p.maxAsa}
    and (not ${c.needsCriticalCare} or ${p.hasCriticalCare})
    and ${distance(c, p)} <= coalesce(${c.maxTravelMiles}, ${ANYWHERE_MILES}::int)
    and (${treatWithinDays(c)} is null
      or ${p.availableFrom} <= (${c.listedAt} at time zone 'UTC')::date + ${treatWithinDays(c)})
    and ${p.organisationId} <> ${c.originOrgId}, false)`;
}

/**
 * A patient-initiated case is matched in its origin's region until its
 * `national_from`, then nationally; a case listed by staff is national at once.
 */
const inScope = (c: CaseSide, p: PostingSide, nowIso: string) =>
  sql`(${c.nationalFrom} is null or ${c.nationalFrom} <= ${nowIso}::timestamptz
    or (select provider.region = origin.region from organisations provider, organisations origin
        where provider.id = ${p.organisationId} and origin.id = ${c.originOrgId}))`;

/** Age on `today` within the posting's limits, from the date of birth; a separate condition, on patients. */
const ageFits = (c: CaseSide, p: PostingSide, today: string) =>
  sql`coalesce(${c.dateOfBirth} <= ${today}::date - make_interval(years => ${p.minAge})
    and ${c.dateOfBirth} > ${today}::date - make_interval(years => ${p.maxAge} + 1), false)`;

/**
 * The provider has not answered the case already: no offer that still counts
 * (live, chosen, declined, rejected…) and no "not for us".
 */
const notAlreadyAnswered = (c: CaseSide, p: PostingSide) =>
  sql`not exists (select 1 from offers o
    where o.case_ref = ${c.caseRef} and o.provider_org_id = ${p.organisationId}
      and o.status not in (${listSql(OFFER_STATUSES_ALLOWING_A_NEW_OFFER)}))
    and not exists (select 1 from provider_passes pp
      where pp.case_ref = ${c.caseRef} and pp.organisation_id = ${p.organisationId})`;

const caseOpen = sql`c.state in (${listSql(MATCHABLE_CASE_STATES)})`;

const postingOpen = (today: string) =>
  sql`p.status = 'OPEN' and p.slots_filled < p.slots and p.available_until >= ${today}::date`;

const CASE_COLUMNS: CaseSide = {
  caseRef: sql`c.case_ref`,
  specialtyCode: sql`c.specialty_code`,
  careType: sql`c.care_type`,
  diagnosticModality: sql`c.diagnostic_modality`,
  opcsCode: sql`c.opcs_code`,
  bmi: sql`c.bmi`,
  asa: sql`c.asa`,
  needsCriticalCare: sql`c.needs_critical_care`,
  latitude: sql`c.latitude`,
  longitude: sql`c.longitude`,
  maxTravelMiles: sql`c.max_travel_miles`,
  priority: sql`c.priority`,
  listedAt: sql`c.listed_at`,
  originOrgId: sql`c.origin_org_id`,
  dateOfBirth: sql`pt.date_of_birth`,
  nationalFrom: sql`c.national_from`,
};

const POSTING_COLUMNS: PostingSide = {
  specialtyCode: sql`p.specialty_code`,
  careType: sql`p.care_type`,
  diagnosticModality: sql`p.diagnostic_modality`,
  procedureCodes: sql`p.procedure_codes`,
  maxBmi: sql`p.max_bmi`,
  maxAsa: sql`p.max_asa`,
  hasCriticalCare: sql`p.has_critical_care`,
  minAge: sql`p.min_age::int`,
  maxAge: sql`p.max_age::int`,
  availableFrom: sql`p.available_from`,
  organisationId: sql`p.organisation_id`,
  latitude: sql`s.latitude`,
  longitude: sql`s.longitude`,
};

/** An open posting's matching facts: the anchor of casesForPosting. */
export interface PostingFacts {
  specialtyCode: string;
  careType: CareType;
  diagnosticModality: DiagnosticModality | null;
  procedureCodes: string[];
  maxBmi: number;
  maxAsa: number;
  hasCriticalCare: boolean;
  minAge: number;
  maxAge: number;
  availableFrom: string;
  organisationId: string;
  latitude: number;
  longitude: number;
}

const postingParams = (f: PostingFacts): PostingSide => ({
  specialtyCode: sql`${f.specialtyCode}::text`,
  careType: sql`${f.careType}::care_type`,
  diagnosticModality: sql`${f.diagnosticModality}::diagnostic_modality`,
  procedureCodes: sql`${sql.param(f.procedureCodes)}::text[]`,
  maxBmi: sql`${f.maxBmi}::numeric`,
  maxAsa: sql`${f.maxAsa}::int`,
  hasCriticalCare: sql`${f.hasCriticalCare}::boolean`,
  minAge: sql`${f.minAge}::int`,
  maxAge: sql`${f.maxAge}::int`,
  availableFrom: sql`${f.availableFrom}::date`,
  organisationId: sql`${f.organisationId}::uuid`,
  latitude: sql`${f.latitude}::float8`,
  longitude: sql`${f.longitude}::float8`,
});

/** A case's matching facts (its patient's date of birth included, for age limits only): the anchor of postingsForCase. */
export interface CaseFacts {
  caseRef: string;
  specialtyCode: string;
  careType: CareType;
  diagnosticModality: DiagnosticModality | null;
  opcsCode: string | null;
  bmi: number;
  asa: number;
  needsCriticalCare: boolean;
  latitude: number;
  longitude: number;
  maxTravelMiles: number | null;
  priority: Priority;
  listedAt: string;
  originOrgId: string;
  dateOfBirth: string;
  /** Until then matched only in the origin's region (patient-initiated); null: nationally. */
  nationalFrom: string | null;
}

const caseParams = (f: CaseFacts): CaseSide => ({
  caseRef: sql`${f.caseRef}::text`,
  specialtyCode: sql`${f.specialtyCode}::text`,
  careType: sql`${f.careType}::care_type`,
  diagnosticModality: sql`${f.diagnosticModality}::diagnostic_modality`,
  opcsCode: sql`${f.opcsCode}::text`,
  bmi: sql`${f.bmi}::numeric`,
  asa: sql`${f.asa}::int`,
  needsCriticalCare: sql`${f.needsCriticalCare}::boolean`,
  latitude: sql`${f.latitude}::float8`,
  longitude: sql`${f.longitude}::float8`,
  maxTravelMiles: sql`${f.maxTravelMiles}::int`,
  priority: sql`${f.priority}::priority`,
  listedAt: sql`${f.listedAt}::timestamptz`,
  originOrgId: sql`${f.originOrgId}::uuid`,
  dateOfBirth: sql`${f.dateOfBirth}::date`,
  nationalFrom: sql`${f.nationalFrom}::timestamptz`,
});

const todayOf = (options: MatchOptions) => toCalendarDate(options.now ?? new Date());
const nowOf = (options: MatchOptions) => (options.now ?? new Date()).toISOString();

/** The posting's facts, if it is open on `today`. */
export function openPostingQuery(postingId: string, today: string): SQL {
  return sql`select p.specialty_code as "specialtyCode", p.care_type as "careType",
      p.diagnostic_modality as "diagnosticModality", p.procedure_codes as "procedureCodes",
      p.max_bmi::float8 as "maxBmi", p.max_asa::int as "maxAsa", p.has_critical_care as "hasCriticalCare",
      p.min_age::int as "minAge", p.max_age::int as "maxAge", p.available_from::text as "availableFrom",
      p.organisation_id as "organisationId", s.latitude, s.longitude
    from capacity_postings p join sites s on s.id = p.site_id
    where p.id = ${postingId}::uuid and ${postingOpen(today)}`;
}

/** The case's facts, if it is open for offers. */
export function openCaseQuery(caseRef: string): SQL {
  return sql`select c.case_ref as "caseRef", c.specialty_code as "specialtyCode", c.care_type as "careType",
      c.diagnostic_modality as "diagnosticModality", c.opcs_code as "opcsCode", c.bmi::float8 as bmi,
      c.asa::int as asa, c.needs_critical_care as "needsCriticalCare", c.latitude, c.longitude,
      c.max_travel_miles as "maxTravelMiles", c.priority, c.listed_at::text as "listedAt",
      c.origin_org_id as "originOrgId", pt.date_of_birth::text as "dateOfBirth",
      c.national_from::text as "nationalFrom"
    from cases c join patients pt on pt.case_ref = c.case_ref
    where c.case_ref = ${caseRef} and ${caseOpen}`;
}

/**
 * Open cases an open posting can take, ranked P1 first, then the longest wait,
 * then the nearest. Walks cases_open_rank_idx in (priority, clock start)
 * order, checking every case-side rule on the index entry, and stops at the limit.
 */
export function casesForPostingQuery(posting: PostingFacts, options: MatchOptions = {}): SQL {
  const today = todayOf(options);
  const p = postingParams(posting);
  const c = CASE_COLUMNS;
  return sql`select c.case_ref as "caseRef", c.specialty_code as "specialtyCode", c.procedure,
      c.opcs_code as "opcsCode", c.care_type as "careType", c.priority,
      c.rtt_clock_start::text as "rttClockStart", c.bmi::float8 as bmi, c.asa::int as asa,
      c.age_band as "ageBand", c.needs_critical_care as "needsCriticalCare",
      round(${distance(c, p)}::numeric, 1)::float8 as "distanceMiles"
    from cases c
    join patients pt on pt.case_ref = c.case_ref
    where c.specialty_code = ${p.specialtyCode} and c.care_type = ${p.careType} and ${caseOpen}
      and ${eligibility(c, p)}
      and ${ageFits(c, p, today)}
      and ${inScope(c, p, nowOf(options))}
      and ${notAlreadyAnswered(c, p)}
    order by c.priority, c.rtt_clock_start, ${distance(c, p)}, c.case_ref
    limit ${options.limit ?? DEFAULT_LIMIT}`;
}

const postingColumnsOut = (c: CaseSide) => sql`p.id as "postingId", p.organisation_id as "organisationId",
  s.id as "siteId", s.name as "siteName", s.town as "siteTown",
  round(${distance(c, POSTING_COLUMNS)}::numeric, 1)::float8 as "distanceMiles",
  p.available_from::text as "availableFrom", p.available_until::text as "availableUntil"`;

/** Every open posting that can take the case (unordered), with `select` as its target list. */
function postingsMatching(kase: CaseFacts, options: MatchOptions, select: SQL): SQL {
  const c = caseParams(kase);
  const p = POSTING_COLUMNS;
  const today = todayOf(options);
  return sql`select ${select}
    from capacity_postings p
    join sites s on s.id = p.site_id
    where p.specialty_code = ${c.specialtyCode} and p.care_type = ${c.careType} and ${postingOpen(today)}
      and ${eligibility(c, p)}
      and ${ageFits(c, p, today)}
      and ${inScope(c, p, nowOf(options))}
      and ${notAlreadyAnswered(c, p)}`;
}

/** Open postings that can take an open case, nearest first, then the earliest available. */
export function postingsForCaseQuery(kase: CaseFacts, options: MatchOptions = {}): SQL {
  const c = caseParams(kase);
  return sql`${postingsMatching(kase, options, postingColumnsOut(c))}
    order by ${distance(c, POSTING_COLUMNS)}, p.available_from, p.id
    limit ${options.limit ?? DEFAULT_LIMIT}`;
}

/** Each provider's nearest matching posting, nearest providers first. */
export function providersForCaseQuery(kase: CaseFacts, options: MatchOptions = {}): SQL {
  const c = caseParams(kase);
  const nearestPerProvider = sql`${postingsMatching(
    kase,
    options,
    sql`distinct on (p.organisation_id) ${postingColumnsOut(c)}, ${distance(c, POSTING_COLUMNS)} as exact_miles`,
  )}
    order by p.organisation_id, ${distance(c, POSTING_COLUMNS)}, p.available_from, p.id`;
  return sql`select "postingId", "organisationId", "siteId", "siteName", "siteTown", "distanceMiles",
      "availableFrom", "availableUntil"
    from (${nearestPerProvider}) as nearest
    order by exact_miles, "availableFrom", "organisationId"
    limit ${options.limit ?? null}`;
}

async function first<T extends Record<string, unknown>>(db: Queryable, query: SQL): Promise<T | undefined> {
  const result = await db.execute<T>(query);
  return result.rows[0] as T | undefined;
}

export const openPosting = (db: Queryable, postingId: string, options: MatchOptions = {}) =>
  first<PostingFacts & Record<string, unknown>>(db, openPostingQuery(postingId, todayOf(options)));

export const openCase = (db: Queryable, caseRef: string) =>
  first<CaseFacts & Record<string, unknown>>(db, openCaseQuery(caseRef));

/** Open cases this posting can take: P1 first, then the longest wait, then the nearest. None if the posting is not open. */
export async function casesForPosting(
  db: Queryable,
  postingId: string,
  options: MatchOptions = {},
): Promise<CaseMatch[]> {
  const posting = await openPosting(db, postingId, options);
  if (!posting) return [];
  const result = await db.execute<CaseMatch & Record<string, unknown>>(casesForPostingQuery(posting, options));
  return result.rows;
}

/** Open postings that can take this case: nearest first, then the earliest available. None if the case is not open. */
export async function postingsForCase(
  db: Queryable,
  caseRef: string,
  options: MatchOptions = {},
): Promise<PostingMatch[]> {
  const kase = await openCase(db, caseRef);
  if (!kase) return [];
  const result = await db.execute<PostingMatch & Record<string, unknown>>(postingsForCaseQuery(kase, options));
  return result.rows;
}

/** Provider organisations that can take this case, each with its nearest matching posting; for notification fan-out. */
export async function providersForCase(
  db: Queryable,
  caseRef: string,
  options: MatchOptions = {},
): Promise<ProviderMatch[]> {
  const kase = await openCase(db, caseRef);
  if (!kase) return [];
  const result = await db.execute<ProviderMatch & Record<string, unknown>>(providersForCaseQuery(kase, options));
  return result.rows;
}
