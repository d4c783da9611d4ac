/**
 * Field-level validation results: what every entry point (chat form, CSV row,
 * API body) shows a person. Messages never repeat the value they reject, so
 * they are safe to log even when the value is an NHS number.
 */
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function validateWith<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(input)',
      message: issue.message,
    })),
  };
}

/** One line a person can read: `bmi: BMI must be between 10 and 80; asa: ...`. */
export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((error) => `${error.field}: ${error.message}`).join('; ');
}

/** Thrown where a caller cannot return a Validated value. */
export class ValidationError extends Error {
  readonly code = 'INPUT.INVALID';
  constructor(readonly errors: FieldError[]) {
    super(describeFieldErrors(errors));
    this.name = 'ValidationError';
  }
}
