/**
 * The privacy rule as test helpers: every string a test saw leave the system
 * (a chat platform's recorded calls, printed lines), and the check that none
 * of them carries one of a patient's identifiers.
 */
import { expect } from 'vitest';
import type { ListingInput } from '../../domain/listing';

export { isRecord, stringLeaves } from './json-leaves';

/** Fails if any of `sent` contains the listed patient's NHS number, names, date of birth, postcode or local ids. */
export function expectNoPatientIdentifiers(
  sent: string[],
  listing: Omit<ListingInput, 'maxTravelMiles' | 'appropriatenessJudgedBy'>,
  /** How much text must have been checked: a whole journey's messages by default, one card when less. */
  atLeastChars = 1000,
): void {
  const all = sent.join('\n');
  expect(all.length, 'nothing was sent, so nothing was checked').toBeGreaterThan(atLeastChars);
  for (const identifier of [
    listing.nhsNumber,
    listing.givenName,
    listing.familyName,
    listing.dateOfBirth,
    listing.postcode,
    listing.postcode.replace(' ', ''),
    listing.localPatientId,
    listing.ppid,
  ]) {
    expect(all).not.toContain(identifier);
  }
}
