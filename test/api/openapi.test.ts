import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, type OpenApiDocument } from '../../api/openapi';
import { createOperatorApi, type OperatorApiDeps } from '../../api/operator-api';
import { defineRoute, ok, type RouteGroup } from '../../api/route';
import { ROUTE_GROUPS } from '../../api/routes';
import { named } from '../../api/schemas';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The router's handlers never run here: building it and walking its routes needs no database or Temporal. */
const noDeps = {} as OperatorApiDeps;

/** Every `METHOD /path` the router serves, in OpenAPI's path style. */
function servedRoutes(groups?: readonly RouteGroup[]): string[] {
  const router = createOperatorApi(noDeps, groups ? { groups } : {});
  const stack = (router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] })
    .stack;
  return stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          (method) => `${method.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        )
      : [],
  );
}

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

/**
 * An error answer's schema: the Error shape, or shapes that all carry its
 * `code` and `message` (the waiting-list upload answers refusals with its
 * report beside them).
 */
function isErrorShaped(schema: Json | undefined, components: Record<string, Json>): boolean {
  if (!schema) return false;
  if (schema.$ref === '#/components/schemas/Error') return true;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).every((inner) => isErrorShaped(inner, components));
  const ref = typeof schema.$ref === 'string' ? components[schema.$ref.slice('#/components/schemas/'.length)] : schema;
  const required = (ref?.required as string[] | undefined) ?? [];
  const properties = (ref?.properties ?? {}) as Record<string, Json>;
  return (
    required.includes('code') &&
    required.includes('message') &&
    properties.code?.type === 'string' &&
    properties.message?.type === 'string'
  );
}

const operations = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument(ROUTE_GROUPS);

  it('is OpenAPI 3.1 JSON with the bearer security scheme', () => {
    const parsed = JSON.parse(JSON.stringify(document)) as Json;
    expect(parsed).toEqual(document);
    expect(parsed).toMatchObject({
      openapi: '3.1.0',
      info: { title: expect.any(String) as string, version: expect.any(String) as string },
      servers: [{ url: '/api/v1' }],
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('documents every route the router serves, and serves every route it documents', () => {
    const served = servedRoutes();
    const documented = documentedRoutes(document);
    expect(served.length).toBeGreaterThanOrEqual(13);
    expect([...served].sort()).toEqual([...documented].sort());
    expect(served).toEqual(
      expect.arrayContaining([
        'GET /cases',
        'POST /cases',
        'GET /cases/{caseRef}',
        'POST /cases/{caseRef}/withdraw',
        'POST /cases/{caseRef}/offers',
        'POST /cases/{caseRef}/offers/{offerId}/withdraw',
        'GET /offers',
        'GET /capacity',
        'POST /capacity',
        'POST /capacity/{postingId}/withdraw',
        'GET /waits',
        'GET /funnel',
        'POST /waiting-list',
        'POST /patient-requests',
        'GET /patient-requests',
        'GET /openapi.json',
      ]),
    );
  });

  it('resolves every $ref, and keeps no component nobody refers to', () => {
    const schemas = (document.components as { schemas: Json }).schemas;
    const refs = refsIn(document);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas, ref).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
    const referred = new Set(refs.map((ref) => ref.slice('#/components/schemas/'.length)));
    expect(Object.keys(schemas).filter((name) => !referred.has(name))).toEqual([]);
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('gives each operation a unique id, its tags, path parameters, request body and responses with error shapes', () => {
    const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
    const ids = new Set<string>();
    for (const { path, method, operation } of operations(document)) {
      const op = operation as Json & {
        operationId: string;
        parameters?: { name: string; in: string; required: boolean; schema: Json }[];
        requestBody?: { content: Record<string, { schema: Json }> };
        responses: Record<string, { description: string; content?: { 'application/json': { schema: Json } } }>;
        security?: unknown[];
      };
      const where = `${method.toUpperCase()} ${path}`;
      expect(ids.has(op.operationId), where).toBe(false);
      ids.add(op.operationId);
      expect(op.tags, where).toHaveLength(1);

      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(
        declared.map((p) => p.name),
        where,
      ).toEqual(templated);
      for (const parameter of declared) expect(parameter.required).toBe(true);
      for (const parameter of op.parameters ?? []) expect(parameter.schema, where).toBeTypeOf('object');

      if (method === 'post' && !path.endsWith('/withdraw')) {
        // JSON, or for an upload its own media type (a CSV as a string).
        const [mediaType, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
        expect(mediaType, where).toMatch(/^(application\/json|text\/csv)$/);
        expect(content?.schema, where).toBeDefined();
        if (mediaType === 'text/csv') expect(content?.schema).toEqual({ type: 'string' });
      }
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((status) => status.startsWith('2')),
        where,
      ).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${where} ${status}`).toMatch(/\w/);
        if (Number(status) >= 400) {
          const schema = response.content?.['application/json'].schema;
          expect(isErrorShaped(schema, schemas), `${where} ${status}: ${JSON.stringify(schema)}`).toBe(true);
        }
      }
      if (path === '/openapi.json') {
        expect(op.security).toEqual([]);
      } else {
        expect(statuses, where).toEqual(expect.arrayContaining(['401', '403', '500']));
      }
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413', '415', '422']));
    }
  });

  it('describes a listing without its origin and without a place to send back identifiers', () => {
    const schemas = (
      document.components as { schemas: Record<string, Json & { properties: Json; required: string[] }> }
    ).schemas;
    const listing = schemas.ListingRequest!;
    expect(listing.properties).not.toHaveProperty('originOds');
    expect(listing.required).toEqual(expect.arrayContaining(['nhsNumber', 'givenName', 'dateOfBirth', 'postcode']));
    for (const name of [
      'CaseSummary',
      'CaseDetail',
      'OfferListItem',
      'Posting',
      'Wait',
      'FunnelWeek',
      'WaitingListReport',
      'PatientInvited',
      'PatientRequest',
    ]) {
      const properties = Object.keys(schemas[name]!.properties);
      for (const identifier of [
        'nhsNumber',
        'givenName',
        'familyName',
        'dateOfBirth',
        'postcode',
        'localPatientId',
        'ppid',
      ]) {
        expect(properties, name).not.toContain(identifier);
      }
    }
  });

  it('describes an invitation without its origin, the travel answer or the judging clinician', () => {
    const schemas = (
      document.components as { schemas: Record<string, Json & { properties: Json; required: string[] }> }
    ).schemas;
    const invitation = schemas.InvitationRequest!;
    for (const absent of ['originOds', 'maxTravelMiles', 'appropriatenessJudgedBy']) {
      expect(invitation.properties).not.toHaveProperty(absent);
    }
    expect(invitation.properties).toHaveProperty('bookedTreatmentDate');
    expect(invitation.properties).toHaveProperty('tertiaryReferral');
    expect(invitation.required).toEqual(expect.arrayContaining(['nhsNumber', 'rttClockStart']));
    expect(invitation.required).not.toContain('tertiaryReferral');
  });

  it('describes the waiting-list upload as a UTF-8 CSV body with its own limit', () => {
    const upload = document.paths['/waiting-list']!.post as Json & {
      requestBody: { description: string; content: Json };
      responses: Record<string, { description: string }>;
    };
    expect(Object.keys(upload.requestBody.content)).toEqual(['text/csv']);
    expect(upload.requestBody.description).toMatch(/UTF-8, at most 20 MB/);
    expect(upload.responses['413']!.description).toMatch(/INPUT\.TOO_LARGE/);
    expect(upload.responses['415']!.description).toBe('The body is not text/csv in UTF-8.');
    expect(Object.keys(upload.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '413', '415', '422', '500', '503']),
    );
    const funnel = document.paths['/funnel']!.get as Json & { parameters: { name: string }[] };
    expect(funnel.parameters.map((parameter) => parameter.name)).toEqual(['specialty', 'from', 'to', 'route']);
  });

  it('takes extra route groups: served (literal paths before parameters) and documented', () => {
    const Upload = named('UploadAccepted', z.strictObject({ rows: z.number().int() }));
    const extra: RouteGroup = {
      tag: 'Uploads',
      description: 'A later feature.',
      routes: [
        defineRoute({
          method: 'get',
          path: '/cases/upload',
          operationId: 'uploadStatus',
          summary: 'An upload',
          responses: { 200: { description: 'Its state.', schema: Upload } },
          handle: () => Promise.resolve(ok({ rows: 0 })),
        }),
      ],
    };
    const groups = [...ROUTE_GROUPS, extra];
    const served = servedRoutes(groups);
    expect(served).toContain('GET /cases/upload');
    expect(served.indexOf('GET /cases/upload')).toBeLessThan(served.indexOf('GET /cases/{caseRef}'));
    const extended = buildOpenApiDocument(groups);
    expect(extended.paths['/cases/upload']?.get).toMatchObject({ operationId: 'uploadStatus', tags: ['Uploads'] });
    expect((extended.components as { schemas: Json }).schemas).toHaveProperty('UploadAccepted');
    expect(extended.tags).toEqual(expect.arrayContaining([{ name: 'Uploads', description: 'A later feature.' }]));
  });

  it('refuses a route defined twice', () => {
    const twice = { ...ROUTE_GROUPS[0]!, routes: [...ROUTE_GROUPS[0]!.routes, ROUTE_GROUPS[0]!.routes[0]!] };
    expect(() => buildOpenApiDocument([twice])).toThrow(/defined twice/);
  });
});

describe('a failure on our side', () => {
  it('answers 500 JSON with a request id, no stack trace, and logs one line without the body', async () => {
    const lines: string[] = [];
    const failing = {
      db: {
        select: () => {
          throw new Error('connection to the database was lost');
        },
      },
      log: (line: string) => lines.push(line),
    } as unknown as OperatorApiDeps;
    const app = express();
    app.use('/api/v1', createOperatorApi(failing));
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ma_abcdefgh_${'A'.repeat(43)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ nhsNumber: '9434765919' }),
      });
      expect(response.status).toBe(500);
      const body = (await response.json()) as Json;
      expect(body).toEqual({
        code: 'INTERNAL',
        message: expect.any(String) as string,
        requestId: expect.any(String) as string,
      });
      expect(JSON.stringify(body)).not.toMatch(/connection|\.ts:\d+/);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(body.requestId as string);
      expect(lines[0]).toContain('connection to the database was lost');
      expect(lines[0]).not.toContain('9434765919');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
