import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, cases, people } from '../../db/schema';
import { WAITING_LIST_HEADER } from '../../domain/waiting-list-csv';
import type { JourneyClient } from '../../workflows/client';
import {
  importWaitingList,
  reportCsv,
  uploadComplete,
  waitingListResponse,
  type WaitingListReport,
} from '../../workflows/waiting-list-import';
import { as, type World } from '../support/fixtures';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { waitForState } from '../support/journey-helpers';
import {
  csvOf,
  emailOf,
  expectNoIdentifiersOf,
  giveStaffEmails,
  tableCounts,
  validCells,
  type Cells,
  listedJourneys,
} from './upload-support';

/** A valid NHS number with its check digit changed. */
function withWrongCheckDigit(nhsNumber: string): string {
  return `${nhsNumber.slice(0, 9)}${(Number(nhsNumber.at(-1)) + 1) % 10}`;
}

describe('uploading a waiting list', () => {
  let env: JourneyEnv;
  let world: World;
  let journeys: JourneyClient;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    world = env.world;
    journeys = env.journeys();
    await giveStaffEmails(env.database.db, world);
  });
  afterAll(() => env.close());

  const coordinator = () => as(world.origin, 'coordinator', 'API');
  const upload = (text: string, actingAs = coordinator(), options: Parameters<typeof importWaitingList>[3] = {}) =>
    importWaitingList({ db: env.database.db, journeys }, text, actingAs, options);

  async function journeysStarted(): Promise<number> {
    const { count } = await env.client.workflow.count(
      `TaskQueue = '${env.taskQueue}' AND WorkflowType = 'patientJourney'`,
    );
    return count;
  }

  async function uploadAudits(uploadId: string) {
    const rows = await env.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    return rows.filter((row) => (row.detail as Record<string, unknown>).uploadId === uploadId);
  }

  let before: Awaited<ReturnType<typeof tableCounts>>;
  beforeEach(async () => {
    before = await tableCounts(env.database.db);
  });
  const added = async () => {
    const now = await tableCounts(env.database.db);
    return {
      cases: now.cases - before.cases,
      patients: now.patients - before.patients,
      caseListedAudits: now.caseListedAudits - before.caseListedAudits,
    };
  };

  it('lists the valid rows and reports every invalid row by line, column and message, writing nothing for them', async () => {
    const rows: Cells[] = [
      validCells(), // 2
      validCells({ nhs_number: withWrongCheckDigit(validCells().nhs_number!) }), // 3
      validCells({ specialty_code: '999' }), // 4
      validCells({ bmi: '95' }), // 5
      validCells({ postcode: 'LS6 QN2' }), // 6
      validCells({ postcode: 'ZZ9 9ZZ' }), // 7
      validCells({ rtt_clock_start: '2099-01-01' }), // 8
      validCells({ family_name: '' }), // 9
      validCells({ care_type: 'diagnostic', diagnostic_modality: 'mri', specialty_code: '110', opcs_code: '' }), // 10
      validCells({ judged_appropriate_by: emailOf('RR8', 'coordinator') }), // 11
      validCells({ judged_appropriate_by: 'nobody@rr8.test.invalid', asa: 'VI' }), // 12
    ];
    const text = `${csvOf(rows)}${rows[0]!.nhs_number},Zqxshort\r\n`; // 13: a row cut short
    const startedBefore = await journeysStarted();

    const report = await upload(text);

    expect(report.fileErrors).toEqual([]);
    expect(report.rows).toBe(12);
    expect(report.listed.map((l) => l.row)).toEqual([2, 10]);
    expect(report.alreadyListed).toEqual([]);
    expect(report.notListed).toEqual([]);
    expect(report.invalid).toEqual([
      { row: 3, field: 'nhs_number', message: 'NHS number must be 10 digits with a valid check digit' },
      {
        row: 4,
        field: 'specialty_code',
        message: 'Specialty must be an RTT treatment function code, such as 110 for Trauma & Orthopaedics',
      },
      { row: 5, field: 'bmi', message: 'BMI must be between 10 and 80' },
      { row: 6, field: 'postcode', message: 'Postcode must be a full UK postcode, such as LS6 2AB' },
      { row: 7, field: 'postcode', message: 'ZZ9 is not a known UK postcode district' },
      { row: 8, field: 'rtt_clock_start', message: 'RTT clock start cannot be in the future' },
      { row: 9, field: 'family_name', message: 'Family name is required' },
      {
        row: 11,
        field: 'judged_appropriate_by',
        message: 'The move must be judged appropriate by a clinician at RR8',
      },
      { row: 12, field: 'asa', message: 'ASA grade must be from 1 to 4: grades V and VI are not elective' },
      {
        row: 12,
        field: 'judged_appropriate_by',
        message: 'No one with this e-mail address is known to mutual aid: the clinician must be set up first',
      },
      { row: 13, field: '(row)', message: 'The row has 2 values but the header has 23 columns' },
    ]);
    expect(uploadComplete(report)).toBe(false);

    expect(await added()).toEqual({ cases: 2, patients: 2, caseListedAudits: 2 });
    expect(await listedJourneys(env.client, report)).toEqual(['patientJourney', 'patientJourney']);
    expect(report.journeyStarters).toHaveLength(1);
    expect(await journeysStarted()).toBe(startedBefore + 2);
    const listedNhsNumbers = await env.database.db
      .select({ nhsNumber: cases.nhsNumber, careType: cases.careType, modality: cases.diagnosticModality })
      .from(cases)
      .where(eq(cases.originOrgId, world.origin.id));
    expect(listedNhsNumbers).toEqual(
      expect.arrayContaining([
        { nhsNumber: rows[0]!.nhs_number, careType: 'ADMITTED', modality: null },
        { nhsNumber: rows[8]!.nhs_number, careType: 'DIAGNOSTIC', modality: 'MRI' },
      ]),
    );
    await waitForState(journeys, report.listed[0]!.caseRef, 'OPEN_FOR_OFFERS');

    const audits = await uploadAudits(report.uploadId);
    expect(audits.map((a) => [a.action, a.outcome, a.channel])).toEqual([
      ['LIST_PATIENT', 'REFUSED', 'API'],
      ['WAITING_LIST_UPLOADED', 'OK', 'API'],
    ]);
    expect(audits[0]!.detail).toMatchObject({ code: 'INPUT.INVALID', rows: 10, byColumn: { postcode: 2 } });
    expect(audits[1]!.detail).toMatchObject({ rows: 12, listed: 2, alreadyListed: 0, invalidRows: 10 });
    expect(audits.every((a) => a.actorPersonId === world.origin.staff.coordinator)).toBe(true);
    expectNoIdentifiersOf(JSON.stringify(audits), rows);
  });

  it('lists nobody twice when the same file is uploaded again: each row comes back with its case', async () => {
    const rows = [validCells(), validCells({ specialty_code: '130', procedure: 'Cataract extraction' }), validCells()];
    const first = await upload(csvOf(rows));
    expect(first.listed.map((l) => l.row)).toEqual([2, 3, 4]);
    const afterFirst = await added();
    expect(await listedJourneys(env.client, first)).toHaveLength(3);
    const startedAfterFirst = await journeysStarted();

    const second = await upload(csvOf(rows), as(world.origin, 'clinician', 'CLI'));

    expect(second.listed).toEqual([]);
    expect(second.journeyStarters).toEqual([]);
    expect(second.invalid).toEqual([]);
    expect(second.alreadyListed).toEqual(first.listed);
    expect(uploadComplete(second)).toBe(true);
    expect(await added()).toEqual(afterFirst);
    expect(await journeysStarted()).toBe(startedAfterFirst);
    const audits = await uploadAudits(second.uploadId);
    expect(audits.map((a) => [a.action, a.outcome, a.channel])).toEqual([['WAITING_LIST_UPLOADED', 'OK', 'CLI']]);
    expect(audits[0]!.detail).toMatchObject({ rows: 3, listed: 0, alreadyListed: 3, invalidRows: 0 });
  });

  it('lists each patient once when the same file is uploaded twice at the same time', async () => {
    const rows = Array.from({ length: 12 }, () => validCells());
    const [a, b] = await Promise.all([upload(csvOf(rows)), upload(csvOf(rows))]);
    expect(a.listed.length + b.listed.length).toBe(12);
    expect(a.alreadyListed.length + b.alreadyListed.length).toBe(12);
    expect([...a.invalid, ...b.invalid]).toEqual([]);
    const caseOf = (report: WaitingListReport) =>
      new Map([...report.listed, ...report.alreadyListed].map((r) => [r.row, r.caseRef]));
    expect(caseOf(a)).toEqual(caseOf(b));
    expect(await added()).toEqual({ cases: 12, patients: 12, caseListedAudits: 12 });
    expect([...(await listedJourneys(env.client, a)), ...(await listedJourneys(env.client, b))]).toHaveLength(12);
  });

  it('refuses the later rows that repeat an NHS number already in the file, and lists the first', async () => {
    const first = validCells();
    const rows = [
      first,
      validCells(),
      validCells({ nhs_number: first.nhs_number!.replace(/^(\d{3})(\d{3})/, '$1 $2 ') }),
    ];
    const report = await upload(csvOf(rows));
    expect(report.listed.map((l) => l.row)).toEqual([2, 3]);
    expect(report.invalid).toEqual([
      {
        row: 4,
        field: 'nhs_number',
        message: 'The same NHS number is on row 2: each patient may appear once in a file',
      },
    ]);
    expect(await added()).toMatchObject({ cases: 2, patients: 2 });
  });

  it('refuses a file whose header is wrong as a whole, listing nobody and auditing the refusal', async () => {
    const rows = [validCells(), validCells()];
    const header = [...WAITING_LIST_HEADER.filter((column) => column !== 'postcode'), 'ward'];
    const startedBefore = await journeysStarted();

    const report = await upload(csvOf(rows, header));

    expect(report.fileErrors).toEqual([
      {
        code: 'CSV.BAD_HEADER',
        message: expect.stringContaining('missing column postcode; unknown column ward') as string,
      },
    ]);
    expect(report).toMatchObject({ rows: 0, listed: [], alreadyListed: [], invalid: [] });
    expect(waitingListResponse(report).status).toBe(422);
    expect(await added()).toEqual({ cases: 0, patients: 0, caseListedAudits: 0 });
    expect(await journeysStarted()).toBe(startedBefore);
    const audits = await uploadAudits(report.uploadId);
    expect(audits.map((a) => [a.action, a.outcome])).toEqual([['WAITING_LIST_UPLOADED', 'REFUSED']]);
    expect(audits[0]!.detail).toMatchObject({ fileErrors: ['CSV.BAD_HEADER'] });
  });

  it.each([
    ['a manager of the trust', () => as(world.origin, 'manager', 'API')],
    [
      'a clinician of another organisation',
      () => ({ ...as(world.independent, 'clinician', 'API'), organisationOds: 'RR8' }),
    ],
    [
      'someone with no role anywhere',
      () => ({ personId: world.outsider, organisationOds: 'RR8', channel: 'API' as const }),
    ],
  ])('lists nothing when %s uploads for the trust', async (_who, actingAs) => {
    const report = await upload(csvOf([validCells(), validCells()]), actingAs());
    expect(report.fileErrors).toEqual([
      {
        code: 'ACTOR.NOT_AUTHORISED',
        message: 'You are not a coordinator or clinician at RR8, so you cannot list for it',
      },
    ]);
    expect(report.rows).toBe(0);
    expect(waitingListResponse(report).status).toBe(403);
    expect(await added()).toEqual({ cases: 0, patients: 0, caseListedAudits: 0 });
    const audits = await uploadAudits(report.uploadId);
    expect(audits.map((a) => [a.action, a.outcome, a.actorPersonId])).toEqual([
      ['WAITING_LIST_UPLOADED', 'REFUSED', actingAs().personId],
    ]);
  });

  it('lists the rows of the documented template', async () => {
    // The template names the demo's Leeds clinician as the judge: here, the test world's.
    await env.database.db
      .update(people)
      .set({ email: 'aisha.rahman@rr8.demo.invalid' })
      .where(eq(people.id, world.origin.staff.clinician));
    try {
      const template = readFileSync(join(__dirname, '..', '..', 'docs', 'waiting-list-template.csv'), 'utf8');
      const report = await upload(template);
      expect(report).toMatchObject({ rows: 3, invalid: [], fileErrors: [] });
      expect(report.listed.length + report.alreadyListed.length).toBe(3);
    } finally {
      await env.database.db
        .update(people)
        .set({ email: emailOf('RR8', 'clinician') })
        .where(eq(people.id, world.origin.staff.clinician));
    }
  });

  it('stops when listing fails for a reason that is not the row, reports the rows not listed, and finishes on a second upload', async () => {
    const rows = Array.from({ length: 6 }, () => validCells());
    let calls = 0;
    const failing = {
      listBatch: (...args: Parameters<JourneyClient['listBatch']>) => {
        calls += 1;
        if (calls > 1) return Promise.reject(new Error('14 UNAVAILABLE: Temporal is unreachable'));
        return journeys.listBatch(...args);
      },
    } as unknown as JourneyClient;

    const interrupted = await importWaitingList(
      { db: env.database.db, journeys: failing },
      csvOf(rows),
      coordinator(),
      { batchRows: 2 },
    );

    expect(interrupted.listed.map((l) => l.row)).toEqual([2, 3]);
    expect(interrupted.notListed.map((l) => l.row)).toEqual([4, 5, 6, 7]);
    expect(interrupted.fileErrors).toEqual([
      {
        code: 'UPLOAD.INTERRUPTED',
        message:
          'The upload stopped after 2 of 6 patients were listed: Error: 14 UNAVAILABLE: Temporal is unreachable. ' +
          'Upload the same file again to list the rest: patients already listed are not listed twice',
      },
    ]);
    expect(waitingListResponse(interrupted).status).toBe(503);

    const resumed = await upload(csvOf(rows));
    expect(resumed.alreadyListed).toEqual(interrupted.listed);
    expect(resumed.listed.map((l) => l.row)).toEqual([4, 5, 6, 7]);
    expect(await added()).toMatchObject({ cases: 6, patients: 6 });
  });

  it('reports progress up to every row', async () => {
    const rows = [validCells(), validCells({ bmi: '5' }), validCells(), validCells()];
    const seen: number[] = [];
    const report = await upload(csvOf(rows), coordinator(), {
      batchRows: 2,
      onProgress: ({ done, total }) => {
        expect(total).toBe(4);
        seen.push(done);
      },
    });
    expect(report.listed).toHaveLength(3);
    expect(seen.at(-1)).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('never puts an NHS number, a name or another identifier in the report, its CSV, its HTTP body or the audit log', async () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      validCells(i % 3 === 0 ? { bmi: '95', postcode: 'ZZ9 9ZZ' } : i % 3 === 1 ? { nhs_number: '1234567890' } : {}),
    );
    rows.push({ ...rows[2]! }); // a duplicate
    const report = await upload(csvOf(rows));
    expect(report.listed.length).toBeGreaterThan(0);
    expect(report.invalid.length).toBeGreaterThan(0);

    expectNoIdentifiersOf(JSON.stringify(report), rows);
    expectNoIdentifiersOf(reportCsv(report), rows);
    expectNoIdentifiersOf(JSON.stringify(waitingListResponse(report).body), rows);
    const audits = await env.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorPersonId, world.origin.staff.coordinator));
    expectNoIdentifiersOf(JSON.stringify(audits), rows);
  });

  it('turns the report into CSV lines by row and an HTTP reply', async () => {
    const rows = [validCells(), validCells({ bmi: '95', asa: '0' })];
    const report = await upload(csvOf(rows));
    const caseRef = report.listed[0]!.caseRef;
    expect(reportCsv(report).split('\r\n')).toEqual([
      'row,outcome,case_ref,field,message',
      `2,LISTED,${caseRef},,`,
      '3,INVALID,,bmi,BMI must be between 10 and 80',
      '3,INVALID,,asa,ASA grade must be from 1 to 4',
      '',
    ]);
    expect(waitingListResponse(report)).toEqual({
      status: 200,
      body: {
        uploadId: report.uploadId,
        complete: false,
        summary: { rows: 2, listed: 1, alreadyListed: 0, invalidRows: 1, notListed: 0 },
        listed: [{ row: 2, caseRef }],
        alreadyListed: [],
        invalid: report.invalid,
        notListed: [],
        fileErrors: [],
      },
    });
  });
});
