/**
 * The waiting-list upload file: a CSV with one column per listing field, as a
 * trust's patient administration system can export it (docs/waiting-list.md,
 * docs/waiting-list-template.csv). Reads the file, checks its header, and
 * turns each row into a listing validated field by field. Every problem is
 * reported by row (the file's line number, the header being line 1) and
 * column name, in words that never repeat the cell's value, so a report is
 * safe to print, log and keep.
 */
import { parse as parseStream } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { validateWith, type FieldError } from './field-errors';
import { listingSchema, type Listing, type ListingInput } from './listing';
import { isValidNhsNumber, normaliseNhsNumber } from './nhs-number';
import { DECIMAL } from './schema-parts';
import { hasControlCharacter } from './text';

/** How a cell becomes a listing field. */
type CellKind =
  /** Text as written; empty: absent. */
  | 'text'
  /** A code, upper-cased; empty: absent. */
  | 'code'
  /** A number; empty: "is required". */
  | 'number'
  /** ASA grade: 1–6 or I–VI, with or without "ASA". */
  | 'asa'
  /** yes/no, y/n, true/false, 1/0; empty: "must be yes or no". */
  | 'yesNo'
  /** Whole miles; empty: anywhere in England. */
  | 'miles'
  /** Codes separated by `;`; empty: none. */
  | 'codeList'
  /** The judging clinician's e-mail address, resolved to their person id. */
  | 'email';

export interface WaitingListColumn {
  /** The header, as the file must name it. */
  name: string;
  /** The listing field the column fills. */
  field: Exclude<keyof ListingInput, 'originOds'>;
  kind: CellKind;
  /** What the column's value is called in messages written here (the listing schema words its own). */
  label: string;
  /** The column may be left out of the file altogether (its value may always be empty). */
  optionalColumn?: boolean;
}

/** Every column, in the template's order. */
export const WAITING_LIST_COLUMNS = [
  { name: 'nhs_number', field: 'nhsNumber', kind: 'text', label: 'NHS number' },
  { name: 'given_name', field: 'givenName', kind: 'text', label: 'Given name' },
  { name: 'family_name', field: 'familyName', kind: 'text', label: 'Family name' },
  { name: 'date_of_birth', field: 'dateOfBirth', kind: 'text', label: 'Date of birth' },
  { name: 'postcode', field: 'postcode', kind: 'text', label: 'Postcode' },
  { name: 'local_patient_id', field: 'localPatientId', kind: 'text', label: 'Local patient identifier' },
  { name: 'gp_practice_code', field: 'gpPracticeCode', kind: 'code', label: 'GP practice code' },
  { name: 'referring_org_ods', field: 'referringOrgOds', kind: 'code', label: 'Referring organisation' },
  { name: 'ppid', field: 'ppid', kind: 'text', label: 'Patient pathway identifier' },
  { name: 'ppid_issuer_ods', field: 'ppidIssuerOds', kind: 'code', label: 'Pathway identifier issuer' },
  { name: 'specialty_code', field: 'specialtyCode', kind: 'code', label: 'Specialty' },
  { name: 'procedure', field: 'procedure', kind: 'text', label: 'Procedure' },
  { name: 'opcs_code', field: 'opcsCode', kind: 'code', label: 'OPCS-4 code', optionalColumn: true },
  { name: 'care_type', field: 'careType', kind: 'code', label: 'Care type' },
  {
    name: 'diagnostic_modality',
    field: 'diagnosticModality',
    kind: 'code',
    label: 'Diagnostic test',
    optionalColumn: true,
  },
  { name: 'priority', field: 'priority', kind: 'code', label: 'Clinical priority' },
  { name: 'rtt_clock_start', field: 'rttClockStart', kind: 'text', label: 'RTT clock start' },
  { name: 'bmi', field: 'bmi', kind: 'number', label: 'BMI' },
  { name: 'asa', field: 'asa', kind: 'asa', label: 'ASA grade' },
  { name: 'needs_critical_care', field: 'needsCriticalCare', kind: 'yesNo', label: 'Critical care need' },
  { name: 'max_travel_miles', field: 'maxTravelMiles', kind: 'miles', label: 'Maximum travel distance' },
  { name: 'travel_needs', field: 'travelNeeds', kind: 'codeList', label: 'Travel needs' },
  {
    name: 'judged_appropriate_by',
    field: 'appropriatenessJudgedBy',
    kind: 'email',
    label: 'The clinician who judged the move appropriate',
  },
] as const satisfies readonly WaitingListColumn[];

