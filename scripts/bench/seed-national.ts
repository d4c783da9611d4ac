/**
 * Seeds a national-scale, synthetic but realistic world for the matching
 * benchmark, set-based (generate_series + insert … select) so 120,000 cases
 * take seconds: ~650 provider organisations (NHS trusts and independent
 * providers) with ~1,500 sites, ~6,000 capacity postings (~5,000 open) and
 * 120,000 cases (100,000 open for offers), skewed toward T&O, gynaecology,
 * general surgery and ophthalmology as the national waiting list is. Sites
 * and patients sit at real English postcode districts from postcode_districts;
 * a trust's patients live near the trust. Randomness comes from setseed, so
 * the same seed and day give the same world. Every name is fictional.
 */
import type pg from 'pg';

export interface NationalSeedOptions {
  /** The benchmark's "today" (`YYYY-MM-DD`): listings, waits and postings are placed around it. */
  today: string;
  /** setseed() value in [-1, 1]. */
  seed: number;
  openCases: number;
  otherCases: number;
  nhsTrusts: number;
  independentProviders: number;
  postings: number;
}

export const NATIONAL_SCALE: Omit<NationalSeedOptions, 'today'> = {
  seed: 0.4242,
  openCases: 100_000,
  otherCases: 20_000,
  nhsTrusts: 220,
  independentProviders: 430,
  postings: 6_000,
};

export interface SeededCounts {
  organisations: number;
  sites: number;
  openPostings: number;
  postings: number;
  openCases: number;
  cases: number;
  offers: number;
}

/**
 * Share of the waiting list per treatment function (weights, roughly the RTT
 * national picture), with a few typical procedures and their OPCS-4 codes.
 */
const SPECIALTIES: { code: string; weight: number; procedures: [string, string][] }[] = [
  {
    code: '110',
    weight: 22,
    procedures: [
      ['Primary total hip replacement', 'W37.1'],
      ['Primary total knee replacement', 'W40.1'],
      ['Arthroscopic knee surgery', 'W85.1'],
      ['Carpal tunnel release', 'A65.1'],
      ['Bunion correction', 'W15.1'],
    ],
  },
  {
    code: '502',
    weight: 12,
    procedures: [
      ['Hysterectomy', 'Q07.4'],
      ['Hysteroscopy', 'Q18.1'],
      ['Pelvic floor repair', 'P23.2'],
    ],
  },
  {
    code: '100',
    weight: 11,
    procedures: [
      ['Inguinal hernia repair', 'T20.1'],
      ['Laparoscopic cholecystectomy', 'J18.3'],
      ['Umbilical hernia repair', 'T24.1'],
    ],
  },
  {
    code: '130',
    weight: 10,
    procedures: [
      ['Cataract surgery', 'C75.1'],
      ['Vitrectomy', 'C79.2'],
      ['Glaucoma surgery', 'C60.1'],
    ],
  },
  {
    code: '120',
    weight: 6,
    procedures: [
      ['Tonsillectomy', 'F34.1'],
      ['Septoplasty', 'E03.6'],
      ['Grommets', 'D15.1'],
    ],
  },
  {
    code: '101',
    weight: 5,
    procedures: [
      ['Cystoscopy', 'M45.9'],
      ['TURP', 'M65.3'],
      ['Ureteroscopy', 'M27.1'],
    ],
  },
  {
    code: '301',
    weight: 4,
    procedures: [
      ['Colonoscopy', 'H22.9'],
      ['Gastroscopy', 'G45.1'],
    ],
  },
  {
    code: '160',
    weight: 3,
    procedures: [
      ['Excision of skin lesion', 'S06.1'],
      ['Dupuytren fasciectomy', 'T52.1'],
    ],
  },
  { code: '140', weight: 3, procedures: [['Surgical removal of tooth', 'F09.1']] },
  { code: '330', weight: 3, procedures: [['Excision of skin lesion', 'S06.1']] },
  {
    code: '320',
    weight: 3,
    procedures: [
      ['Pacemaker implantation', 'K60.1'],
      ['Angiography', 'K63.1'],
    ],
  },
  {
    code: '104',
    weight: 2,
    procedures: [
      ['Haemorrhoidectomy', 'H51.1'],
      ['Colectomy', 'H07.9'],
    ],
  },
  { code: '103', weight: 1, procedures: [['Wide local excision of breast', 'B28.2']] },
  { code: '107', weight: 1, procedures: [['Varicose vein surgery', 'L85.1']] },
  {
    code: '108',
    weight: 2,
    procedures: [
      ['Lumbar decompression', 'V25.2'],
      ['Discectomy', 'V33.1'],
    ],
  },
  { code: '150', weight: 1, procedures: [['Spinal decompression', 'V25.9']] },
  { code: '170', weight: 1, procedures: [['Coronary artery bypass graft', 'K40.1']] },
  { code: '300', weight: 2, procedures: [['Outpatient review', 'X62.1']] },
  { code: '340', weight: 1, procedures: [['Bronchoscopy', 'E49.1']] },
  { code: '400', weight: 2, procedures: [['Nerve conduction study', 'A84.6']] },
  { code: '410', weight: 1, procedures: [['Joint injection', 'W90.3']] },
  { code: '430', weight: 1, procedures: [['Comprehensive geriatric assessment', 'X62.9']] },
  { code: 'X02', weight: 1, procedures: [['Outpatient procedure', 'X62.9']] },
  { code: 'X04', weight: 1, procedures: [['Paediatric surgery', 'T19.1']] },
  { code: 'X05', weight: 1, procedures: [['Minor surgical procedure', 'S06.9']] },
];

