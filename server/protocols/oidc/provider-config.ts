// A tenant's oidc-provider Configuration: issuer `${publicUrl}/t/${tenant}`, endpoints under
// /oidc/..., the tenant's keys and storage, then O2's hooks (journeys, consent, logout, device
// pages) merged over it. Choices:
// - PKCE (S256 only) is required for EVERY authorization request that returns a code, from
//   confidential clients too (OAuth 2.1; oidc-provider's default requires it of public ones only).
// - Refresh tokens rotate on every use (once the requested resource is known to be servable,
//   resource-policy.ts); presenting a rotated (consumed) one revokes the whole grant
//   (oidc-provider lib/actions/grants/refresh_token.js: consumed → destroy + revoke(grantId)).
// - Request objects: signed only (alg `none` is not an accepted alg); HS256 is verified with the
//   client's secret only, so an HS256 object "signed" with one of our public keys fails.
// - RFC 9207 `iss` is in every authorization response: oidc-provider 9 adds it (respond.js) except
//   next to an ID token, where provider-cache.ts adds it too.
// - Signed tokens live at most 1 h by default (ID tokens; JWT access tokens 15 min); see
//   core/oidc/signing-keys.ts. A client's metadata may set its own access, ID and refresh token
//   lifetimes (access_token_ttl, id_token_ttl, refresh_token_ttl, bounded by the metadata schema;
//   access and ID tokens at most 12 h, within the default 24 h key rotation grace).
// - Errors to clients carry an OAuth code and description only; browser errors render a page.
import type { Configuration } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { EXTRA_CLIENT_METADATA, EXTRA_METADATA_SCHEMAS } from '../../../core/oidc/oidc-client-metadata.ts';
import { providerJwks, SIGNING_ALGS as KEY_ALGS } from '../../../core/oidc/signing-keys.ts';
import { claimsConfig, extraTokenClaims, findAccount } from './account.ts';
import { assertClaimsParameter, type AssertClaimsParameter, type ClaimsTable } from './claims-parameter.ts';
import { cookieKeys } from './cookie-keys.ts';
import type { OidcDeps } from './deps.ts';
import { renderError } from './error-page.ts';
import { postgresAdapter } from './postgres-adapter.ts';
import { providerHooks } from './provider-hooks.ts';
import { ACCESS_TOKEN_TTL, checkRefreshResource, resourceIndicators } from './resource-policy.ts';

export const ROUTES = {
  authorization: '/oidc/auth',
  backchannel_authentication: '/oidc/backchannel',
  challenge: '/oidc/challenge',
  code_verification: '/oidc/device',
  credential: '/oidc/credential',
  device_authorization: '/oidc/device/auth',
  end_session: '/oidc/session/end',
  introspection: '/oidc/introspect',
  jwks: '/oidc/jwks',
  pushed_authorization_request: '/oidc/request',
  registration: '/oidc/reg',
  revocation: '/oidc/revoke',
  token: '/oidc/token',
  userinfo: '/oidc/me',
} as const;

/** Every combination but `token` alone, which plain-token-response.ts adds once the provider is built. */
export const RESPONSE_TYPES: NonNullable<Configuration['responseTypes']> = [
  'code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token', 'none',
];

const SIGNING_ALGS = [...KEY_ALGS];

const HOUR = 3600;
const DAY = 24 * HOUR;
/** The client's own lifetime `key` (seconds) when its metadata sets one, else `fallback`. */
const perClient = (key: 'access_token_ttl' | 'id_token_ttl' | 'refresh_token_ttl', fallback: number) =>
  (_ctx: unknown, _token: unknown, client?: unknown): number => {
    const own = (client as Record<string, unknown> | undefined)?.[key];
    return typeof own === 'number' && Number.isInteger(own) && own > 0 ? own : fallback;
  };

export const TTL = {
  AccessToken: perClient('access_token_ttl', ACCESS_TOKEN_TTL),
  ClientCredentials: perClient('access_token_ttl', ACCESS_TOKEN_TTL),
  AuthorizationCode: 60,
  IdToken: perClient('id_token_ttl', HOUR),
  DeviceCode: 10 * 60,
  Interaction: HOUR,
  Session: 7 * DAY,
  RefreshToken: perClient('refresh_token_ttl', 14 * DAY),
  // Outlives its refresh tokens (each rotation starts a new 14 days) for a while.
  Grant: 30 * DAY,
};

