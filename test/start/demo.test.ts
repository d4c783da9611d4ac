/**
 * Smoke test of `npm start`'s demo: the same worker, console chat client and
 * scripted demo the command runs, against the test PostgreSQL and Temporal
 * servers. Checks each case ends where the script says it should, and that no
 * printed line carries any seeded patient's identifiers.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { seedDemoWorld } from '../../db/demo-seed';
import { cases, memberships, organisations, patients, postcodeDistricts, sites } from '../../db/schema';
import { isValidNhsNumber } from '../../domain/nhs-number';
import type { DemoReport } from '../../scripts/demo/run-demo';
import { uploadDemoWaitingLists } from '../../scripts/demo/demo-data';
import { uploadComplete } from '../../workflows/waiting-list-import';
import { startApp, type App } from '../../scripts/start/app';
import type { JourneyPolicy } from '../../workflows/contract';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The demo's shape in seconds: a 3 s offer window is enough for offers made without pauses. */
const POLICY: JourneyPolicy = {
  offerWindowMs: 3_000,
  maxOfferValidityMs: 120_000,
  choiceWindowMs: 60_000,
  approvalWindowMs: 60_000,
  approvalGraceMs: 10_000,
  transferWindowMs: 60_000,
  reminderBeforeMs: 1_000,
  maxRounds: 3,
  onNoOffers: 'RELIST',
};

