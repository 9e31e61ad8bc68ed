// OIDC clients (relying parties) of a tenant, `{id}` being the client_id:
//   GET    /clients                 `?q=` part of client_id or client_name; ordered by client_id
//   POST   /clients                 201; the secret of a confidential client is in this answer only
//   GET    /clients/{id}            never the secret
//   PATCH  /clients/{id}            any setting; `null` removes an optional one; If-Match
//   DELETE /clients/{id}            204; the client's tokens, codes and grants go with it
//   POST   /clients/{id}/secret     a new secret, shown once; the old one stops working at once
//   POST   /initial-access-tokens   201; an initial access token for dynamic client registration
//                                   (core/oidc/client-registration.ts), shown once, kept as sha256
// Rules: whatever the metadata validator (core/oidc/oidc-client-metadata.ts) refuses answers 400
// `invalid_client_metadata` with its message; a taken client_id 409 `client_exists`; client ids
// never start with `-`; a client that authenticates without a secret has none to rotate (409
// `no_client_secret`). A change is effective at once for this server's provider (the client
// cache follows clientsGeneration()). Audit events carry the client (`data.client`, what the audit log's
// `client` filter finds) and the names of the changed settings, never values.
import { z } from 'zod';
import {
  createOidcClient, deleteOidcClient, getOidcClient, listOidcClientsPage, OidcClientConflictError, OidcClientInputError,
  rotateClientSecret, sanitizedClient, updateOidcClient, AUTH_METHODS, ClientInput, TokenExchangeSettings, type OidcClient,
} from '../../../../core/oidc/oidc-clients.ts';
import { ClaimRules } from '../../../../core/oidc/claim-rules.ts';
import { createInitialAccessToken, InitialTokenOptions } from '../../../../core/oidc/client-registration.ts';
import { isDuration, parseDuration } from '../../../../core/infra/duration.ts';
import { getTenant } from '../../../../core/tenants/tenants.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { tenantHidden } from '../execute.ts';
import { defineOperation, type Operation, type OperationContext } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const input = ClientInput.shape;

