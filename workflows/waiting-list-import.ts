/**
 * Waiting-list upload: a trust's CSV of patients, listed as journeys. Each row
 * is validated (domain/waiting-list-csv.ts) and checked against the database
 * the way `JourneyClient.checkListing` checks one listing, but in bulk, once
 * per file: the lister's role, the judging clinicians, the postcode districts
 * and the patients the trust already has live cases for. Valid rows are then
 * listed a batch at a time (`JourneyClient.listBatch`), each batch one
 * transaction whose journeys then start in the background. Idempotent: a patient the trust already
 * has a live case for is reported with that case and not listed again, so
 * the same file can be uploaded twice (or again after an interruption).
 *
 * Used by the CLI (scripts/upload-waiting-list.ts) and the operator API's
 * `POST /api/v1/waiting-list` (`waitingListResponse` shapes the reply).
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { appendAudit } from '../db/audit';
import type { Db } from '../db/client';
import { withoutParameters } from '../db/errors';
import { membershipIn, organisationByOds } from '../db/people';
import { cases, memberships, people, postcodeDistricts } from '../db/schema';
import type { Role } from '../domain/codes';
import type { LatLon } from '../domain/distance';
import { TERMINAL_CASE_STATES } from '../domain/journey-states';
import type { Listing } from '../domain/listing';
import {
  DEFAULT_WAITING_LIST_LIMITS,
  decodeWaitingList,
  judgeEmails,
  nhsNumberOf,
  parseWaitingListInSlices,
  sortRowErrors,
  toCsv,
  waitingListValidator,
  type FileError,
  type RowError,
  type WaitingListLimits,
  type WaitingListRow,
} from '../domain/waiting-list-csv';
import type { ActingAs } from './acting';
import type { JourneyClient } from './client';
import { listedJourneysWorkflowId } from './contract';

export type { FileError, RowError } from '../domain/waiting-list-csv';

/**
 * Rows written per transaction. Each batch's journeys then start in the
 * background (workflows/bulk-listing.ts); 500 rows keep each statement well
 * under PostgreSQL's 65,535 parameters.
 */
export const UPLOAD_BATCH_ROWS = 500;

const LISTING_ROLES: Role[] = ['COORDINATOR', 'CLINICIAN'];
/** Rows validated between turns of the event loop (about 20 ms of work). */
const VALIDATION_SLICE = 250;
/** NHS numbers per "already listed?" query: well under PostgreSQL's 65,535 parameters. */
const LOOKUP_CHUNK = 5_000;

export interface WaitingListImportDeps {
  db: Db;
  journeys: JourneyClient;
  now?: () => Date;
}

export interface WaitingListProgress {
  /** Data rows in the file. */
  total: number;
  /** Rows with an outcome so far (listed, already listed, invalid or not listed). */
  done: number;
  listed: number;
}

export interface WaitingListImportOptions {
  onProgress?: (progress: WaitingListProgress) => void;
  /** Rows written per transaction (default `UPLOAD_BATCH_ROWS`). */
  batchRows?: number;
  limits?: WaitingListLimits;
}

export interface RowCase {
  row: number;
  caseRef: string;
}

/** A valid row that was not listed because the upload stopped part-way (see the `UPLOAD.INTERRUPTED` file error). */
export interface RowNotListed {
  row: number;
  message: string;
}

export interface WaitingListReport {
  /** Names the upload in the audit log. */
  uploadId: string;
  /** Data rows read from the file (0 when the file was refused as a whole). */
  rows: number;
  listed: RowCase[];
  /** The workflows starting the listed rows' journeys in the background, one per batch (workflows/bulk-listing.ts). */
  journeyStarters: string[];
  /** Patients the trust already has a live case for: not listed again. */
  alreadyListed: RowCase[];
  /** Rows refused, one entry per problem (a row may have several). */
  invalid: RowError[];
  notListed: RowNotListed[];
  /** Problems with the file as a whole, or with who is uploading: nothing was listed. */
  fileErrors: FileError[];
}

/** True when every row was listed or was already listed. */
export function uploadComplete(report: WaitingListReport): boolean {
  return report.fileErrors.length === 0 && report.invalid.length === 0 && report.notListed.length === 0;
}

