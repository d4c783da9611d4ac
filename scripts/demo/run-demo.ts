/**
 * The scripted demo `npm start` runs: three fictional patients listed by two
 * trusts, taken through their journeys by the staff who would act on them
 * (see scenarios.ts), side by side, then each journey's outcome.
 *
 * Every action goes through the JourneyClient, exactly as chat will; each is
 * printed as an `act` line, and the journey's own notifications reach the
 * console chat client through the outbox. Nothing printed here carries a
 * patient identifier: lines name the case reference and clinical summary.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { seedDemoWorld, type DemoWorld } from '../../db/demo-seed';
import { consoleLine } from '../../bot/console/line';
import type { JourneyClient } from '../../workflows/client';
import type { JourneyOutcome, JourneyPolicy } from '../../workflows/contract';
import type { CapacityClient } from '../../workflows/capacity-client';
import { uploadComplete } from '../../workflows/waiting-list-import';
import { ensureDemoCapacity, uploadDemoWaitingLists, type DemoWaitingListResult } from './demo-data';
import { scenarios } from './scenarios';
import { Steps, sleep } from './steps';

export interface DemoDeps {
  db: Db;
  /** To wait for each journey's result once the script is done with it. */
  client: Client;
  journeys: JourneyClient;
  policy: JourneyPolicy;
  /** Posts the demo's capacity. */
  capacity: CapacityClient;
  /** Lists the demo's waiting list, on journey timings of their own (long: they stay open while you explore). */
  waitingListJourneys: JourneyClient;
  print: (line: string) => void;
  /** Pause between actions, so a person watching can follow; 0 in tests. */
  pauseMs: number;
  /** Aborted on Ctrl-C: the demo stops before its next action, while the connections are still open. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface DemoCaseResult {
  label: string;
  caseRef?: string;
  expected: JourneyOutcome['state'];
  outcome?: JourneyOutcome;
  error?: string;
  ok: boolean;
}

export interface DemoReport {
  world: DemoWorld;
  waitingLists: DemoWaitingListResult[];
  cases: DemoCaseResult[];
  ok: boolean;
}

async function outcomeOf(
  client: Client,
  caseRef: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<JourneyOutcome> {
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  const timeout = sleep(timeoutMs, stop).then(() => {
    throw new Error(`${caseRef} did not finish within ${timeoutMs / 1000} s`);
  });
  try {
    return await Promise.race([client.workflow.getHandle(caseRef).result() as Promise<JourneyOutcome>, timeout]);
  } finally {
    done.abort();
    timeout.catch(() => undefined);
  }
}

/** Seeds the demo world, runs every scenario side by side and reports how each journey ended. */
export async function runDemo(deps: DemoDeps): Promise<DemoReport> {
  const now = deps.now ?? (() => new Date());
  const world = await deps.db.transaction((tx) => seedDemoWorld(tx));
  const say = (text: string) => deps.print(consoleLine(now(), 'info', text));
  say(
    `Demo world: ${Object.values(world.orgs).length} organisations in North East and Yorkshire, staff in every role,`,
  );
  say(`  and ${world.escalationLead.name} as the region's escalation lead. Patients are fictional (999 NHS numbers).`);
  for (const org of Object.values(world.orgs)) say(`  ${org.ods.padEnd(4)} ${org.name} — ${org.siteName}`);
  const posted = await ensureDemoCapacity(deps.db, deps.capacity, world);
  say(
    `Capacity open: hips and knees at Nuffield York and Ramsay Thornbury, cataracts at Spire Leeds` +
      (posted > 0 ? ` (${posted} posted now).` : '.'),
  );
  const waitingLists = await uploadDemoWaitingLists(deps.db, deps.waitingListJourneys, world, now());
  for (const { ods, report } of waitingLists) {
    const problems = report.invalid.length + report.fileErrors.length + report.notListed.length;
    say(
      `Waiting list uploaded for ${ods}: ${report.rows} patients, ${report.listed.length} listed, ` +
        `${report.alreadyListed.length} already listed${problems > 0 ? `, ${problems} problems` : ''}.`,
    );
  }

  const list = scenarios(world, deps.policy);
  const results = await Promise.all(
    list.map(async (scenario, index): Promise<DemoCaseResult> => {
      const result: DemoCaseResult = { label: scenario.label, expected: scenario.expected, ok: false };
      try {
        await sleep(deps.pauseMs * index, deps.signal);
        await scenario.run(new Steps(deps, now), (caseRef) => (result.caseRef = caseRef));
        result.outcome = await outcomeOf(deps.client, result.caseRef!, 60_000, deps.signal);
        result.ok = result.outcome.state === scenario.expected;
      } catch (error) {
        if (deps.signal?.aborted) {
          result.error = 'interrupted';
        } else {
          result.error = error instanceof Error ? error.message : String(error);
          say(`   ✗ ${scenario.label}: ${result.error}`);
        }
      }
      return result;
    }),
  );
  const uploaded = waitingLists.every(({ report }) => uploadComplete(report));
  return { world, waitingLists, cases: results, ok: uploaded && results.every((result) => result.ok) };
}

/** The closing lines: one per case, its expected and actual end state. */
export function describeReport(report: DemoReport): string[] {
  return report.cases.map((result) => {
    const ended = result.outcome
      ? `${result.outcome.state}${result.outcome.reason ? ` (${result.outcome.reason})` : ''} after ${result.outcome.rounds} round(s)`
      : `did not finish: ${result.error ?? 'unknown'}`;
    return `${result.ok ? '✓' : '✗'} ${result.caseRef ?? '(not listed)'} ${result.label} — ${ended}`;
  });
}
