/**
 * How long patients are waiting, per trust and specialty: the mean and the
 * 92nd percentile (the RTT standard's measure) of weeks since each clock
 * start, over every case the trust has that is still waiting (not
 * transferred, withdrawn or closed). This is what a patient weighs against
 * travelling, and what the digests show beside each match. With fewer than
 * MIN_PATIENTS_FOR_WAIT_FIGURES patients waiting the figures are withheld
 * here, so no reader can show them: the count is given, the figures are null.
 */
import { sql } from 'drizzle-orm';
import { toCalendarDate } from '../domain/rtt';
import { waitSuppression, type WaitSuppressionReason } from '../domain/waits';
import type { Queryable } from './client';

export type WaitFigures = {
  organisationId: string;
  odsCode: string;
  organisationName: string;
  specialtyCode: string;
  specialtyName: string;
  /** Patients still waiting. */
  patients: number;
} & (
  | {
      suppressed: null;
      meanWeeks: number;
      /** 92% of these patients have waited this many weeks or fewer. */
      p92Weeks: number;
    }
  | {
      /** Too few patients waiting for a reliable, non-identifying figure (MIN_PATIENTS_FOR_WAIT_FIGURES). */
      suppressed: WaitSuppressionReason;
      meanWeeks: null;
      p92Weeks: null;
    }
);

export interface WaitFilter {
  organisationId?: string;
  specialtyCode?: string;
  /** The day waits are measured to (its UTC calendar date); defaults to today. */
  now?: Date;
}

/** Figures for every trust and specialty with a patient waiting, ordered by trust then specialty. */
export async function waitsBy(db: Queryable, filter: WaitFilter = {}): Promise<WaitFigures[]> {
  const today = toCalendarDate(filter.now ?? new Date());
  const result = await db.execute<{
    organisation_id: string;
    ods_code: string;
    organisation_name: string;
    specialty_code: string;
    specialty_name: string;
    patients: string;
    mean_weeks: string;
    p92_weeks: string;
  }>(sql`
    select o.id as organisation_id, o.ods_code, o.name as organisation_name,
           c.specialty_code, tf.name as specialty_name,
           count(*) as patients,
           avg((${today}::date - c.rtt_clock_start) / 7.0) as mean_weeks,
           percentile_cont(0.92) within group (order by (${today}::date - c.rtt_clock_start) / 7.0) as p92_weeks
    from cases c
    join organisations o on o.id = c.origin_org_id
    join treatment_functions tf on tf.code = c.specialty_code
    where c.state not in ('TRANSFERRED', 'WITHDRAWN', 'CLOSED')
      ${filter.organisationId ? sql`and c.origin_org_id = ${filter.organisationId}` : sql``}
      ${filter.specialtyCode ? sql`and c.specialty_code = ${filter.specialtyCode}` : sql``}
    group by o.id, o.ods_code, o.name, c.specialty_code, tf.name
    order by o.ods_code, c.specialty_code`);
  return result.rows.map((row) => {
    const patients = Number(row.patients);
    const suppressed = waitSuppression(patients);
    return {
      organisationId: row.organisation_id,
      odsCode: row.ods_code,
      organisationName: row.organisation_name,
      specialtyCode: row.specialty_code,
      specialtyName: row.specialty_name,
      patients,
      ...(suppressed
        ? { suppressed, meanWeeks: null, p92Weeks: null }
        : { suppressed, meanWeeks: round1(Number(row.mean_weeks)), p92Weeks: round1(Number(row.p92_weeks)) }),
    };
  });
}

/** The wait at one trust in one specialty; undefined when it has nobody waiting in it, suppressed when too few. */
export async function localWait(
  db: Queryable,
  organisationId: string,
  specialtyCode: string,
  now?: Date,
): Promise<WaitFigures | undefined> {
  const [figures] = await waitsBy(db, { organisationId, specialtyCode, now });
  return figures;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
