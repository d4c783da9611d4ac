/**
 * POST /waiting-list over real HTTP: a CSV body listed for the key's
 * organisation by the key's person, the report row by row (never an
 * identifier), a second upload that lists nobody twice, and the refusals:
 * a wrong content type or charset, a body over the limit, a file refused as a
 * whole, and a key whose person may not list.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, cases } from '../../db/schema';
import { DEFAULT_WAITING_LIST_LIMITS, WAITING_LIST_HEADER } from '../../domain/waiting-list-csv';
import { waitForState } from '../support/journey-helpers';
import {
  csvOf,
  expectNoIdentifiersOf,
  giveStaffEmails,
  tableCounts,
  validCells,
  type Cells,
} from '../upload/upload-support';
import { bodyOf, startApiEnv, type ApiEnv } from './api-harness';

interface Report {
  uploadId: string;
  complete: boolean;
  summary: { rows: number; listed: number; alreadyListed: number; invalidRows: number; notListed: number };
  listed: { row: number; caseRef: string }[];
  alreadyListed: { row: number; caseRef: string }[];
  invalid: { row: number; field: string; message: string }[];
  fileErrors: { code: string; message: string }[];
}

describe('the operator API’s waiting-list upload', () => {
  let api: ApiEnv;
  const uploaded: Cells[] = [];
  const world = () => api.env.world;
  const db = () => api.env.database.db;

  beforeAll(async () => {
    api = await startApiEnv();
    await giveStaffEmails(db(), world());
  });
  afterAll(() => api.close());

  let before: Awaited<ReturnType<typeof tableCounts>>;
  beforeEach(async () => {
    before = await tableCounts(db());
  });
  const nothingListed = async () => expect(await tableCounts(db())).toEqual(before);

  async function upload(text: string | Uint8Array, who: { key?: string; contentType?: string } = {}) {
    return api.call('POST', '/api/v1/waiting-list', {
      key: who.key ?? (await api.keyFor(world().origin, 'coordinator')),
      rawBody: text,
      contentType: who.contentType ?? 'text/csv',
    });
  }

  it('lists the valid rows as the key’s person, reports the invalid ones by row, and lists nobody twice', async () => {
    const rows = [
      validCells(), // 2
      validCells({ specialty_code: '999' }), // 3
      validCells({ specialty_code: '130', procedure: 'Cataract extraction', opcs_code: 'C71.2' }), // 4
      validCells({ postcode: 'ZZ9 9ZZ', bmi: '95' }), // 5
    ];
    uploaded.push(...rows);
    const first = await upload(csvOf(rows), { contentType: 'text/csv; charset=utf-8' });
    expect(first.status, first.text).toBe(200);
    const report = bodyOf<Report>(first);
    expect(report).toMatchObject({
      complete: false,
      summary: { rows: 4, listed: 2, alreadyListed: 0, invalidRows: 2, notListed: 0 },
      alreadyListed: [],
      fileErrors: [],
    });
    expect(report.listed.map((line) => line.row)).toEqual([2, 4]);
    expect(report.invalid).toEqual([
      {
        row: 3,
        field: 'specialty_code',
        message: 'Specialty must be an RTT treatment function code, such as 110 for Trauma & Orthopaedics',
      },
      { row: 5, field: 'bmi', message: 'BMI must be between 10 and 80' },
    ]);
    expect(await tableCounts(db())).toMatchObject({ cases: before.cases + 2, patients: before.patients + 2 });
    await waitForState(api.journeys, report.listed[0]!.caseRef, 'OPEN_FOR_OFFERS');

    // Listed for the key's organisation, by the key's person, through the API.
    const [listed] = await db().select().from(cases).where(eq(cases.caseRef, report.listed[0]!.caseRef));
    expect(listed?.originOrgId).toBe(world().origin.id);
    const audits = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'WAITING_LIST_UPLOADED'), eq(auditLog.outcome, 'OK')))
      .orderBy(asc(auditLog.id));
    expect(audits.at(-1)).toMatchObject({
      channel: 'API',
      actorPersonId: world().origin.staff.coordinator,
      organisationId: world().origin.id,
      detail: { uploadId: report.uploadId, listed: 2 },
    });

    // The same file again, by another lister of the trust: nobody is listed twice.
    const countsAfterFirst = await tableCounts(db());
    const again = await upload(csvOf(rows), { key: await api.keyFor(world().origin, 'clinician') });
    expect(again.status).toBe(200);
    const second = bodyOf<Report>(again);
    expect(second.listed).toEqual([]);
    expect(second.alreadyListed).toEqual(report.listed);
    expect(second.summary).toMatchObject({ rows: 4, listed: 0, alreadyListed: 2, invalidRows: 2 });
    expect(await tableCounts(db())).toEqual(countsAfterFirst);
  });

  it('answers 200 and complete when every row is listed', async () => {
    const rows = [validCells(), validCells()];
    uploaded.push(...rows);
    const answer = await upload(csvOf(rows));
    expect(answer.status).toBe(200);
    expect(bodyOf<Report>(answer)).toMatchObject({ complete: true, summary: { listed: 2 }, invalid: [] });
  });

  it('refuses a file with a wrong header as a whole (422), with the report and the error’s code', async () => {
    const rows = [validCells()];
    uploaded.push(...rows);
    const header = WAITING_LIST_HEADER.filter((column) => column !== 'ppid');
    const answer = await upload(csvOf(rows, header));
    expect(answer.status).toBe(422);
    const body = bodyOf<Report & { code: string; message: string }>(answer);
    expect(body.code).toBe('CSV.BAD_HEADER');
    expect(body.message).toMatch(/ppid/);
    expect(body.fileErrors).toEqual([{ code: 'CSV.BAD_HEADER', message: expect.stringMatching(/ppid/) as string }]);
    expect(body.summary.rows).toBe(0);
    await nothingListed();
  });

  it('refuses a file that is not UTF-8 (422) and a body that is not text/csv in UTF-8 (415), listing nobody', async () => {
    const rows = [validCells({ given_name: 'Zqxrené' })];
    uploaded.push(...rows);
    const latin1 = Buffer.from(csvOf(rows), 'latin1');
    const notUtf8 = await upload(latin1);
    expect(notUtf8.status).toBe(422);
    expect(bodyOf(notUtf8)).toMatchObject({ code: 'CSV.NOT_UTF8' });

    for (const contentType of ['application/json', 'text/plain', 'text/csv; charset=latin1']) {
      const answer = await upload(csvOf(rows), { contentType });
      expect(answer.status, contentType).toBe(415);
      expect(bodyOf(answer)).toEqual({
        code: 'INPUT.UNSUPPORTED_MEDIA_TYPE',
        message: 'Send the body as UTF-8 text/csv, with Content-Type: text/csv.',
      });
    }
    const noBody = await api.call('POST', '/api/v1/waiting-list', {
      key: await api.keyFor(world().origin, 'coordinator'),
    });
    expect(noBody.status).toBe(415);
    await nothingListed();
  });

  it('refuses a body over the waiting list’s size limit (413) before reading it', async () => {
    const rows = [validCells()];
    uploaded.push(...rows);
    const text = csvOf(rows);
    const padding = '\r\n'.repeat(Math.ceil((DEFAULT_WAITING_LIST_LIMITS.maxBytes - text.length) / 2) + 1);
    const answer = await upload(`${text}${padding}`);
    expect(answer.status).toBe(413);
    expect(bodyOf(answer)).toEqual({
      code: 'INPUT.TOO_LARGE',
      message: 'The request body is larger than the 20 MB limit.',
    });
    await nothingListed();
  });

  it('refuses a key whose person may not list for its organisation (403), listing nobody', async () => {
    const rows = [validCells({ judged_appropriate_by: 'clinician@nt2.test.invalid' })];
    uploaded.push(...rows);
    const answer = await upload(csvOf(rows), { key: await api.keyFor(world().independent, 'manager') });
    expect(answer.status).toBe(403);
    expect(bodyOf(answer)).toMatchObject({
      code: 'ACTOR.NOT_AUTHORISED',
      message: 'You are not a coordinator or clinician at NT2, so you cannot list for it.',
      summary: { rows: 0, listed: 0 },
      listed: [],
    });
    await nothingListed();
  });

  it('never answers with a patient identifier', () => {
    expect(uploaded.length).toBeGreaterThan(6);
    expectNoIdentifiersOf(api.seen.join('\n'), uploaded);
  });
});
