import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT_COMPLETE, EXIT_NOT_STARTED, EXIT_REFUSED, runUpload } from '../../scripts/upload-waiting-list';
import { createJourneyEnv, type JourneyEnv } from '../support/journey-env';
import { csvOf, emailOf, expectNoIdentifiersOf, giveStaffEmails, tableCounts, validCells } from './upload-support';

const ROOT = join(__dirname, '..', '..');

describe('npm run upload', () => {
  let env: JourneyEnv;
  let dir: string;
  let config: Record<string, string>;

  beforeAll(async () => {
    env = await createJourneyEnv();
    await env.startWorker();
    await giveStaffEmails(env.database.db, env.world);
    dir = mkdtempSync(join(tmpdir(), 'upload-cli-'));
    config = {
      DATABASE_URL: env.database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: env.taskQueue,
    };
  });
  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI in this process with the test's configuration; what it printed, and its exit code. */
  async function upload(args: string[], progressStream?: NodeJS.WritableStream) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runUpload(args, {
      print: (line) => out.push(line),
      error: (line) => err.push(line),
      env: config,
      cwd: dir,
      progressStream,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const coordinator = emailOf('RR8', 'coordinator');

  it('lists the valid rows, prints a summary with the problems by row, and writes the report beside the file', async () => {
    const rows = [validCells(), validCells({ bmi: '95' }), validCells(), validCells({ postcode: 'ZZ9 9ZZ' })];
    writeFileSync(join(dir, 'march.csv'), csvOf(rows));
    const before = await tableCounts(env.database.db);

    const { code, out, err } = await upload(['--file', 'march.csv', '--org', 'rr8', '--as', coordinator.toUpperCase()]);

    expect(err).toBe('');
    expect(code).toBe(EXIT_REFUSED);
    const reportPath = join(dir, 'march.report.csv');
    expect(out.split('\n')).toEqual([
      'march.csv for RR8: 4 rows: 2 patients listed, 0 patients already listed, 2 invalid rows.',
      '  row 3, bmi: BMI must be between 10 and 80',
      '  row 5, postcode: ZZ9 is not a known UK postcode district',
      `Report: ${reportPath}`,
    ]);
    const report = readFileSync(reportPath, 'utf8').split('\r\n');
    expect(report[0]).toBe('row,outcome,case_ref,field,message');
    expect(report.slice(1)).toEqual([
      expect.stringMatching(/^2,LISTED,MA-[0-9A-Z]{8},,$/),
      '3,INVALID,,bmi,BMI must be between 10 and 80',
      expect.stringMatching(/^4,LISTED,MA-[0-9A-Z]{8},,$/),
      '5,INVALID,,postcode,ZZ9 is not a known UK postcode district',
      '',
    ]);
    const after = await tableCounts(env.database.db);
    expect(after.cases - before.cases).toBe(2);
    expectNoIdentifiersOf(`${out}\n${err}\n${report.join('\n')}`, rows);

    // The same file again: nobody is listed twice, and every row is accounted for.
    const again = await upload(['--file', join(dir, 'march.csv'), '--org', 'RR8', '--as', coordinator]);
    expect(again.out).toContain('0 patients listed, 2 patients already listed, 2 invalid rows.');
    expect((await tableCounts(env.database.db)).cases).toBe(after.cases);
  });

  it('exits 0 when every row is listed, writing the report where --report says', async () => {
    writeFileSync(join(dir, 'clean.csv'), csvOf([validCells(), validCells()]));
    const { code, out } = await upload([
      '--file',
      'clean.csv',
      '--org',
      'RR8',
      '--as',
      coordinator,
      '--report',
      'out/../clean-result.csv',
    ]);
    expect(code).toBe(EXIT_COMPLETE);
    expect(out).toContain('clean.csv for RR8: 2 rows: 2 patients listed, 0 patients already listed, 0 invalid rows.');
    expect(readFileSync(join(dir, 'clean-result.csv'), 'utf8')).toMatch(
      /^row,outcome,case_ref,field,message\r\n2,LISTED,/,
    );
  });

  it('draws a progress bar for a large file on a terminal', async () => {
    writeFileSync(join(dir, 'large.csv'), csvOf(Array.from({ length: 220 }, () => validCells())));
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));

    const { code } = await upload(['--file', 'large.csv', '--org', 'RR8', '--as', coordinator], terminal);

    expect(code).toBe(EXIT_COMPLETE);
    expect(drawn).toMatch(/Listing \[.*\] 100% \| 220\/220 rows \| 220 listed/);
  });

  it('refuses a file with a bad header as a whole and says why', async () => {
    writeFileSync(join(dir, 'header.csv'), 'nhs_number,name\r\n9990123454,Zqxheader\r\n');
    const { code, out } = await upload(['--file', 'header.csv', '--org', 'RR8', '--as', coordinator]);
    expect(code).toBe(EXIT_REFUSED);
    expect(out).toMatch(
      /^header\.csv for RR8: not listed\.\n {2}The header row does not match the template: missing columns /,
    );
    expect(out).not.toContain('Zqxheader');
    expect(readFileSync(join(dir, 'header.report.csv'), 'utf8')).toMatch(
      /^row,outcome,case_ref,field,message\r\n,FILE_ERROR,,CSV.BAD_HEADER,/,
    );
  });

  it('refuses someone with no listing role at the organisation', async () => {
    writeFileSync(join(dir, 'manager.csv'), csvOf([validCells()]));
    const { code, out } = await upload(['--file', 'manager.csv', '--org', 'RR8', '--as', emailOf('RR8', 'manager')]);
    expect(code).toBe(EXIT_REFUSED);
    expect(out).toContain(
      'You are not a coordinator or clinician at RR8, so you cannot list for it (ACTOR.NOT_AUTHORISED)',
    );
  });

  it.each([
    [
      'a missing file',
      ['--file', 'nowhere.csv', '--org', 'RR8', '--as', 'x@y.invalid'],
      /^No file at .*nowhere\.csv\.$/,
    ],
    [
      'an unknown organisation',
      ['--file', 'march.csv', '--org', 'ZZZ', '--as', 'x@y.invalid'],
      /^No organisation with ODS code ZZZ is known to mutual aid\.$/,
    ],
    [
      'an unknown person',
      ['--file', 'march.csv', '--org', 'RR8', '--as', 'nobody@rr8.test.invalid'],
      /^No person with the e-mail address nobody@rr8\.test\.invalid is known to mutual aid\.$/,
    ],
    ['missing options', ['--file', 'march.csv'], /^Missing --org, --as\.\nUsage: npm run upload -- /],
  ])('stops with a clear error and exit code 2 for %s', async (_what, args, message) => {
    writeFileSync(join(dir, 'march.csv'), csvOf([validCells()]));
    const before = await tableCounts(env.database.db);
    const { code, out, err } = await upload(args);
    expect(code).toBe(EXIT_NOT_STARTED);
    expect(err).toMatch(message);
    expect(out).toBe('');
    expect(await tableCounts(env.database.db)).toEqual(before);
  });

  it('runs as `npm run upload` in a process of its own, configured from the environment', async () => {
    const rows = [validCells(), validCells({ nhs_number: '9990123455' })];
    const file = join(dir, 'spawned.csv');
    writeFileSync(file, csvOf(rows));

    const { code, stdout, stderr } = await run(
      'npm',
      ['run', '--silent', 'upload', '--', '--file', file, '--org', 'RR8', '--as', coordinator],
      { ...process.env, ...config },
    );

    expect(stderr.replace(/^npm warn .*\n/gm, '')).toBe('');
    expect(stdout).toContain(
      'spawned.csv for RR8: 2 rows: 1 patient listed, 0 patients already listed, 1 invalid row.',
    );
    expect(stdout).toContain('row 3, nhs_number: NHS number must be 10 digits with a valid check digit');
    expect(code).toBe(EXIT_REFUSED);
    expect(existsSync(join(dir, 'spawned.report.csv'))).toBe(true);
    expectNoIdentifiersOf(`${stdout}\n${stderr}\n${readFileSync(join(dir, 'spawned.report.csv'), 'utf8')}`, rows);
  });
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
