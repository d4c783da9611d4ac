/**
 * Referral-to-treatment waiting time. Weeks waiting is always derived from the
 * clock start, which survives a transfer unchanged; it is never stored.
 */
const DAY_MS = 86_400_000;

/** The national long-wait milestones, in weeks. */
export const LONG_WAIT_MILESTONES = [52, 65, 78, 104] as const;

/** Parses a `YYYY-MM-DD` calendar date as midnight UTC. */
export function parseCalendarDate(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

export function toCalendarDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole weeks between the RTT clock start and `now`. */
export function weeksWaiting(clockStart: string, now: Date): number {
  const start = parseCalendarDate(clockStart);
  if (!start) throw new Error('RTT clock start must be a YYYY-MM-DD date');
  return Math.max(0, Math.floor((now.getTime() - start.getTime()) / (7 * DAY_MS)));
}

export function ageInYears(dateOfBirth: string, on: Date): number {
  const dob = parseCalendarDate(dateOfBirth);
  if (!dob) throw new Error('Date of birth must be a YYYY-MM-DD date');
  let age = on.getUTCFullYear() - dob.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() < dob.getUTCMonth() ||
    (on.getUTCMonth() === dob.getUTCMonth() && on.getUTCDate() < dob.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

/** The age band shown in chat instead of a date of birth. */
export function ageBand(dateOfBirth: string, on: Date): string {
  const age = ageInYears(dateOfBirth, on);
  if (age < 18) return '0-17';
  if (age >= 80) return '80+';
  const lower = age < 30 ? 18 : Math.floor(age / 10) * 10;
  return `${lower}-${lower === 18 ? 29 : lower + 9}`;
}