interface CheckedRow {
  row: number;
  listing: Listing;
  location: LatLon;
}

/**
 * Validates and lists the patients in `csv` (text, or the file's bytes as
 * uploaded, which must be UTF-8) for `actingAs.organisationOds`. Invalid rows
 * never reach the database; each valid row is written and its journey
 * started in one transaction, so nothing is ever half-written.
 */
export async function importWaitingList(
  deps: WaitingListImportDeps,
  csv: string | Uint8Array,
  actingAs: ActingAs,
  options: WaitingListImportOptions = {},
): Promise<WaitingListReport> {
  try {
    return await importRows(deps, csv, actingAs, options);
  } catch (error) {
    // A failed bulk query's error quotes its parameters: every NHS number of the file.
    throw withoutParameters(error);
  }
}

async function importRows(
  deps: WaitingListImportDeps,
  csv: string | Uint8Array,
  uploader: ActingAs,
  options: WaitingListImportOptions,
): Promise<WaitingListReport> {
  const { db } = deps;
  const originOds = uploader.organisationOds.trim().toUpperCase();
  const actingAs: ActingAs = { ...uploader, organisationOds: originOds };
  const now = deps.now?.() ?? new Date();
  const report: WaitingListReport = {
    uploadId: randomUUID(),
    rows: 0,
    listed: [],
    journeyStarters: [],
    alreadyListed: [],
    invalid: [],
    notListed: [],
    fileErrors: [],
  };
  const origin = await organisationByOds(db, originOds);
  const lister = origin && (await membershipIn(db, actingAs.personId, originOds));
  if (!origin || !lister?.roles.some((role) => LISTING_ROLES.includes(role))) {
    report.fileErrors.push({
      code: 'ACTOR.NOT_AUTHORISED',
      message: `You are not a coordinator or clinician at ${originOds}, so you cannot list for it`,
    });
    await auditUpload(db, actingAs, report, origin?.id);
    return report;
  }

  const limits = options.limits ?? DEFAULT_WAITING_LIST_LIMITS;
  const text = typeof csv === 'string' ? { ok: true as const, text: csv } : decodeWaitingList(csv, limits);
  const parsed = text.ok ? await parseWaitingListInSlices(text.text, yieldToEventLoop, limits) : text;
  if (!parsed.ok) {
    report.fileErrors.push(...parsed.errors);
    await auditUpload(db, actingAs, report, origin.id);
    return report;
  }
  report.rows = parsed.rows.length + new Set(parsed.rowErrors.map((error) => error.row)).size;
  const progress = progressReporter(report, options.onProgress);
  const invalid: RowError[] = [...parsed.rowErrors];

  const judges = await judgesByEmail(db, origin.id, judgeEmails(parsed.rows));
  const validate = waitingListValidator(now);
  const valid: { row: number; listing: Listing }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const [index, row] of parsed.rows.entries()) {
    if (index % VALIDATION_SLICE === VALIDATION_SLICE - 1) await yieldToEventLoop();
    const problems = [...duplicateOf(row, firstRowOf)];
    const validated = validate(row, {
      originOds,
      personIdForEmail: (email) => judges.get(email)?.personId,
    });
    if (!validated.ok) problems.push(...validated.errors);
    if (problems.length > 0) invalid.push(...problems);
    else if (validated.ok) valid.push({ row: row.row, listing: validated.listing });
  }

  // The database checks of `checkListing`, once for the whole file.
  const locations = await outcodeLocations(db, [...new Set(valid.map((v) => v.listing.postcode.outcode))]);
  const clinicians = new Set([...judges.values()].filter((judge) => judge.clinician).map((judge) => judge.personId));
  const live = await liveCasesByNhsNumber(
    db,
    origin.id,
    valid.map((v) => v.listing.nhsNumber),
  );
  const toList: CheckedRow[] = [];
  for (const { row, listing } of valid) {
    const problems: RowError[] = [];
    if (!clinicians.has(listing.appropriatenessJudgedBy)) {
      problems.push({
        row,
        field: 'judged_appropriate_by',
        message: `The move must be judged appropriate by a clinician at ${originOds}`,
      });
    }
    const location = locations.get(listing.postcode.outcode);
    if (!location) {
      problems.push({
        row,
        field: 'postcode',
        message: `${listing.postcode.outcode} is not a known UK postcode district`,
      });
    }
    // A patient already listed is reported with their case whatever has changed since (a re-upload is idempotent).
    const existing = live.get(listing.nhsNumber);
    if (existing) report.alreadyListed.push({ row, caseRef: existing });
    else if (problems.length > 0) invalid.push(...problems);
    else toList.push({ row, listing, location: location! });
  }
  report.invalid = sortRowErrors(invalid);
  progress.add(new Set(report.invalid.map((error) => error.row)).size + report.alreadyListed.length);

  await listAll(deps, report, toList, { origin, actingAs }, options.batchRows ?? UPLOAD_BATCH_ROWS, progress);

  report.invalid = sortRowErrors(report.invalid);
  report.listed.sort(byRow);
  report.alreadyListed.sort(byRow);
  report.notListed.sort(byRow);
  await auditUpload(db, actingAs, report, origin.id);
  return report;
}

