/**
 * `npm run upload -- --file list.csv --org RR8 --as coordinator@example.invalid`:
 * lists a trust's waiting list from a CSV file (docs/waiting-list.md) against
 * the configured PostgreSQL and Temporal (DATABASE_URL, TEMPORAL_ADDRESS …,
 * from the environment or .env). Shows a progress bar for large files on a
 * terminal, prints a summary and writes the per-row report as CSV beside the
 * input (or to --report): row numbers, outcomes, case references, column
 * names and messages, never an NHS number or a name.
 *
 * Exit code: 0 when every row was listed or already listed; 1 when any row,
 * or the file, was refused; 2 when the upload could not start.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { SingleBar } from 'cli-progress';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../db/client';
import { organisationByOds } from '../db/people';
import { people } from '../db/schema';
import { DEFAULT_WAITING_LIST_LIMITS } from '../domain/waiting-list-csv';
import { JourneyClient } from '../workflows/client';
import { loadConfig, loadEnvFile, type AppConfig } from '../workflows/config';
import {
  importWaitingList,
  reportCsv,
  uploadComplete,
  type WaitingListProgress,
  type WaitingListReport,
} from '../workflows/waiting-list-import';

const USAGE = [
  'Usage: npm run upload -- --file <list.csv> --org <ODS code> --as <your e-mail> [--report <report.csv>]',
  '  --file         the waiting list, as in docs/waiting-list-template.csv',
  '  --org          the trust listing the patients, e.g. RR8',
  '  --as           the e-mail address of the coordinator or clinician uploading',
  '  --report       where to write the per-row report (default: beside the file, <name>.report.csv)',
].join('\n');

/** Files with fewer rows finish before a bar would be worth drawing. */
const PROGRESS_BAR_FROM_ROWS = 200;
/** Invalid rows printed to the terminal; the report has them all. */
const PRINTED_PROBLEMS = 20;

export const EXIT_COMPLETE = 0;
export const EXIT_REFUSED = 1;
export const EXIT_NOT_STARTED = 2;

export interface UploadCliIo {
  print(line: string): void;
  error(line: string): void;
  /** The environment to configure from; when absent, `.env` and `process.env`. */
  env?: Record<string, string | undefined>;
  /** Relative paths are resolved from here (default: where `npm run` was started). */
  cwd?: string;
  /** Where the progress bar draws (a terminal); absent: no bar. */
  progressStream?: NodeJS.WritableStream;
}

/** The upload could not start: usage, configuration, no such file, organisation or person. */
class NotStarted extends Error {}
/** The file was refused before it was read. */
class Refused extends Error {}

/** Runs one upload; resolves to the exit code. */
export async function runUpload(argv: string[], io: UploadCliIo): Promise<number> {
  let options;
  try {
    options = uploadOptions(argv, io.cwd ?? process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    io.error(`${(error as Error).message}\n${USAGE}`);
    return EXIT_NOT_STARTED;
  }
  if (options === 'help') {
    io.print(USAGE);
    return EXIT_COMPLETE;
  }
  const opened: { database?: Database; connection?: Connection } = {};
  try {
    const bytes = await readUpload(options.file);
    const config = configFrom(io.env);
    opened.database = openDatabase(config.databaseUrl);
    const { db } = opened.database;
    opened.connection = await connectTemporal(config);
    const client = new Client({ connection: opened.connection, namespace: config.temporal.namespace });
    const journeys = new JourneyClient({
      client,
      db,
      taskQueue: config.temporal.taskQueue,
      policy: config.journeyPolicy,
    });

    const organisation = await organisationByOds(db, options.org);
    if (!organisation) throw new NotStarted(`No organisation with ODS code ${options.org} is known to mutual aid.`);
    const [person] = await db
      .select({ id: people.id })
      .from(people)
      .where(sql`lower(${people.email}) = ${options.as.toLowerCase()}`);
    if (!person) throw new NotStarted(`No person with the e-mail address ${options.as} is known to mutual aid.`);

    const progress = progressBar(io.progressStream);
    let report: WaitingListReport;
    try {
      report = await importWaitingList(
        { db, journeys },
        bytes,
        { personId: person.id, organisationOds: organisation.odsCode, channel: 'CLI' },
        { onProgress: progress.update },
      );
    } finally {
      progress.stop();
    }
    await writeFile(options.report, reportCsv(report), 'utf8');
    for (const line of summary(report, options.file, organisation.odsCode, options.report)) io.print(line);
    return uploadComplete(report) ? EXIT_COMPLETE : EXIT_REFUSED;
  } catch (error) {
    if (error instanceof NotStarted || error instanceof Refused) {
      io.error(error.message);
      return error instanceof Refused ? EXIT_REFUSED : EXIT_NOT_STARTED;
    }
    throw error;
  } finally {
    await opened.connection?.close();
    await opened.database?.close();
  }
}

interface UploadOptions {
  file: string;
  org: string;
  as: string;
  report: string;
}

function uploadOptions(argv: string[], cwd: string): UploadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string' },
      org: { type: 'string' },
      as: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const missing = (['file', 'org', 'as'] as const).filter((name) => !values[name]?.trim());
  if (missing.length > 0) throw new Error(`Missing ${missing.map((name) => `--${name}`).join(', ')}.`);
  const file = resolve(cwd, values.file!);
  return {
    file,
    org: values.org!.trim().toUpperCase(),
    as: values.as!.trim(),
    report: values.report ? resolve(cwd, values.report) : defaultReportPath(file),
  };
}

