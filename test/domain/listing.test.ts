import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeFieldErrors } from '../../domain/field-errors';
import { validateListing, type ListingInput } from '../../domain/listing';
import { nhsNumberFrom } from '../support/nhs-numbers';

const NOW = new Date('2026-03-10T09:00:00Z');
const clinician = randomUUID();

function listing(overrides: Partial<ListingInput> = {}): ListingInput {
  return {
    originOds: 'RR8',
    nhsNumber: '943 476 5919',
    givenName: ' Testforename ',
    familyName: 'Testsurname',
    dateOfBirth: '1961-04-12',
    postcode: 'ls6 2qn',
    localPatientId: 'RR8-0001',
    gpPracticeCode: 'b86001',
    referringOrgOds: 'B86001',
    ppid: 'PP00000001',
    ppidIssuerOds: 'RR8',
    specialtyCode: ' 110 ',
    procedure: 'Primary total hip replacement',
    opcsCode: 'w37.1',
    careType: 'ADMITTED',
    priority: 'P3',
    rttClockStart: '2025-09-01',
    bmi: 31.56,
    asa: 2,
    needsCriticalCare: false,
    maxTravelMiles: 60,
    travelNeeds: ['WHEELCHAIR_ACCESS'],
    appropriatenessJudgedBy: clinician,
    ...overrides,
  };
}

/** The fields a listing was refused on, or [] when it was accepted. */
function refusedFields(overrides: Partial<ListingInput> | Record<string, unknown>): string[] {
  const result = validateListing({ ...listing(), ...overrides }, NOW);
  return result.ok ? [] : result.errors.map((error) => error.field);
}

describe('the listing form', () => {
  it('accepts a complete listing and normalises what people type', () => {
    const result = validateListing(listing(), NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      nhsNumber: '9434765919',
      givenName: 'Testforename',
      postcode: { postcode: 'LS6 2QN', outcode: 'LS6' },
      gpPracticeCode: 'B86001',
      specialtyCode: '110',
      opcsCode: 'W37.1',
      bmi: 31.6,
      travelNeeds: ['WHEELCHAIR_ACCESS'],
    });
  });

  it('defaults critical care to no and travel needs to none, and allows travel anywhere (null distance)', () => {
    const input: Partial<ListingInput> = listing({ maxTravelMiles: null });
    delete input.needsCriticalCare;
    delete input.travelNeeds;
    const result = validateListing(input, NOW);
    expect(result.ok && result.value).toMatchObject({
      needsCriticalCare: false,
      travelNeeds: [],
      maxTravelMiles: null,
    });
  });

  it('refuses each bad clinical field by name', () => {
    expect(refusedFields({ nhsNumber: '9434765918' })).toEqual(['nhsNumber']);
    expect(refusedFields({ specialtyCode: '999' })).toEqual(['specialtyCode']);
    expect(refusedFields({ bmi: 9.9 })).toEqual(['bmi']);
    expect(refusedFields({ bmi: 80.1 })).toEqual(['bmi']);
    expect(refusedFields({ asa: 5 })).toEqual(['asa']);
    expect(refusedFields({ asa: 2.5 })).toEqual(['asa']);
    expect(refusedFields({ postcode: 'LS6' })).toEqual(['postcode']);
    expect(refusedFields({ maxTravelMiles: -10 })).toEqual(['maxTravelMiles']);
    expect(refusedFields({ maxTravelMiles: 0 })).toEqual(['maxTravelMiles']);
    expect(refusedFields({ maxTravelMiles: 1001 })).toEqual(['maxTravelMiles']);
    expect(refusedFields({ priority: 'P5' })).toEqual(['priority']);
    expect(refusedFields({ opcsCode: 'W371' })).toEqual(['opcsCode']);
    expect(refusedFields({ travelNeeds: ['A_PONY'] })).toEqual(['travelNeeds.0']);
    expect(refusedFields({ appropriatenessJudgedBy: 'Dr Smith' })).toEqual(['appropriatenessJudgedBy']);
    expect(refusedFields({ originOds: 'R' })).toEqual(['originOds']);
  });

  it('accepts the limits of each range', () => {
    expect(refusedFields({ bmi: 10, asa: 1, maxTravelMiles: 1 })).toEqual([]);
    expect(refusedFields({ bmi: 80, asa: 4, maxTravelMiles: 1000 })).toEqual([]);
  });

  it('refuses dates in the future, impossible dates, an age over 120 and a clock start before birth', () => {
    expect(refusedFields({ dateOfBirth: '2026-03-11' })).toContain('dateOfBirth');
    expect(refusedFields({ dateOfBirth: '1961-02-30' })).toEqual(['dateOfBirth']);
    expect(refusedFields({ rttClockStart: '2025-02-29' })).toEqual(['rttClockStart']);
    const impossible = validateListing(listing({ dateOfBirth: '1961-02-30' }), NOW);
    expect(!impossible.ok && impossible.errors).toEqual([
      { field: 'dateOfBirth', message: 'Date of birth must be a real date, as YYYY-MM-DD' },
    ]);
    expect(refusedFields({ dateOfBirth: '1900-01-01' })).toEqual(['dateOfBirth']);
    expect(refusedFields({ rttClockStart: '2026-04-01' })).toEqual(['rttClockStart']);
    expect(refusedFields({ dateOfBirth: '2025-10-01', rttClockStart: '2025-09-01' })).toEqual(['rttClockStart']);
  });

  it('requires a diagnostic listing to name its test, and only a diagnostic listing', () => {
    expect(refusedFields({ careType: 'DIAGNOSTIC' })).toEqual(['diagnosticModality']);
    expect(refusedFields({ careType: 'DIAGNOSTIC', diagnosticModality: 'MRI' })).toEqual([]);
    expect(refusedFields({ diagnosticModality: 'MRI' })).toEqual(['diagnosticModality']);
  });

  it('reports every missing field at once', () => {
    const result = validateListing({}, NOW);
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((error) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'originOds',
        'nhsNumber',
        'givenName',
        'postcode',
        'specialtyCode',
        'bmi',
        'asa',
        'appropriatenessJudgedBy',
      ]),
    );
  });

  it('never repeats the NHS number it refuses in its messages', () => {
    for (let i = 0; i < 20; i += 1) {
      const valid = nhsNumberFrom(500_000_000 + i * 7_654_321);
      const wrong = `${valid.slice(0, 9)}${(Number(valid[9]) + 1) % 10}`;
      const result = validateListing(listing({ nhsNumber: wrong, bmi: 200 }), NOW);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(describeFieldErrors(result.errors)).not.toContain(wrong);
    }
  });
});
