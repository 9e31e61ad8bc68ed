// RFC 8693 token exchange, registered on each tenant's provider as the grant type
// urn:ietf:params:oauth:grant-type:token-exchange. Two forms:
// - delegation: a client presents a user's access token (token-exchange-subject.ts) and gets a JWT
//   access token for another client, same `sub`, `act: { sub: <presenting client> }` (nesting any
//   earlier `act`), scope ⊆ the subject token's, expiring no later than the subject token;
// - service: a client presents an outside JWT it is configured to trust (token-exchange-external.ts)
//   and gets a JWT access token whose `sub` is its service principal, `service:<client_id>`.
// Rules: the client authenticated at the token endpoint (public clients are refused) and has the
// grant type (checked by the provider); `audience` (or `resource`, the same thing here) is required
// and must be listed in the client's `token_exchange.audiences` and name a client of the tenant,
// else invalid_target (RFC 8693 §2.2.2); actor tokens are not taken (the client is the actor);
// only access tokens are issued. Every success is audited as `token.exchanged` (no token in it).
import type Provider from 'oidc-provider';
import { errors, type Client, type KoaContextWithOIDC } from 'oidc-provider';
import type { z } from 'zod';
import { recordAudit } from '../../../core/infra/audit.ts';
import { TokenExchangeSettings } from '../../../core/oidc/oidc-clients.ts';
import type { OidcDeps } from './deps.ts';
import { ACCESS_TOKEN_TTL } from './resource-policy.ts';
import { externalSubject } from './token-exchange-external.ts';
import { delegatedSubject } from './token-exchange-subject.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

const PARAMETERS = [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type',
  'audience', 'resource', 'scope',
];

/** The `sub` of tokens a client gets for itself through the service form. */
export const servicePrincipal = (clientId: string) => `service:${clientId}`;

export function isServicePrincipal(accountId: string | undefined, clientId: string | undefined): boolean {
  return !!accountId && !!clientId && accountId === servicePrincipal(clientId);
}

type Settings = z.infer<typeof TokenExchangeSettings>;

interface Exchange {
  accountId: string;
  scopes: string[];
  /** Latest expiry allowed (seconds since the epoch). */
  notAfter?: number;
  act?: Record<string, unknown>;
  audit: Record<string, unknown>;
}

function param(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const value = ctx.oidc.params?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function required(ctx: KoaContextWithOIDC, name: string): string {
  const value = param(ctx, name);
  if (!value) throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  return value;
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] | undefined {
  return param(ctx, 'scope')?.split(' ').filter(Boolean);
}

/** The target client, once it is allowed. @throws InvalidRequest, InvalidTarget. */
async function target(ctx: KoaContextWithOIDC, allowed: readonly string[]): Promise<string> {
  const audience = param(ctx, 'audience');
  const resource = param(ctx, 'resource');
  if (audience && resource && audience !== resource) throw new errors.InvalidRequest('audience and resource name different targets');
  const wanted = audience ?? resource;
  if (!wanted) throw new errors.InvalidRequest("missing required parameter 'audience'");
  if (!allowed.includes(wanted)) throw new errors.InvalidTarget('this client may not exchange tokens for that audience');
  if (!await ctx.oidc.provider.Client.find(wanted)) throw new errors.InvalidTarget('the audience is not a client of this tenant');
  return wanted;
}

async function delegation(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, client: Client): Promise<Exchange> {
  const subject = await delegatedSubject(ctx, deps, tenant, required(ctx, 'subject_token'));
  const wanted = requestedScopes(ctx) ?? [...subject.scopes];
  const extra = wanted.filter((s) => !subject.scopes.has(s));
  if (extra.length) throw new errors.InvalidScope('requested scope exceeds the subject token', extra.join(' '));
  const act = subject.act ? { sub: client.clientId, act: subject.act } : { sub: client.clientId };
  return { accountId: subject.accountId, scopes: wanted, notAfter: subject.exp, act, audit: { form: 'delegation' } };
}

async function service(ctx: KoaContextWithOIDC, settings: Settings, client: Client): Promise<Exchange> {
  const external = await externalSubject(ctx, settings.external ?? [], required(ctx, 'subject_token'));
  const allowed = new Set(client.scope?.split(' ') ?? []);
  const wanted = requestedScopes(ctx) ?? [];
  const extra = wanted.filter((s) => !allowed.has(s));
  if (extra.length) throw new errors.InvalidScope('requested scope is not allowed for this client', extra.join(' '));
  return {
    accountId: servicePrincipal(client.clientId), scopes: wanted,
    audit: { form: 'service', external_issuer: external.issuer, external_subject: external.subject },
  };
}

async function exchange(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string): Promise<void> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client!;
  if (client.clientAuthMethod === 'none') throw new errors.UnauthorizedClient('token exchange requires an authenticated client');
  if (param(ctx, 'actor_token') || param(ctx, 'actor_token_type')) {
    throw new errors.InvalidRequest('actor_token is not supported: the authenticated client is the actor');
  }
  const requested = param(ctx, 'requested_token_type');
  if (requested && requested !== ACCESS_TOKEN_TYPE && requested !== JWT_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens are issued');
  }
  // Stored metadata that no longer parses allows nothing.
  const parsed = TokenExchangeSettings.safeParse((client as unknown as Record<string, unknown>).token_exchange ?? {});
  const settings: Settings = parsed.success ? parsed.data : {};
  const type = required(ctx, 'subject_token_type');
  if (type !== ACCESS_TOKEN_TYPE && type !== JWT_TOKEN_TYPE) throw new errors.InvalidRequest('unsupported subject_token_type');
  const audience = await target(ctx, settings.audiences ?? []);
  const result = type === ACCESS_TOKEN_TYPE ? await delegation(ctx, deps, tenant, client) : await service(ctx, settings, client);

  const scope = result.scopes.join(' ') || undefined;
  const token = new provider.AccessToken({ accountId: result.accountId, client, gty: TOKEN_EXCHANGE_GRANT, scope } as never);
  // The same kind of token as resource-policy.ts issues for a resource.
  token.resourceServer = new provider.ResourceServer(audience, {
    audience, scope: scope ?? '', accessTokenFormat: 'jwt', accessTokenTTL: ACCESS_TOKEN_TTL, jwt: { sign: { alg: 'ES256' } },
  });
  if (result.act) token.extra = { act: result.act };
  const lifetime = token.expiration;
  if (result.notAfter !== undefined) {
    const remaining = result.notAfter - Math.floor(Date.now() / 1000);
    if (remaining <= 0) throw new errors.InvalidGrant('subject_token is invalid, expired or revoked');
    (token as unknown as { expiresIn: number }).expiresIn = Math.min(lifetime, remaining);
  }
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  await recordAudit(deps.db, {
    tenant, type: 'token.exchanged', actor: client.clientId, subject: result.accountId,
    data: { ...result.audit, client: client.clientId, audience, scope: scope ?? null, jti: token.jti },
  });
  ctx.body = {
    access_token: value, issued_token_type: ACCESS_TOKEN_TYPE, token_type: token.tokenType,
    expires_in: token.expiration, ...(scope ? { scope } : {}),
  };
}

export function registerTokenExchange(provider: Provider, deps: OidcDeps, tenant: string): void {
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, (ctx) => exchange(ctx, deps, tenant), PARAMETERS);
}
