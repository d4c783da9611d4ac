/**
 * The demo's waiting list: a hundred fictional patients across the three demo
 * trusts, written as the CSV a trust uploads (docs/waiting-list.md) and
 * listed through the same upload as a real one. The list is the same on
 * every start (a seeded generator), so uploading it again lists nobody
 * twice; each patient has a 999-range NHS number, an invented name and a
 * real postcode district near their trust.
 */
import { WAITING_LIST_HEADER } from '../../domain/waiting-list-csv';
import { demoEmail, type DemoOrg, type DemoOrgKey, type DemoWorld } from '../../db/demo-seed';
import { fictionalNhsNumber } from './patients';

const DAY_MS = 86_400_000;

/** What each trust's patients wait for: specialty, procedure, OPCS code, and how often (weights). */
const PATHWAYS = [
  { specialty: '110', procedure: 'Primary total hip replacement', opcs: 'W37.1', weight: 4 },
  { specialty: '110', procedure: 'Primary total knee replacement', opcs: 'W40.1', weight: 4 },
  { specialty: '110', procedure: 'Arthroscopic knee surgery', opcs: 'W85.2', weight: 2 },
  { specialty: '130', procedure: 'Cataract extraction with lens implant', opcs: 'C71.2', weight: 4 },
  { specialty: '100', procedure: 'Laparoscopic cholecystectomy', opcs: 'J18.3', weight: 3 },
  { specialty: '100', procedure: 'Inguinal hernia repair', opcs: 'T20.1', weight: 3 },
  { specialty: '120', procedure: 'Tonsillectomy', opcs: 'F34.1', weight: 1 },
  { specialty: '101', procedure: 'Transurethral resection of prostate', opcs: 'M65.1', weight: 1 },
] as const;

/** Postcodes in real districts near each trust (a real district, an invented unit). */
const AREAS: Partial<Record<DemoOrgKey, { postcodes: string[]; gps: string[] }>> = {
  leeds: {
    postcodes: ['LS6 2QN', 'LS8 3AB', 'LS12 4DE', 'LS17 6LW', 'LS28 7HF', 'WF3 1PT', 'LS25 2AA', 'BD11 1BG'],
    gps: ['B86010', 'B86005', 'B86022', 'B86001'],
  },
  sheffield: {
    postcodes: ['S5 7AU', 'S6 4AB', 'S10 3BR', 'S11 8HA', 'S13 9DN', 'S35 2PH', 'S60 2TD', 'S70 1QB'],
    gps: ['C88005', 'C88014', 'C88038'],
  },
  york: {
    postcodes: ['YO10 4PZ', 'YO24 1AB', 'YO31 0LR', 'YO26 5QT', 'YO32 2RX', 'YO41 1JA', 'YO8 4DE', 'HG1 2PT'],
    gps: ['B82005', 'B82021', 'B82083'],
  },
};

const GIVEN = ['Fictitia', 'Mockford', 'Pretendia', 'Sampleton', 'Examplia', 'Dummington', 'Placida', 'Notreal'];
const FAMILY = ['Placeholder', 'Samplesby', 'Testwell', 'Demoson', 'Fakeley', 'Madeup', 'Inventor', 'Specimen'];

/** A small seeded generator (mulberry32): the same list on every start. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

function weighted<T extends { weight: number }>(items: readonly T[], random: (n: number) => number): T {
  let pick = random(items.reduce((sum, item) => sum + item.weight, 0));
  for (const item of items) {
    pick -= item.weight;
    if (pick < 0) return item;
  }
  return items[items.length - 1]!;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export interface DemoWaitingList {
  org: DemoOrg;
  csv: string;
  patients: number;
}

/** One CSV per demo trust, `total` patients in all; dates are relative to `now`. */
export function demoWaitingLists(world: DemoWorld, now: Date, total = 100): DemoWaitingList[] {
  const trusts = (Object.keys(AREAS) as DemoOrgKey[]).map((key) => ({ org: world.orgs[key], area: AREAS[key]! }));
  return trusts.map(({ org, area }, index) => {
    const random = seeded(0x5eed + index);
    const count = Math.floor(total / trusts.length) + (index < total % trusts.length ? 1 : 0);
    const rows: string[][] = [];
    for (let i = 0; i < count; i += 1) {
      const pathway = weighted(PATHWAYS, random);
      const weeksWaiting = 18 + random(70);
      const age = 30 + random(55);
      const birth = new Date(now.getTime() - (age * 365.25 + random(300)) * DAY_MS);
      const pathwayId = `${org.ods}${String(100_000 + index * 1_000 + i).padStart(8, '0')}`;
      const travel = [25, 50, 50, 100, 100, null][random(6)]!;
      rows.push([
        fictionalNhsNumber(random),
        GIVEN[random(GIVEN.length)]!,
        FAMILY[random(FAMILY.length)]!,
        isoDay(birth),
        area.postcodes[random(area.postcodes.length)]!,
        pathwayId,
        area.gps[random(area.gps.length)]!,
        area.gps[0]!,
        `${org.ods}PW${pathwayId.slice(org.ods.length)}`,
        org.ods,
        pathway.specialty,
        pathway.procedure,
        pathway.opcs,
        'ADMITTED',
        '',
        random(5) === 0 ? 'P2' : random(2) === 0 ? 'P3' : 'P4',
        isoDay(new Date(now.getTime() - (weeksWaiting * 7 + random(7)) * DAY_MS)),
        (22 + random(160) / 10).toFixed(1),
        String(1 + random(3)),
        'no',
        travel === null ? '' : String(travel),
        '',
        demoEmail(org.staff.clinician.name, org.ods),
      ]);
    }
    const csv = [WAITING_LIST_HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
    return { org, csv, patients: count };
  });
}
