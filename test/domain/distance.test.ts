import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distanceMiles, type LatLon } from '../../domain/distance';

/** District centroids from the reference data the database is loaded with. */
function district(outcode: string): LatLon {
  const csv = readFileSync(join(__dirname, '..', '..', 'db', 'reference', 'uk-outcodes.csv'), 'utf8');
  const line = csv.split('\n').find((row) => row.startsWith(`${outcode},`));
  if (!line) throw new Error(`${outcode} is not in the reference data`);
  const [, latitude, longitude] = line.split(',');
  return { latitude: Number(latitude), longitude: Number(longitude) };
}

describe('distance between postcode districts', () => {
  it('puts central Leeds (LS1) about 169 miles from Westminster (SW1A) as the crow flies', () => {
    expect(distanceMiles(district('LS1'), district('SW1A'))).toBeGreaterThan(165);
    expect(distanceMiles(district('LS1'), district('SW1A'))).toBeLessThan(173);
  });

  it('puts Headingley in Leeds (LS6) about 23 miles from York (YO31) and under 30 from north Sheffield (S5)', () => {
    expect(distanceMiles(district('LS6'), district('YO31'))).toBeCloseTo(23, 0);
    const sheffield = distanceMiles(district('LS6'), district('S5'));
    expect(sheffield).toBeGreaterThan(25);
    expect(sheffield).toBeLessThan(30);
  });

  it('is zero from a place to itself and the same in both directions', () => {
    const leeds = district('LS6');
    const edinburgh = district('EH1');
    expect(distanceMiles(leeds, leeds)).toBe(0);
    expect(distanceMiles(leeds, edinburgh)).toBeCloseTo(distanceMiles(edinburgh, leeds), 9);
  });

  it('measures one degree of latitude as about 69 miles', () => {
    expect(distanceMiles({ latitude: 53, longitude: -1.5 }, { latitude: 54, longitude: -1.5 })).toBeCloseTo(69.1, 1);
  });
});