export const ClientJson = z.object({
  client_id: z.string(),
  client_name: z.string().optional(),
  public: z.boolean().describe('token_endpoint_auth_method is none'),
  application_type: z.enum(['web', 'native']),
  token_endpoint_auth_method: z.enum(AUTH_METHODS),
  grant_types: z.array(z.string()),
  response_types: z.array(z.string()),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  scope: z.string().optional(),
  backchannel_logout_uri: z.string().optional(),
  backchannel_logout_session_required: z.boolean().optional(),
  frontchannel_logout_uri: z.string().optional(),
  logo_uri: z.string().optional(),
  client_uri: z.string().optional(),
  policy_uri: z.string().optional(),
  tos_uri: z.string().optional(),
  jwks_uri: z.string().optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  id_token_signed_response_alg: z.string().optional(),
  first_party: z.boolean(),
  claim_rules: ClaimRules.optional(),
  token_exchange: TokenExchangeSettings.optional(),
  permissions: z.array(z.string()).optional(),
  access_token_ttl: z.number().int().optional(),
  id_token_ttl: z.number().int().optional(),
  refresh_token_ttl: z.number().int().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const NewClientJson = ClientJson.extend({
  client_secret: z.string().optional().describe('Confidential clients only; shown in this answer and never again.'),
});

/** `null` removes the setting. */
const clearable = <T extends z.ZodType>(schema: z.ZodOptional<T>) =>
  schema.unwrap().nullable().optional().describe(`${schema.description ? `${schema.description} ` : ''}null removes it.`);

const UpdateBody = z.object({
  client_name: clearable(input.client_name),
  public: input.public,
  token_endpoint_auth_method: input.token_endpoint_auth_method,
  redirect_uris: input.redirect_uris,
  post_logout_redirect_uris: input.post_logout_redirect_uris,
  grant_types: input.grant_types.describe('Changing them re-derives response_types unless those are given too.'),
  response_types: clearable(input.response_types),
  scope: clearable(input.scope),
  backchannel_logout_uri: clearable(input.backchannel_logout_uri),
  frontchannel_logout_uri: clearable(input.frontchannel_logout_uri),
  logo_uri: clearable(input.logo_uri),
  client_uri: clearable(input.client_uri),
  policy_uri: clearable(input.policy_uri),
  tos_uri: clearable(input.tos_uri),
  jwks_uri: clearable(input.jwks_uri),
  jwks: clearable(input.jwks),
  id_token_signed_response_alg: clearable(input.id_token_signed_response_alg),
  first_party: input.first_party,
  claim_rules: clearable(input.claim_rules),
  token_exchange: clearable(input.token_exchange),
  permissions: clearable(input.permissions),
  access_token_ttl: clearable(input.access_token_ttl),
  id_token_ttl: clearable(input.id_token_ttl),
  refresh_token_ttl: clearable(input.refresh_token_ttl),
}).strict().describe('Settings to change; the others stay. A client made confidential gets its secret from POST /clients/{id}/secret.');

const ttlBounds = InitialTokenOptions.shape.ttlMs.unwrap();
const InitialTokenBody = z.object({
  ttl: z.string().refine(isDuration, 'must be a duration such as 30m, 24h or 7d')
    // zod runs every refinement even after one failed: the bounds check must not parse a non-duration.
    .refine((t) => !isDuration(t) || ttlBounds.safeParse(parseDuration(t)).success, 'must be between 1m and 365d').optional()
    .describe('How long the token stays valid; 24h when absent.'),
  uses: InitialTokenOptions.shape.uses.unwrap().optional().describe('How many registrations it allows; 1 when absent.'),
}).strict();

const ListClientsQuery = ListQuery.extend({
  q: z.string().trim().min(1).max(200).optional().describe('Part of the client_id or client_name (any case).'),
});
const Cursor = z.object({ id: z.string() });

export function clientJson(client: OidcClient) {
  return { ...sanitizedClient(client), public: client.metadata.token_endpoint_auth_method === 'none' } as z.input<typeof ClientJson>;
}

/** @throws HttpError 409 / 400 for the validator's refusals; anything else unchanged. */
function metadataError(err: unknown): unknown {
  if (err instanceof OidcClientConflictError) return new HttpError(409, 'client_exists', `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`);
  if (err instanceof OidcClientInputError) return new HttpError(400, 'invalid_client_metadata', err.message);
  return err;
}

async function existingTenant(ctx: OperationContext): Promise<void> {
  if (!(await getTenant(ctx.db, ctx.tenant))) throw tenantHidden(ctx.tenant);
}

const noSuchClient = () => notFound('No such client.');
const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

export const operations: Operation[] = [
  defineOperation({
    id: 'clients.list', method: 'GET', path: '/clients', scope: 'tenant', tag: 'clients', summary: 'OIDC clients, by client_id',
    access: read, query: ListClientsQuery, response: listOf(ClientJson),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor)?.id;
      const rows = await listOidcClientsPage(db, tenant, { q: query.q, after, limit: query.limit + 1 });
      return page(rows, query.limit, (c) => ({ id: c.clientId }), clientJson);
    },
  }),
  defineOperation({
    id: 'clients.create', method: 'POST', path: '/clients', scope: 'tenant', tag: 'clients',
    summary: 'Register an OIDC client (a confidential client\'s secret is shown once)', access: write,
    body: ClientInput, response: NewClientJson, status: 201,
    async run(ctx, { body }) {
      await existingTenant(ctx);
      try {
        const client = await createOidcClient(ctx.db, ctx.tenant, body);
        ctx.note({
          subject: client.clientId,
          data: { client: client.clientId, clientName: client.metadata.client_name ?? null, grantTypes: client.metadata.grant_types },
        });
        const secret = client.metadata.client_secret;
        return { ...clientJson(client), ...(secret ? { client_secret: secret } : {}) };
      } catch (err) {
        throw metadataError(err);
      }
    },
  }),
  defineOperation({
    id: 'clients.get', method: 'GET', path: '/clients/{id}', scope: 'tenant', tag: 'clients', summary: 'One OIDC client (without its secret)',
    access: read, params: IdParams, response: ClientJson, etagOf: 'clients.get',
    async run({ db, tenant }, { params }) {
      const client = await getOidcClient(db, tenant, params.id);
      if (!client) throw noSuchClient();
      return clientJson(client);
    },
  }),
  defineOperation({
    id: 'clients.update', method: 'PATCH', path: '/clients/{id}', scope: 'tenant', tag: 'clients',
    summary: 'Change an OIDC client\'s settings', access: write, params: IdParams, body: UpdateBody, response: ClientJson,
    etagOf: 'clients.get',
    async run(ctx, { params, body }) {
      try {
        const client = await updateOidcClient(ctx.db, ctx.tenant, params.id, body);
        if (!client) throw noSuchClient();
        ctx.note({ data: { client: params.id, changed: Object.keys(body).sort() } });
        return clientJson(client);
      } catch (err) {
        throw metadataError(err);
      }
    },
  }),
  defineOperation({
    id: 'clients.delete', method: 'DELETE', path: '/clients/{id}', scope: 'tenant', tag: 'clients',
    summary: 'Delete an OIDC client with its tokens and grants', access: write, params: IdParams, response: z.undefined(), status: 204,
    etagOf: 'clients.get',
    async run({ db, tenant, note }, { params }) {
      if (!(await deleteOidcClient(db, tenant, params.id))) throw noSuchClient();
      note({ data: { client: params.id } });
      return undefined;
    },
  }),
  defineOperation({
    id: 'clients.rotate-secret', method: 'POST', path: '/clients/{id}/secret', scope: 'tenant', tag: 'clients',
    summary: 'A new client secret, shown once; the old one stops working', access: write, params: IdParams,
    response: z.object({ client_id: z.string(), client_secret: z.string().describe('Shown in this answer and never again.'), updated_at: Timestamp }),
    async run({ db, tenant, note }, { params }) {
      const result = await rotateClientSecret(db, tenant, params.id);
      if (!result.ok && result.reason === 'unknown') throw noSuchClient();
      if (!result.ok) throw new HttpError(409, 'no_client_secret', 'This client does not authenticate with a secret.');
      note({ data: { client: params.id } });
      return { client_id: result.client.clientId, client_secret: result.secret, updated_at: result.client.updatedAt };
    },
  }),
  defineOperation({
    id: 'clients.initial-token', method: 'POST', path: '/initial-access-tokens', scope: 'tenant', tag: 'clients',
    summary: 'An initial access token for dynamic client registration (RFC 7591), shown once', access: write,
    body: InitialTokenBody, optionalBody: true, status: 201,
    response: z.object({
      initial_access_token: z.string().describe('Shown in this answer and never again.'), expires_at: Timestamp, uses: z.number().int(),
    }),
    async run(ctx, { body }) {
      await existingTenant(ctx);
      const made = await createInitialAccessToken(ctx.db, ctx.tenant, {
        ...(body.ttl ? { ttlMs: parseDuration(body.ttl) } : {}), ...(body.uses ? { uses: body.uses } : {}),
      });
      ctx.note({ data: { expiresAt: made.expiresAt.toISOString(), uses: made.uses } });
      return { initial_access_token: made.token, expires_at: made.expiresAt, uses: made.uses };
    },
  }),
];
