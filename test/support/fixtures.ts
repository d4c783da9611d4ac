/**
 * A small, realistic world for journey tests: an origin trust in Leeds, an
 * independent provider in York and an NHS trust in Sheffield, each with staff
 * in every role, and a listing builder with valid defaults.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { memberships, organisations, people, sites } from '../../db/schema';
import type { Role } from '../../domain/codes';
import type { ListingInput } from '../../domain/listing';
import type { InvitationInput } from '../../domain/patient-initiated';
import type { ActingAs } from '../../workflows/client';
import { nhsNumberFrom } from './nhs-numbers';

export interface Org {
  id: string;
  ods: string;
  staff: Record<'clinician' | 'manager' | 'coordinator', string>;
  siteId: string;
}

export interface World {
  origin: Org;
  independent: Org;
  nhsProvider: Org;
  /** A person with no role anywhere. */
  outsider: string;
}

async function addOrg(
  db: Db,
  org: { ods: string; name: string; kind: 'NHS_TRUST' | 'INDEPENDENT_PROVIDER' },
  site: {
    code: string;
    name: string;
    town: string;
    postcode: string;
    outcode: string;
    lat: number;
    lon: number;
    maxBmi: number;
    maxAsa: number;
    critical: boolean;
  },
): Promise<Org> {
  const [row] = await db
    .insert(organisations)
    .values({ odsCode: org.ods, name: org.name, kind: org.kind, region: 'NORTH_EAST_AND_YORKSHIRE' })
    .returning();
  const staff = {} as Org['staff'];
  const roles: [keyof Org['staff'], Role][] = [
    ['clinician', 'CLINICIAN'],
    ['manager', 'MANAGER'],
    ['coordinator', 'COORDINATOR'],
  ];
  for (const [label, role] of roles) {
    const [person] = await db
      .insert(people)
      .values({ displayName: `${org.ods} ${label}` })
      .returning();
    await db.insert(memberships).values({ personId: person!.id, organisationId: row!.id, role });
    staff[label] = person!.id;
  }
  const [siteRow] = await db
    .insert(sites)
    .values({
      organisationId: row!.id,
      siteCode: site.code,
      name: site.name,
      town: site.town,
      postcode: site.postcode,
      outcode: site.outcode,
      latitude: site.lat,
      longitude: site.lon,
      maxBmi: site.maxBmi,
      maxAsa: site.maxAsa,
      hasCriticalCare: site.critical,
    })
    .returning();
  return { id: row!.id, ods: org.ods, staff, siteId: siteRow!.id };
}

export async function seedWorld(db: Db): Promise<World> {
  const origin = await addOrg(
    db,
    { ods: 'RR8', name: 'Leeds Teaching Hospitals NHS Trust', kind: 'NHS_TRUST' },
    {
      code: 'RR801',
      name: "St James's University Hospital",
      town: 'Leeds',
      postcode: 'LS9 7TF',
      outcode: 'LS9',
      lat: 53.806,
      lon: -1.52,
      maxBmi: 50,
      maxAsa: 4,
      critical: true,
    },
  );
  const independent = await addOrg(
    db,
    { ods: 'NT2', name: 'Nuffield Health', kind: 'INDEPENDENT_PROVIDER' },
    {
      code: 'NT2YK',
      name: 'Nuffield Health York Hospital',
      town: 'York',
      postcode: 'YO31 8TA',
      outcode: 'YO31',
      lat: 53.975,
      lon: -1.071,
      maxBmi: 35,
      maxAsa: 2,
      critical: false,
    },
  );
  const nhsProvider = await addOrg(
    db,
    { ods: 'RHQ', name: 'Sheffield Teaching Hospitals NHS Foundation Trust', kind: 'NHS_TRUST' },
    {
      code: 'RHQNG',
      name: 'Northern General Hospital',
      town: 'Sheffield',
      postcode: 'S5 7AU',
      outcode: 'S5',
      lat: 53.41,
      lon: -1.457,
      maxBmi: 45,
      maxAsa: 3,
      critical: true,
    },
  );
  const [outsider] = await db.insert(people).values({ displayName: 'No role anywhere' }).returning();
  return { origin, independent, nhsProvider, outsider: outsider!.id };
}

let patientCounter = 0;

/** A valid listing for the origin trust; override any field. */
export function listingFor(world: World, overrides: Partial<ListingInput> = {}): ListingInput {
  patientCounter += 1;
  return {
    originOds: world.origin.ods,
    nhsNumber: nhsNumberFrom(400_000_000 + Math.floor(Math.random() * 500_000_000)),
    givenName: 'Testforename',
    familyName: `Testsurname${patientCounter}`,
    dateOfBirth: '1961-04-12',
    postcode: 'LS6 2QN',
    localPatientId: `RR8-${randomUUID().slice(0, 8)}`,
    gpPracticeCode: 'B86001',
    referringOrgOds: 'B86001',
    ppid: `PP${String(patientCounter).padStart(8, '0')}`,
    ppidIssuerOds: 'RR8',
    specialtyCode: '110',
    procedure: 'Primary total hip replacement',
    opcsCode: 'W37.1',
    careType: 'ADMITTED',
    priority: 'P3',
    rttClockStart: '2025-09-01',
    bmi: 31.5,
    asa: 2,
    needsCriticalCare: false,
    maxTravelMiles: 60,
    travelNeeds: [],
    appropriatenessJudgedBy: world.origin.staff.clinician,
    ...overrides,
  };
}

/** A valid patient-initiated invitation for the origin trust: the listing without the travel answer and judge. */
export function invitationFor(world: World, overrides: Partial<InvitationInput> = {}): InvitationInput {
  const patient: Partial<ListingInput> = listingFor(world);
  delete patient.maxTravelMiles;
  delete patient.appropriatenessJudgedBy;
  return { ...(patient as InvitationInput), ...overrides };
}

export const as = (org: Org, who: keyof Org['staff'], channel: ActingAs['channel'] = 'SLACK'): ActingAs => ({
  personId: org.staff[who],
  organisationOds: org.ods,
  channel,
});
