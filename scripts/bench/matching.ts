/**
 * The matching benchmark: seeds a national-scale world into a database of its
 * own, then times both matching directions (and the provider fan-out list)
 * with the indexes, and again with index and bitmap scans disabled as the
 * baseline, and counts the rows each plan examines (EXPLAIN ANALYZE).
 */
import { performance } from 'node:perf_hooks';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Db, type Queryable } from '../../db/client';
import {
  casesForPosting,
  casesForPostingQuery,
  openCase,
  openCaseQuery,
  openPosting,
  openPostingQuery,
  postingsForCase,
  postingsForCaseQuery,
  providersForCase,
  providersForCaseQuery,
  type CaseFacts,
  type MatchOptions,
} from '../../db/matching';
import { runMigrations } from '../../db/migrate';
import { toCalendarDate } from '../../domain/rtt';
import { benchDatabase } from './bench-database';
import type { BenchConfig } from './config';
import { NATIONAL_SCALE, seedNational } from './seed-national';
import { round, sample, seededRandom, summarise } from './stats';
import type { BenchGroup, Measurement } from './types';

const SAMPLES = 1000;
const BASELINE_SAMPLES = 100;
const EXPLAIN_SAMPLES = 100;
const WARM_UP = 50;
const LIMIT = 50;
const SAMPLE_SEED = 20_250_101;

interface Direction {
  name: string;
  ids: string[];
  run(db: Queryable, id: string): Promise<unknown[]>;
  /** The statements `run` executes for this id, to EXPLAIN. */
  statements(db: Queryable, id: string): Promise<SQL[]>;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const SCAN_NODES = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/**
 * Rows examined: over every table scan node (Seq Scan, Index Scan, Index Only
 * Scan, Bitmap Heap Scan), (rows returned + rows removed by filter + rows
 * removed by index recheck) × loops. Bitmap Index Scans are not counted again.
 */
function rowsExamined(node: PlanNode, indexes: Set<string>): number {
  if (node['Index Name']) indexes.add(node['Index Name']);
  const loops = node['Actual Loops'] ?? 1;
  const own = SCAN_NODES.has(node['Node Type'])
    ? ((node['Actual Rows'] ?? 0) +
        (node['Rows Removed by Filter'] ?? 0) +
        (node['Rows Removed by Index Recheck'] ?? 0)) *
      loops
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsExamined(child, indexes), 0);
}

const withoutIndexes = async <T>(db: Db, work: (tx: Queryable) => Promise<T>): Promise<T> =>
  db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_indexscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    return work(tx);
  });

async function time(db: Db, direction: Direction, ids: string[], baseline: boolean) {
  const latencies: number[] = [];
  let matched = 0;
  for (const id of ids) {
    const measure = async (q: Queryable) => {
      const started = performance.now();
      const rows = await direction.run(q, id);
      latencies.push(performance.now() - started);
      matched += rows.length;
    };
    await (baseline ? withoutIndexes(db, measure) : measure(db));
  }
  return { ...summarise(latencies), meanRows: matched / Math.max(1, ids.length) };
}

async function explain(db: Db, direction: Direction, ids: string[], baseline: boolean) {
  const examined: number[] = [];
  const indexes = new Set<string>();
  for (const id of ids) {
    const plan = async (q: Queryable) => {
      let rows = 0;
      for (const statement of await direction.statements(q, id)) {
        const result = await q.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          sql`explain (analyze, format json) ${statement}`,
        );
        rows += rowsExamined(result.rows[0]!['QUERY PLAN'][0]!.Plan, indexes);
      }
      examined.push(rows);
    };
    await (baseline ? withoutIndexes(db, plan) : plan(db));
  }
  return { ...summarise(examined), indexes: [...indexes].sort() };
}

