// Token exchange, delegation form: the user behind a `subject_token` of type access_token.
// Rules:
// - The token was issued by this tenant's provider: an opaque access token found in its storage
//   (so a revoked one, or one whose grant is gone, is not found), or a JWT access token whose
//   signature verifies against the tenant's published keys, with `typ: at+jwt` (an ID token is not
//   an access token), this issuer, and not expired. JWT access tokens are never stored by the
//   provider, so for them expiry, the revocation list (core/oidc/jwt-access-tokens.ts) and the
//   user's status are what can be checked.
// - The presenting client is the one the token was issued to, or one of its audiences (a resource
//   server exchanging the token it received): nobody else may use a token they came across.
// - The subject is an active user of the tenant (not a client or a service principal).
// Every refusal is invalid_grant, saying which rule failed but nothing of the token.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { verifyAccessTokenJwt } from '../../../core/oidc/jwt-access-tokens.ts';
import { loadUserClaims } from '../../../core/accounts/user-claims.ts';
import type { OidcDeps } from './deps.ts';

export interface DelegatedSubject {
  accountId: string;
  /** Scopes the subject token carried. */
  scopes: Set<string>;
  /** When the subject token expires (seconds since the epoch): nothing derived may outlive it. */
  exp: number;
  /** The subject token's own `act` (a token that was itself exchanged): the chain is kept. */
  act?: Record<string, unknown>;
}

interface FoundToken {
  accountId?: string;
  clientId?: string;
  aud?: string | string[];
  scope?: string;
  exp?: number;
  grantId?: string;
  act?: unknown;
}

const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

async function verifiedJwt(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, value: string): Promise<FoundToken | undefined> {
  const verified = await verifyAccessTokenJwt(deps.db, tenant, ctx.oidc.provider.issuer, value);
  if (!verified) return undefined;
  const { payload } = verified;
  return {
    accountId: payload.sub, clientId: payload.client_id, aud: payload.aud, exp: payload.exp,
    scope: typeof payload.scope === 'string' ? payload.scope : undefined, act: payload.act,
  };
}

async function storedToken(ctx: KoaContextWithOIDC, value: string): Promise<FoundToken | undefined> {
  const { provider } = ctx.oidc;
  const token = await provider.AccessToken.find(value);
  if (!token?.isValid) return undefined;
  if (token.grantId) {
    const grant = await provider.Grant.find(token.grantId);
    if (!grant || grant.accountId !== token.accountId) return undefined;
  }
  return { ...token, act: token.extra?.act };
}

/** @throws errors.InvalidGrant when the subject token may not be exchanged by this client. */
export async function delegatedSubject(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, value: string): Promise<DelegatedSubject> {
  const client = ctx.oidc.client!;
  const token = JWS_COMPACT.test(value) ? await verifiedJwt(ctx, deps, tenant, value) : await storedToken(ctx, value);
  if (!token?.accountId || !token.exp) throw new errors.InvalidGrant('subject_token is invalid, expired or revoked');
  const audiences = token.aud === undefined ? [] : [token.aud].flat();
  if (token.clientId !== client.clientId && !audiences.includes(client.clientId)) {
    throw new errors.InvalidGrant('subject_token was neither issued to this client nor addressed to it');
  }
  const user = token.accountId === token.clientId ? undefined : await loadUserClaims(deps.db, tenant, token.accountId);
  if (user?.status !== 'active') throw new errors.InvalidGrant('subject_token does not represent an active user');
  const act = token.act && typeof token.act === 'object' ? token.act as Record<string, unknown> : undefined;
  return { accountId: token.accountId, scopes: new Set(token.scope?.split(' ').filter(Boolean)), exp: token.exp, act };
}
