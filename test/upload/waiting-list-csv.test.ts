import { sampleCells } from '../support/waiting-list-rows';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  WAITING_LIST_COLUMNS,
  WAITING_LIST_HEADER,
  decodeWaitingList,
  parseWaitingList,
  parseWaitingListInSlices,
  toCsv,
  waitingListValidator,
  type RowContext,
  type WaitingListRow,
} from '../../domain/waiting-list-csv';
import { TRAVEL_NEEDS } from '../../domain/codes';
import { nhsNumberFrom } from '../support/nhs-numbers';

const DOCS = join(__dirname, '..', '..', 'docs');
const NOW = new Date('2026-03-01T12:00:00Z');
const JUDGE_ID = '5b0d7c1e-2f43-4e2a-9d55-7f1f5c3a9b10';
const CONTEXT: RowContext = {
  originOds: 'RR8',
  personIdForEmail: (email) => (email === 'judge@rr8.test.invalid' ? JUDGE_ID : undefined),
};

/** A valid row's cells, by column name; override any. */
function cells(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...sampleCells({ nhs_number: nhsNumberFrom(999_100_200) }), ...overrides };
}

const csvOf = (rows: Record<string, string>[], header: readonly string[] = WAITING_LIST_HEADER) =>
  toCsv([header, ...rows.map((row) => header.map((column) => row[column] ?? ''))]);

const validate = waitingListValidator(NOW);
const row = (overrides: Record<string, string> = {}): WaitingListRow => ({ row: 2, cells: cells(overrides) });

