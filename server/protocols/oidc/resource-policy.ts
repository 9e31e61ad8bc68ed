// Resource indicators (RFC 8707): which `resource` a client may ask a token for, and what that
// token looks like. Policy:
// - Accepted resources: an https URL (http only on localhost/127.0.0.1, for development), the
//   tenant's issuer, or the client_id of a client registered in the tenant (when that id is an
//   absolute URI, e.g. api://orders: a resource indicator must be one). Anything else: invalid_target.
// - A token for a resource is a JWT (typ at+jwt) signed ES256, aud = the resource, 15 minutes,
//   carrying at most the scopes registered for the client (its `scope`), or the standard scopes
//   when it has none registered. There are no custom API scopes: what a token may do at an API is
//   said by the client's `permissions` (VERB::path-regex), which the access token carries.
// - Client credentials without a resource get the tenant's issuer as their resource (aud = the
//   issuer): a tenant-wide token, which APIs that accept it restrict further by permissions.
//   Other grants without a resource keep oidc-provider's behaviour (an opaque token for userinfo).
// - Several resources (RFC 8707 §2): an authorization request may name several; the grant (and its
//   consent) covers each. The token endpoint issues a token for one audience at a time: the client
//   names one of the granted resources per request (the code exchange for one, refresh token
//   requests for the others). Several at once, or none when the grant covers several and there is
//   no openid scope for a userinfo token, is invalid_target with a description saying so.
// - oidc-provider rotates a refresh token before it resolves the resource, so a refused resource
//   would burn the token (and the client's retry with it would count as a replay and revoke the
//   grant): the resource of a refresh request is checked first (checkRefreshResource, called from
//   the provider's rotateRefreshToken, which runs after reuse detection and before rotation).
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../../../core/infra/db.ts';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

export const ACCESS_TOKEN_TTL = 15 * 60;
const STANDARD_SCOPES = 'openid profile email address phone offline_access';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function isWebResource(resource: string): boolean {
  const url = URL.parse(resource);
  if (!url || url.hash || resource.includes('#')) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

export function resourceIndicators(db: Db, tenant: string, issuer: string): ResourceIndicators {
  return {
    enabled: true,
    async defaultResource(ctx, _client, oneOf) {
      if (Array.isArray(oneOf) && oneOf.length > 1) {
        throw new errors.InvalidTarget(Array.isArray(ctx.oidc.params?.resource)
          ? 'an access token is for one resource at a time: send one resource parameter per token request'
          : 'the grant covers several resources: name the one this token is for with the resource parameter');
      }
      if (oneOf) return Array.isArray(oneOf) ? oneOf[0] : oneOf;
      if (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials') return issuer;
      return undefined as unknown as string;
    },
    async useGrantedResource() {
      return false;
    },
    async getResourceServerInfo(_ctx, resource, client) {
      let allowed = resource === issuer || isWebResource(resource);
      if (!allowed && resource.length <= 200) {
        const [row] = await db`SELECT 1 FROM oidc_clients WHERE tenant_id = ${tenant} AND client_id = ${resource}`;
        allowed = !!row;
      }
      if (!allowed) throw new errors.InvalidTarget('the resource is neither an https URL nor a registered client');
      return {
        scope: client.scope ?? STANDARD_SCOPES,
        audience: resource,
        accessTokenTTL: ACCESS_TOKEN_TTL,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
  };
}

/** @throws errors.InvalidTarget when a refresh request's resource could not be served (see the header). */
export function checkRefreshResource(ctx: KoaContextWithOIDC): void {
  const token = ctx.oidc.entities.RefreshToken as unknown as { resource?: string | string[]; resourceIndicators: Set<string>; scopes: Set<string> } | undefined;
  if (!token) return;
  const asked = ctx.oidc.params?.resource as string | string[] | undefined;
  if (Array.isArray(asked) && asked.length > 1) {
    throw new errors.InvalidTarget('an access token is for one resource at a time: send one resource parameter per token request');
  }
  const one = Array.isArray(asked) ? asked[0] : asked;
  if (one) {
    if (!token.resourceIndicators.has(one)) throw new errors.InvalidTarget('the resource is not one the grant covers');
    return;
  }
  const scopes = ctx.oidc.params?.scope ? ctx.oidc.requestParamScopes : token.scopes;
  if (Array.isArray(token.resource) && token.resource.length > 1 && !scopes.has('openid')) {
    throw new errors.InvalidTarget('the grant covers several resources: name the one this token is for with the resource parameter');
  }
}