/** Lets a server's other requests (and an in-process worker) run between slices of a large file's work. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const byRow = (a: { row: number }, b: { row: number }) => a.row - b.row;

function duplicateOf(row: WaitingListRow, firstRowOf: Map<string, number>): RowError[] {
  const nhsNumber = nhsNumberOf(row);
  if (!nhsNumber) return [];
  const first = firstRowOf.get(nhsNumber);
  if (first === undefined) {
    firstRowOf.set(nhsNumber, row.row);
    return [];
  }
  return [
    {
      row: row.row,
      field: 'nhs_number',
      message: `The same NHS number is on row ${first}: each patient may appear once in a file`,
    },
  ];
}

function progressReporter(report: WaitingListReport, onProgress: WaitingListImportOptions['onProgress']) {
  let done = 0;
  return {
    add(rows: number) {
      done += rows;
      onProgress?.({ total: report.rows, done, listed: report.listed.length });
    },
  };
}

/**
 * Lists the checked rows a batch at a time, each batch one transaction. A
 * failure (the database or Temporal unreachable) stops the upload: the rows
 * not yet listed are reported, and the same file can simply be uploaded again.
 */
async function listAll(
  deps: WaitingListImportDeps,
  report: WaitingListReport,
  rows: CheckedRow[],
  context: { origin: NonNullable<Awaited<ReturnType<typeof organisationByOds>>>; actingAs: ActingAs },
  batchRows: number,
  progress: { add(rows: number): void },
): Promise<void> {
  const size = Math.max(1, Math.floor(batchRows));
  for (let start = 0; start < rows.length; start += size) {
    const batch = rows.slice(start, start + size);
    let outcomes;
    try {
      outcomes = await deps.journeys.listBatch({
        uploadId: report.uploadId,
        batch: start / size,
        rows: batch,
        ...context,
      });
    } catch (error) {
      const untried = rows.slice(start);
      report.notListed.push(...untried.map(({ row }) => ({ row, message: notListedMessage })));
      progress.add(untried.length);
      report.fileErrors.push({
        code: 'UPLOAD.INTERRUPTED',
        message:
          `The upload stopped after ${report.listed.length} of ${rows.length} patients were listed: ${describeFailure(withoutParameters(error))}. ` +
          'Upload the same file again to list the rest: patients already listed are not listed twice',
      });
      return;
    }
    if (outcomes.some((outcome) => outcome && 'listed' in outcome)) {
      report.journeyStarters.push(listedJourneysWorkflowId(report.uploadId, start / size));
    }
    for (const [index, outcome] of outcomes.entries()) {
      const { row } = batch[index]!;
      if (outcome && 'listed' in outcome) report.listed.push({ row, caseRef: outcome.listed });
      else if (outcome) report.alreadyListed.push({ row, caseRef: outcome.alreadyListed });
      else report.notListed.push({ row, message: listedMeanwhileMessage });
    }
    progress.add(batch.length);
  }
}

const listedMeanwhileMessage =
  'Not listed: the patient was being listed by someone else at the same moment; upload the file again';
const notListedMessage = 'Not listed: the upload stopped before this row (see the file error); upload the file again';

