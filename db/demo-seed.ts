/**
 * The demo's organisations, sites and staff, seeded idempotently so that
 * `npm start` can run it on every start against the same database:
 * organisations are keyed by ODS code, sites by site code, people by e-mail,
 * memberships by their primary key.
 *
 * Three NHS trusts and three independent providers in North East and
 * Yorkshire, under their real names and organisation ODS codes. The sites are
 * real hospitals at their real postcodes; the independent providers' site
 * codes are illustrative. Every person is fictional, with an `.invalid`
 * e-mail address. Patients are not seeded here: the demo lists fictional
 * ones through the journey client, as a trust would.
 */
import type { Role } from '../domain/codes';
import type { Queryable } from './client';
import { memberships, organisations, people, sites } from './schema';

export type DemoOrgKey = 'leeds' | 'sheffield' | 'york' | 'nuffieldYork' | 'spireLeeds' | 'ramsayThornbury';
export type StaffRole = 'clinician' | 'manager' | 'coordinator';

export interface DemoPerson {
  personId: string;
  name: string;
}

export interface DemoOrg {
  id: string;
  ods: string;
  name: string;
  siteId: string;
  siteName: string;
  staff: Record<StaffRole, DemoPerson>;
}

export interface DemoWorld {
  orgs: Record<DemoOrgKey, DemoOrg>;
  /** Regional escalation lead: receives NO_OFFERS and overdue escalations for the region. */
  escalationLead: DemoPerson & { organisationId: string };
}

interface OrgSeed {
  key: DemoOrgKey;
  ods: string;
  name: string;
  kind: 'NHS_TRUST' | 'INDEPENDENT_PROVIDER';
  site: {
    code: string;
    name: string;
    town: string;
    postcode: string;
    outcode: string;
    latitude: number;
    longitude: number;
    maxBmi: number;
    maxAsa: number;
    hasCriticalCare: boolean;
  };
  staff: Record<StaffRole, string>;
}

const REGION = 'NORTH_EAST_AND_YORKSHIRE' as const;

/** NHS sites take higher BMI and ASA grades with critical care behind them; independent sites take ASA I–II/III and BMI under ~35–40. */
export const DEMO_ORGANISATIONS: readonly OrgSeed[] = [
  {
    key: 'leeds',
    ods: 'RR8',
    name: 'Leeds Teaching Hospitals NHS Trust',
    kind: 'NHS_TRUST',
    site: {
      code: 'RR813',
      name: "St James's University Hospital",
      town: 'Leeds',
      postcode: 'LS9 7TF',
      outcode: 'LS9',
      latitude: 53.8069,
      longitude: -1.5199,
      maxBmi: 50,
      maxAsa: 4,
      hasCriticalCare: true,
    },
    staff: { clinician: 'Dr Aisha Rahman', manager: 'Helen Brooke', coordinator: 'Tom Ellison' },
  },
  {
    key: 'sheffield',
    ods: 'RHQ',
    name: 'Sheffield Teaching Hospitals NHS Foundation Trust',
    kind: 'NHS_TRUST',
    site: {
      code: 'RHQNG',
      name: 'Northern General Hospital',
      town: 'Sheffield',
      postcode: 'S5 7AU',
      outcode: 'S5',
      latitude: 53.4096,
      longitude: -1.4572,
      maxBmi: 45,
      maxAsa: 3,
      hasCriticalCare: true,
    },
    staff: { clinician: 'Mr Rajesh Patel', manager: 'Claire Dunmore', coordinator: 'Sam Hirst' },
  },
  {
    key: 'york',
    ods: 'RCB',
    name: 'York and Scarborough Teaching Hospitals NHS Foundation Trust',
    kind: 'NHS_TRUST',
    site: {
      code: 'RCB55',
      name: 'York Hospital',
      town: 'York',
      postcode: 'YO31 8HE',
      outcode: 'YO31',
      latitude: 53.9686,
      longitude: -1.0833,
      maxBmi: 45,
      maxAsa: 3,
      hasCriticalCare: true,
    },
    staff: { clinician: 'Dr Fiona McAllister', manager: 'Gareth Lowe', coordinator: 'Nina Kowalski' },
  },
  {
    key: 'nuffieldYork',
    ods: 'NT2',
    name: 'Nuffield Health',
    kind: 'INDEPENDENT_PROVIDER',
    site: {
      code: 'NT2YK',
      name: 'Nuffield Health York Hospital',
      town: 'York',
      postcode: 'YO31 8TA',
      outcode: 'YO31',
      latitude: 53.9745,
      longitude: -1.0712,
      maxBmi: 35,
      maxAsa: 2,
      hasCriticalCare: false,
    },
    staff: { clinician: 'Mr James Ashworth', manager: 'Rebecca Hale', coordinator: 'Olivia Grant' },
  },
  {
    key: 'spireLeeds',
    ods: 'NT3',
    name: 'Spire Healthcare',
    kind: 'INDEPENDENT_PROVIDER',
    site: {
      code: 'NT3LS',
      name: 'Spire Leeds Hospital',
      town: 'Leeds',
      postcode: 'LS8 1NT',
      outcode: 'LS8',
      latitude: 53.8318,
      longitude: -1.5085,
      maxBmi: 40,
      maxAsa: 3,
      hasCriticalCare: false,
    },
    staff: { clinician: 'Ms Sarah Okafor', manager: 'Mark Bennett', coordinator: 'Leah Tranter' },
  },
  {
    key: 'ramsayThornbury',
    ods: 'NVC',
    name: 'Ramsay Health Care UK',
    kind: 'INDEPENDENT_PROVIDER',
    site: {
      code: 'NVCTH',
      name: 'Thornbury Hospital',
      town: 'Sheffield',
      postcode: 'S10 3BR',
      outcode: 'S10',
      latitude: 53.3781,
      longitude: -1.5105,
      maxBmi: 40,
      maxAsa: 3,
      hasCriticalCare: false,
    },
    staff: { clinician: 'Mr Kwame Mensah', manager: 'Joanne Fieldsend', coordinator: 'Ben Carter' },
  },
];