const DIAGNOSTIC_MODALITIES_USED = [
  'MRI',
  'CT',
  'NON_OBSTETRIC_ULTRASOUND',
  'COLONOSCOPY',
  'GASTROSCOPY',
  'ECHOCARDIOGRAPHY',
];

/** Creates the reference tables the seeding statements draw from (temporary: they vanish with the session). */
async function createDrawTables(client: pg.ClientBase): Promise<void> {
  const total = SPECIALTIES.reduce((sum, s) => sum + s.weight, 0);
  let cumulative = 0;
  const rows = SPECIALTIES.map((s) => {
    const lo = cumulative / total;
    cumulative += s.weight;
    return { code: s.code, lo, hi: s === SPECIALTIES.at(-1) ? 1.0000001 : cumulative / total };
  });
  await client.query(
    `create temp table seed_specialties as
     select * from unnest($1::text[], $2::float8[], $3::float8[]) as t(code, lo, hi)`,
    [rows.map((r) => r.code), rows.map((r) => r.lo), rows.map((r) => r.hi)],
  );
  const procedures = SPECIALTIES.flatMap((s) =>
    s.procedures.map(([name, opcs], k) => ({ code: s.code, k, name, opcs })),
  );
  await client.query(
    `create temp table seed_procedures as
     select t.*, count(*) over (partition by code) as of_specialty
     from unnest($1::text[], $2::int[], $3::text[], $4::text[]) as t(code, k, name, opcs)`,
    [
      procedures.map((p) => p.code),
      procedures.map((p) => p.k),
      procedures.map((p) => p.name),
      procedures.map((p) => p.opcs),
    ],
  );
  await client.query(
    `create temp table seed_modalities as select * from unnest($1::diagnostic_modality[]) with ordinality as t(modality, k)`,
    [DIAGNOSTIC_MODALITIES_USED],
  );
  // England's postcode districts, numbered in outcode order so that nearby numbers are nearby places.
  await client.query(`create temp table seed_districts as
    select (row_number() over (order by outcode))::int as n, outcode, latitude, longitude,
           coalesce(town, county, outcode) as town
    from postcode_districts where country = 'England'`);
  // Crockford base-32 case references and NHS numbers with a valid modulus-11 check digit.
  await client.query(`create function pg_temp.case_ref(i bigint) returns text language sql immutable as $$
    select 'MA-' || string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((i >> (5 * k)) & 31)::int + 1, 1), '' order by k desc)
    from generate_series(0, 7) as k $$`);
  await client.query(`create function pg_temp.nhs_check(base text) returns int language sql immutable as $$
    select case (11 - sum(substr(base, k, 1)::int * (11 - k)) % 11)::int when 11 then 0 else (11 - sum(substr(base, k, 1)::int * (11 - k)) % 11)::int end
    from generate_series(1, 9) as k $$`);
}

