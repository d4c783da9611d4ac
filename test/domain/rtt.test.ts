import { describe, expect, it } from 'vitest';
import { ageBand, ageInYears, parseCalendarDate, toCalendarDate, weeksWaiting } from '../../domain/rtt';

const at = (iso: string) => new Date(iso);

describe('RTT weeks waiting', () => {
  it('counts whole weeks from the clock start', () => {
    expect(weeksWaiting('2025-01-01', at('2025-01-01T12:00:00Z'))).toBe(0);
    expect(weeksWaiting('2025-01-01', at('2025-01-07T23:59:59Z'))).toBe(0);
    expect(weeksWaiting('2025-01-01', at('2025-01-08T00:00:00Z'))).toBe(1);
    expect(weeksWaiting('2024-01-01', at('2024-12-30T00:00:00Z'))).toBe(52);
  });

  it('reaches the 18-week standard and the 52, 65, 78 and 104-week long-wait milestones on the right day', () => {
    const start = '2024-01-01';
    const afterDays = (days: number) => new Date(Date.UTC(2024, 0, 1) + days * 86_400_000);
    for (const weeks of [18, 52, 65, 78, 104]) {
      expect(weeksWaiting(start, afterDays(weeks * 7 - 1))).toBe(weeks - 1);
      expect(weeksWaiting(start, afterDays(weeks * 7))).toBe(weeks);
    }
  });

  it('never goes below zero for a clock start in the future', () => {
    expect(weeksWaiting('2030-01-01', at('2025-01-01T00:00:00Z'))).toBe(0);
  });

  it('refuses a clock start that is not a calendar date', () => {
    expect(() => weeksWaiting('01/01/2025', at('2025-02-01T00:00:00Z'))).toThrow(/YYYY-MM-DD/);
  });
});

describe('calendar dates', () => {
  it('parses real YYYY-MM-DD dates as midnight UTC and refuses impossible ones', () => {
    expect(parseCalendarDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseCalendarDate('2025-02-29')).toBeUndefined();
    expect(parseCalendarDate('2025-13-01')).toBeUndefined();
    expect(parseCalendarDate('2025-1-1')).toBeUndefined();
    expect(parseCalendarDate('2025-01-01T00:00:00Z')).toBeUndefined();
    expect(toCalendarDate(at('2025-06-02T23:00:00Z'))).toBe('2025-06-02');
  });
});

describe('age bands', () => {
  const on = at('2026-03-10T12:00:00Z');

  it('turns a date of birth into the age shown in chat instead of the date', () => {
    expect(ageBand('2010-01-01', on)).toBe('0-17');
    expect(ageBand('2008-03-10', on)).toBe('18-29');
    expect(ageBand('1996-03-11', on)).toBe('18-29');
    expect(ageBand('1996-03-10', on)).toBe('30-39');
    expect(ageBand('1961-04-12', on)).toBe('60-69');
    expect(ageBand('1946-03-11', on)).toBe('70-79');
    expect(ageBand('1946-03-10', on)).toBe('80+');
  });

  it('counts a birthday only once it has arrived', () => {
    expect(ageInYears('2008-03-11', on)).toBe(17);
    expect(ageInYears('2008-03-10', on)).toBe(18);
    expect(ageInYears('2004-02-29', at('2026-02-28T00:00:00Z'))).toBe(21);
    expect(ageInYears('2004-02-29', at('2026-03-01T00:00:00Z'))).toBe(22);
  });
});
