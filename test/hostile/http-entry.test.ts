/**
 * Hostile input over HTTP, through the bot's real server on the real Temporal
 * server and PostgreSQL: the operator API (every path, query and body field
 * of every route, and POST /cases and /cases/{ref}/offers field by field),
 * the waiting-list upload, and the patient's pages (form fields and the token
 * in the path). SQL metacharacters, NUL, right-to-left overrides and 100 kB
 * strings each get a refusal in words naming the field (and the limit, for
 * length), never a 500; nothing changes but refusals in the audit log; and
 * text a person may write is stored as typed and shown escaped.
 *
 * A key acting for another organisation: test/api/cases.test.ts ("another
 * organisation's key", 404/403, audited) and the originOds case in its "bad
 * input"; keys are bound to one organisation, so nothing else can be claimed.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyRoute } from '../../api/route';
import { ROUTE_GROUPS } from '../../api/routes';
import { PatientLinks } from '../../bot/core/patient-links';
import { cases, offers, patientLinks, patients } from '../../db/schema';
import type { ListingInput } from '../../domain/listing';
import { MAX_NOTES_LENGTH, MAX_TEAM_LENGTH } from '../../workflows/contract';
import { API_POLICY, PATIENT_LINK_SECRET, bodyOf, startApiEnv, type ApiEnv } from '../api/api-harness';
import { invitationFor, listingFor } from '../support/fixtures';
import { waitForState } from '../support/journey-helpers';
import { csvOf, giveStaffEmails, validCells, type Cells } from '../upload/upload-support';
import { acceptedChoiceUpdates, CHOICE_POLICY, stageChoosing, visibleText } from '../web/choice-helpers';
import { counts, expectNoStateChange, expectTablesExist } from './state';

const SQL_DROP = "'; drop table cases; --";
const SQL_OR = '" or 1=1 --';
const BACKSLASH_ZERO = '\\0';
const NUL = 'Ann\u0000e';
const RTL = 'Hip \u202Eecalper\u202C';
const HUGE = 'x'.repeat(100 * 1024);
const HOSTILE = { SQL_DROP, SQL_OR, BACKSLASH_ZERO, NUL, RTL, HUGE };

interface Refusal {
  code: string;
  message: string;
  errors?: { field: string; message: string }[];
}

/** A listing as the API takes it: without the origin, which is the key's. */
function apiListing({ originOds: _origin, ...body }: ListingInput): Omit<ListingInput, 'originOds'> {
  return body;
}

