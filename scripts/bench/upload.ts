/**
 * Benchmark: a trust uploads a 10,000-patient waiting list
 * (workflows/waiting-list-import.ts), with the journey and notification
 * workers running and picking up every journey as it starts. Measures:
 *
 * - the upload: rows per second and seconds, from the file's text to the
 *   report, every row listed (written a batch per transaction, each batch's
 *   journeys certain to start: workflows/bulk-listing.ts);
 * - every journey started: from the same moment until every batch's
 *   `startListedJourneys` workflow has finished, and how many journeys
 *   were open for offers by then (the worker's pace, not the upload's);
 * - the baseline, in the same run: starting 10,000 journeys from the client,
 *   32 at a time, with the same input and nothing else (no database work,
 *   no worker polling their queue), half before the upload and half after
 *   it. That was the upload's own way before it listed in batches, and
 *   starting one journey per patient is work no design can avoid;
 * - the re-upload of the same file: every row already listed, nothing
 *   started (parsing, validation and the bulk checks only);
 * - parsing and validating the file alone, in process.
 *
 * The rows are valid, fictional (999-range NHS numbers) and varied:
 * specialties and procedures from a realistic mix, postcodes from English
 * districts in the reference data, one trust of the demo world (Leeds)
 * listing, judged by its clinician. Real PostgreSQL (a throwaway cluster,
 * migrated) and a real Temporal dev server; everything in one Node.js
 * process, as the CLI would share a machine with a worker.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomInt, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { seedDemoWorld } from '../../db/demo-seed';
import { cases, people, postcodeDistricts } from '../../db/schema';
import { newCaseRef } from '../../domain/case-ref';
import { WAITING_LIST_HEADER, parseWaitingList, toCsv, waitingListValidator } from '../../domain/waiting-list-csv';
import { JourneyClient } from '../../workflows/client';
import { loadConfig } from '../../workflows/config';
import { startJourney } from '../../workflows/journey-start';
import { UPLOAD_BATCH_ROWS, importWaitingList, type WaitingListReport } from '../../workflows/waiting-list-import';
import { createWorkers } from '../../workflows/worker';
import { Cleanup } from '../start/cleanup';
import { installQuietRuntime, startLoadStack } from './load-stack';
import type { BenchConfig } from './config';
import { round, seededRandom } from './stats';
import type { BenchGroup, Measurement } from './types';

export interface UploadBenchOptions {
  rows: number;
  /** Workflows started at once in the baseline. */
  concurrency: number;
}

const DEFAULTS: UploadBenchOptions = { rows: 10_000, concurrency: 32 };
const WARM_UP_ROWS = 200;
const SEED = 20_260_301;

/** What trusts list, by specialty: code, procedure, OPCS-4 code, care type and DM01 test. */
const PATHWAYS = [
  ['110', 'Primary total hip replacement', 'W37.1', 'ADMITTED', ''],
  ['110', 'Primary total knee replacement', 'W40.1', 'ADMITTED', ''],
  ['110', 'MRI of the knee', '', 'DIAGNOSTIC', 'MRI'],
  ['130', 'Cataract extraction with lens implant', 'C71.2', 'ADMITTED', ''],
  ['100', 'Laparoscopic cholecystectomy', 'J18.3', 'ADMITTED', ''],
  ['100', 'Inguinal hernia repair', 'T20.1', 'ADMITTED', ''],
  ['101', 'Transurethral resection of prostate', 'M65.3', 'ADMITTED', ''],
  ['101', 'Flexible cystoscopy', '', 'DIAGNOSTIC', 'CYSTOSCOPY'],
  ['120', 'Tonsillectomy', 'F34.1', 'ADMITTED', ''],
  ['502', 'Hysterectomy', 'Q07.4', 'ADMITTED', ''],
  ['301', 'Colonoscopy', '', 'DIAGNOSTIC', 'COLONOSCOPY'],
  ['320', 'Echocardiogram', '', 'DIAGNOSTIC', 'ECHOCARDIOGRAPHY'],
  ['330', 'Excision of skin lesion', 'S06.1', 'OUTPATIENT', ''],
  ['108', 'Lumbar decompression', 'V25.2', 'ADMITTED', ''],
] as const;
const PRIORITIES = ['P2', 'P3', 'P3', 'P4', 'P4'] as const;
const TRAVEL_NEEDS = ['', '', '', '', 'WHEELCHAIR_ACCESS', 'PATIENT_TRANSPORT;CARER_OR_ESCORT', 'INTERPRETER'];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** `n` different 999-range NHS numbers (which no real patient holds) with valid check digits, from `start`. */
function fictionalNhsNumbers(start: number, n: number): string[] {
  const numbers: string[] = [];
  for (let base = start; numbers.length < n; base += 1) {
    const digits = `999${String(base % 1_000_000).padStart(6, '0')}`;
    const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0);
    const check = 11 - (sum % 11);
    if (check !== 10) numbers.push(`${digits}${check === 11 ? 0 : check}`);
  }
  return numbers;
}

