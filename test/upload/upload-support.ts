/**
 * Waiting-list files for the upload tests: valid rows with fresh NHS numbers
 * and distinctive names (so a leak into a report would be found), the file
 * as text, the world's staff given e-mail addresses, and database counts.
 */
import { sampleCells } from '../support/waiting-list-rows';
import { randomInt } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Client } from '@temporalio/client';
import type { WaitingListReport } from '../../workflows/waiting-list-import';
import type { Db } from '../../db/client';
import { auditLog, cases, patients, people } from '../../db/schema';
import { WAITING_LIST_HEADER, toCsv } from '../../domain/waiting-list-csv';
import type { World } from '../support/fixtures';
import { nhsNumberFrom } from '../support/nhs-numbers';

export type Cells = Record<string, string>;

export const emailOf = (ods: string, who: string) => `${who}@${ods.toLowerCase()}.test.invalid`;

/** Gives every member of staff in the world an e-mail address: `clinician@rr8.test.invalid`. */
export async function giveStaffEmails(db: Db, world: World): Promise<void> {
  for (const org of [world.origin, world.independent, world.nhsProvider]) {
    for (const [who, personId] of Object.entries(org.staff)) {
      await db
        .update(people)
        .set({ email: emailOf(org.ods, who) })
        .where(eq(people.id, personId));
    }
  }
}

let counter = 0;
const usedNumbers = new Set<string>();

/** An NHS number no other row of this test run has. */
export function freshNhsNumber(): string {
  for (;;) {
    const nhsNumber = nhsNumberFrom(400_000_000 + randomInt(500_000_000));
    if (!usedNumbers.has(nhsNumber)) {
      usedNumbers.add(nhsNumber);
      return nhsNumber;
    }
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** A made-up name no message could contain by chance: `Zqx` + letters for the counter. */
function madeUpName(prefix: string, n: number): string {
  let suffix = '';
  for (let k = n; ; k = Math.floor(k / 26) - 1) {
    suffix = LETTERS[k % 26]! + suffix;
    if (k < 26) break;
  }
  return `${prefix}${suffix}`;
}

/** A valid row for the world's origin trust (Leeds); override any column. */
export function validCells(overrides: Cells = {}): Cells {
  counter += 1;
  return {
    ...sampleCells({
      nhs_number: freshNhsNumber(),
      given_name: madeUpName('Zqxgiven', counter),
      family_name: madeUpName('Zqxfamily', counter),
      local_patient_id: `RR8L${String(counter).padStart(7, '0')}`,
      ppid: `RR8PW${String(counter).padStart(8, '0')}`,
      judged_appropriate_by: emailOf('RR8', 'clinician'),
    }),
    ...overrides,
  };
}

/** The rows as a file with the template's header (or another). */
export function csvOf(rows: Cells[], header: readonly string[] = WAITING_LIST_HEADER): string {
  return toCsv([header, ...rows.map((row) => header.map((column) => row[column] ?? ''))]);
}

export async function tableCounts(db: Db) {
  const [caseCount] = await db.select({ n: count() }).from(cases);
  const [patientCount] = await db.select({ n: count() }).from(patients);
  const [listedCount] = await db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'CASE_LISTED'));
  return { cases: caseCount!.n, patients: patientCount!.n, caseListedAudits: listedCount!.n };
}

/** Fails if `text` holds any identifier of any of the rows. */
export function expectNoIdentifiersOf(text: string, rows: Cells[]): void {
  expect(text.length, 'nothing to check').toBeGreaterThan(0);
  for (const row of rows) {
    const nhsNumber = row.nhs_number!.replace(/\D/g, '');
    for (const identifier of [
      nhsNumber,
      nhsNumber.slice(0, 6),
      row.given_name,
      row.family_name,
      row.date_of_birth,
      row.postcode,
      row.postcode?.replace(' ', ''),
      row.local_patient_id,
      row.ppid,
    ]) {
      if (identifier) expect(text).not.toContain(identifier);
    }
  }
}

/**
 * Waits for the upload's batches to start their journeys in the background,
 * then gives each listed row's journey type (from Temporal), in row order.
 */
export async function listedJourneys(client: Client, report: WaitingListReport): Promise<string[]> {
  await Promise.all(report.journeyStarters.map((workflowId) => client.workflow.getHandle(workflowId).result()));
  const described = await Promise.all(
    report.listed.map(({ caseRef }) => client.workflow.getHandle(caseRef).describe()),
  );
  return described.map((journey) => journey.type);
}
