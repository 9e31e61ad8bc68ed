// The upstream OpenID Connect / OAuth 2 protocol adapter (issue 6): what the `oidc-idp` tree node
// calls to send the browser to an upstream IdP and to check what comes back. openid-client 6 does
// the protocol work; this file decides what is asked and what is refused.
// begin: authorization code flow with PKCE S256, a nonce (OpenID Connect), the engine's `state`,
// redirect_uri = the IdP's callback URL, the configured scopes, login_hint (GitHub: `login`).
// `kept` (stored server-side by the engine, never in history) holds the code_verifier, the nonce,
// a sha256 of the state, and the issuer and redirect_uri the flow began with.
// finish, in order, each refusal an UpstreamError with a fixed message (upstream-errors.ts):
//   1. `error` in the callback → access_denied or the upstream's own error code;
//   2. `state` present and matching the kept hash (the engine matched it too) → invalid_state;
//   3. the IdP's issuer and our callback URL unchanged since begin → config_changed;
//   4. RFC 9207 `iss`: when present, or when the server advertises it, it must be the issuer
//      (mix-up defence) → iss_mismatch;
//   5. code exchange with the code_verifier and client authentication; the ID token's signature
//      (JWKS), alg, iss, aud, azp, exp/iat and nonce → token_error, invalid_id_token, invalid_nonce;
//   6. userinfo when the ID token lacks the claims of a requested scope; its `sub` must be the
//      ID token's → userinfo_sub_mismatch / userinfo_error. GitHub: its REST API (github-user.ts).
// Claims are returned as the upstream sent them, less the token mechanics (aud, exp, nonce, …).
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  authorizationCodeGrant, buildAuthorizationUrl, calculatePKCECodeChallenge, fetchUserInfo, randomNonce,
  randomPKCECodeVerifier, type IDToken,
} from 'openid-client';
import type { IdentityProvider, OidcUpstreamConfig, UpstreamProtocol } from '../../core/federation/federation-types.ts';
import { githubIdentity } from './github-user.ts';
import { checkMicrosoftTenant, isOAuth2Only, resolveOidcConfig } from './social-presets.ts';
import { createConfigurations } from './upstream-discovery.ts';
import { callbackError, upstreamError, upstreamFailure } from './upstream-errors.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_SECONDS } from './upstream-http.ts';

export interface OidcUpstreamDeps {
  now?: () => Date;
  /** Allow plain http toward any host (development only). Default: only toward loopback hosts. */
  allowInsecure?: boolean;
  /** Time limit of each request to the upstream. Default 10 s. */
  timeoutSeconds?: number;
  /** Largest response body read from the upstream. Default 512 KiB. */
  maxResponseBytes?: number;
  /** How long discovery (and the JWKS cached with it) is reused. Default 1 hour. */
  discoveryTtlMs?: number;
  /** Replaces the global fetch (unit tests). */
  fetch?: typeof fetch;
}

