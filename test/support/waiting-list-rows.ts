/** One valid waiting-list CSV row, as cells by column name, for the upload tests to vary. */
import type { WaitingListColumnName } from '../../domain/waiting-list-csv';

export type RowCells = Record<WaitingListColumnName, string>;

/** A fictional Leeds hip replacement; override what a test needs unique or wrong. */
export function sampleCells(overrides: Partial<RowCells> = {}): RowCells {
  return {
    nhs_number: '9434765919',
    given_name: 'Testforename',
    family_name: 'Testsurname',
    date_of_birth: '1961-04-12',
    postcode: 'LS6 2QN',
    local_patient_id: 'RR8-0001',
    gp_practice_code: 'B86001',
    referring_org_ods: 'B86001',
    ppid: 'PP00000001',
    ppid_issuer_ods: 'RR8',
    specialty_code: '110',
    procedure: 'Primary total hip replacement',
    opcs_code: 'W37.1',
    care_type: 'ADMITTED',
    diagnostic_modality: '',
    priority: 'P3',
    rtt_clock_start: '2025-09-01',
    bmi: '31.5',
    asa: '2',
    needs_critical_care: 'no',
    max_travel_miles: '60',
    travel_needs: '',
    judged_appropriate_by: 'judge@rr8.test.invalid',
    ...overrides,
  };
}