/** `lists/march.csv` → `lists/march.report.csv`. */
export function defaultReportPath(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.report.csv`);
}

async function readUpload(file: string): Promise<Uint8Array> {
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) throw new NotStarted(`No file at ${file}.`);
  const { maxBytes } = DEFAULT_WAITING_LIST_LIMITS;
  if (found.size > maxBytes) {
    throw new Refused(
      `${basename(file)} is ${found.size.toLocaleString('en-GB')} bytes, over the limit of ` +
        `${maxBytes.toLocaleString('en-GB')}: split it into smaller files.`,
    );
  }
  return readFile(file);
}

function configFrom(env: UploadCliIo['env']): AppConfig & { databaseUrl: string } {
  if (!env) loadEnvFile(resolve(__dirname, '..', '.env'));
  let config: AppConfig;
  try {
    config = loadConfig(env ?? process.env);
  } catch (error) {
    throw new NotStarted((error as Error).message);
  }
  if (!config.databaseUrl) {
    throw new NotStarted('DATABASE_URL is not set: point it at the mutual-aid database (in the environment or .env).');
  }
  return { ...config, databaseUrl: config.databaseUrl };
}

async function connectTemporal(config: AppConfig): Promise<Connection> {
  try {
    return await Connection.connect({ address: config.temporal.address, connectTimeout: '10s' });
  } catch (error) {
    throw new NotStarted(`Could not reach Temporal at ${config.temporal.address}: ${(error as Error).message}`);
  }
}

/** A bar on the terminal for files large enough to wait for; nothing otherwise. */
function progressBar(stream: NodeJS.WritableStream | undefined) {
  let bar: SingleBar | undefined;
  return {
    update: ({ total, done, listed }: WaitingListProgress) => {
      if (!stream || total < PROGRESS_BAR_FROM_ROWS) return;
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: 'Listing [{bar}] {percentage}% | {value}/{total} rows | {listed} listed | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
        });
        bar.start(total, 0, { listed: 0 });
      }
      bar.update(done, { listed });
    },
    stop: () => bar?.stop(),
  };
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** What the person uploading reads: counts, the problems by row and column, and where the report is. */
export function summary(report: WaitingListReport, file: string, ods: string, reportPath: string): string[] {
  const lines: string[] = [];
  if (report.fileErrors.length > 0) {
    lines.push(`${basename(file)} for ${ods}: not listed.`);
    for (const error of report.fileErrors) lines.push(`  ${error.message} (${error.code})`);
  }
  if (report.rows > 0) {
    const invalidRows = new Set(report.invalid.map((error) => error.row)).size;
    lines.push(
      `${basename(file)} for ${ods}: ${count(report.rows, 'row')}: ${count(report.listed.length, 'patient')} listed, ` +
        `${count(report.alreadyListed.length, 'patient')} already listed, ${count(invalidRows, 'invalid row')}` +
        (report.notListed.length > 0 ? `, ${count(report.notListed.length, 'row')} not listed` : '') +
        '.',
    );
    for (const error of report.invalid.slice(0, PRINTED_PROBLEMS)) {
      lines.push(`  row ${error.row}, ${error.field}: ${error.message}`);
    }
    if (report.invalid.length > PRINTED_PROBLEMS) {
      lines.push(`  … and ${count(report.invalid.length - PRINTED_PROBLEMS, 'more problem')}: see the report.`);
    }
  }
  lines.push(`Report: ${reportPath}`);
  return lines;
}

if (require.main === module) {
  runUpload(process.argv.slice(2), {
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`Upload failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT_NOT_STARTED;
    },
  );
}