const ESCALATION_LEAD = { name: 'Dr Margaret Holroyd', email: 'margaret.holroyd@region.demo.invalid' };
/** The lead belongs to NHS England's regional team, a commissioner with no sites. */
const REGIONAL_TEAM = { ods: 'Y63', name: 'NHS England – North East and Yorkshire' };

const ROLES: Record<StaffRole, Role> = { clinician: 'CLINICIAN', manager: 'MANAGER', coordinator: 'COORDINATOR' };

/** The demo e-mail address of a named member of staff (`.invalid`: never delivered). */
export const demoEmail = (name: string, ods: string) =>
  `${name
    .replace(/^(Dr|Mr|Ms|Mrs)\s+/, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '.')}@${ods.toLowerCase()}.demo.invalid`;

async function upsertPerson(db: Queryable, name: string, email: string): Promise<string> {
  const [row] = await db
    .insert(people)
    .values({ displayName: name, email })
    .onConflictDoUpdate({ target: people.email, set: { displayName: name } })
    .returning({ id: people.id });
  return row!.id;
}

async function seedOrg(db: Queryable, seed: OrgSeed): Promise<DemoOrg> {
  const [org] = await db
    .insert(organisations)
    .values({ odsCode: seed.ods, name: seed.name, kind: seed.kind, region: REGION })
    .onConflictDoUpdate({ target: organisations.odsCode, set: { name: seed.name, kind: seed.kind, region: REGION } })
    .returning({ id: organisations.id });
  const { code, ...site } = seed.site;
  const [siteRow] = await db
    .insert(sites)
    .values({ organisationId: org!.id, siteCode: code, ...site })
    .onConflictDoUpdate({ target: sites.siteCode, set: { organisationId: org!.id, ...site } })
    .returning({ id: sites.id });
  const staff = {} as Record<StaffRole, DemoPerson>;
  for (const role of Object.keys(ROLES) as StaffRole[]) {
    const name = seed.staff[role];
    const personId = await upsertPerson(db, name, demoEmail(name, seed.ods));
    await db.insert(memberships).values({ personId, organisationId: org!.id, role: ROLES[role] }).onConflictDoNothing();
    staff[role] = { personId, name };
  }
  return { id: org!.id, ods: seed.ods, name: seed.name, siteId: siteRow!.id, siteName: seed.site.name, staff };
}

/** Creates or refreshes the demo world and returns its ids; safe to run on every start. */
export async function seedDemoWorld(db: Queryable): Promise<DemoWorld> {
  const orgs = {} as Record<DemoOrgKey, DemoOrg>;
  for (const seed of DEMO_ORGANISATIONS) orgs[seed.key] = await seedOrg(db, seed);
  const [region] = await db
    .insert(organisations)
    .values({ odsCode: REGIONAL_TEAM.ods, name: REGIONAL_TEAM.name, kind: 'COMMISSIONER', region: REGION })
    .onConflictDoUpdate({
      target: organisations.odsCode,
      set: { name: REGIONAL_TEAM.name, kind: 'COMMISSIONER', region: REGION },
    })
    .returning({ id: organisations.id });
  const leadId = await upsertPerson(db, ESCALATION_LEAD.name, ESCALATION_LEAD.email);
  await db
    .insert(memberships)
    .values({ personId: leadId, organisationId: region!.id, role: 'ESCALATION_LEAD' })
    .onConflictDoNothing();
  return { orgs, escalationLead: { personId: leadId, name: ESCALATION_LEAD.name, organisationId: region!.id } };
}
