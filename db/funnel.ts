/**
 * "Where journeys stall": for each origin trust, specialty and week of
 * listing (a cohort: the Monday-to-Sunday week, in England, the case was
 * listed in), how many cases reached each stage of the journey and how long
 * they spent in each state. Computed in PostgreSQL in one statement, from the
 * cases and the audit log; nothing is loaded row by row.
 *
 * Stages count cases that reached them at least once, in any round:
 *
 * - listed: every case in the cohort;
 * - offered: at least one offer made (the offers table);
 * - chosen: the patient accepted an offer (a choice ACCEPTED_OFFER);
 * - approved: both managers approved (a CASE_APPROVED audit entry);
 * - transferred: the case is TRANSFERRED;
 * - declined: the patient declined every offer (DECLINED_ALL) or stayed local
 *   (STAYED_LOCAL), or a manager rejected the transfer (ORIGIN_RELEASE_REJECTED,
 *   RECEIVING_ACCEPTANCE_REJECTED, from the approvals table);
 * - timed out: a clock ran out with nobody deciding — an offer window closed
 *   with no offers (NO_OFFERS: a stay in OPEN_FOR_OFFERS or RELISTED that
 *   ended in RELISTED, or in CLOSED with reason NO_OFFERS), a live offer passed
 *   its validity (OFFER_EXPIRED), the patient's choice deadline passed
 *   (CHOICE_LAPSED: the system lapsed offers nobody had accepted), or the
 *   approval deadline and its grace passed (APPROVAL_LAPSED: the system lapsed
 *   the accepted offer), or a patient-initiated case was not approved by its
 *   match deadline (MATCH_DEADLINE: closed NO_MATCH_IN_TIME; the offers the
 *   system lapsed just before that closure count here, not as choice or
 *   approval lapses). Offers lapsed because the origin withdrew the case are
 *   written by the person who withdrew it and do not count; a case closed
 *   ROUNDS_EXHAUSTED counts only through what ended its rounds;
 * - withdrawn: the case is WITHDRAWN, by the reason the origin gave.
 *
 * Time in state comes from consecutive CASE_<STATE> audit entries of a case:
 * a stay runs from entering a state to the next entry. Only completed stays
 * count (a case still in a state is not yet a measurement); the median is in
 * hours, with the number of stays behind it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { isTreatmentFunctionCode } from '../domain/codes';
import {
  DECLINE_REASONS,
  REPORTING_TIME_ZONE,
  STAY_STATES,
  TIMEOUT_KINDS,
  zonedMidnight,
  type Breakdown,
  type FunnelCounts,
  type Stay,
  type StayState,
} from '../domain/funnel';
import { CASE_ROUTES, CASE_STATES, WITHDRAW_REASONS, type CaseRoute } from '../domain/journey-states';
import type { Queryable } from './client';

export interface FunnelFilter {
  /** The origin trust, by id or ODS code (both: both must match). */
  organisationId?: string;
  odsCode?: string;
  specialtyCode?: string;
  /** Cases listed at or after this instant. */
  from?: Date;
  /** Cases listed before this instant. */
  to?: Date;
  route?: CaseRoute;
}

export interface FunnelTrust {
  organisationId: string;
  odsCode: string;
  organisationName: string;
}

export interface FunnelRow extends FunnelTrust, FunnelCounts {
  specialtyCode: string;
  specialtyName: string;
  /** The Monday (YYYY-MM-DD, England) of the week the cases were listed in. */
  weekStarting: string;
}

export type FunnelTotals = FunnelTrust & FunnelCounts;

/** One row per origin trust × specialty × week of listing, ordered by ODS code, specialty and week. */
export async function funnel(db: Queryable, filter: FunnelFilter = {}): Promise<FunnelRow[]> {
  const rows = await funnelQuery(db, filter, 'COHORT');
  return rows.map((row) => ({
    ...trustOf(row),
    specialtyCode: row.specialty_code ?? '',
    specialtyName: row.specialty_name ?? row.specialty_code ?? '',
    weekStarting: row.week_starting ?? '',
    ...countsOf(row),
  }));
}

