// SCIM's self-description (RFC 7644 §4, RFC 7643 §5-§7): /ServiceProviderConfig, /ResourceTypes and
// /Schemas (each also by id). Public like any API's documentation: they say nothing of a tenant's
// data. What they announce is what the routes do: PATCH, filter (at most MAX_RESULTS a page),
// sort and ETags yes; bulk and password change through /Me no.
import { Router, type Request } from 'express';
import { MAX_RESULTS } from '../../../core/scim/list-query.ts';
import { COMMON_ATTRIBUTES, GROUP_SCHEMA, LIST_SCHEMA, SCHEMAS, USER_SCHEMA } from '../../../core/scim/schemas.ts';
import { ScimError } from '../../../core/scim/scim-error.ts';
import { attrJson } from '../../../core/scim/schema-types.ts';
import type { ScimDeps } from './admin-calls.ts';
import { sendScim } from './scim-http.ts';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

const baseOf = (deps: ScimDeps, req: Request) => `${deps.config.publicUrl}/t/${req.tenant!.id}/scim/v2`;
const list = (items: unknown[]) => ({ schemas: [LIST_SCHEMA], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items });

function serviceProviderConfig(base: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'SCIM bearer token', primary: true,
      description: 'A token of the tenant from `tessera scim-tokens create --tenant T --name N` (or POST /t/{tenant}/api/admin/scim-tokens), as Authorization: Bearer.',
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

function resourceTypes(base: string) {
  return [
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'User', name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` } },
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` } },
  ];
}

function schemas(base: string) {
  return SCHEMAS.map((s) => ({
    schemas: [SCHEMA_SCHEMA], id: s.id, name: s.name, description: s.description,
    // The common attributes (id, externalId, meta) are listed with each resource's own.
    attributes: [...COMMON_ATTRIBUTES.filter((a) => a.name !== 'id' && a.name !== 'meta'), ...s.attributes].map(attrJson),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` },
  }));
}

export function discoveryRoutes(deps: ScimDeps): Router {
  const router = Router({ mergeParams: true });
  router.get('/ServiceProviderConfig', (req, res) => sendScim(res, 200, serviceProviderConfig(baseOf(deps, req))));
  router.get('/ResourceTypes', (req, res) => sendScim(res, 200, list(resourceTypes(baseOf(deps, req)))));
  router.get('/ResourceTypes/:id', (req, res) => {
    const found = resourceTypes(baseOf(deps, req)).find((r) => r.id === req.params.id);
    if (!found) throw new ScimError(404, 'No such resource type.');
    sendScim(res, 200, found);
  });
  router.get('/Schemas', (req, res) => sendScim(res, 200, list(schemas(baseOf(deps, req)))));
  router.get('/Schemas/:id', (req, res) => {
    const found = schemas(baseOf(deps, req)).find((s) => s.id === req.params.id);
    if (!found) throw new ScimError(404, 'No such schema.');
    sendScim(res, 200, found);
  });
  return router;
}