/** The zod object's keys, where the schema is one. */
const keysOf = (schema: unknown): string[] =>
  Object.keys((schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {});

describe('hostile input over HTTP', () => {
  let api: ApiEnv;
  let caseRef: string;
  const db = () => api.env.database.db;
  const world = () => api.env.world;
  const coordinatorKey = () => api.keyFor(world().origin, 'coordinator');
  const yorkKey = () => api.keyFor(world().independent, 'clinician');

  beforeAll(async () => {
    api = await startApiEnv(API_POLICY, { patientRequests: true });
    await giveStaffEmails(db(), world());
    const listed = await api.call('POST', '/api/v1/cases', {
      key: await coordinatorKey(),
      body: apiListing(listingFor(world())),
    });
    caseRef = bodyOf<{ caseRef: string }>(listed).caseRef;
    await waitForState(api.journeys, caseRef, 'OPEN_FOR_OFFERS');
  });
  afterAll(() => api?.close());

  describe('the operator API', () => {
    const FREE_TEXT: Record<string, number> = {
      givenName: 100,
      familyName: 100,
      localPatientId: 30,
      ppid: 20,
      procedure: 120,
    };
    const CODED = [
      'nhsNumber',
      'dateOfBirth',
      'postcode',
      'gpPracticeCode',
      'referringOrgOds',
      'ppidIssuerOds',
      'specialtyCode',
      'opcsCode',
      'careType',
      'priority',
      'rttClockStart',
      'bmi',
      'asa',
      'maxTravelMiles',
      'appropriatenessJudgedBy',
    ];

    it('refuses NUL and 100 kB in each free-text field of POST /cases with 422 naming the field and the limit', async () => {
      const key = await coordinatorKey();
      await expectNoStateChange(db(), async () => {
        for (const [field, limit] of Object.entries(FREE_TEXT)) {
          for (const [value, words] of [
            [NUL, /must not contain control characters/],
            [HUGE, new RegExp(`must be at most ${limit} characters`)],
          ] as const) {
            const answer = await api.call('POST', '/api/v1/cases', {
              key,
              body: { ...apiListing(listingFor(world())), [field]: value },
            });
            expect(answer.status, `${field} ${answer.text.slice(0, 200)}`).toBe(422);
            const refused = bodyOf<Refusal>(answer);
            expect(refused.errors?.map((e) => e.field)).toEqual([field]);
            expect(refused.errors?.[0]?.message).toMatch(words);
            expect(answer.text).not.toContain(value.slice(0, 40));
          }
        }
      });
    });

    it('refuses every hostile string in each coded field of POST /cases with 422 naming that field only', async () => {
      const key = await coordinatorKey();
      await expectNoStateChange(db(), async () => {
        for (const field of CODED) {
          for (const [what, value] of Object.entries(HOSTILE)) {
            const answer = await api.call('POST', '/api/v1/cases', {
              key,
              body: { ...apiListing(listingFor(world())), [field]: value },
            });
            expect(answer.status, `${field} ${what}`).toBe(422);
            expect(
              bodyOf<Refusal>(answer).errors?.map((e) => e.field),
              `${field} ${what}`,
            ).toEqual([field]);
          }
        }
      });
    });

    it('lists a patient whose names hold SQL, a backslash-zero and an override, storing them as typed', async () => {
      const listing = listingFor(world(), {
        givenName: SQL_DROP,
        familyName: SQL_OR,
        localPatientId: BACKSLASH_ZERO,
        procedure: `${RTL} <script>alert(1)</script>`,
      });
      const answer = await api.call('POST', '/api/v1/cases', {
        key: await coordinatorKey(),
        body: apiListing(listing),
      });
      expect(answer.status, answer.text).toBe(201);
      const listed = bodyOf<{ caseRef: string }>(answer).caseRef;
      const [patient] = await db().select().from(patients).where(eq(patients.caseRef, listed));
      expect(patient).toMatchObject({ givenName: SQL_DROP, familyName: SQL_OR, localPatientId: BACKSLASH_ZERO });
      const read = await api.call('GET', `/api/v1/cases/${listed}`, { key: await coordinatorKey() });
      expect(bodyOf<{ procedure: string }>(read).procedure).toBe(listing.procedure);
      await expectTablesExist(db());
    });

    it('refuses NUL and 100 kB in the team and notes of an offer with 422 naming the field and the limit', async () => {
      const key = await yorkKey();
      const offer = {
        siteId: world().independent.siteId,
        proposedDate: new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
        validUntil: new Date(Date.now() + 600_000).toISOString(),
        clinicalTeam: 'Hip team',
      };
      const refusals: [string, string, RegExp][] = [
        ['clinicalTeam', NUL, /control characters/],
        ['clinicalTeam', HUGE, new RegExp(`at most ${MAX_TEAM_LENGTH} characters`)],
        ['notes', NUL, /control characters/],
        ['notes', HUGE, new RegExp(`at most ${MAX_NOTES_LENGTH} characters`)],
      ];
      await expectNoStateChange(
        db(),
        async () => {
          for (const [field, value, words] of refusals) {
            const answer = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
              key,
              body: { ...offer, [field]: value },
            });
            expect(answer.status, `${field} ${answer.text.slice(0, 200)}`).toBe(422);
            const refused = bodyOf<Refusal>(answer);
            expect(refused.errors?.map((e) => e.field)).toEqual([field]);
            expect(refused.errors?.[0]?.message).toMatch(words);
          }
          for (const field of ['siteId', 'proposedDate', 'validUntil', 'offerId']) {
            for (const [what, value] of Object.entries(HOSTILE)) {
              const answer = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
                key,
                body: { ...offer, [field]: value },
              });
              expect(answer.status, `${field} ${what}`).toBe(422);
              expect(bodyOf<Refusal>(answer).errors?.map((e) => e.field)).toContain(field);
            }
          }
        },
        // The journey's own refusals (the NUL ones) are audited.
        { refusals: 'any' },
      );

      const team = `Hip team '; drop table offers; -- <b>&</b> ${RTL}`;
      const made = await api.call('POST', `/api/v1/cases/${caseRef}/offers`, {
        key,
        body: { ...offer, clinicalTeam: team, notes: SQL_OR },
      });
      expect(made.status, made.text).toBe(201);
      expect(bodyOf<{ clinicalTeam: string }>(made).clinicalTeam).toBe(team);
      const [row] = await db().select().from(offers).where(eq(offers.caseRef, caseRef));
      expect([row!.clinicalTeam, row!.notes]).toEqual([team, SQL_OR]);
    });

    it('answers every route with hostile strings in each path, query and body field without a 500, changing nothing', async () => {
      const key = await coordinatorKey();
      const routes: AnyRoute[] = ROUTE_GROUPS.flatMap((group) => group.routes);
      const attempts: { method: 'GET' | 'POST'; path: string; body?: unknown; headers?: Record<string, string> }[] = [];
      for (const route of routes) {
        const method = route.method.toUpperCase() as 'GET' | 'POST';
        const real = route.path
          .replace('{caseRef}', caseRef)
          .replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
        const queryNames = [...keysOf(route.query), 'cursor', 'limit'];
        const bodyNames =
          method === 'POST' && !route.rawBody ? keysOf(route.body?.documented ?? route.body?.schema) : [];
        // In a path or a query the 100 kB string is over Node's 16 kB header limit (431, as tested below): bodies only.
        for (const value of [SQL_DROP, NUL, RTL]) {
          if (route.path.includes('{')) {
            attempts.push({ method, path: `/api/v1${route.path.replace(/\{\w+\}/g, encodeURIComponent(value))}` });
          }
          for (const name of queryNames) {
            attempts.push({ method, path: `/api/v1${real}?${new URLSearchParams({ [name]: value }).toString()}` });
          }
          for (const name of bodyNames) attempts.push({ method, path: `/api/v1${real}`, body: { [name]: value } });
          if (route.idempotent && value !== NUL) {
            const headers = { 'idempotency-key': encodeURIComponent(value) };
            attempts.push({ method, path: `/api/v1${real}`, body: {}, headers });
          }
        }
        if (bodyNames.length > 0) attempts.push({ method, path: `/api/v1${real}`, body: { [bodyNames[0]!]: HUGE } });
      }
      await expectNoStateChange(
        db(),
        async () => {
          for (const { method, path, body, headers } of attempts) {
            const answer = await api.call(method, path, { key, ...(body === undefined ? {} : { body }), headers });
            expect(answer.status, `${method} ${path.slice(0, 80)} ${answer.text.slice(0, 200)}`).toBeLessThan(500);
            if (answer.status >= 400) expect(bodyOf<Refusal>(answer).message).toMatch(/\w+ \w+ \w+/);
          }
        },
        { refusals: 'any' },
      );
      expect(attempts.length).toBeGreaterThan(100);
    });
  });

  describe('the waiting-list upload', () => {
    const upload = async (rows: Cells[]) =>
      api.call('POST', '/api/v1/waiting-list', {
        key: await coordinatorKey(),
        rawBody: csvOf(rows),
        contentType: 'text/csv',
      });

    it('refuses rows with NUL, 100 kB, SQL and formulas in their cells, row by row and column by column, listing nobody', async () => {
      const spoilt: [string, string][] = [
        ['given_name', NUL],
        ['family_name', HUGE],
        ['procedure', 'x'.repeat(121)],
        ['local_patient_id', `RR8${NUL}`],
        ['nhs_number', SQL_DROP],
        ['postcode', SQL_OR],
        ['date_of_birth', BACKSLASH_ZERO],
        ['bmi', '=1+30'],
        ['asa', '+2'],
        ['max_travel_miles', '@SUM(A1:A9)'],
        ['care_type', RTL],
        ['judged_appropriate_by', `clinician${NUL}@rr8.test.invalid`],
        ['judged_appropriate_by', `${SQL_DROP}@rr8.test.invalid`],
      ];
      let report: { invalid: { row: number; field: string; message: string }[]; listed: unknown[] } | undefined;
      await expectNoStateChange(
        db(),
        async () => {
          const answer = await upload(spoilt.map(([column, value]) => validCells({ [column]: value })));
          expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
          report = bodyOf(answer);
        },
        // One refusal for the rows, and the upload's own record.
        { refusals: 1, alsoAudited: 1 },
      );
      expect(report!.listed).toEqual([]);
      const byRow = new Map<number, Set<string>>();
      for (const error of report!.invalid) byRow.set(error.row, (byRow.get(error.row) ?? new Set()).add(error.field));
      expect([...byRow.entries()].map(([row, fields]) => [row, [...fields]])).toEqual(
        spoilt.map(([column], i) => [i + 2, [column]]),
      );
      const message = (column: string) => report!.invalid.find((error) => error.field === column)?.message;
      expect(message('given_name')).toBe('Given name must not contain control characters');
      expect(message('family_name')).toBe('Family name must be at most 100 characters');
      expect(JSON.stringify(report)).not.toContain('drop table');
    });

    it('lists a row whose names hold SQL and whose procedure looks like a formula, storing them as typed', async () => {
      const row = validCells({
        given_name: SQL_DROP,
        family_name: SQL_OR,
        procedure: '=HYPERLINK("http://x.invalid","hip")',
      });
      const answer = await upload([row]);
      expect(answer.status, answer.text).toBe(200);
      const [listed] = bodyOf<{ listed: { caseRef: string }[] }>(answer).listed;
      const [patient] = await db().select().from(patients).where(eq(patients.caseRef, listed!.caseRef));
      expect([patient!.givenName, patient!.familyName]).toEqual([SQL_DROP, SQL_OR]);
      const [kase] = await db().select().from(cases).where(eq(cases.caseRef, listed!.caseRef));
      expect(kase!.procedure).toBe(row.procedure);
      await expectTablesExist(db());
    });
  });

  describe("the patient's pages", () => {
    const page = async (path: string, form?: Record<string, string>) => {
      const response = await fetch(`${api.bot.url}${path}`, {
        method: form ? 'POST' : 'GET',
        ...(form ? { body: new URLSearchParams(form) } : {}),
        redirect: 'manual',
      });
      return { status: response.status, body: await response.text() };
    };

    it('refuses hostile tokens in the path with "This link does not work", for the choice and the request pages', async () => {
      await expectNoStateChange(db(), async () => {
        for (const value of [SQL_DROP, SQL_OR, BACKSLASH_ZERO, NUL, RTL, `${SQL_DROP}.${SQL_OR}`, 'x'.repeat(8_000)]) {
          for (const path of [`/choice/${encodeURIComponent(value)}`, `/request/${encodeURIComponent(value)}`]) {
            for (const form of [undefined, { choice: 'STAY_LOCAL', travel: 'MILES_50' }]) {
              const answered = await page(path, form);
              expect(answered.status, `${path.slice(0, 40)} ${answered.body.slice(0, 200)}`).toBe(404);
              expect(visibleText(answered.body)).toContain('This link does not work');
            }
          }
        }
      });
    });

    it('answers a 100 kB token with a refusal from the HTTP server itself, before any of our code', async () => {
      const answered = await page(`/choice/${'x'.repeat(100 * 1024)}`);
      // Node refuses a request line over its 16 kB header limit: 431, nothing read, nothing done.
      expect(answered.status).toBe(431);
    });

    it('asks again, escaped, when the choice form holds anything but one of its options, and records nothing', async () => {
      const staged = await stageChoosing(api.env.journeys(CHOICE_POLICY), world(), [world().independent]);
      const links = new PatientLinks({
        db: db(),
        secret: PATIENT_LINK_SECRET,
        baseUrl: api.bot.url,
        ttlMs: 3_600_000,
      });
      const { url } = await links.issue(staged.caseRef, staged.round, world().origin.staff.coordinator);
      const path = new URL(url).pathname;
      await expectNoStateChange(db(), async () => {
        for (const value of [SQL_DROP, SQL_OR, BACKSLASH_ZERO, NUL, RTL, '<script>alert(1)</script>', '__proto__']) {
          for (const step of [path, `${path}/confirm`]) {
            const answered = await page(step, { choice: value });
            expect(answered.status, step).toBe(400);
            expect(visibleText(answered.body)).toContain('There is a problem');
            expect(answered.body).not.toContain('<script>alert');
          }
          const shown = await page(`${path}?choice=${encodeURIComponent(value)}`);
          expect(shown.status).toBe(200);
          expect(shown.body).not.toContain('<script>alert');
        }
        const huge = await page(path, { choice: 'x'.repeat(100 * 1024) });
        expect(huge.status).toBe(413);
        expect(visibleText(huge.body)).toContain('Sorry, we could not read your answer');
      });
      expect(await acceptedChoiceUpdates(api.env.client, staged.caseRef)).toEqual([]);
      const [link] = await db().select().from(patientLinks).where(eq(patientLinks.caseRef, staged.caseRef));
      expect(link!.usedAt).toBeNull();
    });

    it('asks again when the travel answer is anything but one of its options, and records nothing', async () => {
      const invited = await api.call('POST', '/api/v1/patient-requests', {
        key: await coordinatorKey(),
        body: (({ originOds: _origin, ...body }) => body)(invitationFor(world(), { rttClockStart: '2024-01-01' })),
      });
      expect(invited.status, invited.text).toBe(201);
      const path = new URL(bodyOf<{ url: string }>(invited).url).pathname;
      const before = await counts(db());
      await expectNoStateChange(db(), async () => {
        for (const value of [...Object.values(HOSTILE).filter((v) => v !== HUGE), '__proto__', 'constructor']) {
          const answered = await page(path, { travel: value });
          expect(answered.status, value).toBe(400);
          expect(visibleText(answered.body)).toContain('There is a problem');
        }
      });
      expect((await counts(db())).tables.patient_requests).toBe(before.tables.patient_requests);
    });
  });
});
