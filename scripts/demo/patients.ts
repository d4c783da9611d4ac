/**
 * The demo's patients: fictional people with obviously made-up names and NHS
 * numbers from the 999 range (999 000 0000 – 999 999 9999), which no real
 * patient holds, each with a valid modulus-11 check digit. A fresh number is
 * drawn for every run, because a durable database keeps earlier runs' cases
 * and a trust may list a patient only once while their case is live.
 */
import { randomInt } from 'node:crypto';
import { isValidNhsNumber } from '../../domain/nhs-number';
import type { ListingInput } from '../../domain/listing';
import type { DemoOrg } from '../../db/demo-seed';

const DAY_MS = 86_400_000;

/** A 999-range NHS number with a valid check digit; `random(n)` returns an integer in [0, n). */
export function fictionalNhsNumber(random: (n: number) => number = randomInt): string {
  for (;;) {
    const digits = `999${String(random(1_000_000)).padStart(6, '0')}`;
    const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue; // no valid check digit for these nine: draw again
    const nhsNumber = `${digits}${check === 11 ? 0 : check}`;
    if (isValidNhsNumber(nhsNumber)) return nhsNumber;
  }
}

/** Who the patient is (stays in the database) and what they need (the only part chat sees). */
export interface DemoPatient {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string;
  gpPracticeCode: string;
  weeksWaiting: number;
  specialtyCode: string;
  procedure: string;
  opcsCode: string;
  priority: 'P2' | 'P3' | 'P4';
  bmi: number;
  asa: number;
  maxTravelMiles: number;
}

export const HIP_REPLACEMENT: DemoPatient = {
  givenName: 'Fictitia',
  familyName: 'Placeholder',
  dateOfBirth: '1958-02-17',
  postcode: 'LS6 3HX',
  gpPracticeCode: 'B86010',
  weeksWaiting: 61,
  specialtyCode: '110',
  procedure: 'Primary total hip replacement',
  opcsCode: 'W37.1',
  priority: 'P3',
  bmi: 29.4,
  asa: 2,
  maxTravelMiles: 50,
};

export const CATARACT: DemoPatient = {
  givenName: 'Mockford',
  familyName: 'Samplesby',
  dateOfBirth: '1947-09-03',
  postcode: 'YO10 4PZ',
  gpPracticeCode: 'B82005',
  weeksWaiting: 47,
  specialtyCode: '130',
  procedure: 'Cataract extraction with lens implant',
  opcsCode: 'C71.2',
  priority: 'P4',
  bmi: 26.1,
  asa: 2,
  maxTravelMiles: 40,
};

export const GALLBLADDER: DemoPatient = {
  givenName: 'Pretendia',
  familyName: 'Testwell',
  dateOfBirth: '1981-11-25',
  postcode: 'LS17 6LW',
  gpPracticeCode: 'B86022',
  weeksWaiting: 55,
  specialtyCode: '100',
  procedure: 'Laparoscopic cholecystectomy',
  opcsCode: 'J18.3',
  priority: 'P3',
  bmi: 33.8,
  asa: 2,
  maxTravelMiles: 50,
};

/** The listing an origin trust's coordinator submits for a demo patient, with a fresh NHS number. */
export function demoListing(patient: DemoPatient, origin: DemoOrg, now: Date): ListingInput {
  const clockStart = new Date(now.getTime() - patient.weeksWaiting * 7 * DAY_MS - DAY_MS);
  const pathway = String(randomInt(100_000_000)).padStart(8, '0');
  return {
    originOds: origin.ods,
    nhsNumber: fictionalNhsNumber(),
    givenName: patient.givenName,
    familyName: patient.familyName,
    dateOfBirth: patient.dateOfBirth,
    postcode: patient.postcode,
    localPatientId: `${origin.ods}${pathway}`,
    gpPracticeCode: patient.gpPracticeCode,
    referringOrgOds: patient.gpPracticeCode,
    ppid: `${origin.ods}PW${pathway}`,
    ppidIssuerOds: origin.ods,
    specialtyCode: patient.specialtyCode,
    procedure: patient.procedure,
    opcsCode: patient.opcsCode,
    careType: 'ADMITTED',
    priority: patient.priority,
    rttClockStart: clockStart.toISOString().slice(0, 10),
    bmi: patient.bmi,
    asa: patient.asa,
    needsCriticalCare: false,
    maxTravelMiles: patient.maxTravelMiles,
    travelNeeds: [],
    appropriatenessJudgedBy: origin.staff.clinician.personId,
  };
}
