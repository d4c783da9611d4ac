/** The benchmark groups `npm run bench` runs, in order; `--only <name>` picks one. One line per group. */
import type { BenchConfig } from './config';
import { fanoutBench } from './fanout';
import { matchingBench } from './matching';
import { slackOffersBench } from './slack-offers';
import type { BenchGroup } from './types';

export const benchGroups = (config: BenchConfig): BenchGroup[] => [
  matchingBench(config),
  fanoutBench(config),
  slackOffersBench(config),
];
