// Introspection (RFC 7662) and revocation (RFC 7009) of the tenant's JWT access tokens.
// oidc-provider refuses every JWT at both endpoints (lib/shared/reject_structured_tokens.js,
// `unsupported_token_type`), since it does not store them. That step of both endpoints' middleware
// lists is replaced, once per process and before any provider is built (the lists are spread into
// each provider's router at construction), by `structuredTokens` below, which runs after client
// authentication. Rules:
// - Only JWTs whose header says `typ: at+jwt`, at the provider of a tenant registered here, are
//   handled; other JWTs (ID tokens, logout tokens) keep the provider's `unsupported_token_type`.
// - A token is active when core/oidc/jwt-access-tokens.ts verifies it (signature with the tenant's
//   published keys, issuer, typ, expiry, not revoked) and, when it names a user, that user is
//   still active.
// - Introspection answers for the client the token was issued to, or a client that is one of its
//   audiences (the resource server it was meant for); anyone else gets `{active: false}`, as
//   oidc-provider answers when its allowedPolicy refuses.
// - Revocation is for the client the token was issued to: the token goes on the revocation list
//   until its expiry. Another confidential client gets invalid_request (as provider-config.ts's
//   policy for stored tokens); a public client, an invalid or already expired token: 200 and
//   nothing changes (RFC 7009 §2.2).
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
// @ts-expect-error oidc-provider's internal modules have no type declarations
import introspection from 'oidc-provider/lib/actions/introspection.js';
// @ts-expect-error oidc-provider's internal modules have no type declarations
import revocation from 'oidc-provider/lib/actions/revocation.js';
// @ts-expect-error oidc-provider's internal modules have no type declarations
import rejectStructuredTokens from 'oidc-provider/lib/shared/reject_structured_tokens.js';
import { getUser } from '../../../core/accounts/users.ts';
import {
  looksLikeAccessTokenJwt, revokeAccessTokenJwt, verifyAccessTokenJwt, type VerifiedAccessToken,
} from '../../../core/oidc/jwt-access-tokens.ts';
import type { OidcDeps } from './deps.ts';
import { isServicePrincipal } from './token-exchange.ts';

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

const tenants = new WeakMap<Provider, { deps: OidcDeps; tenant: string }>();

const audiences = (token: VerifiedAccessToken) => [token.payload.aud ?? []].flat();

async function activeToken(deps: OidcDeps, tenant: string, ctx: KoaContextWithOIDC, value: string, includeRevoked = false) {
  const token = await verifyAccessTokenJwt(deps.db, tenant, ctx.oidc.provider.issuer, value, { includeRevoked });
  if (!token) return undefined;
  const { sub, client_id: clientId } = token.payload;
  if (sub !== clientId && !isServicePrincipal(sub, clientId)) {
    const user = await getUser(deps.db, tenant, sub).catch(() => undefined);
    if (user?.status !== 'active') return undefined;
  }
  return token;
}

async function introspect(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, value: string): Promise<void> {
  ctx.body = { active: false };
  const token = await activeToken(deps, tenant, ctx, value);
  const caller = ctx.oidc.client!.clientId;
  if (!token || (token.payload.client_id !== caller && !audiences(token).includes(caller))) return;
  const { payload } = token;
  ctx.body = {
    active: true, sub: payload.sub, client_id: payload.client_id, exp: payload.exp, iat: payload.iat, nbf: payload.nbf,
    iss: payload.iss, aud: payload.aud, jti: payload.jti, scope: payload.scope || undefined, token_type: 'Bearer',
    ...(payload.permissions ? { permissions: payload.permissions } : {}),
    ...(payload.act ? { act: payload.act } : {}),
  };
}

async function revoke(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, value: string): Promise<void> {
  ctx.status = 200;
  ctx.body = '';
  const token = await activeToken(deps, tenant, ctx, value, true);
  if (!token) return;
  const client = ctx.oidc.client!;
  if (token.payload.client_id !== client.clientId) {
    if (client.clientAuthMethod === 'none') return;
    throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  }
  await revokeAccessTokenJwt(deps.db, tenant, token);
}

const structuredTokens: Middleware = async (ctx, next) => {
  const registered = tenants.get(ctx.oidc.provider);
  const value = ctx.oidc.params?.token;
  if (!registered || typeof value !== 'string' || !looksLikeAccessTokenJwt(value)) return rejectStructuredTokens(ctx, next);
  if (ctx.oidc.route === 'introspection') return introspect(ctx, registered.deps, registered.tenant, value);
  if (ctx.oidc.route === 'revocation') return revoke(ctx, registered.deps, registered.tenant, value);
  return rejectStructuredTokens(ctx, next);
};

function replaceIn(stack: Middleware[]): void {
  const at = stack.indexOf(rejectStructuredTokens);
  if (at !== -1) stack[at] = structuredTokens;
  else if (!stack.includes(structuredTokens)) throw new Error('oidc-provider internals changed: cannot handle JWT access tokens at introspection/revocation');
}

replaceIn(introspection as Middleware[]);
replaceIn(revocation as Middleware[]);

/** Lets `provider` (built after this module loaded) introspect and revoke the tenant's JWT access tokens. */
export function handleJwtAccessTokens(provider: Provider, deps: OidcDeps, tenant: string): void {
  tenants.set(provider, { deps, tenant });
}
