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
import { errors, type Configuration } from 'oidc-provider';
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
      if (oneOf) return oneOf;
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
