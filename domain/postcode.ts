/**
 * UK postcodes: the outward code (district, e.g. `LS6`) is the only part that
 * leaves the origin trust; the inward code stays in the patient record.
 */
const FULL_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;
const OUTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;

export interface ParsedPostcode {
  /** Canonical form, `LS6 2AB`. */
  postcode: string;
  outcode: string;
}

export function parsePostcode(raw: string): ParsedPostcode | undefined {
  const match = FULL_POSTCODE.exec(raw.trim().toUpperCase().replace(/\s+/g, ' '));
  if (!match?.[1] || !match[2]) return undefined;
  return { postcode: `${match[1]} ${match[2]}`, outcode: match[1] };
}

export function isOutcode(raw: string): boolean {
  return OUTCODE.test(raw);
}
