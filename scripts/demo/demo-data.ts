/**
 * What the demo world holds before anyone acts: open capacity at three
 * independent providers, and a hundred patients on the three trusts' waiting
 * lists, uploaded as a trust uploads its CSV. Both are idempotent, so every
 * start can run them: a provider with open capacity in a specialty gets no
 * second posting, and the same waiting list lists nobody twice.
 */
import type { Db } from '../../db/client';
import { openPostingsOf } from '../../db/chat-views';
import type { DemoOrg, DemoWorld } from '../../db/demo-seed';
import type { CapacityClient } from '../../workflows/capacity-client';
import type { JourneyClient } from '../../workflows/client';
import { importWaitingList, type WaitingListReport } from '../../workflows/waiting-list-import';
import { demoWaitingLists } from './waiting-list';

const DAY_MS = 86_400_000;

/**
 * Which provider posts which capacity: Nuffield York and Ramsay's Thornbury take hips and knees, Spire Leeds
 * cataracts. Nobody posts general surgery, so the scripted gallbladder patient finds no capacity in round one.
 */
const DEMO_CAPACITY = [
  { org: 'nuffieldYork', specialtyCode: '110', slots: 10, maxBmi: 40, maxAsa: 3 },
  { org: 'spireLeeds', specialtyCode: '130', slots: 8, maxBmi: 40, maxAsa: 3 },
  { org: 'ramsayThornbury', specialtyCode: '110', slots: 6, maxBmi: 38, maxAsa: 2 },
] as const;

/** Open capacity for the next two months at each provider that has none open in that specialty. */
export async function ensureDemoCapacity(db: Db, capacity: CapacityClient, world: DemoWorld): Promise<number> {
  let posted = 0;
  const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);
  for (const offer of DEMO_CAPACITY) {
    const org: DemoOrg = world.orgs[offer.org];
    const open = await openPostingsOf(db, [org.id]);
    if (open.some((posting) => posting.specialtyCode === offer.specialtyCode)) continue;
    const result = await capacity.post(
      {
        siteId: org.siteId,
        specialtyCode: offer.specialtyCode,
        careType: 'ADMITTED',
        procedureCodes: [],
        slots: offer.slots,
        availableFrom: day(0),
        availableUntil: day(60),
        maxBmi: offer.maxBmi,
        maxAsa: offer.maxAsa,
        minAge: 18,
        maxAge: 90,
        hasCriticalCare: false,
      },
      { personId: org.staff.clinician.personId, organisationOds: org.ods, channel: 'SYSTEM' },
    );
    if (!result.ok) throw new Error(`Could not post the demo's capacity at ${org.ods}: ${result.message}`);
    posted += 1;
  }
  return posted;
}

export interface DemoWaitingListResult {
  ods: string;
  report: WaitingListReport;
}

/** Uploads each trust's demo waiting list as its coordinator, through the same import as `npm run upload`. */
export async function uploadDemoWaitingLists(
  db: Db,
  journeys: JourneyClient,
  world: DemoWorld,
  now: Date,
): Promise<DemoWaitingListResult[]> {
  const results: DemoWaitingListResult[] = [];
  for (const list of demoWaitingLists(world, now)) {
    const report = await importWaitingList({ db, journeys }, list.csv, {
      personId: list.org.staff.coordinator.personId,
      organisationOds: list.org.ods,
      channel: 'CLI',
    });
    results.push({ ods: list.org.ods, report });
  }
  return results;
}