/** Providers, their staff member who posts and lists, and their sites near a home district. */
async function seedProviders(client: pg.ClientBase, o: NationalSeedOptions): Promise<void> {
  await client.query(
    `create temp table seed_orgs as
     select g as n, g <= $1 as is_trust,
            case when g <= $1 then 'RB' || lpad(g::text, 3, '0') else 'NB' || lpad((g - $1)::text, 3, '0') end as ods,
            (1 + floor(random() * (select count(*) from seed_districts)))::int as home,
            -- NHS trusts run 2-4 sites, independent providers 1-3: about 1,500 in all.
            case when g <= $1 then 2 + floor(random() * 3)::int else 1 + floor(random() * 3)::int end as site_count
     from generate_series(1, $1::int + $2::int) as g`,
    [o.nhsTrusts, o.independentProviders],
  );
  await client.query(`insert into organisations (ods_code, name, kind, region)
    select ods,
           case when is_trust then 'Bench NHS Trust ' || n else 'Bench Independent Provider ' || n end,
           case when is_trust then 'NHS_TRUST' else 'INDEPENDENT_PROVIDER' end::organisation_kind,
           (enum_range(null::region))[1 + n % 7]
    from seed_orgs`);
  await client.query(`alter table seed_orgs add column id uuid, add column person_id uuid`);
  await client.query(`update seed_orgs s set id = o.id from organisations o where o.ods_code = s.ods`);
  await client.query(`with made as (
      insert into people (display_name, email)
      select 'Bench clinician ' || ods, lower(ods) || '@bench.invalid' from seed_orgs returning id, email)
    update seed_orgs s set person_id = made.id from made where made.email = lower(s.ods) || '@bench.invalid'`);
  // NHS trusts: 2-4 sites with critical care and high limits; independents: 1-3 sites, ASA I-II/III, BMI ≤ 35-40.
  await client.query(`insert into sites (organisation_id, site_code, name, town, postcode, outcode, latitude, longitude,
      max_bmi, max_asa, has_critical_care)
    with site_draws as materialized (
      select o.*, k, random() as r_bmi, random() as r_asa, random() as r_critical,
             least((select count(*) from seed_districts), o.home + (k - 1) * floor(random() * 4)::int) as district_n
      from seed_orgs o
      cross join lateral generate_series(1, o.site_count) as k)
    select sd.id, sd.ods || k, 'Bench Hospital ' || sd.ods || '-' || k, d.town, d.outcode || ' ' || k || 'AB', d.outcode,
           d.latitude, d.longitude,
           case when sd.is_trust then 45 + 5 * floor(sd.r_bmi * 2) else (array[35, 38, 40])[1 + floor(sd.r_bmi * 3)::int] end,
           case when sd.is_trust then 3 + floor(sd.r_asa * 2)::int else 2 + floor(sd.r_asa * 2)::int end,
           sd.is_trust and sd.r_critical < 0.85
    from site_draws sd join seed_districts d on d.n = sd.district_n`);
}

/** Capacity postings: mostly open, some filled, withdrawn or expired; limits within the site's. */
async function seedPostings(client: pg.ClientBase, o: NationalSeedOptions): Promise<void> {
  await client.query(
    `create temp table seed_site_list as
     select row_number() over (order by s.site_code)::int as n, s.*, o.person_id
     from sites s join seed_orgs o on o.id = s.organisation_id`,
  );
  await client.query(
    `insert into capacity_postings (id, organisation_id, site_id, specialty_code, care_type, diagnostic_modality,
        procedure_codes, slots, slots_filled, available_from, available_until, max_bmi, max_asa, min_age, max_age,
        has_critical_care, status, posted_by)
     with draws as materialized (
       select g, random() as r_specialty, random() as r_care, random() as r_status, random() as r_proc,
              (1 + floor(random() * (select count(*) from seed_site_list)))::int as site_n,
              floor(random() * 75)::int - 14 as from_offset, 14 + floor(random() * 100)::int as span,
              1 + floor(random() * 20)::int as slots
       from generate_series(1, $2::int) as g),
     shaped as (
       select d.*, sp.code as specialty,
              case when d.r_care < 0.65 then 'ADMITTED' when d.r_care < 0.85 then 'OUTPATIENT'
                   when d.r_care < 0.95 then 'DIAGNOSTIC' else 'CANCER' end::care_type as care_type,
              case when d.r_status < 0.84 then 'OPEN' when d.r_status < 0.92 then 'FILLED'
                   when d.r_status < 0.96 then 'WITHDRAWN' else 'EXPIRED' end::posting_status as status
       from draws d join seed_specialties sp on d.r_specialty >= sp.lo and d.r_specialty < sp.hi)
     select gen_random_uuid(), s.organisation_id, s.id, sh.specialty, sh.care_type,
            case when sh.care_type = 'DIAGNOSTIC'
                 then (select modality from seed_modalities where k = 1 + (sh.g % 6)) end,
            case when sh.r_proc < 0.6 then '{}'::text[]
                 else array(select left(p.opcs, 3) from seed_procedures p
                            where p.code = sh.specialty and p.k = floor(sh.r_proc * 10)::int % p.of_specialty) end,
            sh.slots,
            case when sh.status = 'FILLED' then sh.slots else floor(random() * sh.slots)::int end,
            case when sh.status = 'EXPIRED' then $1::date - 60 - sh.span else $1::date + sh.from_offset end,
            case when sh.status = 'EXPIRED' then $1::date - 60 else $1::date + sh.from_offset + sh.span end,
            s.max_bmi - (case when random() < 0.3 then 5 else 0 end), s.max_asa,
            case when sh.specialty = 'X04' then 0 else 18 end,
            case when sh.specialty = 'X04' then 17 when random() < 0.1 then 85 else 120 end,
            s.has_critical_care, sh.status, s.person_id
     from shaped sh join seed_site_list s on s.n = sh.site_n`,
    [o.today, o.postings],
  );
}

