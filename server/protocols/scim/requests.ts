// Small pieces every SCIM route needs: the caller (deps, tenant, the SCIM token's principal), the
// base URI of the tenant's SCIM endpoint, the `schemas` check of a resource body, and a
// SearchRequest body read as list parameters.
import type { Request, Response } from 'express';
import { SEARCH_SCHEMA } from '../../../core/scim/schemas.ts';
import { invalidSyntax, invalidValue } from '../../../core/scim/scim-error.ts';
import { keyOf } from '../../../core/scim/schema-types.ts';
import type { AdminPrincipal } from '../../api/admin/principal.ts';
import type { ScimCaller, ScimDeps } from './admin-calls.ts';

export function scimCaller(deps: ScimDeps, req: Request, res: Response): ScimCaller {
  return { deps, tenant: req.tenant!.id, principal: res.locals.principal as AdminPrincipal };
}

export const scimBase = (caller: ScimCaller) => `${caller.deps.config.publicUrl}/t/${caller.tenant}/scim/v2`;

const listsSchema = (body: Record<string, unknown>, schema: string) => {
  const schemas = body[keyOf(body, 'schemas') ?? 'schemas'];
  return Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === schema.toLowerCase());
};

/** @throws ScimError 400 invalidSyntax unless `schemas` lists `schema`. */
export function requireSchema(body: Record<string, unknown>, schema: string): void {
  if (!listsSchema(body, schema)) throw invalidSyntax(`schemas must list ${schema}`);
}

/** A SearchRequest (RFC 7644 §3.4.3) as list parameters; its attribute lists may be arrays. */
export function searchInput(body: Record<string, unknown>): Record<string, unknown> {
  requireSchema(body, SEARCH_SCHEMA);
  const get = (name: string) => body[keyOf(body, name) ?? name];
  const joined = (name: string) => {
    const value = get(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidValue(`${name} must be a list of attribute names`);
    return value.join(',');
  };
  return {
    filter: get('filter'), sortBy: get('sortBy'), sortOrder: get('sortOrder'), startIndex: get('startIndex'), count: get('count'),
    attributes: joined('attributes'), excludedAttributes: joined('excludedAttributes'),
  };
}