/** A waiting list of `n` valid, varied rows for Leeds (RR8), judged by its demo clinician. */
export function benchWaitingList(n: number, nhsStart: number, outcodes: readonly string[], judge: string): string {
  const random = seededRandom(SEED + nhsStart);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const day = (from: number, span: number) =>
    new Date(Date.UTC(from, 0, 1) + Math.floor(random() * span) * 86_400_000).toISOString().slice(0, 10);
  const rows = fictionalNhsNumbers(nhsStart, n).map((nhsNumber, i) => {
    const [specialty, procedure, opcs, careType, modality] = pick(PATHWAYS);
    const inward = `${Math.floor(random() * 10)}${pick([...INWARD_LETTERS])}${pick([...INWARD_LETTERS])}`;
    const id = String(nhsStart + i).padStart(8, '0');
    return [
      nhsNumber,
      'Benchgiven',
      `Benchfamily${i}`,
      day(1940, 365 * 60),
      `${pick(outcodes)} ${inward}`,
      `RR8${id}`,
      'B86010',
      'B86010',
      `RR8PW${id}`,
      'RR8',
      specialty,
      procedure,
      opcs,
      careType,
      modality,
      pick(PRIORITIES),
      day(2024, 600),
      (18 + random() * 22).toFixed(1),
      String(1 + Math.floor(random() * 3)),
      random() < 0.05 ? 'yes' : 'no',
      random() < 0.2 ? '' : String(pick([25, 50, 75, 100, 150])),
      pick(TRAVEL_NEEDS),
      judge,
    ];
  });
  return toCsv([WAITING_LIST_HEADER, ...rows]);
}

interface Stack {
  db: Db;
  client: Client;
  journeys: JourneyClient;
  taskQueue: string;
  lister: { personId: string; organisationOds: string; channel: 'CLI' };
  judge: string;
  outcodes: string[];
}