export type WaitingListColumnName = (typeof WAITING_LIST_COLUMNS)[number]['name'];

export const WAITING_LIST_HEADER: readonly string[] = WAITING_LIST_COLUMNS.map((column) => column.name);

/** The field name a problem with a whole row is reported under. */
export const WHOLE_ROW = '(row)';

const COLUMN_BY_NAME = new Map<string, WaitingListColumn>(WAITING_LIST_COLUMNS.map((c) => [c.name, c]));
const COLUMN_BY_FIELD = new Map<string, WaitingListColumn>(WAITING_LIST_COLUMNS.map((c) => [c.field, c]));
const COLUMN_ORDER = new Map<string, number>(WAITING_LIST_COLUMNS.map((c, index) => [c.name, index]));

export interface WaitingListLimits {
  /** Patients (data rows) in one file. */
  maxRows: number;
  /** The file's size in bytes (UTF-8). */
  maxBytes: number;
}

export const DEFAULT_WAITING_LIST_LIMITS: WaitingListLimits = { maxRows: 50_000, maxBytes: 20 * 1024 * 1024 };

/** A problem with the file as a whole: nothing in it is listed. */
export interface FileError {
  code: string;
  message: string;
}

/** A problem with one row: that row is not listed. */
export interface RowError {
  /** The row's line number in the file; the header is line 1. */
  row: number;
  /** The CSV column name, or `(row)` for the row as a whole. */
  field: string;
  message: string;
}

/** One data row: its line number and its cells by column name (the file's own, lower-cased). */
export interface WaitingListRow {
  row: number;
  cells: Record<string, string>;
}

export type ParsedWaitingList =
  { ok: true; rows: WaitingListRow[]; rowErrors: RowError[] } | { ok: false; errors: FileError[] };

const BYTES = new Intl.NumberFormat('en-GB');

/**
 * The upload's bytes as text: UTF-8, with or without a byte-order mark. A file
 * saved in another encoding (Excel's plain "CSV" on Windows) is refused rather
 * than read with its accented names garbled.
 */
export function decodeWaitingList(
  bytes: Uint8Array,
  limits: WaitingListLimits = DEFAULT_WAITING_LIST_LIMITS,
): { ok: true; text: string } | { ok: false; errors: FileError[] } {
  if (bytes.byteLength > limits.maxBytes) return { ok: false, errors: [tooLarge(limits)] };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return {
      ok: false,
      errors: [
        {
          code: 'CSV.NOT_UTF8',
          message: 'The file is not UTF-8 text: save it as "CSV UTF-8 (comma delimited)" and upload it again',
        },
      ],
    };
  }
}

function tooLarge(limits: WaitingListLimits): FileError {
  return {
    code: 'CSV.TOO_LARGE',
    message: `The file is larger than ${BYTES.format(limits.maxBytes)} bytes: split it into smaller files`,
  };
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Each record comes as `{ record, info }`, `info.lines` being the line the record ends on. */
const CSV_OPTIONS = { bom: true, info: true, relax_column_count: true, skip_empty_lines: true } as const;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** csv-parse's error codes for a file that is not well-formed CSV. */
const MALFORMED: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by more text in the same value',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by more text in the same value',
  CSV_MAX_RECORD_SIZE: 'a row is far too long',
};

/**
 * Reads the file: header checks (every required column present, none unknown
 * or repeated) and the limits. Rows whose number of values does not match the
 * header come back as row errors; blank rows (also rows of empty values, as
 * spreadsheets export them) are skipped.
 */
export function parseWaitingList(
  file: string,
  limits: WaitingListLimits = DEFAULT_WAITING_LIST_LIMITS,
): ParsedWaitingList {
  if (overLimit(file, limits)) return { ok: false, errors: [tooLarge(limits)] };
  const text = withoutEndingCarriageReturns(file);
  let records: ParsedRecord[];
  try {
    records = parseSync(text, CSV_OPTIONS) as unknown as ParsedRecord[];
  } catch (error) {
    return { ok: false, errors: [malformed(error)] };
  }
  return fromRecords(records, limits);
}