/** The failure's kind and words (database errors come without their query parameters). */
function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return 'an unexpected error';
}

// ─── Bulk lookups ─────────────────────────────────────────────────────────────

interface Judge {
  personId: string;
  /** A clinician at the uploading trust: the only people who may judge a move appropriate for it. */
  clinician: boolean;
}

/** The people behind the file's e-mail addresses (compared without case), and whether each is a clinician at the origin. */
async function judgesByEmail(db: Db, originOrgId: string, emails: string[]): Promise<Map<string, Judge>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .select({
      email: sql<string>`lower(${people.email})`,
      personId: people.id,
      clinician: sql<boolean>`exists (select 1 from ${memberships} where ${memberships.personId} = ${people.id}
        and ${memberships.organisationId} = ${originOrgId} and ${memberships.role} = 'CLINICIAN')`,
    })
    .from(people)
    .where(inArray(sql`lower(${people.email})`, emails));
  return new Map(rows.map((row) => [row.email, { personId: row.personId, clinician: row.clinician }]));
}

/** The centroid of each known district among `outcodes`. */
async function outcodeLocations(db: Db, outcodes: string[]): Promise<Map<string, LatLon>> {
  if (outcodes.length === 0) return new Map();
  const rows = await db
    .select({
      outcode: postcodeDistricts.outcode,
      latitude: postcodeDistricts.latitude,
      longitude: postcodeDistricts.longitude,
    })
    .from(postcodeDistricts)
    .where(inArray(postcodeDistricts.outcode, outcodes));
  return new Map(rows.map(({ outcode, latitude, longitude }) => [outcode, { latitude, longitude }]));
}

/** NHS number → the live case the origin already has for that patient. */
async function liveCasesByNhsNumber(db: Db, originOrgId: string, nhsNumbers: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < nhsNumbers.length; start += LOOKUP_CHUNK) {
    const rows = await db
      .select({ nhsNumber: cases.nhsNumber, caseRef: cases.caseRef })
      .from(cases)
      .where(
        and(
          eq(cases.originOrgId, originOrgId),
          inArray(cases.nhsNumber, nhsNumbers.slice(start, start + LOOKUP_CHUNK)),
          notInArray(cases.state, [...TERMINAL_CASE_STATES]),
        ),
      );
    for (const row of rows) found.set(row.nhsNumber, row.caseRef);
  }
  return found;
}

// ─── Audit ────────────────────────────────────────────────────────────────────

/**
 * One entry for the upload, with its counts: `WAITING_LIST_UPLOADED`, refused
 * when the file or the uploader was refused as a whole. Rows refused for their
 * content add one `LIST_PATIENT` refusal for the upload (as `checkListing`
 * writes for one listing), not one per row: a bad column in a 50,000-row file
 * would otherwise write 50,000 entries saying the same thing, and the report
 * the uploader holds already has every row. Counts, column names and codes
 * only: never a value from the file.
 */
async function auditUpload(
  db: Db,
  actingAs: ActingAs,
  report: WaitingListReport,
  organisationId: string | undefined,
): Promise<void> {
  const actor = { kind: 'PERSON' as const, personId: actingAs.personId, organisationId, channel: actingAs.channel };
  const invalidRows = new Set(report.invalid.map((error) => error.row)).size;
  if (invalidRows > 0) {
    const byColumn: Record<string, number> = {};
    for (const error of report.invalid) byColumn[error.field] = (byColumn[error.field] ?? 0) + 1;
    await appendAudit(db, {
      action: 'LIST_PATIENT',
      outcome: 'REFUSED',
      actor,
      detail: {
        code: 'INPUT.INVALID',
        organisationOds: actingAs.organisationOds,
        uploadId: report.uploadId,
        rows: invalidRows,
        byColumn,
      },
      idempotencyKey: `upload/${report.uploadId}/refused-rows`,
    });
  }
  await appendAudit(db, {
    action: 'WAITING_LIST_UPLOADED',
    outcome: report.fileErrors.some((error) => error.code !== 'UPLOAD.INTERRUPTED') ? 'REFUSED' : 'OK',
    actor,
    detail: {
      organisationOds: actingAs.organisationOds,
      uploadId: report.uploadId,
      rows: report.rows,
      listed: report.listed.length,
      alreadyListed: report.alreadyListed.length,
      invalidRows,
      notListed: report.notListed.length,
      fileErrors: report.fileErrors.map((error) => error.code),
    },
    idempotencyKey: `upload/${report.uploadId}`,
  });
}

