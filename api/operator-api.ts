/**
 * The operator API: an express Router (mounted at /api/v1) serving the route
 * groups in api/routes and their OpenAPI document. Each request carries an
 * API key that acts as its person for its organisation through the 'API'
 * channel; what it may then do is decided by the journey and capacity
 * clients, exactly as for the same person in chat. Request bodies are JSON,
 * except on a route that takes a raw body (the waiting-list CSV); every
 * answer is JSON; request bodies and stack traces are never logged or returned.
 */
import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { z } from 'zod';
import type { Db } from '../db/client';
import { withoutParameters } from '../db/errors';
import { describeFieldErrors, validateWith, type FieldError } from '../domain/field-errors';
import type { CapacityClient } from '../workflows/capacity-client';
import type { JourneyClient } from '../workflows/client';
import type { PatientRequests } from '../workflows/patient-requests';
import { authenticate } from './api-keys';
import { BODY_LIMIT, OPENAPI_PATH, buildOpenApiDocument, describeBytes, idempotencyKeyFrom } from './openapi';
import {
  fail,
  type AnyRoute,
  type ApiCaller,
  type ApiDeps,
  type ApiResult,
  type RawBodySpec,
  type RouteGroup,
} from './route';
import { ROUTE_GROUPS } from './routes';

export interface OperatorApiDeps {
  db: Db;
  journeys: JourneyClient;
  capacity: CapacityClient;
  /** Patient-initiated requests, when the server signs patients' links (PATIENT_LINK_SECRET); otherwise their routes answer 503. */
  patientRequests?: PatientRequests;
  now?: () => Date;
  /** Where a failure on our side is reported (one line, no request body); defaults to stderr. */
  log?: (line: string) => void;
}

export interface OperatorApiOptions {
  /** Defaults to every group in api/routes; tests and later features may pass their own list. */
  groups?: readonly RouteGroup[];
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;
const REALM = 'Bearer realm="mutual-aid"';

const send = (res: Response, result: ApiResult): void => {
  if (result.headers) res.set(result.headers);
  res.status(result.status).json(result.body);
};

const invalid = (errors: FieldError[]) => fail(422, 'INPUT.INVALID', describeFieldErrors(errors), errors);

/** `/cases/{caseRef}` → `/cases/:caseRef`. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Literal segments before parameters, so `/cases/upload` is never taken for a
 * case called "upload": routes are ordered by which of their segments are
 * parameters (a total order, compared segment by segment), otherwise as listed.
 */
function routeOrder(a: AnyRoute, b: AnyRoute): number {
  const shape = (route: AnyRoute) => route.path.split('/').map((segment) => (segment.startsWith('{') ? 1 : 0));
  const left = shape(a);
  const right = shape(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) return left[i]! - right[i]!;
  }
  return left.length - right.length;
}

function callerOf(res: Response): ApiCaller {
  return res.locals.caller as ApiCaller;
}

