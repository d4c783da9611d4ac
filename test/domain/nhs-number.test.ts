import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, normaliseNhsNumber } from '../../domain/nhs-number';
import { nhsNumberFrom } from '../support/nhs-numbers';

describe('NHS numbers', () => {
  it('accepts a ten-digit number whose modulus-11 check digit is right', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('4010232137')).toBe(true);
  });

  it('accepts the spaced and hyphenated forms people type', () => {
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
    expect(isValidNhsNumber('943-476-5919')).toBe(true);
    expect(normaliseNhsNumber(' 943 476-5919 ')).toBe('9434765919');
  });

  it('refuses every other final digit once the check digit is fixed by the first nine', () => {
    for (let digit = 0; digit <= 9; digit += 1) {
      expect(isValidNhsNumber(`943476591${digit}`)).toBe(digit === 9);
    }
  });

  it('refuses nine-digit stems whose check digit would be 10, whatever the last digit', () => {
    // 0·10 + … + 6·2 = 12, remainder 1, so 11 − 1 = 10: no valid check digit exists.
    for (let digit = 0; digit <= 9; digit += 1) expect(isValidNhsNumber(`000000006${digit}`)).toBe(false);
  });

  it('refuses numbers of the wrong length or with letters', () => {
    for (const bad of ['', '943476591', '94347659190', '94347659I9', 'NHS9434765919'])
      expect(isValidNhsNumber(bad)).toBe(false);
  });

  it('agrees with the test-data generator, which only makes valid numbers', () => {
    for (let i = 0; i < 200; i += 1) expect(isValidNhsNumber(nhsNumberFrom(400_000_000 + i * 1_234_567))).toBe(true);
  });
});
