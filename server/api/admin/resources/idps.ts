// Upstream identity providers of a tenant (OIDC and SAML), by alias:
//   GET    /idps             by alias, `?kind=`
//   POST   /idps             a definition (core/federation/identity-providers.ts IdpDefinition) → 201
//   GET    /idps/{alias}     (ETag)
//   PATCH  /idps/{alias}     IdpPatch: partial; enable/disable is `{ "enabled": … }` (If-Match → 412 when stale)
//   DELETE /idps/{alias}     → 204; the account links to it go with it (the accounts stay)
// Rules: a client secret is accepted and never answered back (`clientSecretSet`), never in an audit
// event; an alias taken → 409 idp_exists; alias and kind never change; unknown alias → 404.
// Audit types are those the CLI recorded before the API: idp.added, idp.updated, idp.enabled,
// idp.disabled, idp.deleted.
import { z } from 'zod';
import {
  deleteIdp, getStoredIdp, IdpDefinition, IdpExistsError, IdpInputError, IdpPatch, listIdpsPage, saveIdp, updateIdp, type StoredIdp,
} from '../../../../core/federation/identity-providers.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;
const Kind = z.enum(['oidc', 'saml']);

const Provisioning = z.object({ jit: z.boolean(), onUnknown: z.enum(['refuse', 'register']), linkByEmail: z.boolean() });
const IdpSummary = z.object({
  alias: z.string(), kind: Kind, displayName: z.string(), enabled: z.boolean(), showOnLogin: z.boolean(),
  provisioning: Provisioning, createdAt: Timestamp, updatedAt: Timestamp,
});
const IdpJson = IdpSummary.extend({
  oidc: z.object({
    issuer: z.string(), clientId: z.string(), clientSecretSet: z.boolean().describe('The secret itself is never answered.'),
    scopes: z.array(z.string()), preset: z.enum(['google', 'microsoft', 'github']).optional(),
    authorizationEndpoint: z.string().optional(), tokenEndpoint: z.string().optional(), userinfoEndpoint: z.string().optional(),
  }).optional(),
  saml: z.object({
    metadata: z.string().describe("The upstream IdP's metadata XML."), signAuthnRequests: z.boolean(), wantAssertionsSigned: z.boolean(),
    nameIdFormat: z.enum(['email', 'persistent', 'transient', 'unspecified']), trustEmail: z.boolean(),
  }).optional(),
  claimRules: z.array(z.unknown()).describe('Claim rules (rename, add, remove), in order.'),
  groups: z.object({ claim: z.string(), map: z.record(z.string(), z.string()) }).optional(),
});
const AliasParams = z.object({ alias: z.string().min(1).max(200) });

/** The sanitized form: the client secret becomes `clientSecretSet`. */
export function idpJson(idp: StoredIdp) {
  const { clientSecret, ...oidc } = idp.oidc ?? ({} as NonNullable<StoredIdp['oidc']>);
  return {
    alias: idp.alias, kind: idp.kind, displayName: idp.displayName, enabled: idp.enabled, showOnLogin: idp.showOnLogin,
    provisioning: idp.provisioning, createdAt: idp.createdAt, updatedAt: idp.updatedAt,
    ...(idp.oidc ? { oidc: { ...oidc, clientSecretSet: Boolean(clientSecret) } } : {}),
    ...(idp.saml ? { saml: { ...idp.saml, trustEmail: idp.saml.trustEmail ?? false } } : {}),
    claimRules: idp.claimRules, ...(idp.groups ? { groups: idp.groups } : {}),
  };
}

/** @throws the HttpError for an IdpInputError; anything else unchanged. */
function idpHttpError(err: unknown): unknown {
  if (err instanceof IdpExistsError) return new HttpError(409, 'idp_exists', 'An identity provider with this alias already exists.');
  if (err instanceof IdpInputError) return new HttpError(400, 'invalid_request', err.message);
  return err;
}

