import { describe, expect, it } from 'vitest';
import { siteProblems, type PatientNeeds, type SiteLimits } from '../../domain/eligibility';

const patient: PatientNeeds = { bmi: 31.5, asa: 2, needsCriticalCare: false, maxTravelMiles: 60 };
const independentSite: SiteLimits = { maxBmi: 35, maxAsa: 2, hasCriticalCare: false };

describe('whether a site can take a patient', () => {
  it('finds no problem for a patient within every limit and within their travel distance', () => {
    expect(siteProblems(patient, independentSite, 23)).toEqual([]);
  });

  it('accepts a patient exactly at the site limits and exactly at their travel distance', () => {
    expect(siteProblems({ ...patient, bmi: 35, maxTravelMiles: 23 }, independentSite, 23)).toEqual([]);
  });

  it('names each limit the patient is over', () => {
    expect(siteProblems({ ...patient, bmi: 38.2 }, independentSite, 23)).toEqual([
      "BMI 38.2 is above the site's limit of 35",
    ]);
    expect(siteProblems({ ...patient, asa: 3 }, independentSite, 23)).toEqual(["ASA 3 is above the site's limit of 2"]);
    expect(siteProblems({ ...patient, needsCriticalCare: true }, independentSite, 23)).toEqual([
      'the patient needs critical care cover, which the site does not have',
    ]);
  });

  it('refuses a site further than the patient will travel, rounding the distance for people', () => {
    expect(siteProblems(patient, independentSite, 60.4)).toEqual([
      "the site is 60 miles away, beyond the patient's 60 miles",
    ]);
  });

  it('ignores distance for a patient who will travel anywhere', () => {
    expect(siteProblems({ ...patient, maxTravelMiles: null }, independentSite, 400)).toEqual([]);
  });

  it('lists every problem at once', () => {
    const problems = siteProblems(
      { bmi: 42, asa: 3, needsCriticalCare: true, maxTravelMiles: 20 },
      independentSite,
      23,
    );
    expect(problems).toHaveLength(4);
  });

  it('takes a critical-care patient at a site with critical care cover', () => {
    expect(
      siteProblems(
        { ...patient, needsCriticalCare: true, asa: 3 },
        { maxBmi: 45, maxAsa: 3, hasCriticalCare: true },
        29,
      ),
    ).toEqual([]);
  });
});
