// The OpenAPI 3.1 document of the management API, generated from the operations' zod schemas on
// every start (never written by hand): each operation once, under `/t/{tenant}/api/admin` or
// `/api/admin`, with its parameters, body, answer and the error answers every route can give;
// also the codec server's routes (codec-server.ts, from its schema) and this document's own.
import { z } from 'zod';
import { CODEC_MOUNT, CODEC_ROUTES, CodecPayloads } from './codec-server.ts';
import type { Operation } from './operation.ts';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ErrorBody: Json = {
  type: 'object', required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

const ERRORS: Record<string, string> = {
  400: 'Invalid input: the message names the field. Nothing changed.',
  401: 'No valid admin token or admin access token.',
  403: 'The caller\'s role does not allow this.',
  404: 'No such resource, or a tenant the caller has no role in.',
  409: 'The change conflicts with the current state (a name taken, a state that forbids it): the code says which.',
  412: 'If-Match names a version that is no longer current.',
  415: 'The body is not JSON.',
};

const errorAnswer = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

// Any route may meet a dependency that is down for now (core/infra/unavailable.ts): Temporal or
// the database unreachable, or no worker serving within JOURNEY_ANSWER_TIMEOUT.
const unavailableAnswer: Json = {
  ...errorAnswer('A dependency (Temporal, a worker, the database) is down for now; retry after Retry-After seconds.'),
  headers: { 'Retry-After': { schema: { type: 'string', pattern: '^[0-9]+$' }, description: 'Seconds to wait before retrying.' } },
};

function parametersOf(op: Operation): Json[] {
  const out: Json[] = [];
  if (op.scope === 'tenant') out.push({ name: 'tenant', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } });
  for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name, in: where, required: where === 'path' || (object.required ?? []).includes(name) && !('default' in property),
        schema: rest, ...(description ? { description } : {}),
      });
    }
  }
  // As execute.ts checks it: on every change of a resource with an ETag (a POST too, e.g. trees.import).
  if (op.method !== 'GET' && op.etagOf) {
    out.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag read before changing: 412 when the resource changed since.' });
  }
  return out;
}

function operationObject(op: Operation): Json {
  const status = String(op.status ?? 200);
  const success: Json = status === '204'
    ? { description: 'Done.' }
    : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(op.response, 'output') } } };
  if (op.etagOf && status !== '204') success.headers = { ETag: { schema: { type: 'string' }, description: 'Send as If-Match with a change.' } };
  const errors = Object.fromEntries(Object.entries(ERRORS)
    .filter(([code]) => code !== '412' || (op.etagOf && op.method !== 'GET'))
    .filter(([code]) => code !== '409' || op.method !== 'GET')
    .filter(([code]) => code !== '415' || op.body)
    .map(([code, description]) => [code, errorAnswer(description)]));
  return {
    operationId: op.id, tags: [op.tag], summary: op.summary, ...(op.description ? { description: op.description } : {}),
    parameters: parametersOf(op),
    ...(op.body ? { requestBody: { required: !op.optionalBody, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses: { [status]: success, ...errors, 503: unavailableAnswer },
  };
}

function codecPaths(): Record<string, Json> {
  const payloads = { content: { 'application/json': { schema: jsonSchema(CodecPayloads, 'input') } } };
  return Object.fromEntries(CODEC_ROUTES.map(({ kind, summary }) => [`${CODEC_MOUNT}/${kind}`, {
    post: {
      operationId: `codec.${kind}`, tags: ['codec'], summary: `${summary}; super-admin only`,
      requestBody: { required: true, ...payloads },
      responses: {
        200: { description: 'The payloads, in order.', ...payloads },
        400: errorAnswer(ERRORS[400]!), 401: errorAnswer(ERRORS[401]!), 403: errorAnswer('Only a super-admin may use the codec server.'),
        503: unavailableAnswer,
      },
    },
  }]));
}

const selfPath: Json = {
  get: {
    operationId: 'openapi.get', tags: ['openapi'], summary: 'This document', security: [],
    responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
  },
};

export const fullPath = (op: Operation) => (op.scope === 'tenant' ? `/t/{tenant}/api/admin${op.path}` : `/api/admin${op.path}`);

export function openApiDocument(operations: Operation[], serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) (paths[fullPath(op)] ??= {})[op.method.toLowerCase()] = operationObject(op);
  Object.assign(paths, codecPaths(), { '/api/admin/openapi.json': selfPath });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera management API', version: '1',
      description: 'Everything an admin does. Lists answer { items, next }; pass `next` as `cursor` for the following page. '
        + 'Authenticate with an admin token (`tessera admin-tokens create`) or an access token of a first-party client issued for the resource `{PUBLIC_URL}/api/admin`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ErrorBody },
    },
  };
}
