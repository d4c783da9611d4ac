/**
 * Database errors without their parameters. drizzle's query errors quote every
 * bound value (an NHS number, a name) in their message; these leave only the
 * PostgreSQL error code and constraint, safe for logs and Temporal histories.
 */
import { DrizzleQueryError } from 'drizzle-orm/errors';

export class DatabaseError extends Error {
  constructor(
    readonly code: string | undefined,
    readonly constraint: string | undefined,
    readonly detailFree: string,
  ) {
    super(detailFree);
    this.name = 'DatabaseError';
  }
}

interface PgErrorFields {
  code?: string;
  constraint?: string;
  message: string;
}

/** Returns `error` itself unless it could carry query parameters, in which case a safe copy. */
export function withoutParameters(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error;
  const cause = error.cause as PgErrorFields | undefined;
  const where = cause?.constraint ? ` (constraint ${cause.constraint})` : '';
  return new DatabaseError(
    cause?.code,
    cause?.constraint,
    `Database query failed: PostgreSQL error ${cause?.code ?? 'unknown'}${where}`,
  );
}

/** True when `error` is a unique violation of `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const safe = withoutParameters(error);
  return safe instanceof DatabaseError && safe.code === '23505' && safe.constraint === constraint;
}