describe('npm start demo', () => {
  let database: TestDatabase;
  let clientConnection: Connection;
  let workerConnection: NativeConnection;
  let app: App;
  let report: DemoReport;
  const lines: string[] = [];

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    clientConnection = await Connection.connect({ address: inject('temporalAddress') });
    workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    app = await startApp({
      db: database.db,
      client: new Client({ connection: clientConnection }),
      workerConnection,
      taskQueue: `demo-${randomUUID()}`,
      policy: POLICY,
      print: (line) => lines.push(line),
      workflowBundle: { codePath: inject('workflowBundlePath') },
      chatPollMs: 100,
    });
    report = await app.runDemo({ pauseMs: 0 });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await workerConnection?.close();
    await clientConnection?.close();
    await database?.drop();
  });

  it('takes two patients to transfer and withdraws the third after a round with no offers', async () => {
    expect(report.cases.map((c) => c.error)).toEqual([undefined, undefined, undefined]);
    expect(report.cases.map((c) => c.outcome)).toEqual([
      { state: 'TRANSFERRED', rounds: 1 },
      { state: 'TRANSFERRED', rounds: 1 },
      { state: 'WITHDRAWN', reason: 'TREATED_LOCALLY', rounds: 2 },
    ]);
    expect(report.ok).toBe(true);

    const caseRefs = report.cases.map((c) => c.caseRef!);
    const rows = await database.db
      .select({ caseRef: cases.caseRef, state: cases.state })
      .from(cases)
      .where(inArray(cases.caseRef, caseRefs));
    expect(Object.fromEntries(rows.map((row) => [row.caseRef, row.state]))).toEqual({
      [caseRefs[0]!]: 'TRANSFERRED',
      [caseRefs[1]!]: 'TRANSFERRED',
      [caseRefs[2]!]: 'WITHDRAWN',
    });
  });

  it('uploads a hundred fictional patients to three trusts’ waiting lists, and lists nobody twice on a second upload', async () => {
    expect(report.waitingLists.map((w) => [w.ods, w.report.rows])).toEqual([
      ['RR8', 34],
      ['RHQ', 33],
      ['RCB', 33],
    ]);
    expect(report.waitingLists.every((w) => uploadComplete(w.report) && w.report.listed.length === w.report.rows)).toBe(
      true,
    );
    const again = await uploadDemoWaitingLists(database.db, app.journeys, report.world, new Date());
    expect(again.map((w) => [w.report.listed.length, w.report.alreadyListed.length])).toEqual([
      [0, 34],
      [0, 33],
      [0, 33],
    ]);
    expect(lines).toContainEqual(expect.stringContaining('Waiting list uploaded for RR8: 34 patients, 34 listed'));
  });

  it('prints every action and every notification as a chat line naming the case and its audience organisation', () => {
    const chat = lines.filter((line) => / chat \[/.test(line));
    const kinds = new Set(chat.map((line) => /\[([A-Z_]+)\]/.exec(line)?.[1]));
    for (const kind of [
      'CASE_OPEN_FOR_OFFERS',
      'OFFER_RECEIVED',
      'CHOICE_NEEDED',
      'OFFER_CHOSEN',
      'OFFER_NOT_CHOSEN',
      'APPROVAL_REQUESTED',
      'TRANSFER_APPROVED',
      'TRANSFERRED',
      'NO_OFFERS_ESCALATION',
      'CASE_RELISTED',
      'CASE_WITHDRAWN',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const [hip, cataract, gallbladder] = report.cases.map((c) => c.caseRef!);
    expect(chat).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `\\[TRANSFERRED\\] ${hip} → Leeds Teaching Hospitals NHS Trust .*Trauma & Orthopaedics · Primary total hip replacement · P3 · 61 wks waiting · BMI 29\\.4 · ASA 2 · age 60-69`,
        ),
      ),
    );
    expect(chat).toContainEqual(
      expect.stringContaining(`[OFFER_CHOSEN] ${cataract} → Spire Healthcare (clinicians, coordinators)`),
    );
    expect(chat).toContainEqual(
      expect.stringContaining(`[NO_OFFERS_ESCALATION] ${gallbladder} → North East and Yorkshire escalation leads`),
    );
    expect(chat).toContainEqual(expect.stringContaining(`[CASE_WITHDRAWN] ${gallbladder} → Ramsay Health Care UK`));
    expect(lines).toContainEqual(expect.stringMatching(/ act .*Thornbury Hospital/));
    expect(lines).toContainEqual(expect.stringContaining('refused (OFFER.SITE_NOT_SUITABLE)'));
  });

  it('never prints a seeded patient’s NHS number, name, date of birth or full postcode', async () => {
    const seeded = await database.db
      .select({
        nhsNumber: cases.nhsNumber,
        givenName: patients.givenName,
        familyName: patients.familyName,
        dateOfBirth: patients.dateOfBirth,
        postcode: patients.postcode,
      })
      .from(patients)
      .innerJoin(cases, eq(cases.caseRef, patients.caseRef));
    // The three scripted patients and the hundred on the uploaded waiting lists.
    expect(seeded).toHaveLength(103);
    expect(lines.length).toBeGreaterThan(30);

    for (const patient of seeded) {
      // Fictional patients only: 999-range NHS numbers with a valid check digit.
      expect(patient.nhsNumber).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(patient.nhsNumber)).toBe(true);
      const n = patient.nhsNumber;
      const forbidden = [
        n,
        `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
        `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
        patient.givenName,
        patient.familyName,
        patient.dateOfBirth,
        patient.postcode,
        patient.postcode.replace(' ', ''),
      ].map((value) => value.toLowerCase());
      for (const line of lines) {
        for (const value of forbidden)
          expect(line.toLowerCase(), `a printed line contains ${value}`).not.toContain(value);
      }
    }
  });

  it('seeds the demo world idempotently: real organisations, sites in known postcode districts, staff in every role', async () => {
    const again = await database.db.transaction((tx) => seedDemoWorld(tx));
    expect(again).toEqual(report.world);

    const orgs = await database.db.select().from(organisations);
    expect(orgs.map((org) => org.odsCode).sort()).toEqual(['NT2', 'NT3', 'NVC', 'RCB', 'RHQ', 'RR8', 'Y63']);
    expect(orgs.filter((org) => org.kind === 'NHS_TRUST')).toHaveLength(3);

    const siteDistricts = await database.db
      .select({ site: sites.name, district: postcodeDistricts.outcode })
      .from(sites)
      .leftJoin(postcodeDistricts, eq(postcodeDistricts.outcode, sites.outcode));
    expect(siteDistricts).toHaveLength(6);
    expect(siteDistricts.every((row) => row.district !== null)).toBe(true);

    const roles = await database.db
      .select({ organisationId: memberships.organisationId, role: memberships.role })
      .from(memberships);
    for (const org of orgs.filter((candidate) => candidate.kind !== 'COMMISSIONER')) {
      const held = roles.filter((row) => row.organisationId === org.id).map((row) => row.role);
      expect(held, org.name).toEqual(expect.arrayContaining(['CLINICIAN', 'MANAGER', 'COORDINATOR']));
    }
    expect(roles.filter((row) => row.role === 'ESCALATION_LEAD')).toHaveLength(1);
  });
});
