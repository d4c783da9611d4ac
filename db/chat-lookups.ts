/**
 * Reads a chat renderer needs beside a notification: the clinical summary of
 * a case (never its identifiers), organisation names, and what an offer is.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Queryable } from './client';
import { cases, offers, organisations, sites } from './schema';

/** Clinical columns only: this select is the privacy boundary, so it never names nhs_number. */
export async function caseClinicalSummary(db: Queryable, caseRef: string) {
  const [row] = await db
    .select({
      caseRef: cases.caseRef,
      specialtyCode: cases.specialtyCode,
      procedure: cases.procedure,
      priority: cases.priority,
      rttClockStart: cases.rttClockStart,
      bmi: cases.bmi,
      asa: cases.asa,
      ageBand: cases.ageBand,
    })
    .from(cases)
    .where(eq(cases.caseRef, caseRef));
  return row;
}

export async function organisationNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(inArray(organisations.id, ids));
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function offerLabel(db: Queryable, offerId: string) {
  const [row] = await db
    .select({ siteName: sites.name, providerName: organisations.name, proposedDate: offers.proposedDate })
    .from(offers)
    .innerJoin(sites, eq(sites.id, offers.siteId))
    .innerJoin(organisations, eq(organisations.id, offers.providerOrgId))
    .where(eq(offers.id, offerId));
  return row;
}
