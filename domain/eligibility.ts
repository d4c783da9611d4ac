/**
 * Whether a site can safely take a patient: its clinical limits and the
 * distance the patient will travel. Returns the reasons it cannot, in words
 * a provider clinician recognises (clinical summary only, no identifiers).
 */
export interface PatientNeeds {
  bmi: number;
  asa: number;
  needsCriticalCare: boolean;
  /** Null: anywhere in England. */
  maxTravelMiles: number | null;
}

export interface SiteLimits {
  maxBmi: number;
  maxAsa: number;
  hasCriticalCare: boolean;
}

export function siteProblems(patient: PatientNeeds, site: SiteLimits, distanceMiles: number): string[] {
  const problems: string[] = [];
  if (patient.bmi > site.maxBmi) problems.push(`BMI ${patient.bmi} is above the site's limit of ${site.maxBmi}`);
  if (patient.asa > site.maxAsa) problems.push(`ASA ${patient.asa} is above the site's limit of ${site.maxAsa}`);
  if (patient.needsCriticalCare && !site.hasCriticalCare)
    problems.push('the patient needs critical care cover, which the site does not have');
  if (patient.maxTravelMiles !== null && distanceMiles > patient.maxTravelMiles) {
    problems.push(
      `the site is ${Math.round(distanceMiles)} miles away, beyond the patient's ${patient.maxTravelMiles} miles`,
    );
  }
  return problems;
}