/** Cases and their patients: local to an NHS trust, with a realistic spread of priority, wait, BMI, ASA and reach. */
async function seedCases(client: pg.ClientBase, o: NationalSeedOptions): Promise<void> {
  await client.query(`create temp table seed_trusts as
    select row_number() over (order by n)::int as t, id, ods, home, person_id from seed_orgs where is_trust`);
  await client.query(
    `create temp table seed_cases as
     with draws as materialized (
       select g, random() as r_specialty, random() as r_care, random() as r_priority, random() as r_travel,
              random() as r_asa, random() as r_proc, random() as r_state, random() as r_age,
              (1 + floor(random() * (select count(*) from seed_trusts)))::int as trust_t,
              floor(random() * 41)::int - 20 as district_shift,
              20 + round(((random() + random() + random()) / 3 * 30)::numeric, 1) as bmi,
              floor(30 + power(random(), 1.6) * 700)::int as waited_days,
              floor(random() * 80)::int as listed_days_ago,
              random() < 0.04 as critical
       from generate_series(1, $2::int + $3::int) as g)
     select d.*, sp.code as specialty, tr.id as origin_id, tr.ods as origin_ods, tr.person_id,
            dist.outcode, dist.latitude, dist.longitude,
            case when d.r_care < 0.65 then 'ADMITTED' when d.r_care < 0.85 then 'OUTPATIENT'
                 when d.r_care < 0.95 then 'DIAGNOSTIC' else 'CANCER' end::care_type as care_type,
            case when d.r_priority < 0.02 then 'P1' when d.r_priority < 0.2 then 'P2'
                 when d.r_priority < 0.65 then 'P3' else 'P4' end::priority as priority,
            case when d.r_travel < 0.10 then 25 when d.r_travel < 0.40 then 50 when d.r_travel < 0.55 then 75
                 when d.r_travel < 0.75 then 100 when d.r_travel < 0.85 then 150 end as max_travel,
            case when d.r_asa < 0.25 then 1 when d.r_asa < 0.75 then 2 when d.r_asa < 0.97 then 3 else 4 end as asa,
            case when d.g > $2::int then
                   (array['LISTED', 'AWAITING_APPROVAL', 'APPROVED', 'TRANSFERRED', 'WITHDRAWN', 'CLOSED'])[1 + floor(d.r_state * 6)::int]
                 when d.r_state < 0.7 then 'OPEN_FOR_OFFERS' when d.r_state < 0.85 then 'RELISTED' else 'CHOOSING'
            end::case_state as state,
            case when sp.code = 'X04' then $1::date - (365 + floor(d.r_age * 16 * 365)::int)
                 else $1::date - (floor((18 + power(d.r_age, 0.8) * 72) * 365.25)::int) end as dob
     from draws d
     join seed_specialties sp on d.r_specialty >= sp.lo and d.r_specialty < sp.hi
     join seed_trusts tr on tr.t = d.trust_t
     join seed_districts dist on dist.n = greatest(1, least((select count(*) from seed_districts), tr.home + d.district_shift))`,
    [o.today, o.openCases, o.otherCases],
  );
  await client.query(
    `insert into cases (case_ref, origin_org_id, nhs_number, specialty_code, procedure, opcs_code, care_type,
        diagnostic_modality, priority, rtt_clock_start, bmi, asa, age_band, needs_critical_care, outcode, latitude,
        longitude, max_travel_miles, appropriateness_judged_by, listed_by, listed_at, state, state_changed_at)
     select pg_temp.case_ref(1000000 + c.g * 7919), c.origin_id,
            case when pg_temp.nhs_check(b.base) = 10 then (b.base::bigint + 1)::text || pg_temp.nhs_check((b.base::bigint + 1)::text)
                 else b.base || pg_temp.nhs_check(b.base) end,
            c.specialty, p.name, p.opcs, c.care_type,
            case when c.care_type = 'DIAGNOSTIC' then (select modality from seed_modalities where k = 1 + (c.g % 6)) end,
            c.priority, $1::date - c.waited_days, c.bmi, c.asa,
            case when age < 18 then '0-17' when age >= 80 then '80+' when age < 30 then '18-29'
                 else (floor(age / 10) * 10)::int || '-' || (floor(age / 10) * 10 + 9)::int end,
            c.critical, c.outcode, c.latitude, c.longitude, c.max_travel, c.person_id, c.person_id,
            $1::timestamptz - make_interval(days => least(c.listed_days_ago, c.waited_days)), c.state,
            $1::timestamptz - make_interval(days => least(c.listed_days_ago, c.waited_days))
     from seed_cases c
     cross join lateral (select (400000000 + c.g * 10)::text as base) b
     cross join lateral (select extract(year from age($1::date, c.dob))::int as age) a
     join seed_procedures p on p.code = c.specialty and p.k = floor(c.r_proc * p.of_specialty)::int`,
    [o.today],
  );
  await client.query(
    `insert into patients (case_ref, given_name, family_name, date_of_birth, postcode, local_patient_id,
        gp_practice_code, referring_org_ods, ppid, ppid_issuer_ods)
     select pg_temp.case_ref(1000000 + c.g * 7919), 'Benchforename', 'Benchsurname' || c.g, c.dob,
            c.outcode || ' 1AA', c.origin_ods || '-' || c.g, 'B86001', c.origin_ods,
            'PP' || lpad(c.g::text, 8, '0'), c.origin_ods
     from seed_cases c`,
  );
}