function authenticateRequests(db: Db, now: () => Date): RequestHandler {
  return async (req, res, next) => {
    const presented = BEARER.exec(req.get('authorization') ?? '')?.[1];
    if (!presented) {
      res.set('WWW-Authenticate', REALM);
      return send(res, fail(401, 'AUTH.REQUIRED', 'Send your API key as the header `Authorization: Bearer <key>`.'));
    }
    const key = await authenticate(db, presented, now());
    if (!key) {
      res.set('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      return send(res, fail(401, 'AUTH.INVALID_KEY', 'That API key is not valid: it is unknown, revoked or mistyped.'));
    }
    if (key.roles.length === 0) {
      return send(
        res,
        fail(
          403,
          'ACTOR.NOT_AUTHORISED',
          `The person this key acts as no longer holds a role at ${key.organisationOds}: ask for a key for someone who does.`,
        ),
      );
    }
    const caller: ApiCaller = {
      keyId: key.keyId,
      keyPrefix: key.keyPrefix,
      keyLabel: key.label,
      organisationId: key.organisationId,
      organisationOds: key.organisationOds,
      personId: key.personId,
      roles: key.roles,
      actingAs: { personId: key.personId, organisationOds: key.organisationOds, channel: 'API' },
    };
    res.locals.caller = caller;
    next();
  };
}

const hasBody = (req: Request): boolean =>
  req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;

/** A body that is there but not JSON is refused, rather than read as no body at all. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  if (hasBody(req) && !req.is('application/json')) {
    return send(
      res,
      fail(415, 'INPUT.UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON, with Content-Type: application/json.'),
    );
  }
  next();
};

const readJsonBody = express.json({ limit: BODY_LIMIT });

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * A raw body (a CSV upload) as bytes: only its content type, in UTF-8 (no
 * charset parameter means UTF-8), and no more than its limit, which is
 * checked against Content-Length before anything is read.
 */
function rawBodyReader(spec: RawBodySpec): RequestHandler {
  const read = express.raw({ type: () => true, limit: spec.maxBytes });
  const unsupported = fail(
    415,
    'INPUT.UNSUPPORTED_MEDIA_TYPE',
    `Send the body as UTF-8 ${spec.contentType}, with Content-Type: ${spec.contentType}.`,
  );
  return (req, res, next) => {
    const charset = CHARSET.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (!req.is(spec.contentType) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
      return send(res, unsupported);
    }
    read(req, res, (error?: unknown) => {
      const type = (error as { type?: unknown } | undefined)?.type;
      if (type === 'entity.too.large') {
        return send(
          res,
          fail(413, 'INPUT.TOO_LARGE', `The request body is larger than the ${describeBytes(spec.maxBytes)} limit.`),
        );
      }
      if (type === 'encoding.unsupported') return send(res, unsupported);
      next(error);
    });
  };
}

/** How a route's body is read: raw for an upload, JSON for everything else (a GET with a body included). */
const bodyReaders = (route: AnyRoute): RequestHandler[] =>
  route.rawBody ? [rawBodyReader(route.rawBody)] : [requireJsonBody, readJsonBody];

function serve(route: AnyRoute, deps: ApiDeps): RequestHandler {
  const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown) =>
    schema ? validateWith(schema, value) : { ok: true as const, value: undefined as T };
  return async (req, res) => {
    const params = parse(route.params, req.params);
    if (!params.ok) return send(res, fail(404, 'NOT_FOUND', `${params.errors[0]!.message}.`));
    const query = parse(route.query, req.query);
    if (!query.ok) return send(res, invalid(query.errors));
    const idempotencyHeader = route.idempotent ? req.get('idempotency-key') : undefined;
    const idempotencyKey = idempotencyHeader === undefined ? undefined : idempotencyKeyFrom(idempotencyHeader);
    if (idempotencyHeader !== undefined && idempotencyKey === undefined) {
      return send(res, invalid([{ field: 'Idempotency-Key', message: 'Use up to 100 letters, digits and . _ : -' }]));
    }
    // A POST with no body at all is read as {}, so each missing field is named.
    const body = parse(route.body?.schema, (req.body as unknown) ?? {});
    if (!body.ok) return send(res, invalid(body.errors));
    const caller = callerOf(res);
    const result = await route.handle({
      deps,
      caller,
      params: params.value,
      query: query.value,
      body: body.value,
      rawBody: route.rawBody ? (req.body as Buffer) : undefined,
      // Scoped to the key, so two integrations choosing the same key do not answer each other's requests.
      requestId: idempotencyKey && `api:${caller.keyId}:${idempotencyKey}`,
      baseUrl: req.baseUrl,
      now: deps.now(),
    });
    send(res, result);
  };
}

/** Body-parser's errors, which are the client's, as JSON; anything else is ours, reported by request id only. */
function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown } | undefined)?.type;
    if (type === 'entity.parse.failed') {
      return send(res, fail(400, 'INPUT.MALFORMED_JSON', 'The request body is not valid JSON.'));
    }
    if (type === 'entity.too.large') {
      return send(res, fail(413, 'INPUT.TOO_LARGE', `The request body is larger than the ${BODY_LIMIT} limit.`));
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return send(res, fail(415, 'INPUT.UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON.'));
    }
    const status = (err as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return send(res, fail(status, 'INPUT.BAD_REQUEST', 'The request could not be read.'));
    }
    const requestId = randomUUID();
    // The route pattern, not the URL, and the error without query parameters (which could carry patient details).
    const safe = withoutParameters(err);
    const what = safe instanceof Error ? `${safe.name}: ${safe.message}`.slice(0, 300) : typeof safe;
    log(
      `operator API: ${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? ''} failed (${requestId}): ${what}`,
    );
    res.status(500).json({
      code: 'INTERNAL',
      message:
        'Something went wrong on our side. Check the state before retrying, and quote the requestId when reporting it.',
      requestId,
    });
  };
}

/** The router to mount at /api/v1. */
export function createOperatorApi(deps: OperatorApiDeps, options: OperatorApiOptions = {}): Router {
  const groups = options.groups ?? ROUTE_GROUPS;
  const now = deps.now ?? (() => new Date());
  const apiDeps: ApiDeps = {
    db: deps.db,
    journeys: deps.journeys,
    capacity: deps.capacity,
    patientRequests: deps.patientRequests,
    now,
  };
  // Built once, at start: a schema the document cannot describe fails start-up, not a request.
  const document = buildOpenApiDocument(groups);
  const router = express.Router();
  router.use((_req, res, next) => {
    // Answers are about patients' care: no cache keeps them.
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  router.use(authenticateRequests(deps.db, now));
  const routes = groups.flatMap((group) => group.routes).sort(routeOrder);
  for (const route of routes) {
    router[route.method](expressPath(route.path), ...bodyReaders(route), serve(route, apiDeps));
  }
  router.use((req, res) => {
    send(res, fail(404, 'NOT_FOUND', `There is no ${req.method} ${req.baseUrl}${req.path} in this API.`));
  });
  router.use(errorHandler(deps.log ?? ((line) => console.error(line))));
  return router;
}
