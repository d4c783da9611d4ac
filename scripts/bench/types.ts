/**
 * What a benchmark group gives back: one measurement per line of
 * `npm run bench -- --json`, e.g.
 * {"bench":"matching.casesForPosting","n":1000,"p50_ms":3.1,"p95_ms":6.0,"p99_ms":9.8,"baseline_p99_ms":410}
 */
export interface Measurement {
  /** `<group>.<name>`, e.g. `matching.casesForPosting`. */
  bench: string;
  n: number;
  [figure: string]: string | number | boolean;
}

export interface BenchGroup {
  /** Selected with `npm run bench -- --only <name>`. */
  name: string;
  run(log: (line: string) => void): Promise<Measurement[]>;
}