/** What changed, for the audit event: field names only (a secret's value never). */
function changedFields(body: IdpPatch): string[] {
  return Object.entries(body).flatMap(([key, value]) => (value !== null && typeof value === 'object' && !Array.isArray(value) && ['oidc', 'saml', 'provisioning'].includes(key)
    ? Object.keys(value).map((k) => `${key}.${k}`)
    : [key]));
}

export const operations: Operation[] = [
  defineOperation({
    id: 'idps.list', method: 'GET', path: '/idps', scope: 'tenant', tag: 'idps', summary: 'Upstream identity providers, by alias',
    access: read, query: ListQuery.extend({ kind: Kind.optional() }), response: z.object({ items: z.array(IdpSummary), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, z.object({ alias: z.string() }));
      const rows = await listIdpsPage(db, tenant, { after: after?.alias, kind: query.kind, limit: query.limit + 1 });
      return page(rows, query.limit, (i) => ({ alias: i.alias }), idpJson);
    },
  }),
  defineOperation({
    id: 'idps.create', method: 'POST', path: '/idps', scope: 'tenant', tag: 'idps', summary: 'Add an upstream identity provider',
    description: 'OIDC (`kind: "oidc"`, `oidc: { issuer, clientId, clientSecret?, scopes, preset? }`) or SAML (`kind: "saml"`, `saml: { metadata, … }`). '
      + 'The client secret is stored and never answered (`clientSecretSet`). 409 `idp_exists` when the alias is taken.',
    access: write, body: IdpDefinition, response: IdpJson, status: 201,
    async run(ctx, { body }) {
      try {
        const idp = await saveIdp(ctx.db, ctx.tenant, body);
        ctx.note({ type: 'idp.added', subject: idp.alias, data: { alias: idp.alias, kind: idp.kind } });
        return idpJson(idp);
      } catch (err) {
        throw idpHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'idps.get', method: 'GET', path: '/idps/{alias}', scope: 'tenant', tag: 'idps', summary: 'One upstream identity provider',
    access: read, params: AliasParams, response: IdpJson, etagOf: 'idps.get',
    async run({ db, tenant }, { params }) {
      const idp = await getStoredIdp(db, tenant, params.alias);
      if (!idp) throw notFound('No such identity provider.');
      return idpJson(idp);
    },
  }),
  defineOperation({
    id: 'idps.update', method: 'PATCH', path: '/idps/{alias}', scope: 'tenant', tag: 'idps', summary: 'Change an upstream identity provider',
    description: 'Fields given replace the stored ones; `oidc`, `saml` and `provisioning` are merged key by key, so `{ "oidc": { "clientSecret": "…" } }` '
      + 'replaces the secret alone (`null` removes it) and `{ "enabled": false }` disables the IdP. `groups: null` removes the group mapping.',
    access: write, params: AliasParams, body: IdpPatch, response: IdpJson, etagOf: 'idps.get',
    async run(ctx, { params, body }) {
      let idp: StoredIdp | undefined;
      try {
        idp = await updateIdp(ctx.db, ctx.tenant, params.alias, body);
      } catch (err) {
        throw idpHttpError(err);
      }
      if (!idp) throw notFound('No such identity provider.');
      const fields = changedFields(body);
      const type = fields.length === 1 && fields[0] === 'enabled' ? (body.enabled ? 'idp.enabled' : 'idp.disabled') : 'idp.updated';
      ctx.note({ type, subject: idp.alias, data: { alias: idp.alias, kind: idp.kind, fields } });
      return idpJson(idp);
    },
  }),
  defineOperation({
    id: 'idps.delete', method: 'DELETE', path: '/idps/{alias}', scope: 'tenant', tag: 'idps',
    summary: 'Delete an upstream identity provider (and the account links to it)',
    access: write, params: AliasParams, response: z.void(), status: 204, etagOf: 'idps.get',
    async run(ctx, { params }) {
      if (!(await deleteIdp(ctx.db, ctx.tenant, params.alias))) throw notFound('No such identity provider.');
      ctx.note({ type: 'idp.deleted', subject: params.alias, data: { alias: params.alias } });
    },
  }),
];
