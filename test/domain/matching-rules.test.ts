import { describe, expect, it } from 'vitest';
import {
  datesFit,
  postingProblems,
  procedureCovered,
  treatByDate,
  type CaseForMatching,
  type PostingForMatching,
} from '../../domain/eligibility';

const listedAt = new Date('2026-02-20T09:00:00Z');
const today = new Date('2026-03-02T12:00:00Z');

const hipCase: CaseForMatching = {
  specialtyCode: '110',
  careType: 'ADMITTED',
  diagnosticModality: null,
  opcsCode: 'W37.1',
  priority: 'P3',
  listedAt,
  dateOfBirth: '1961-04-12',
  bmi: 31.5,
  asa: 2,
  needsCriticalCare: false,
  maxTravelMiles: 60,
};

const hipPosting: PostingForMatching = {
  specialtyCode: '110',
  careType: 'ADMITTED',
  diagnosticModality: null,
  procedureCodes: ['W37', 'W38'],
  maxBmi: 35,
  maxAsa: 2,
  hasCriticalCare: false,
  minAge: 18,
  maxAge: 120,
  availableFrom: '2026-03-09',
};

describe('the matching rules in TypeScript', () => {
  it('puts the treat-by date 3, 31 and 92 days after listing for P1, P2 and P3, and none for P4', () => {
    expect(treatByDate('P1', listedAt)).toBe('2026-02-23');
    expect(treatByDate('P2', listedAt)).toBe('2026-03-23');
    expect(treatByDate('P3', listedAt)).toBe('2026-05-23');
    expect(treatByDate('P4', listedAt)).toBeNull();
  });

  it('lets capacity start on the treat-by date but not the day after', () => {
    expect(datesFit('P2', listedAt, '2026-03-23')).toBe(true);
    expect(datesFit('P2', listedAt, '2026-03-24')).toBe(false);
    expect(datesFit('P4', listedAt, '2030-01-01')).toBe(true);
  });

  it('covers a procedure when the posting names no codes or a prefix of the case’s code', () => {
    expect(procedureCovered('W37.1', [])).toBe(true);
    expect(procedureCovered(null, [])).toBe(true);
    expect(procedureCovered('W37.1', ['W37'])).toBe(true);
    expect(procedureCovered('W40.1', ['W37', 'W38'])).toBe(false);
    expect(procedureCovered(null, ['W37'])).toBe(false);
  });

  it('finds no problem when every rule is met, the BMI exactly at the limit', () => {
    expect(postingProblems({ ...hipCase, bmi: 35 }, hipPosting, 59.9, today)).toEqual([]);
  });

  it('names every rule a case breaks', () => {
    const problems = postingProblems(
      { ...hipCase, opcsCode: 'W40.1', asa: 3, priority: 'P1', dateOfBirth: '2010-01-01', maxTravelMiles: 20 },
      hipPosting,
      23,
      today,
    );
    expect(problems).toEqual([
      'the posting does not cover the procedure',
      "ASA 3 is above the posting's limit of 2",
      "the site is 23 miles away, beyond the patient's 20 miles",
      'the posting takes patients aged 18 to 120',
      'the capacity starts after the P1 treat-by date',
    ]);
  });

  it('treats a patient with no travel limit as travelling up to 1000 miles', () => {
    expect(postingProblems({ ...hipCase, maxTravelMiles: null }, hipPosting, 999, today)).toEqual([]);
    expect(postingProblems({ ...hipCase, maxTravelMiles: null }, hipPosting, 1001, today)).toHaveLength(1);
  });

  it('needs the specialty, care type and diagnostic modality to agree', () => {
    expect(postingProblems({ ...hipCase, specialtyCode: '130' }, hipPosting, 10, today)).toContain(
      'the posting is for another specialty',
    );
    expect(
      postingProblems(
        { ...hipCase, careType: 'DIAGNOSTIC', diagnosticModality: 'CT', opcsCode: null },
        { ...hipPosting, careType: 'DIAGNOSTIC', diagnosticModality: 'MRI', procedureCodes: [] },
        10,
        today,
      ),
    ).toEqual(['the posting is for another type of care']);
  });
});