/** One row per origin trust over everything the filter selects (all its specialties and weeks together). */
export async function funnelTotals(db: Queryable, filter: FunnelFilter = {}): Promise<FunnelTotals[]> {
  const rows = await funnelQuery(db, filter, 'TRUST');
  return rows.map((row) => ({ ...trustOf(row), ...countsOf(row) }));
}

/** Origin trusts with at least one case listed, ordered by ODS code. */
export async function trustsWithCases(db: Queryable): Promise<FunnelTrust[]> {
  const result = await db.execute<{ organisation_id: string; ods_code: string; organisation_name: string }>(sql`
    select o.id as organisation_id, o.ods_code, o.name as organisation_name
    from organisations o
    where exists (select 1 from cases c where c.origin_org_id = o.id)
    order by o.ods_code`);
  return result.rows.map(trustOf);
}

// ─── The query ────────────────────────────────────────────────────────────────

/** A type, not an interface: drizzle's execute wants a Record. */
type FunnelSqlRow = {
  organisation_id: string;
  ods_code: string;
  organisation_name: string;
  specialty_code: string | null;
  specialty_name: string | null;
  week_starting: string | null;
  listed: string;
  offered: string;
  chosen: string;
  approved: string;
  transferred: string;
  in_progress: string;
  declined: string;
  declined_reasons: Record<string, number>;
  timed_out: string;
  timed_out_reasons: Record<string, number>;
  withdrawn: string;
  withdrawn_reasons: Record<string, number>;
  time_in_state: Record<string, { medianHours: number; stays: number }> | null;
};

const list = (values: readonly string[]): SQL =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );

/** `jsonb_build_object('A', count(*) filter (where <a>), …)`: a breakdown as one column. */
const reasonCounts = (conditions: [reason: string, condition: SQL][]): SQL =>
  sql`jsonb_build_object(${sql.join(
    conditions.map(([reason, condition]) => sql`${reason}::text, count(*) filter (where ${condition})`),
    sql`, `,
  )})`;

const STATE_ACTIONS = CASE_STATES.map((state) => `CASE_${state}`);
const TERMINAL = ['TRANSFERRED', 'WITHDRAWN', 'CLOSED'];

