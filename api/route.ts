/**
 * One route of the operator API, described once: its method and path, the
 * zod schemas its parameters, query and body must satisfy, the responses it
 * gives, and the handler. The router serves these descriptions and the
 * OpenAPI document is written from them, so every route served is
 * documented. Route groups (cases, offers, capacity, …) are lists of them.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Db } from '../db/client';
import type { Role } from '../domain/codes';
import type { FieldError } from '../domain/field-errors';
import type { CapacityClient } from '../workflows/capacity-client';
import type { ActingAs, JourneyClient } from '../workflows/client';
import type { PatientRequests } from '../workflows/patient-requests';
import { statusForRefusal } from './refusals';

/** What the handlers work with. */
export interface ApiDeps {
  db: Db;
  journeys: JourneyClient;
  capacity: CapacityClient;
  /** Patient-initiated requests: absent when the server has no PATIENT_LINK_SECRET to sign patients' links with. */
  patientRequests?: PatientRequests;
  now: () => Date;
}

/** Who is calling: the key's person, acting for the key's organisation through the API. */
export interface ApiCaller {
  keyId: string;
  keyPrefix: string;
  keyLabel: string;
  organisationId: string;
  organisationOds: string;
  personId: string;
  roles: Role[];
  actingAs: ActingAs;
}

export interface ApiRequest<P, Q, B> {
  deps: ApiDeps;
  caller: ApiCaller;
  params: P;
  query: Q;
  body: B;
  /** The body's bytes as sent, for a route that takes a raw body (`rawBody`); undefined for any other. */
  rawBody?: Buffer;
  /** From the Idempotency-Key header, scoped to the key, for routes that take one. */
  requestId?: string;
  /** Where the API is mounted (`/api/v1`), for Location headers. */
  baseUrl: string;
  now: Date;
}

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  /** The body's shape; every error response has the Error shape. */
  schema?: z.ZodType;
  /** Headers the answer may carry, by name: what each means (their values are strings). */
  headers?: Record<string, string>;
}

export type HttpMethod = 'get' | 'post';

/**
 * A body that is not JSON (a CSV upload), handed to the handler as bytes. It
 * must come with this content type, in UTF-8 (another is a 415), and be at
 * most `maxBytes` long (a 413, answered before it is read).
 */
export interface RawBodySpec {
  contentType: 'text/csv';
  maxBytes: number;
  /** What the body holds, for the OpenAPI document. */
  description: string;
}

export interface ApiRoute<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod;
  /** OpenAPI style, relative to /api/v1: `/cases/{caseRef}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Path parameters; a value that does not fit is a 404 (nothing can be there). */
  params?: z.ZodType<P>;
  /** Query parameters; a value that does not fit is a 422 naming it. */
  query?: z.ZodType<Q>;
  /**
   * The JSON body; a body that does not fit is a 422 naming each field.
   * `documented` is shown in its place when the full check happens deeper
   * (the journey and capacity clients validate listings and postings).
   */
  body?: { schema: z.ZodType<B>; documented?: z.ZodType };
  /** Instead of a JSON body, a raw one (`ApiRequest.rawBody`). */
  rawBody?: RawBodySpec;
  /** Accepts an Idempotency-Key header: the same key and request is answered once. */
  idempotent?: boolean;
  /** The success responses and the refusals particular to this route. */
  responses: Record<number, ResponseSpec>;
  handle(request: ApiRequest<P, Q, B>): Promise<ApiResult>;
}

/** A route with its types checked where it was defined. */
export type AnyRoute = ApiRoute<unknown, unknown, unknown>;

/** A tag of the OpenAPI document and its routes. */
export interface RouteGroup {
  tag: string;
  description: string;
  routes: AnyRoute[];
}

/** Checks a route's handler against its own schemas, then forgets their types so routes can share a list. */
export function defineRoute<P, Q, B>(route: ApiRoute<P, Q, B>): AnyRoute {
  return route;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): ApiResult => ({
  status,
  body,
  headers,
});

export const fail = (status: number, code: string, message: string, errors?: FieldError[]): ApiResult => ({
  status,
  body: errors ? { code, message, errors } : { code, message },
});

/** A refusal from the journey or capacity client, with the HTTP status its code means. */
export const refusal = (decision: { code: string; message: string; errors?: FieldError[] }): ApiResult =>
  fail(statusForRefusal(decision.code), decision.code, decision.message, decision.errors);

/** A page of a list: the items and, when there may be more, the cursor that fetches the next page. */
export function page<T>(rows: T[], limit: number, cursorOf: (last: T) => string) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/** A stable UUID named by a request id: the same request sent again names the same offer or posting. */
export function uuidFrom(requestId: string): string {
  const hex = createHash('sha256').update(requestId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Standard answers shared by the route groups. */
export const RESPONSES = {
  forbidden: { description: 'Your key’s person may not do this for its organisation.' },
  notFound: { description: 'No such thing that your organisation can see.' },
  conflict: { description: 'Not possible in the current state (JOURNEY.WRONG_STATE and similar).' },
  invalid: { description: 'Invalid input: `errors` names each field.' },
} satisfies Record<string, ResponseSpec>;
