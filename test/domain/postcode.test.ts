import { describe, expect, it } from 'vitest';
import { isOutcode, parsePostcode } from '../../domain/postcode';

describe('UK postcodes', () => {
  it('splits a full postcode into its canonical form and its district (outward code)', () => {
    expect(parsePostcode('LS6 2QN')).toEqual({ postcode: 'LS6 2QN', outcode: 'LS6' });
    expect(parsePostcode('SW1A 1AA')).toEqual({ postcode: 'SW1A 1AA', outcode: 'SW1A' });
    expect(parsePostcode('M1 1AE')).toEqual({ postcode: 'M1 1AE', outcode: 'M1' });
    expect(parsePostcode('YO31 8TA')).toEqual({ postcode: 'YO31 8TA', outcode: 'YO31' });
  });

  it('accepts lower case, no space and extra spaces', () => {
    expect(parsePostcode('ls62qn')).toEqual({ postcode: 'LS6 2QN', outcode: 'LS6' });
    expect(parsePostcode('  ec1a   1bb ')).toEqual({ postcode: 'EC1A 1BB', outcode: 'EC1A' });
  });

  it('refuses a district on its own, a malformed inward code and other text', () => {
    for (const bad of ['LS6', 'LS6 QN2', 'LS6 2Q', '6LS 2QN', 'LS6 2QNN', 'not a postcode', '']) {
      expect(parsePostcode(bad), bad).toBeUndefined();
    }
  });

  it('recognises a district (outward code) on its own', () => {
    expect(isOutcode('LS6')).toBe(true);
    expect(isOutcode('SW1A')).toBe(true);
    expect(isOutcode('LS6 2QN')).toBe(false);
    expect(isOutcode('ls6')).toBe(false);
  });
});
