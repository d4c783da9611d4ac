/** Small zod building blocks with messages a coordinator can act on. */
import { z } from 'zod';
import { parseCalendarDate } from './rtt';
import { hasControlCharacter } from './text';

export const requiredText = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} must be at most ${max} characters` })
    .refine((text) => !hasControlCharacter(text), { error: `${label} must not contain control characters` });

/** A number as people write one: digits, perhaps a decimal point, perhaps a leading minus. */
export const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A number, or a number written in decimals ("29.4", " 2 "), as forms and
 * files send them. Not what `z.coerce.number` would also take: `true` (1),
 * `[30]`, `"0x1E"`, `"1e1"`, `"+30"` (a spreadsheet formula's start).
 */
export const decimalNumber = (label: string) =>
  z.union([z.number(), z.string().trim().regex(DECIMAL).transform(Number)], { error: `${label} must be a number` });

export const calendarDate = (label: string) =>
  z
    .string({ error: `${label} is required, as YYYY-MM-DD` })
    // Aborts: the checks chained after this one (not in the future, age limits) need a real date.
    .refine((value) => parseCalendarDate(value) !== undefined, {
      error: `${label} must be a real date, as YYYY-MM-DD`,
      abort: true,
    });

export const odsCode = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{3,6}$/, { error: `${label} must be an ODS code of 3 to 6 letters and digits` });

export const oneOf = <const T extends readonly [string, ...string[]]>(label: string, values: T) =>
  z.enum(values, { error: `${label} must be one of ${values.join(', ')}` });