async function startStack(config: BenchConfig, options: UploadBenchOptions, cleanup: Cleanup): Promise<Stack> {
  // The uploader (the CLI or the API) and the workers are separate processes in production, each with its pool.
  const stack = await startLoadStack(config, 'upload', cleanup, { poolSize: options.concurrency + 4 });
  const { client, workerConnection } = stack;
  const db = stack.db;
  const world = await seedDemoWorld(db);
  const taskQueue = `bench-upload-${randomUUID()}`;
  const defaults = loadConfig({});
  const workers = await createWorkers({
    connection: workerConnection,
    taskQueue,
    db: stack.workerDb,
    client,
    notifications: { ...defaults.notifications, notificationsTaskQueue: `${taskQueue}-notifications` },
  });
  const running = workers.run();
  cleanup.add('the workers', async () => {
    workers.shutdown();
    await running;
  });
  const england = await db
    .select({ outcode: postcodeDistricts.outcode })
    .from(postcodeDistricts)
    .where(eq(postcodeDistricts.country, 'England'))
    .orderBy(postcodeDistricts.outcode);
  const leeds = world.orgs.leeds;
  const [judge] = await db
    .select({ email: people.email })
    .from(people)
    .where(eq(people.id, leeds.staff.clinician.personId));
  return {
    db,
    client,
    journeys: new JourneyClient({ client, db, taskQueue, policy: defaults.journeyPolicy }),
    taskQueue,
    lister: { personId: leeds.staff.coordinator.personId, organisationOds: leeds.ods, channel: 'CLI' },
    judge: judge!.email!,
    outcodes: england.map((row) => row.outcode),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

function expectEveryRow(report: WaitingListReport, n: number, outcome: 'listed' | 'alreadyListed'): void {
  const problems = [
    ...report.fileErrors.map((e) => e.message),
    ...report.invalid.map((e) => `row ${e.row}: ${e.message}`),
  ];
  if (report[outcome].length !== n || problems.length > 0) {
    throw new Error(
      `Expected all ${n} rows ${outcome}, got ${report.listed.length} listed, ${report.alreadyListed.length} already listed` +
        (problems.length > 0 ? `; ${problems.slice(0, 5).join('; ')}` : ''),
    );
  }
}

/** Starts `n` journeys with the same input as the upload's, on a queue no worker polls: the cost of the starts alone. */
async function bareStarts(stack: Stack, n: number, concurrency: number): Promise<void> {
  const taskQueue = `bench-upload-baseline-${randomUUID()}`;
  const policy = loadConfig({}).journeyPolicy;
  let next = 0;
  const runner = async () => {
    while (next < n) {
      next += 1;
      await startJourney(stack.client, taskQueue, {
        caseRef: newCaseRef(randomInt),
        originOrgId: randomUUID(),
        region: 'NORTH_EAST_AND_YORKSHIRE',
        specialtyCode: '110',
        careType: 'ADMITTED',
        priority: 'P3',
        listedBy: stack.lister.personId,
        policy,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, runner));
}

function parseAndValidate(text: string, judgeId: string): number {
  const parsed = parseWaitingList(text);
  if (!parsed.ok) throw new Error(parsed.errors[0]!.message);
  const validate = waitingListValidator(new Date());
  let valid = 0;
  for (const row of parsed.rows) {
    if (validate(row, { originOds: 'RR8', personIdForEmail: () => judgeId }).ok) valid += 1;
  }
  return valid;
}

export function uploadBench(config: BenchConfig, overrides: Partial<UploadBenchOptions> = {}): BenchGroup {
  const options = { ...DEFAULTS, ...overrides };
  return {
    name: 'upload',
    async run(log) {
      installQuietRuntime();
      const cleanup = new Cleanup();
      try {
        const stack = await startStack(config, options, cleanup);
        const { concurrency, rows: n } = options;
        const upload = (text: string) => importWaitingList(stack, text, stack.lister);
        /** Every batch's journeys started, as the batch workflows report. */
        const journeysStarted = async (report: WaitingListReport) => {
          const results = await Promise.all(
            report.journeyStarters.map(
              (workflowId) => stack.client.workflow.getHandle(workflowId).result() as Promise<{ started: number }>,
            ),
          );
          return results.reduce((sum, result) => sum + result.started, 0);
        };

        // Before any journey runs: parsing and validating in one go holds the event loop the workers share.
        const text = benchWaitingList(n, 0, stack.outcodes, stack.judge);
        const validation = await timed(() => Promise.resolve(parseAndValidate(text, stack.lister.personId)));
        if (validation.value !== n) throw new Error(`Only ${validation.value} of ${n} generated rows are valid`);
        log(`Parsed and validated ${n} rows in ${validation.seconds.toFixed(2)} s`);

        const warmUp = benchWaitingList(WARM_UP_ROWS, 500_000, stack.outcodes, stack.judge);
        const warmUpReport = await upload(warmUp);
        expectEveryRow(warmUpReport, WARM_UP_ROWS, 'listed');
        await journeysStarted(warmUpReport);
        await bareStarts(stack, WARM_UP_ROWS, concurrency);
        log(`Warm-up: ${WARM_UP_ROWS} rows uploaded and ${WARM_UP_ROWS} bare workflow starts (not counted)`);

        // Half the baseline before the upload and half after, so a load that drifts (a shared machine) falls on both.
        const before = await timed(() => bareStarts(stack, Math.floor(n / 2), concurrency));
        // The load when the upload starts says how far to trust the figures.
        const [loadAverage] = loadavg();
        const uploadStarted = performance.now();
        const first = await timed(() => upload(text));
        expectEveryRow(first.value, n, 'listed');
        log(`Upload: ${n} rows listed, ${UPLOAD_BATCH_ROWS} per transaction, in ${first.seconds.toFixed(1)} s`);
        const started = await journeysStarted(first.value);
        const allStartedSeconds = (performance.now() - uploadStarted) / 1000;
        if (started !== n) throw new Error(`${started} journeys started, expected ${n}`);
        const [open] = await stack.db.select({ n: count() }).from(cases).where(eq(cases.state, 'OPEN_FOR_OFFERS'));
        log(
          `Every journey started ${allStartedSeconds.toFixed(1)} s after the upload began; ` +
            `${open!.n} of ${n + WARM_UP_ROWS} open for offers by then`,
        );
        const after = await timed(() => bareStarts(stack, n - Math.floor(n / 2), concurrency));
        const baseline = { seconds: before.seconds + after.seconds };
        log(
          `Baseline: ${n} bare workflow starts, ${concurrency} at a time, in ${baseline.seconds.toFixed(1)} s ` +
            `(${before.seconds.toFixed(1)} s before the upload, ${after.seconds.toFixed(1)} s after)`,
        );

        const again = await timed(() => upload(text));
        expectEveryRow(again.value, n, 'alreadyListed');
        log(`Re-upload: ${n} rows already listed in ${again.seconds.toFixed(1)} s`);

        const [listed] = await stack.db.select({ n: count() }).from(cases);
        if (listed!.n !== n + WARM_UP_ROWS)
          throw new Error(`${listed!.n} cases in the database, expected ${n + WARM_UP_ROWS}`);

        const measurements: Measurement[] = [
          {
            bench: 'upload.waitingList',
            n,
            batch_rows: UPLOAD_BATCH_ROWS,
            seconds: round(first.seconds),
            rows_per_s: Math.round(n / first.seconds),
            baseline_seconds: round(baseline.seconds),
            baseline_concurrency: concurrency,
            vs_baseline: round(first.seconds / baseline.seconds),
            load_avg_1m: round(loadAverage!),
          },
          {
            bench: 'upload.journeysStarted',
            n,
            seconds: round(allStartedSeconds),
            starts_per_s: Math.round(n / allStartedSeconds),
            vs_baseline: round(allStartedSeconds / baseline.seconds),
            open_for_offers_then: open!.n,
          },
          {
            bench: 'upload.reupload',
            n,
            seconds: round(again.seconds),
            rows_per_s: Math.round(n / again.seconds),
            started: again.value.listed.length,
          },
          {
            bench: 'upload.parseValidate',
            n,
            seconds: round(validation.seconds),
            rows_per_s: Math.round(n / validation.seconds),
          },
        ];
        return measurements;
      } finally {
        await cleanup.run((line) => {
          if (!line.startsWith('Stopped ')) log(line);
        });
      }
    },
  };
}