async function measureDirection(db: Db, direction: Direction, log: (line: string) => void): Promise<Measurement> {
  const random = seededRandom(SAMPLE_SEED + direction.name.length);
  const ids = sample(direction.ids, SAMPLES, random);
  for (const id of ids.slice(0, WARM_UP)) await direction.run(db, id);
  log(`  ${direction.name}: ${SAMPLES} indexed queries…`);
  const indexed = await time(db, direction, ids, false);
  log(`  ${direction.name}: ${BASELINE_SAMPLES} baseline queries (no index or bitmap scans)…`);
  const baseline = await time(db, direction, ids.slice(0, BASELINE_SAMPLES), true);
  const examined = await explain(db, direction, ids.slice(0, EXPLAIN_SAMPLES), false);
  const baselineExamined = await explain(db, direction, ids.slice(0, EXPLAIN_SAMPLES), true);
  log(`  ${direction.name}: indexes used ${examined.indexes.join(', ') || 'none'}`);
  return {
    bench: `matching.${direction.name}`,
    n: indexed.n,
    p50_ms: round(indexed.p50),
    p95_ms: round(indexed.p95),
    p99_ms: round(indexed.p99),
    max_ms: round(indexed.max),
    mean_rows_returned: round(indexed.meanRows),
    baseline_n: baseline.n,
    baseline_p50_ms: round(baseline.p50),
    baseline_p99_ms: round(baseline.p99),
    p99_ratio: round(baseline.p99 / indexed.p99),
    explain_n: examined.n,
    rows_examined_p50: examined.p50,
    rows_examined_max: examined.max,
    baseline_rows_examined_p50: baselineExamined.p50,
  };
}

async function openIds(url: string, today: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const postings = await client.query<{ id: string }>(
      `select id from capacity_postings
       where status = 'OPEN' and slots_filled < slots and available_until >= $1::date order by id`,
      [today],
    );
    const cases = await client.query<{ case_ref: string }>(
      `select case_ref from cases where state in ('OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING') order by case_ref`,
    );
    return { postingIds: postings.rows.map((r) => r.id), caseRefs: cases.rows.map((r) => r.case_ref) };
  } finally {
    await client.end();
  }
}

export function matchingBench(config: BenchConfig): BenchGroup {
  return {
    name: 'matching',
    async run(log) {
      const now = new Date();
      const today = toCalendarDate(now);
      const target = await benchDatabase(config.databaseUrl, 'matching');
      try {
        await runMigrations(target.url);
        const seeder = new pg.Client({ connectionString: target.url });
        await seeder.connect();
        const seedStarted = performance.now();
        const counts = await seedNational(seeder, { ...NATIONAL_SCALE, today }, log).finally(() => seeder.end());
        const seedSeconds = (performance.now() - seedStarted) / 1000;
        log(
          `Seeded ${counts.cases} cases (${counts.openCases} open), ${counts.organisations} providers, ${counts.sites} sites, ` +
            `${counts.openPostings} open of ${counts.postings} postings, ${counts.offers} offers in ${seedSeconds.toFixed(1)} s (incl. VACUUM ANALYZE)`,
        );
        const { postingIds, caseRefs } = await openIds(target.url, today);
        const database = openDatabase(target.url, 2);
        const options: MatchOptions = { now, limit: LIMIT };
        const caseStatements = async (db: Queryable, id: string, query: (facts: CaseFacts) => SQL) => {
          const facts = await openCase(db, id);
          return [openCaseQuery(id), ...(facts ? [query(facts)] : [])];
        };
        const directions: Direction[] = [
          {
            name: 'casesForPosting',
            ids: postingIds,
            run: (db, id) => casesForPosting(db, id, options),
            statements: async (db, id) => {
              const facts = await openPosting(db, id, options);
              return [openPostingQuery(id, today), ...(facts ? [casesForPostingQuery(facts, options)] : [])];
            },
          },
          {
            name: 'postingsForCase',
            ids: caseRefs,
            run: (db, id) => postingsForCase(db, id, options),
            statements: (db, id) => caseStatements(db, id, (facts) => postingsForCaseQuery(facts, options)),
          },
          {
            name: 'providersForCase',
            ids: caseRefs,
            run: (db, id) => providersForCase(db, id, { now }),
            statements: (db, id) => caseStatements(db, id, (facts) => providersForCaseQuery(facts, { now })),
          },
        ];
        try {
          const measurements: Measurement[] = [
            {
              bench: 'matching.seed',
              n: counts.cases,
              seconds: round(seedSeconds),
              open_cases: counts.openCases,
              providers: counts.organisations,
              sites: counts.sites,
              open_postings: counts.openPostings,
              offers: counts.offers,
            },
          ];
          for (const direction of directions) measurements.push(await measureDirection(database.db, direction, log));
          return measurements;
        } finally {
          await database.close();
        }
      } finally {
        await target.dispose();
      }
    },
  };
}
