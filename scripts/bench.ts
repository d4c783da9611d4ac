/**
 * `npm run bench`: runs the benchmark groups of scripts/bench/groups.ts and
 * prints their figures as a table and as JSON lines. `--json` prints only the
 * JSON lines on stdout (progress goes to stderr); `--only <group>` runs one
 * group. DATABASE_URL, when set, names a server to benchmark on instead of a
 * throwaway cluster. The one place the benchmark reads its environment.
 */
import { parseArgs } from 'node:util';
import type { BenchConfig } from './bench/config';
import { benchGroups } from './bench/groups';
import { jsonLines, table } from './bench/report';
import type { Measurement } from './bench/types';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
    allowPositionals: false,
  });
  const config: BenchConfig = { databaseUrl: process.env.DATABASE_URL || undefined };
  const groups = benchGroups(config);
  const selected = values.only ? groups.filter((group) => group.name === values.only) : groups;
  if (selected.length === 0) {
    throw new Error(`No benchmark group "${values.only}"; groups: ${groups.map((g) => g.name).join(', ')}`);
  }
  const log = (line: string) => (values.json ? console.error(line) : console.log(line));
  const measurements: Measurement[] = [];
  for (const group of selected) {
    log(`Benchmark group ${group.name}…`);
    const started = Date.now();
    measurements.push(...(await group.run(log)));
    log(`Benchmark group ${group.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (values.json) {
    console.log(jsonLines(measurements));
  } else {
    console.log(`\n${table(measurements)}\n\n${jsonLines(measurements)}`);
  }
}

main().catch((error: unknown) => {
  console.error(`Benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