function conditions(filter: FunnelFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (filter.organisationId) parts.push(sql`c.origin_org_id = ${filter.organisationId}`);
  if (filter.odsCode) {
    parts.push(sql`c.origin_org_id = (select o.id from organisations o where o.ods_code = ${filter.odsCode})`);
  }
  if (filter.specialtyCode) parts.push(sql`c.specialty_code = ${filter.specialtyCode}`);
  if (filter.from) parts.push(sql`c.listed_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) parts.push(sql`c.listed_at < ${filter.to.toISOString()}::timestamptz`);
  if (filter.route) parts.push(sql`c.route = ${filter.route}`);
  return sql.join(parts, sql` and `);
}

function funnelQuery(db: Queryable, filter: FunnelFilter, grouping: 'COHORT' | 'TRUST') {
  return db.execute<FunnelSqlRow>(funnelSql(filter, grouping)).then((result) => result.rows);
}

/** The whole statement, one row per group; exported for EXPLAIN. */
export function funnelSql(filter: FunnelFilter, grouping: 'COHORT' | 'TRUST'): SQL {
  const byCohort = grouping === 'COHORT';
  const specialty = byCohort ? sql`c.specialty_code` : sql`null::text`;
  const week = byCohort
    ? sql`(date_trunc('week', c.listed_at at time zone ${REPORTING_TIME_ZONE}))::date`
    : sql`null::date`;

  const declined: [string, SQL][] = [
    ['DECLINED_ALL', sql`declined_all`],
    ['STAYED_LOCAL', sql`stayed_local`],
    ['ORIGIN_RELEASE_REJECTED', sql`origin_rejected`],
    ['RECEIVING_ACCEPTANCE_REJECTED', sql`receiving_rejected`],
  ];
  const timedOut: [string, SQL][] = [
    ['NO_OFFERS', sql`no_offers`],
    ['OFFER_EXPIRED', sql`offer_expired`],
    ['CHOICE_LAPSED', sql`choice_lapsed`],
    ['APPROVAL_LAPSED', sql`approval_lapsed`],
    ['MATCH_DEADLINE', sql`match_deadline`],
  ];
  const withdrawn: [string, SQL][] = WITHDRAW_REASONS.map((reason) => [
    reason,
    sql`state = 'WITHDRAWN' and closed_reason = ${reason}`,
  ]);
  const any = (parts: [string, SQL][]) =>
    sql.join(
      parts.map(([, condition]) => sql`(${condition})`),
      sql` or `,
    );

  return sql`
    with cohort as (
      select c.case_ref, c.origin_org_id, o.ods_code, o.name as organisation_name,
             c.state::text as state, c.closed_reason,
             ${specialty} as specialty_code, ${week} as week_starting
      from cases c
      join organisations o on o.id = c.origin_org_id
      where ${conditions(filter)}
    ),
    -- Each case's state changes in order, with the entry that ended each stay.
    entries as (
      select a.case_ref, a.action, a.at, a.detail ->> 'reason' as reason,
             lead(a.at) over journey as left_at,
             lead(a.action) over journey as next_action,
             lead(a.detail ->> 'reason') over journey as next_reason
      from audit_log a
      join cohort k on k.case_ref = a.case_ref
      where a.outcome = 'OK' and a.action in (${list(STATE_ACTIONS)})
      window journey as (partition by a.case_ref order by a.at, a.id)
    ),
    case_entries as (
      select case_ref,
             bool_or(action = 'CASE_APPROVED') as approved,
             bool_or(action = 'CASE_CLOSED' and reason = 'NO_MATCH_IN_TIME') as match_deadline,
             bool_or(action in ('CASE_OPEN_FOR_OFFERS', 'CASE_RELISTED')
                     and (next_action = 'CASE_RELISTED'
                          or (next_action = 'CASE_CLOSED' and next_reason = 'NO_OFFERS'))) as no_offers
      from entries
      group by case_ref
    ),
    case_offers as (
      select distinct o.case_ref from offers o join cohort k on k.case_ref = o.case_ref
    ),
    case_choices as (
      select ch.case_ref,
             bool_or(ch.outcome = 'ACCEPTED_OFFER') as chosen,
             bool_or(ch.outcome = 'DECLINED_ALL') as declined_all,
             bool_or(ch.outcome = 'STAYED_LOCAL') as stayed_local
      from choices ch join cohort k on k.case_ref = ch.case_ref
      group by ch.case_ref
    ),
    case_approvals as (
      select ap.case_ref,
             bool_or(ap.side = 'ORIGIN_RELEASE' and not ap.approved) as origin_rejected,
             bool_or(ap.side = 'RECEIVING_ACCEPTANCE' and not ap.approved) as receiving_rejected
      from approvals ap join cohort k on k.case_ref = ap.case_ref
      group by ap.case_ref
    ),
    -- Offers closed by a clock: expired while live, or lapsed by the system (not by a withdrawal). A lapse
    -- is the approval deadline's when it closed the offer the patient accepted, the choice deadline's
    -- otherwise, unless the state change right after it is the match deadline's closure.
    lapses as (
      select a.case_ref, a.action,
             a.action = 'OFFER_LAPSED' and a.actor_kind = 'SYSTEM'
               and (next_state.action is distinct from 'CASE_CLOSED'
                    or next_state.reason is distinct from 'NO_MATCH_IN_TIME') as clock_lapse,
             exists (
               select 1 from choices ch
               where ch.case_ref = a.case_ref and ch.outcome = 'ACCEPTED_OFFER'
                 and a.detail -> 'offerIds' @> jsonb_build_array(ch.offer_id::text)
             ) as accepted_offer
      from audit_log a
      join cohort k on k.case_ref = a.case_ref
      left join lateral (
        select e.action, e.detail ->> 'reason' as reason
        from audit_log e
        where e.case_ref = a.case_ref and e.id > a.id and e.outcome = 'OK' and e.action in (${list(STATE_ACTIONS)})
        order by e.id
        limit 1
      ) next_state on true
      where a.outcome = 'OK' and a.action in ('OFFER_EXPIRED', 'OFFER_LAPSED')
    ),
    case_timeouts as (
      select case_ref,
             bool_or(action = 'OFFER_EXPIRED') as offer_expired,
             bool_or(clock_lapse and not accepted_offer) as choice_lapsed,
             bool_or(clock_lapse and accepted_offer) as approval_lapsed
      from lapses
      group by case_ref
    ),
    per_case as (
      select k.*,
             o.case_ref is not null as offered,
             coalesce(ch.chosen, false) as chosen,
             coalesce(e.approved, false) as approved,
             coalesce(ch.declined_all, false) as declined_all,
             coalesce(ch.stayed_local, false) as stayed_local,
             coalesce(ap.origin_rejected, false) as origin_rejected,
             coalesce(ap.receiving_rejected, false) as receiving_rejected,
             coalesce(e.no_offers, false) as no_offers,
             coalesce(t.offer_expired, false) as offer_expired,
             coalesce(t.choice_lapsed, false) as choice_lapsed,
             coalesce(t.approval_lapsed, false) as approval_lapsed,
             coalesce(e.match_deadline, false) as match_deadline
      from cohort k
      left join case_entries e on e.case_ref = k.case_ref
      left join case_offers o on o.case_ref = k.case_ref
      left join case_choices ch on ch.case_ref = k.case_ref
      left join case_approvals ap on ap.case_ref = k.case_ref
      left join case_timeouts t on t.case_ref = k.case_ref
    ),
    counts as (
      select origin_org_id, ods_code, organisation_name, specialty_code, week_starting,
             count(*) as listed,
             count(*) filter (where offered) as offered,
             count(*) filter (where chosen) as chosen,
             count(*) filter (where approved) as approved,
             count(*) filter (where state = 'TRANSFERRED') as transferred,
             count(*) filter (where state not in (${list(TERMINAL)})) as in_progress,
             count(*) filter (where ${any(declined)}) as declined,
             ${reasonCounts(declined)} as declined_reasons,
             count(*) filter (where ${any(timedOut)}) as timed_out,
             ${reasonCounts(timedOut)} as timed_out_reasons,
             count(*) filter (where state = 'WITHDRAWN') as withdrawn,
             ${reasonCounts(withdrawn)} as withdrawn_reasons
      from per_case
      group by origin_org_id, ods_code, organisation_name, specialty_code, week_starting
    ),
    -- Completed stays only: a stay with no entry after it is still going on.
    stays as (
      select k.origin_org_id, k.specialty_code, k.week_starting, substr(e.action, 6) as state,
             percentile_cont(0.5) within group (order by extract(epoch from e.left_at - e.at) / 3600.0) as median_hours,
             count(*) as stays
      from entries e
      join cohort k on k.case_ref = e.case_ref
      where e.left_at is not null
      group by k.origin_org_id, k.specialty_code, k.week_starting, e.action
    ),
    time_in_state as (
      select origin_org_id, specialty_code, week_starting,
             jsonb_object_agg(state, jsonb_build_object('medianHours', median_hours, 'stays', stays)) as time_in_state
      from stays
      group by origin_org_id, specialty_code, week_starting
    )
    select n.origin_org_id as organisation_id, n.ods_code, n.organisation_name,
           n.specialty_code, tf.name as specialty_name, to_char(n.week_starting, 'YYYY-MM-DD') as week_starting,
           n.listed, n.offered, n.chosen, n.approved, n.transferred, n.in_progress,
           n.declined, n.declined_reasons, n.timed_out, n.timed_out_reasons, n.withdrawn, n.withdrawn_reasons,
           s.time_in_state
    from counts n
    left join treatment_functions tf on tf.code = n.specialty_code
    -- Plain equalities (a hash join): per-trust totals have no specialty or week, so nulls become ''.
    left join time_in_state s on s.origin_org_id = n.origin_org_id
      and coalesce(s.specialty_code, '') = coalesce(n.specialty_code, '')
      and coalesce(s.week_starting::text, '') = coalesce(n.week_starting::text, '')
    order by n.ods_code, n.specialty_code, n.week_starting`;
}

function trustOf(row: { organisation_id: string; ods_code: string; organisation_name: string }): FunnelTrust {
  return { organisationId: row.organisation_id, odsCode: row.ods_code, organisationName: row.organisation_name };
}

function breakdownOf<R extends string>(
  reasons: readonly R[],
  cases: string,
  counts: Record<string, number>,
): Breakdown<R> {
  return {
    cases: Number(cases),
    reasons: Object.fromEntries(reasons.map((reason) => [reason, Number(counts[reason] ?? 0)])) as Record<R, number>,
  };
}

function countsOf(row: FunnelSqlRow): FunnelCounts {
  const timeInState: Partial<Record<StayState, Stay>> = {};
  for (const state of STAY_STATES) {
    const stay = row.time_in_state?.[state];
    if (stay) timeInState[state] = { medianHours: Number(stay.medianHours), stays: Number(stay.stays) };
  }
  return {
    listed: Number(row.listed),
    offered: Number(row.offered),
    chosen: Number(row.chosen),
    approved: Number(row.approved),
    transferred: Number(row.transferred),
    declined: breakdownOf(DECLINE_REASONS, row.declined, row.declined_reasons),
    timedOut: breakdownOf(TIMEOUT_KINDS, row.timed_out, row.timed_out_reasons),
    withdrawn: breakdownOf(WITHDRAW_REASONS, row.withdrawn, row.withdrawn_reasons),
    inProgress: Number(row.in_progress),
    timeInState,
  };
}

// ─── Query parameters, for the operator API ───────────────────────────────────

/** A date (the start of that day in England) or an instant with its offset. */
const instant = (name: string) =>
  z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        const date = new Date(`${value}T00:00:00Z`);
        if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return zonedMidnight(value);
      } else if (z.iso.datetime({ offset: true }).safeParse(value).success) {
        return new Date(value);
      }
      ctx.addIssue({ code: 'custom', message: `${name} must be a date such as 2025-06-02 or a time with its offset` });
      return z.NEVER;
    });

const blankAsAbsent = (value: unknown) => (value === '' ? undefined : value);

/**
 * `?ods=&specialty=&from=&to=&route=` as a FunnelFilter. `from` and `to` are
 * dates (the start of that day in England; `to` is exclusive) or ISO instants.
 * Empty parameters are ignored; anything else wrong is named.
 */
export const funnelQuerySchema = z
  .object({
    ods: z.preprocess(
      blankAsAbsent,
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z0-9]{3,6}$/, { error: 'ods must be an ODS code such as RR8' })
        .optional(),
    ),
    specialty: z.preprocess(
      blankAsAbsent,
      z
        .string()
        .trim()
        .refine(isTreatmentFunctionCode, { error: 'specialty must be a treatment function code such as 110' })
        .optional(),
    ),
    from: z.preprocess(blankAsAbsent, instant('from').optional()),
    to: z.preprocess(blankAsAbsent, instant('to').optional()),
    route: z.preprocess(
      blankAsAbsent,
      z.enum(CASE_ROUTES, { error: 'route must be STAFF or PATIENT_INITIATED' }).optional(),
    ),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    error: 'from must be before to',
    path: ['to'],
  })
  .transform((query): FunnelFilter => ({
    ...(query.ods ? { odsCode: query.ods } : {}),
    ...(query.specialty ? { specialtyCode: query.specialty } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(query.route ? { route: query.route } : {}),
  }));