describe('reading a waiting-list file', () => {
  it('reads a file with a byte-order mark and CRLF line endings, numbering rows by their line in the file', () => {
    const text = `\ufeff${csvOf([cells(), cells(), cells()])}`;
    expect(text).toContain('\r\n');
    const parsed = parseWaitingList(text);
    expect(parsed.ok && parsed.rows.map((r) => r.row)).toEqual([2, 3, 4]);
    expect(parsed.ok && parsed.rows[0]!.cells.nhs_number).toBe(cells().nhs_number);
  });

  it('numbers a row by the line it starts on when an earlier value holds a line break, and skips blank rows', () => {
    const header = WAITING_LIST_HEADER.join(',');
    const line = (values: Record<string, string>) => WAITING_LIST_HEADER.map((c) => values[c] ?? '').join(',');
    const text = [
      header,
      line(cells()),
      line(cells({ procedure: '"Primary total hip\nreplacement"' })),
      '',
      ','.repeat(WAITING_LIST_HEADER.length - 1),
      line(cells()),
    ].join('\n');
    const parsed = parseWaitingList(text);
    expect(parsed.ok && parsed.rows.map((r) => r.row)).toEqual([2, 3, 7]);
  });

  it('reads the same rows a slice at a time, pausing between slices, even where a slice ends inside a character', async () => {
    const text = `\ufeff${csvOf([
      cells({ procedure: 'Hip 🦴 replacement, "primary"' }),
      cells({ procedure: 'two\r\nlines' }),
      cells({ family_name: 'Ωmega' }),
    ])}`;
    let pauses = 0;
    const pause = () => {
      pauses += 1;
      return Promise.resolve();
    };
    for (const sliceLength of [1, 7, 64]) {
      expect(await parseWaitingListInSlices(text, pause, undefined, sliceLength)).toEqual(parseWaitingList(text));
    }
    expect(pauses).toBeGreaterThan(text.length);
    const sliced = await parseWaitingListInSlices(text, pause, undefined, 7);
    expect(sliced.ok && sliced.rows.map((r) => [r.row, r.cells.procedure])).toEqual([
      [2, 'Hip 🦴 replacement, "primary"'],
      [3, 'two\r\nlines'],
      [5, 'Primary total hip replacement'],
    ]);
    const broken = await parseWaitingListInSlices(`${WAITING_LIST_HEADER.join(',')}\n"9990123454,x\n`, pause);
    expect(!broken.ok && broken.errors.map((e) => e.code)).toEqual(['CSV.MALFORMED']);
  });

  it('accepts the columns in any order, in any case and with spaces for underscores', () => {
    const header = [...WAITING_LIST_HEADER].reverse().map((name, i) => (i % 2 ? name.toUpperCase() : name));
    header[header.indexOf('nhs_number')] = 'NHS Number';
    const text = toCsv([header, [...WAITING_LIST_HEADER].reverse().map((column) => cells()[column]!)]);
    const parsed = parseWaitingList(text);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && validate(parsed.rows[0]!, CONTEXT).ok).toBe(true);
  });

  it('refuses a header with a missing, an unknown and a repeated column in one file error naming them all', () => {
    const header = [...WAITING_LIST_HEADER.filter((c) => c !== 'bmi'), 'ward', 'asa'];
    const parsed = parseWaitingList(csvOf([cells()], header));
    expect(parsed).toEqual({
      ok: false,
      errors: [
        {
          code: 'CSV.BAD_HEADER',
          message: expect.stringMatching(
            /^The header row does not match the template: missing column bmi; unknown column ward; repeated column asa\. The columns are: nhs_number, /,
          ) as string,
        },
      ],
    });
  });

  it('refuses a file that starts with a patient instead of the header without repeating anything of that row', () => {
    const first = cells();
    const text = toCsv([first, cells()].map((row) => WAITING_LIST_HEADER.map((column) => row[column]!)));
    const parsed = parseWaitingList(text);
    expect(!parsed.ok && parsed.errors.map((e) => e.code)).toEqual(['CSV.NO_HEADER']);
    const message = JSON.stringify(parsed);
    for (const value of [first.nhs_number!, first.given_name!, first.family_name!, first.postcode!, first.ppid!]) {
      expect(message).not.toContain(value);
    }
  });

  it('names an unknown column that does not look like a column name by its position', () => {
    const header = [...WAITING_LIST_HEADER, '9990123454', 'Zoë Smith'];
    const parsed = parseWaitingList(csvOf([cells()], header));
    expect(!parsed.ok && parsed.errors[0]!.message).toMatch(
      /^The header row does not match the template: unknown columns the 24th column, the 25th column\. /,
    );
  });

  it('lets the optional columns opcs_code and diagnostic_modality be left out', () => {
    const header = WAITING_LIST_HEADER.filter((c) => c !== 'opcs_code' && c !== 'diagnostic_modality');
    const parsed = parseWaitingList(csvOf([cells()], header));
    expect(parsed.ok).toBe(true);
    const validated = parsed.ok && validate(parsed.rows[0]!, CONTEXT);
    expect(validated && validated.ok).toBe(true);
  });

  it.each([
    ['an empty file', '', 'CSV.EMPTY'],
    ['a header without patients', `${WAITING_LIST_HEADER.join(',')}\r\n`, 'CSV.NO_ROWS'],
    ['an unclosed quote', `${WAITING_LIST_HEADER.join(',')}\n"9990123454,Fictitia\n`, 'CSV.MALFORMED'],
  ])('refuses %s as a whole', (_what, text, code) => {
    const parsed = parseWaitingList(text);
    expect(!parsed.ok && parsed.errors.map((e) => e.code)).toEqual([code]);
  });

  it('refuses a file over the row limit or the size limit, saying what the limit is', () => {
    const text = csvOf([cells(), cells(), cells()]);
    const rows = parseWaitingList(text, { maxRows: 2, maxBytes: 1_000_000 });
    expect(!rows.ok && rows.errors).toEqual([
      {
        code: 'CSV.TOO_MANY_ROWS',
        message: 'The file has more than 2 patients: split it into files of at most 2 rows',
      },
    ]);
    const size = parseWaitingList(text, { maxRows: 10, maxBytes: 500 });
    expect(!size.ok && size.errors.map((e) => e.code)).toEqual(['CSV.TOO_LARGE']);
    expect(!size.ok && size.errors[0]!.message).toContain('500 bytes');
  });

  it('reports a row with the wrong number of values as a problem with the whole row', () => {
    const text = `${csvOf([cells()])}9990123454,Fictitia\r\n`;
    const parsed = parseWaitingList(text);
    expect(parsed.ok && parsed.rowErrors).toEqual([
      { row: 3, field: '(row)', message: 'The row has 2 values but the header has 23 columns' },
    ]);
    expect(parsed.ok && parsed.rows).toHaveLength(1);
  });

  it('refuses bytes that are not UTF-8 rather than garble names, and accepts UTF-8 with a byte-order mark', () => {
    const latin1 = Uint8Array.from([...Buffer.from('nhs_number\n'), 0xe9, 0x0a]);
    expect(decodeWaitingList(latin1)).toMatchObject({ ok: false, errors: [{ code: 'CSV.NOT_UTF8' }] });
    const utf8 = decodeWaitingList(Buffer.from('\ufeffgiven_name\nZoë\n'));
    expect(utf8.ok && parseWaitingList(utf8.text)).toMatchObject({ ok: false, errors: [{ code: 'CSV.BAD_HEADER' }] });
  });
});