/**
 * Carriage returns that end the file are line endings, as an editor shows
 * them. csv-parse, having taken LF as the line ending from the lines before,
 * would keep them in the last value and not count them as lines, which
 * threw that row's line number out.
 */
const withoutEndingCarriageReturns = (text: string): string => text.replace(/\r+$/, '');

/**
 * `parseWaitingList` a slice of text at a time, awaiting `pause` between
 * slices, so that a server reading a large file goes on answering its other
 * requests meanwhile (parsing 10,000 rows in one go holds the event loop for
 * a second or more).
 */
export async function parseWaitingListInSlices(
  file: string,
  pause: () => Promise<void>,
  limits: WaitingListLimits = DEFAULT_WAITING_LIST_LIMITS,
  sliceLength = 64 * 1024,
): Promise<ParsedWaitingList> {
  if (overLimit(file, limits)) return { ok: false, errors: [tooLarge(limits)] };
  const text = withoutEndingCarriageReturns(file);
  const records: ParsedRecord[] = [];
  const parser = parseStream(CSV_OPTIONS);
  let failure: unknown;
  const settled = new Promise<void>((resolve) => {
    parser.on('data', (parsed: ParsedRecord) => records.push(parsed));
    parser.on('end', () => resolve());
    parser.on('error', (error) => {
      failure ??= error;
      resolve();
    });
  });
  for (let start = 0; start < text.length && failure === undefined;) {
    let end = Math.min(start + sliceLength, text.length);
    // Never split a surrogate pair (the stream would turn each half into U+FFFD): take its second half too.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += 1;
    parser.write(text.slice(start, end));
    start = end;
    await pause();
  }
  if (failure === undefined) parser.end();
  await settled;
  if (failure !== undefined) return { ok: false, errors: [malformed(failure)] };
  return fromRecords(records, limits);
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

function overLimit(text: string, limits: WaitingListLimits): boolean {
  // Each character is at least one byte and at most three (a surrogate pair, two characters, is four).
  return text.length > limits.maxBytes || (text.length * 3 > limits.maxBytes && utf8Length(text) > limits.maxBytes);
}

/** The header checks and limits, and each record as a row, once the text is read. */
function fromRecords(records: ParsedRecord[], limits: WaitingListLimits): ParsedWaitingList {
  const [header, ...data] = withLineNumbers(records).filter(({ record }) =>
    record.some((value) => value.trim() !== ''),
  );
  if (!header) {
    return {
      ok: false,
      errors: [{ code: 'CSV.EMPTY', message: 'The file is empty: it needs a header row and patients' }],
    };
  }
  const columns = header.record.map(columnName);
  const headerError = checkHeader(columns);
  if (headerError) return { ok: false, errors: [headerError] };
  if (data.length === 0) {
    return { ok: false, errors: [{ code: 'CSV.NO_ROWS', message: 'The file has a header but no patients' }] };
  }
  if (data.length > limits.maxRows) {
    return {
      ok: false,
      errors: [
        {
          code: 'CSV.TOO_MANY_ROWS',
          message: `The file has more than ${BYTES.format(limits.maxRows)} patients: split it into files of at most ${BYTES.format(limits.maxRows)} rows`,
        },
      ],
    };
  }
  const rows: WaitingListRow[] = [];
  const rowErrors: RowError[] = [];
  for (const { record, line: row } of data) {
    if (record.length !== columns.length) {
      rowErrors.push({
        row,
        field: WHOLE_ROW,
        message: `The row has ${record.length} values but the header has ${columns.length} columns`,
      });
      continue;
    }
    const cells: Record<string, string> = {};
    columns.forEach((column, index) => (cells[column] = record[index]!));
    rows.push({ row, cells });
  }
  return { ok: true, rows, rowErrors };
}

/** `NHS Number` and `nhs-number` name the `nhs_number` column too. */
function columnName(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * The line each record starts on, as an editor numbers lines. csv-parse gives
 * the line a record ends on, counting a CR LF inside a quoted value as two
 * line breaks (and so every later line one further on); this takes out the
 * record's own breaks and that drift.
 */
function withLineNumbers(records: ParsedRecord[]): { record: string[]; line: number }[] {
  let drift = 0;
  return records.map(({ record, info }) => {
    let counted = 0;
    let crlf = 0;
    for (const value of record) {
      for (let i = 0; i < value.length; i += 1) {
        const unit = value.charCodeAt(i);
        if (unit === 13 || unit === 10) counted += 1;
        if (unit === 13 && value.charCodeAt(i + 1) === 10) crlf += 1;
      }
    }
    const line = info.lines - counted - drift;
    drift += crlf;
    return { record, line };
  });
}

function malformed(error: unknown): FileError {
  const { code, lines } = (error ?? {}) as { code?: string; lines?: number };
  const what = (code && MALFORMED[code]) ?? 'it cannot be read as comma-separated values';
  return {
    code: 'CSV.MALFORMED',
    message: `The file is not valid CSV: ${what}${lines ? ` (line ${lines})` : ''}`,
  };
}

/**
 * The header's problems, in one error. A first row naming no known column is
 * not a header at all (most likely a file exported without one, starting
 * with a patient), so nothing of it is repeated back; otherwise unknown and
 * repeated names are shown when they look like column names, by position
 * when they do not.
 */
function checkHeader(columns: string[]): FileError | undefined {
  if (!columns.some((column) => COLUMN_BY_NAME.has(column))) {
    return {
      code: 'CSV.NO_HEADER',
      message:
        'The first row is not the header: the file must start with a row naming its columns, ' +
        `as the template does: ${WAITING_LIST_HEADER.join(', ')}`,
    };
  }
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  columns.forEach((column) => (seen.has(column) ? duplicated : seen).add(column));
  const unknown = columns.flatMap((column, index) => (COLUMN_BY_NAME.has(column) ? [] : [shown(column, index)]));
  const repeated = [...duplicated].map((column) => shown(column, columns.indexOf(column)));
  const missing = WAITING_LIST_COLUMNS.filter((c) => !('optionalColumn' in c) && !seen.has(c.name)).map((c) => c.name);
  const problems = [
    missing.length > 0 ? `missing ${plural(missing.length, 'column')} ${missing.join(', ')}` : '',
    unknown.length > 0 ? `unknown ${plural(unknown.length, 'column')} ${unknown.join(', ')}` : '',
    repeated.length > 0 ? `repeated ${plural(repeated.length, 'column')} ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length === 0) return undefined;
  return {
    code: 'CSV.BAD_HEADER',
    message:
      `The header row does not match the template: ${problems.join('; ')}. ` +
      `The columns are: ${WAITING_LIST_HEADER.join(', ')}`,
  };
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

/** A header cell as the message names it: as written when it looks like a column name, otherwise by position. */
function shown(column: string, index: number): string {
  return /^[a-z][a-z0-9_]{0,39}$/.test(column) ? column : `the ${ordinal(index + 1)} column`;
}

function ordinal(n: number): string {
  const suffix =
    n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10];
  return `${n}${suffix ?? 'th'}`;
}

// ─── Rows to listings ─────────────────────────────────────────────────────────

export interface RowContext {
  /** The organisation uploading: every row is listed for it. */
  originOds: string;
  /** The person id behind an e-mail address (already lower-cased), if mutual aid knows them. */
  personIdForEmail(email: string): string | undefined;
}

export type RowValidation = { ok: true; listing: Listing } | { ok: false; errors: RowError[] };

/**
 * The lower-cased e-mail addresses in the judging-clinician column, to look up
 * in one go: well-formed ones only (a malformed one is its row's problem, and
 * one holding NUL would fail the whole lookup).
 */
export function judgeEmails(rows: readonly WaitingListRow[]): string[] {
  const emails = new Set<string>();
  for (const { cells } of rows) {
    const email = cells.judged_appropriate_by?.trim().toLowerCase();
    if (email && isEmail(email)) emails.add(email);
  }
  return [...emails];
}

/** The row's NHS number in its ten-digit form, when it is a valid one. */
export function nhsNumberOf(row: WaitingListRow): string | undefined {
  const raw = row.cells.nhs_number ?? '';
  return isValidNhsNumber(raw) ? normaliseNhsNumber(raw) : undefined;
}

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);
const ROMAN_ASA: Record<string, string> = { I: '1', II: '2', III: '3', IV: '4', V: '5', VI: '6' };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isEmail = (text: string) => EMAIL.test(text) && !hasControlCharacter(text);

/**
 * Validates rows against the listing schema built once for `now` (building it
 * per row would cost more than the validation itself on a large file).
 */
export function waitingListValidator(now: Date): (row: WaitingListRow, context: RowContext) => RowValidation {
  const schema = listingSchema(now);
  return (row, context) => validateRow(schema, row, context);
}

function validateRow(
  schema: ReturnType<typeof listingSchema>,
  { row, cells }: WaitingListRow,
  context: RowContext,
): RowValidation {
  const input: Record<string, unknown> = { originOds: context.originOds };
  const errors: RowError[] = [];
  for (const column of WAITING_LIST_COLUMNS) {
    const mapped = cellValue(column, (cells[column.name] ?? '').trim(), context);
    if ('error' in mapped) errors.push({ row, field: column.name, message: mapped.error });
    else if (mapped.value !== undefined) input[column.field] = mapped.value;
  }
  const validated = validateWith(schema, input);
  if (validated.ok && errors.length === 0) return { ok: true, listing: validated.value };
  const flagged = new Set(errors.map((error) => error.field));
  for (const error of validated.ok ? [] : validated.errors) {
    const field = columnFor(error);
    // The cell's own reading already said what is wrong with it.
    if (!flagged.has(field)) errors.push({ row, field, message: error.message });
  }
  return { ok: false, errors: sortRowErrors(dedupe(errors)) };
}

function columnFor(error: FieldError): string {
  const field = error.field.split('.')[0] ?? '';
  return COLUMN_BY_FIELD.get(field)?.name ?? WHOLE_ROW;
}

function dedupe(errors: RowError[]): RowError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.row}\u0000${error.field}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** By row, then in the template's column order, whole-row problems first. */
export function sortRowErrors(errors: RowError[]): RowError[] {
  const order = (field: string) => COLUMN_ORDER.get(field) ?? -1;
  return errors.sort((a, b) => a.row - b.row || order(a.field) - order(b.field));
}

type Mapped = { value: unknown } | { error: string };

function cellValue(column: WaitingListColumn, cell: string, context: RowContext): Mapped {
  switch (column.kind) {
    case 'text':
      return { value: cell === '' ? undefined : cell };
    case 'code':
      return { value: cell === '' ? undefined : asCode(cell) };
    case 'number':
      return cell === '' ? { error: `${column.label} is required` } : { value: cell };
    case 'asa': {
      if (cell === '') return { error: `${column.label} is required` };
      const grade = cell.toUpperCase().replace(/^ASA\s*/, '');
      return { value: ROMAN_ASA[grade] ?? grade };
    }
    case 'yesNo': {
      const answer = cell.toLowerCase();
      if (YES.has(answer)) return { value: true };
      if (NO.has(answer)) return { value: false };
      return { error: `${column.label} must be yes or no` };
    }
    case 'miles': {
      if (cell === '') return { value: null };
      // Decimals only: Number() would also read "0x32", "5e1" and "+50" (a formula's start).
      const miles = DECIMAL.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(miles)) {
        return { error: `${column.label} must be a whole number of miles, or empty for anywhere in England` };
      }
      return { value: miles };
    }
    case 'codeList':
      return {
        value: cell
          .split(';')
          .map((code) => asCode(code.trim()))
          .filter(Boolean),
      };
    case 'email': {
      if (cell === '') return { value: undefined };
      const email = cell.toLowerCase();
      if (!isEmail(email)) return { error: `${column.label} must be given as their e-mail address` };
      const personId = context.personIdForEmail(email);
      if (!personId) {
        return { error: 'No one with this e-mail address is known to mutual aid: the clinician must be set up first' };
      }
      return { value: personId };
    }
  }
}

/** `wheelchair access` and `Non-obstetric ultrasound` are the codes WHEELCHAIR_ACCESS and NON_OBSTETRIC_ULTRASOUND. */
function asCode(cell: string): string {
  return cell.toUpperCase().replace(/[\s-]+/g, '_');
}

// ─── Writing CSV ──────────────────────────────────────────────────────────────

/**
 * Rows as CSV text (CRLF, quoted where needed). Used for reports, whose cells
 * are row numbers, column names, codes and our own messages, never a value
 * read from an upload.
 */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map((value) => csvCell(String(value))).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