function cookieNames(secure: boolean): { session: string; interaction: string; resume: string } {
  const prefix = secure ? '__Secure-' : '';
  return { session: `${prefix}_session`, interaction: `${prefix}_interaction`, resume: `${prefix}_interaction_resume` };
}

export const issuerFor = (publicUrl: string, tenant: string) => `${publicUrl}/t/${tenant}`;

function validateExtraMetadata(_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>): void {
  if (value === undefined) {
    if (key === 'first_party') metadata.first_party = false;
    return;
  }
  const schema = EXTRA_METADATA_SCHEMAS[key as keyof typeof EXTRA_METADATA_SCHEMAS];
  if (!schema?.safeParse(value).success) throw new errors.InvalidClientMetadata(`${key} is invalid`);
}

type Features = NonNullable<Configuration['features']>;

/** `base` with `extra` over it: `features` merged per feature, other objects one level deep. */
export function mergeConfiguration(base: Configuration, extra: Partial<Configuration>): Configuration {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    if (key === 'features' && value) {
      const features: Record<string, unknown> = { ...(current as Features) };
      for (const [name, feature] of Object.entries(value as Features)) {
        features[name] = { ...(features[name] as object | undefined), ...(feature as object) };
      }
      merged.features = features;
    } else if (isPlainObject(current) && isPlainObject(value)) {
      merged[key] = { ...current, ...value };
    } else {
      merged[key] = value;
    }
  }
  return merged as Configuration;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** The tenant's issuer and configuration (its keys read now: rebuild the provider when they change). */
export async function providerSetup(deps: OidcDeps, tenant: string): Promise<{ issuer: string; configuration: Configuration }> {
  const issuer = issuerFor(deps.config.publicUrl, tenant);
  const [jwks, keys] = await Promise.all([providerJwks(deps.db, tenant), cookieKeys(deps.config, tenant)]);
  const base: Configuration = {
    adapter: postgresAdapter(deps.db, tenant, deps.config.publicUrl),
    jwks: jwks as Configuration['jwks'],
    findAccount: findAccount(deps, tenant),
    claims: claimsConfig,
    extraTokenClaims: extraTokenClaims(deps, tenant),
    scopes: ['openid', 'offline_access', 'profile', 'email', 'address', 'phone'],
    responseTypes: RESPONSE_TYPES,
    routes: ROUTES,
    pkce: { required: () => true },
    rotateRefreshToken: (ctx) => {
      checkRefreshResource(ctx);
      return true;
    },
    ttl: TTL as Configuration['ttl'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
      requestObjectSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      clientAuthSigningAlgValues: ['HS256', ...SIGNING_ALGS],
    } as Configuration['enabledJWA'],
    cookies: {
      keys,
      // Under https the provider's cookies carry the __Secure- prefix like Tessera's own
      // (server/cookies.ts): not __Host-, which needs Path=/.
      names: cookieNames(issuer.startsWith('https:')),
      // One host serves every tenant: the session cookie stays under the tenant's own path.
      long: { httpOnly: true, sameSite: 'lax', path: `/t/${tenant}` },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    extraClientMetadata: { properties: [...EXTRA_CLIENT_METADATA], validator: validateExtraMetadata as never },
    interactions: { url: (_ctx, interaction) => `/t/${tenant}/oidc/interaction/${interaction.uid}` },
    renderError,
    // Served by registration-routes.ts (Tessera's own RFC 7591/7592 endpoints).
    discovery: { registration_endpoint: `${issuer}${ROUTES.registration}` },
    clientBasedCORS: (ctx, origin, client) => {
      // Browsers may call userinfo, and the token endpoint for public (SPA) clients, from the
      // origins of the client's registered redirect URIs only.
      if (origin === 'null') return false;
      if (ctx.oidc.route !== 'userinfo' && client.clientAuthMethod !== 'none') return false;
      return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A confidential client (a resource server) may introspect any token of the tenant; a
        // public client only its own.
        allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      resourceIndicators: resourceIndicators(deps.db, tenant, issuer),
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      deviceFlow: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      claimsParameter: { enabled: true },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: false },
    },
  };
  const configuration = mergeConfiguration(base, providerHooks(deps, tenant));
  // The claims parameter reaches no further than the client's scopes, as the final claims table defines them.
  const limit = assertClaimsParameter(configuration.claims as ClaimsTable) as unknown as AssertClaimsParameter;
  return { issuer, configuration: mergeConfiguration(configuration, { features: { claimsParameter: { enabled: true, assertClaimsParameter: limit } } }) };
}
