/** What the benchmark entry (scripts/bench.ts) reads from its environment and passes to every group. */
export interface BenchConfig {
  /** An existing PostgreSQL server to benchmark on (a fresh database is created there); absent: a throwaway cluster. */
  databaseUrl?: string;
}