/** Claims about the token rather than the person: not passed on. */
const MECHANICS = ['aud', 'exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 's_hash', 'azp', 'jti', 'sid', 'auth_time'];
/** A requested scope whose claims are all missing from the ID token sends us to userinfo. */
const SCOPE_CLAIMS: Record<string, string[]> = {
  email: ['email'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'nickname', 'picture'],
  phone: ['phone_number'],
  address: ['address'],
};

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

function sameDigest(value: string, expected: string): boolean {
  const a = Buffer.from(digest(value));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function oidcConfig(idp: IdentityProvider): OidcUpstreamConfig {
  if (idp.kind !== 'oidc' || !idp.oidc?.issuer || !idp.oidc.clientId) throw upstreamError('invalid_config');
  const config = resolveOidcConfig(idp.oidc);
  if (!isOAuth2Only(config) && !config.scopes.includes('openid')) throw upstreamError('invalid_config');
  return config;
}

function needsUserinfo(scopes: string[], claims: IDToken): boolean {
  return scopes.some((scope) => SCOPE_CLAIMS[scope]?.every((name) => claims[name] === undefined));
}

function personClaims(claims: IDToken): Record<string, unknown> {
  const kept: Record<string, unknown> = { ...claims };
  for (const name of MECHANICS) delete kept[name];
  return kept;
}

export function createOidcUpstream(deps: OidcUpstreamDeps = {}): UpstreamProtocol {
  const configurations = createConfigurations({
    now: deps.now ?? (() => new Date()),
    ttlMs: deps.discoveryTtlMs ?? 3_600_000,
    timeoutSeconds: deps.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    allowInsecure: deps.allowInsecure ?? false,
    fetch: deps.fetch,
  });

  return {
    async begin({ idp, urls, state, loginHint }) {
      const config = oidcConfig(idp);
      if (!state) throw upstreamError('invalid_state');
      const oauth2 = isOAuth2Only(config);
      const configuration = await configurations.get(config);
      const codeVerifier = randomPKCECodeVerifier();
      const params: Record<string, string> = {
        response_type: 'code', redirect_uri: urls.callback, scope: config.scopes.join(' '), state,
        code_challenge: await calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
      };
      const kept: Record<string, string> = { codeVerifier, stateHash: digest(state), issuer: config.issuer, redirectUri: urls.callback };
      if (!oauth2) params.nonce = kept.nonce = randomNonce();
      if (loginHint) params[oauth2 ? 'login' : 'login_hint'] = loginHint;
      return { url: buildAuthorizationUrl(configuration, params).href, kept };
    },

    async finish({ idp, urls, params, kept }) {
      const config = oidcConfig(idp);
      if (params.error) throw callbackError(params.error);
      if (!params.state || !kept.stateHash || !sameDigest(params.state, kept.stateHash)) throw upstreamError('invalid_state');
      if (kept.issuer !== config.issuer || kept.redirectUri !== urls.callback) throw upstreamError('config_changed');
      const oauth2 = isOAuth2Only(config);
      if (!kept.codeVerifier || (!oauth2 && !kept.nonce)) throw upstreamError('invalid_state');
      const configuration = await configurations.get(config);
      const server = configuration.serverMetadata();
      if ((params.iss !== undefined || server.authorization_response_iss_parameter_supported) && params.iss !== server.issuer) {
        throw upstreamError('iss_mismatch');
      }
      if (!params.code) throw upstreamError('missing_code');

      const current = new URL(urls.callback);
      for (const name of ['code', 'state', 'iss']) if (params[name] !== undefined) current.searchParams.set(name, params[name]!);
      let tokens: Awaited<ReturnType<typeof authorizationCodeGrant>>;
      try {
        tokens = await authorizationCodeGrant(configuration, current, {
          pkceCodeVerifier: kept.codeVerifier, expectedState: params.state,
          ...(oauth2 ? {} : { expectedNonce: kept.nonce, idTokenExpected: true }),
        });
      } catch (err) {
        throw upstreamFailure('token', err);
      }
      if (oauth2) return githubIdentity(configuration, tokens.access_token, config.userinfoEndpoint!);

      const idToken = tokens.claims();
      if (!idToken) throw upstreamError('invalid_id_token');
      if (!checkMicrosoftTenant(config.issuer, idToken)) throw upstreamError('invalid_tenant');
      let claims = personClaims(idToken);
      if (server.userinfo_endpoint && needsUserinfo(config.scopes, idToken)) {
        try {
          // fetchUserInfo refuses a response whose `sub` is not the ID token's.
          const info = await fetchUserInfo(configuration, tokens.access_token, idToken.sub);
          claims = { ...info, ...claims };
        } catch (err) {
          throw upstreamFailure('userinfo', err);
        }
      }
      // What RP-initiated logout at the upstream needs later (server/upstream-logout.ts); kept out of claims.
      const session = server.end_session_endpoint && tokens.id_token ? { idToken: tokens.id_token, endSessionEndpoint: server.end_session_endpoint } : undefined;
      return { subject: idToken.sub, claims, ...(session ? { session } : {}) };
    },
  };
}
