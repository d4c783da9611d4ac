/**
 * NHS numbers: ten digits, the last a modulus-11 check digit. Accepts the
 * usual spaced form (`943 476 5919`). Never put the number in an error or log.
 */
import { validate } from 'nhs-number-validator';

export function normaliseNhsNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

export function isValidNhsNumber(raw: string): boolean {
  const digits = normaliseNhsNumber(raw);
  return /^\d{10}$/.test(digits) && validate(digits);
}