describe('turning a row into a listing', () => {
  it('maps every column to its listing field', () => {
    const validated = validate(
      row({ needs_critical_care: 'Yes', travel_needs: 'wheelchair access; Patient_Transport', asa: 'ASA III' }),
      CONTEXT,
    );
    expect(validated.ok && validated.listing).toMatchObject({
      originOds: 'RR8',
      nhsNumber: cells().nhs_number,
      postcode: { postcode: 'LS6 2QN', outcode: 'LS6' },
      specialtyCode: '110',
      careType: 'ADMITTED',
      bmi: 31.5,
      asa: 3,
      needsCriticalCare: true,
      maxTravelMiles: 60,
      travelNeeds: ['WHEELCHAIR_ACCESS', 'PATIENT_TRANSPORT'],
      appropriatenessJudgedBy: JUDGE_ID,
    });
  });

  it('reads an empty max_travel_miles as anywhere in England and an empty travel_needs as none', () => {
    const validated = validate(row({ max_travel_miles: '', travel_needs: '' }), CONTEXT);
    expect(validated.ok && validated.listing).toMatchObject({ maxTravelMiles: null, travelNeeds: [] });
  });

  it.each([
    ['nhs_number', { nhs_number: '9990123455' }, 'NHS number must be 10 digits with a valid check digit'],
    [
      'specialty_code',
      { specialty_code: '999' },
      'Specialty must be an RTT treatment function code, such as 110 for Trauma & Orthopaedics',
    ],
    ['bmi', { bmi: '95' }, 'BMI must be between 10 and 80'],
    ['bmi', { bmi: '' }, 'BMI is required'],
    ['asa', { asa: 'V' }, 'ASA grade must be from 1 to 4: grades V and VI are not elective'],
    ['postcode', { postcode: 'LS6 QN2' }, 'Postcode must be a full UK postcode, such as LS6 2AB'],
    ['date_of_birth', { date_of_birth: '12/04/1961' }, 'Date of birth must be a real date, as YYYY-MM-DD'],
    ['rtt_clock_start', { rtt_clock_start: '2026-06-01' }, 'RTT clock start cannot be in the future'],
    ['needs_critical_care', { needs_critical_care: '' }, 'Critical care need must be yes or no'],
    [
      'max_travel_miles',
      { max_travel_miles: 'fifty' },
      'Maximum travel distance must be a whole number of miles, or empty for anywhere in England',
    ],
    [
      'travel_needs',
      { travel_needs: 'WHEELCHAIR_ACCESS;TAXI' },
      `Travel need must be one of ${TRAVEL_NEEDS.join(', ')}`,
    ],
    [
      'judged_appropriate_by',
      { judged_appropriate_by: 'someone@else.invalid' },
      'No one with this e-mail address is known to mutual aid: the clinician must be set up first',
    ],
    [
      'diagnostic_modality',
      { care_type: 'DIAGNOSTIC', diagnostic_modality: '' },
      'A diagnostic listing must name the test',
    ],
    ['given_name', { given_name: ' ' }, 'Given name is required'],
  ])('reports %s for %o with the message "%s"', (field, overrides, message) => {
    const validated = validate(row(overrides), CONTEXT);
    expect(validated).toEqual({ ok: false, errors: [{ row: 2, field, message }] });
  });

  it('reports every problem of a row in column order, without repeating any value', () => {
    const bad = { nhs_number: '9990123455', bmi: '95', postcode: 'nowhere', family_name: '' };
    const validated = validate(row(bad), CONTEXT);
    expect(!validated.ok && validated.errors.map((e) => e.field)).toEqual([
      'nhs_number',
      'family_name',
      'postcode',
      'bmi',
    ]);
    const words = JSON.stringify(validated);
    for (const value of ['9990123455', 'nowhere', '95']) expect(words).not.toContain(value);
  });

  it('treats a formula-looking cell as plain data', () => {
    const validated = validate(row({ procedure: '=HYPERLINK("http://x.invalid","hip")' }), CONTEXT);
    expect(validated.ok && validated.listing.procedure).toBe('=HYPERLINK("http://x.invalid","hip")');
    const refused = validate(row({ bmi: '=1+30' }), CONTEXT);
    expect(!refused.ok && refused.errors).toEqual([{ row: 2, field: 'bmi', message: 'BMI must be a number' }]);
  });
});

describe('the template and its documentation', () => {
  it('keeps the template file valid: the documented header and rows that all pass validation', () => {
    const text = readFileSync(join(DOCS, 'waiting-list-template.csv'), 'utf8');
    const parsed = parseWaitingList(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(text.split(/\r?\n/)[0]).toBe(WAITING_LIST_HEADER.join(','));
    expect(parsed.rowErrors).toEqual([]);
    expect(parsed.rows.length).toBeGreaterThanOrEqual(2);
    const anyone: RowContext = { originOds: 'RR8', personIdForEmail: () => JUDGE_ID };
    expect(parsed.rows.map((r) => validate(r, anyone).ok)).toEqual(parsed.rows.map(() => true));
  });

  it('documents every column in docs/waiting-list.md, and no column that does not exist', () => {
    const doc = readFileSync(join(DOCS, 'waiting-list.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((match) => match[1]);
    expect(documented).toEqual(WAITING_LIST_COLUMNS.map((column) => column.name));
  });
});
