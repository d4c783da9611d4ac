/** Reporting weeks: Monday to Sunday in England, whichever side of a clock change. */
import { describe, expect, it } from 'vitest';
import { previousReportingWeek, weekStartingOf, zonedMidnight } from '../../domain/funnel';

describe('reporting weeks', () => {
  it('start on the Monday in England, even when it is still Sunday in UTC', () => {
    expect(weekStartingOf(new Date('2025-06-04T10:00:00Z'))).toBe('2025-06-02');
    // 00:30 on Monday 2 June in London is 23:30 on Sunday in UTC.
    expect(weekStartingOf(new Date('2025-06-01T23:30:00Z'))).toBe('2025-06-02');
    expect(weekStartingOf(new Date('2025-06-01T22:59:59Z'))).toBe('2025-05-26');
    expect(weekStartingOf(new Date('2025-01-05T23:30:00Z'))).toBe('2024-12-30');
  });

  it('begin at midnight in England: 23:00 UTC in summer, 00:00 UTC in winter', () => {
    expect(zonedMidnight('2025-06-02').toISOString()).toBe('2025-06-01T23:00:00.000Z');
    expect(zonedMidnight('2025-01-06').toISOString()).toBe('2025-01-06T00:00:00.000Z');
  });

  it('give the last complete week before an instant, across the change to summer time', () => {
    // Clocks went forward on Sunday 30 March 2025: that week had 167 hours.
    const week = previousReportingWeek(new Date('2025-04-01T09:00:00Z'));
    expect(week).toEqual({
      weekStarting: '2025-03-24',
      from: new Date('2025-03-24T00:00:00Z'),
      to: new Date('2025-03-30T23:00:00Z'),
    });
    expect((week.to.getTime() - week.from.getTime()) / 3_600_000).toBe(167);
  });
});
