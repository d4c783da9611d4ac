/**
 * The OpenAPI 3.1 description of the operator API, written from the same
 * route descriptions and zod schemas the router serves and validates with
 * (zod's own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as
 * is). Named schemas become components; every operation lists its
 * parameters, body and responses, the shared error answers included.
 */
import { z } from 'zod';
import type { AnyRoute, RouteGroup } from './route';
import { ErrorSchema } from './schemas';

/** Served without a key, so that an integrator can read it before having one. */
export const OPENAPI_PATH = '/openapi.json';
export const API_BASE_PATH = '/api/v1';
export const BODY_LIMIT = '256kb';

/** A byte limit in words: `20 MB` for whole mebibytes, otherwise the bytes. */
export function describeBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb} MB` : `${new Intl.NumberFormat('en-GB').format(bytes)} bytes`;
}
/**
 * An Idempotency-Key header: up to 100 letters, digits and . _ : - as they are (Stripe's form), or quoted, as
 * the IETF draft's structured-field string.
 */
const IDEMPOTENCY_KEY_HEADER = /^(?:([A-Za-z0-9._:-]{1,100})|"([A-Za-z0-9._:-]{1,100})")$/;

/** The key an Idempotency-Key header holds (`abc` and `"abc"` are the same key); undefined when it holds none. */
export function idempotencyKeyFrom(header: string): string | undefined {
  const match = IDEMPOTENCY_KEY_HEADER.exec(header.trim());
  return match ? (match[1] ?? match[2]) : undefined;
}

type JsonObject = { [key: string]: unknown };
export type OpenApiDocument = JsonObject & { openapi: string; paths: Record<string, Record<string, JsonObject>> };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** zod puts named schemas under `$defs`; the document keeps them under `components.schemas`. */
function moveRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(moveRefs);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string'
        ? inner.replace('#/$defs/', '#/components/schemas/')
        : moveRefs(inner),
    ]),
  );
}

class SchemaWriter {
  readonly components: Record<string, unknown> = {};

  /** The JSON Schema of a request (`input`) or response (`output`), its named parts moved to components. */
  write(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonObject;
    // The dialect is declared once, for the whole document (jsonSchemaDialect).
    const { $defs, ...root } = json;
    delete root.$schema;
    for (const [id, definition] of Object.entries(($defs ?? {}) as JsonObject)) {
      const moved = moveRefs(definition);
      const existing = this.components[id];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(moved)) {
        throw new Error(`OpenAPI: schema ${id} is described two different ways (request and response?)`);
      }
      this.components[id] = moved;
    }
    return moveRefs(root) as JsonObject;
  }
}

/** Path or query parameters, one per property of the route's zod object. */
function parametersOf(writer: SchemaWriter, schema: z.ZodType, where: 'path' | 'query'): JsonObject[] {
  const json = writer.write(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonObject>).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

function operationOf(writer: SchemaWriter, route: AnyRoute, tag: string): JsonObject {
  const error = writer.write(ErrorSchema, 'output');
  const errorContent = { 'application/json': { schema: error } };
  const parameters = [
    ...(route.params ? parametersOf(writer, route.params, 'path') : []),
    ...(route.query ? parametersOf(writer, route.query, 'query') : []),
    ...(route.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Names this request: sent again with the same key, it is answered once. Up to 100 letters, digits and ' +
              '. _ : -, as they are or in double quotes (a structured-field string, as in the IETF draft).',
            schema: { type: 'string', pattern: IDEMPOTENCY_KEY_HEADER.source },
          },
        ]
      : []),
  ];
  const standard: Record<number, JsonObject> = {
    401: {
      description: 'No key, or not a valid one (unknown, revoked or mistyped).',
      headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
    },
    403: { description: 'The key’s person no longer holds a role at its organisation.' },
    500: { description: 'Something failed on our side; quote the requestId.' },
  };
  if (route.params) standard[404] = { description: 'No such thing that your organisation can see.' };
  if (route.body) {
    standard[400] = { description: 'The body is not valid JSON.' };
    standard[413] = { description: `The body is larger than ${BODY_LIMIT}.` };
    standard[415] = { description: 'The body is not application/json.' };
  }
  if (route.rawBody) {
    standard[400] = { description: 'The body could not be read.' };
    standard[413] = { description: `The body is larger than ${describeBytes(route.rawBody.maxBytes)}.` };
    standard[415] = { description: `The body is not ${route.rawBody.contentType} in UTF-8.` };
  }
  if (route.body || route.rawBody || route.query || route.idempotent) {
    standard[422] = { description: 'Invalid input: `errors` names each field.' };
  }
  const responses: Record<string, JsonObject> = {};
  const statuses = new Set([...Object.keys(route.responses), ...Object.keys(standard)].map(Number));
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const spec = route.responses[status];
    const base = standard[status] ?? {};
    const content = spec?.schema
      ? { 'application/json': { schema: writer.write(spec.schema, 'output') } }
      : status >= 400
        ? errorContent
        : undefined;
    const headers = spec?.headers
      ? Object.fromEntries(
          Object.entries(spec.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        )
      : undefined;
    responses[String(status)] = {
      ...base,
      description: spec?.description ?? base.description,
      ...(headers ? { headers } : {}),
      ...(content ? { content } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: writer.write(route.body.documented ?? route.body.schema, 'input') },
            },
          },
        }
      : {}),
    ...(route.rawBody
      ? {
          requestBody: {
            required: true,
            description: `${route.rawBody.description} UTF-8, at most ${describeBytes(route.rawBody.maxBytes)}.`,
            content: { [route.rawBody.contentType]: { schema: { type: 'string' } } },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(groups: readonly RouteGroup[]): OpenApiDocument {
  const writer = new SchemaWriter();
  const paths: Record<string, Record<string, JsonObject>> = {
    [OPENAPI_PATH]: {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        tags: ['Key'],
        security: [],
        responses: {
          200: {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  };
  for (const group of groups) {
    for (const route of group.routes) {
      const path = (paths[route.path] ??= {});
      if (path[route.method]) throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${route.path} is defined twice`);
      if (route.body && route.rawBody) {
        throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${route.path} takes a JSON body and a raw one`);
      }
      path[route.method] = operationOf(writer, route, group.tag);
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'mutual-aid operator API',
      version: '1.0.0',
      description:
        'JSON endpoints for trusts’ and providers’ own systems: cases, waiting-list uploads (CSV), ' +
        'patient-initiated requests, offers, capacity, waits and the funnel of journeys. ' +
        'Each request carries an API key (`Authorization: Bearer ma_…`) issued for one person at one organisation; ' +
        'the key may do what that person may do there. Errors are `{ code, message }`, with `errors` naming each ' +
        'field for invalid input (422). Responses never carry patient identifiers.',
    },
    servers: [{ url: API_BASE_PATH }],
    security: [{ bearerAuth: [] }],
    tags: [...groups.map((group) => ({ name: group.tag, description: group.description }))].filter(
      (tag, index, all) => all.findIndex((other) => other.name === tag.name) === index,
    ),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ma_<prefix>_<secret>',
          description: 'An API key from `npm run api-key -- create`.',
        },
      },
      schemas: writer.components,
    },
  };
}
