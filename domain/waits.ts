/**
 * When a wait figure may be shown. Pure: db/waits.ts computes the figures,
 * and the patient's pages, the API and the weekly digest all withhold them
 * by the same rule.
 */

/**
 * The fewest patients waiting at a trust in a specialty for its mean and
 * 92nd-percentile waits to be given. Below this a figure is unreliable (one
 * long waiter moves the mean by weeks) and close to identifying: from one
 * patient it is that patient's own wait, and from two to four someone who
 * knows the others' can work out the rest. NHS statistical disclosure
 * control suppresses small numbers in the same way, commonly counts below 5
 * (some NHS publications use a higher threshold).
 */
export const MIN_PATIENTS_FOR_WAIT_FIGURES = 5;

/** Why a trust's wait figures are withheld. */
export const WAIT_SUPPRESSION_REASONS = ['TOO_FEW_PATIENTS'] as const;
export type WaitSuppressionReason = (typeof WAIT_SUPPRESSION_REASONS)[number];

/** Null when figures from this many patients may be given; otherwise why not. */
export function waitSuppression(patients: number): WaitSuppressionReason | null {
  return patients < MIN_PATIENTS_FOR_WAIT_FIGURES ? 'TOO_FEW_PATIENTS' : null;
}
