/** Percentiles and a reproducible pseudo-random generator for choosing benchmark samples. */

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarise(values: readonly number[]): Summary {
  const mean = values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: percentile(values, 100),
    mean,
  };
}

/** Rounds for display and JSON: two decimals below 10, one below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** mulberry32: a tiny seeded PRNG, so the same seed picks the same samples every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` items drawn with replacement from `items`, reproducibly. */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  if (items.length === 0) return [];
  return Array.from({ length: count }, () => items[Math.floor(random() * items.length)]!);
}
