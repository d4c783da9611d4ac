/**
 * The benchmark groups `npm run bench` runs, in order; `--only <name>` picks one. One line per group.
 * Each group's module is loaded when the group runs, so `--only` loads only the stack it needs.
 */
import type { BenchConfig } from './config';
import type { BenchGroup } from './types';

const lazy = (name: string, load: () => Promise<BenchGroup>): BenchGroup => ({
  name,
  run: async (log) => (await load()).run(log),
});

export const benchGroups = (config: BenchConfig): BenchGroup[] => [
  lazy('matching', async () => (await import('./matching')).matchingBench(config)),
  lazy('fanout', async () => (await import('./fanout')).fanoutBench(config)),
  lazy('slack', async () => (await import('./slack-offers')).slackOffersBench(config)),
  lazy('upload', async () => (await import('./upload')).uploadBench(config)),
  lazy('journeys', async () => (await import('./journeys')).journeysBench(config)),
  lazy('posting-latency', async () => (await import('./posting-latency')).postingLatencyBench(config)),
  lazy('memory', async () => (await import('./memory')).memoryBench(config)),
  lazy('clicks', async () => (await import('./slack-clicks')).slackClicksBench(config)),
];