// ─── Presenting the report ────────────────────────────────────────────────────

export type RowOutcome = 'LISTED' | 'ALREADY_LISTED' | 'INVALID' | 'NOT_LISTED' | 'FILE_ERROR';

export interface ReportLine {
  /** Absent for a problem with the file as a whole. */
  row?: number;
  outcome: RowOutcome;
  caseRef?: string;
  /** A CSV column name, `(row)`, or a file error's code. */
  field?: string;
  message?: string;
}

/** The report as one line per outcome, file errors first, then by row. */
export function reportLines(report: WaitingListReport): ReportLine[] {
  const rowLines: ReportLine[] = [
    ...report.listed.map(({ row, caseRef }) => ({ row, outcome: 'LISTED' as const, caseRef })),
    ...report.alreadyListed.map(({ row, caseRef }) => ({
      row,
      outcome: 'ALREADY_LISTED' as const,
      caseRef,
      message: `Already listed by your trust as ${caseRef}`,
    })),
    ...report.invalid.map(({ row, field, message }) => ({ row, outcome: 'INVALID' as const, field, message })),
    ...report.notListed.map(({ row, message }) => ({ row, outcome: 'NOT_LISTED' as const, message })),
  ];
  // A stable sort keeps each row's problems in column order.
  rowLines.sort((a, b) => a.row! - b.row!);
  const fileLines = report.fileErrors.map(({ code, message }) => ({
    outcome: 'FILE_ERROR' as const,
    field: code,
    message,
  }));
  return [...fileLines, ...rowLines];
}

export const REPORT_CSV_HEADER = ['row', 'outcome', 'case_ref', 'field', 'message'] as const;

/** The per-row report as CSV: row numbers, outcomes, case references, column names and messages only. */
export function reportCsv(report: WaitingListReport): string {
  return toCsv([
    REPORT_CSV_HEADER,
    ...reportLines(report).map((line) => [
      line.row ?? '',
      line.outcome,
      line.caseRef ?? '',
      line.field ?? '',
      line.message ?? '',
    ]),
  ]);
}

export interface WaitingListResponseBody {
  uploadId: string;
  /** Every row was listed or was already listed. */
  complete: boolean;
  summary: { rows: number; listed: number; alreadyListed: number; invalidRows: number; notListed: number };
  listed: RowCase[];
  alreadyListed: RowCase[];
  invalid: RowError[];
  notListed: RowNotListed[];
  fileErrors: FileError[];
}

/**
 * The report as an HTTP reply: 200 when the file was read (the body says row
 * by row what happened, invalid rows included), 403 when the uploader may not
 * list for the organisation, 413 for a file over the limits, 422 for a file
 * that cannot be read or whose header is wrong, 503 when the upload stopped
 * part-way (uploading the same file again is safe).
 */
export function waitingListResponse(report: WaitingListReport): { status: number; body: WaitingListResponseBody } {
  const codes = new Set(report.fileErrors.map((error) => error.code));
  const status = codes.has('ACTOR.NOT_AUTHORISED')
    ? 403
    : codes.has('CSV.TOO_LARGE') || codes.has('CSV.TOO_MANY_ROWS')
      ? 413
      : codes.has('UPLOAD.INTERRUPTED')
        ? 503
        : codes.size > 0
          ? 422
          : 200;
  return {
    status,
    body: {
      uploadId: report.uploadId,
      complete: uploadComplete(report),
      summary: {
        rows: report.rows,
        listed: report.listed.length,
        alreadyListed: report.alreadyListed.length,
        invalidRows: new Set(report.invalid.map((error) => error.row)).size,
        notListed: report.notListed.length,
      },
      listed: report.listed,
      alreadyListed: report.alreadyListed,
      invalid: report.invalid,
      notListed: report.notListed,
      fileErrors: report.fileErrors,
    },
  };
}