/** Offers already made on about one open case in six, by a random provider, with the statuses a journey leaves. */
async function seedOffers(client: pg.ClientBase, o: NationalSeedOptions): Promise<void> {
  await client.query(
    `insert into offers (id, case_ref, round, provider_org_id, site_id, proposed_date, valid_until, clinical_team,
        status, made_by, made_at, closed_at)
     with picked as materialized (
       select c.case_ref, (1 + floor(random() * (select count(*) from seed_site_list)))::int as site_n,
              random() as r_status, floor(random() * 20)::int as days_ago
       from cases c where c.state in ('OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING') and random() < 0.17)
     select gen_random_uuid(), pk.case_ref, 1, s.organisation_id, s.id, $1::date + 14, made_at + interval '7 days',
            'Bench elective team', st.status, s.person_id, made_at,
            case when st.status = 'LIVE' then null else made_at + interval '1 day' end
     from picked pk
     join seed_site_list s on s.n = pk.site_n
     cross join lateral (select $1::timestamptz - make_interval(days => pk.days_ago) as made_at) m
     cross join lateral (select case when pk.r_status < 0.5 then 'LIVE' when pk.r_status < 0.65 then 'WITHDRAWN'
                                     when pk.r_status < 0.8 then 'EXPIRED' when pk.r_status < 0.9 then 'DECLINED'
                                     else 'NOT_CHOSEN' end::offer_status as status) st`,
    [o.today],
  );
}

/** Seeds the whole world in one session (temporary tables and setseed live there), then VACUUM ANALYZE. */
export async function seedNational(
  client: pg.ClientBase,
  options: NationalSeedOptions,
  log: (line: string) => void = () => undefined,
): Promise<SeededCounts> {
  const step = async (name: string, work: () => Promise<void>) => {
    const started = Date.now();
    await work();
    log(`  seeded ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  await client.query('select setseed($1)', [options.seed]);
  await client.query('begin');
  try {
    await step('draw tables', () => createDrawTables(client));
    await step('providers and sites', () => seedProviders(client, options));
    await step('postings', () => seedPostings(client, options));
    await step('cases and patients', () => seedCases(client, options));
    await step('offers', () => seedOffers(client, options));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  await step('VACUUM ANALYZE', async () => {
    await client.query('vacuum analyze');
  });
  const { rows } = await client.query<Record<keyof SeededCounts, string>>(
    `select (select count(*) from organisations where kind <> 'COMMISSIONER') as organisations,
            (select count(*) from sites) as sites,
            (select count(*) from capacity_postings where status = 'OPEN' and available_until >= $1::date and slots_filled < slots) as "openPostings",
            (select count(*) from capacity_postings) as postings,
            (select count(*) from cases where state in ('OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING')) as "openCases",
            (select count(*) from cases) as cases,
            (select count(*) from offers) as offers`,
    [options.today],
  );
  const row = rows[0]!;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)])) as unknown as SeededCounts;
}
