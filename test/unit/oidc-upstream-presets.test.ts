// Social presets and the pure parts of the upstream OIDC adapter: preset defaults and overrides,
// the transport rule, the error classification, and the Microsoft multi-tenant issuer rule
// (with a fake fetch standing in for login.microsoftonline.com: the issuer template filled with
// the token's own `tid`, and what common / organizations / consumers admit).
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOidcUpstream } from '../../activities/federation/oidc-upstream.ts';
import { checkMicrosoftTenant, MICROSOFT_CONSUMERS_TID, presetDefaults, resolveOidcConfig } from '../../activities/federation/social-presets.ts';
import { upstreamFailure } from '../../activities/federation/upstream-errors.ts';
import { transportAllowed } from '../../activities/federation/upstream-http.ts';
import { UpstreamError, type OidcUpstreamConfig } from '../../core/federation/federation-types.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { oidcIdp } from '../support/upstream-op.ts';

describe('presetDefaults', () => {
  it('fills in each preset, the given fields winning', () => {
    expect(presetDefaults('google', { clientId: 'g' })).toEqual({ issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], clientId: 'g', preset: 'google' });
    expect(presetDefaults('microsoft', { clientId: 'm' }).issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(presetDefaults('microsoft', { tenant: 'contoso.onmicrosoft.com' }).issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(presetDefaults('microsoft', { tenant: 'consumers' })).not.toHaveProperty('tenant');
    expect(() => presetDefaults('microsoft', { tenant: '../evil' })).toThrow();
    expect(presetDefaults('github', { clientId: 'h', clientSecret: 's' })).toEqual({
      issuer: 'https://github.com', clientId: 'h', clientSecret: 's', preset: 'github', scopes: ['read:user', 'user:email'],
      authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token',
      userinfoEndpoint: 'https://api.github.com/user',
    });
    expect(presetDefaults('github', { tokenEndpoint: 'http://127.0.0.1:1/t', scopes: ['read:user'], userinfoEndpoint: undefined })).toMatchObject({
      tokenEndpoint: 'http://127.0.0.1:1/t', scopes: ['read:user'], userinfoEndpoint: 'https://api.github.com/user',
    });
  });

  it('resolves a stored preset config at run time (stored fields win)', () => {
    expect(resolveOidcConfig({ preset: 'github', issuer: 'https://github.com', clientId: 'h', scopes: ['read:user'] })).toMatchObject({
      clientId: 'h', scopes: ['read:user'], tokenEndpoint: 'https://github.com/login/oauth/access_token',
    });
    const plain: OidcUpstreamConfig = { issuer: 'https://op.example', clientId: 'c', scopes: ['openid'] };
    expect(resolveOidcConfig(plain)).toBe(plain);
  });
});

describe('transport and errors', () => {
  it('allows https, and http only to loopback hosts unless told otherwise', () => {
    expect(transportAllowed(['https://op.example', 'http://localhost:3000/x', 'http://127.0.0.1:1', 'http://[::1]:2'], false)).toBe(true);
    expect(transportAllowed(['http://op.example'], false)).toBe(false);
    expect(transportAllowed(['http://localhost.evil.example'], false)).toBe(false);
    expect(transportAllowed(['ftp://localhost/'], true)).toBe(false);
    expect(transportAllowed(['http://op.example'], true)).toBe(true);
  });

  it('classifies failures into fixed codes and messages, keeping nothing of the cause', () => {
    const tokenError = Object.assign(new Error('server responded with an error in the response body'), { name: 'ResponseBodyError', error: 'invalid_grant', cause: { error_description: 'code abc123 used' } });
    const failure = upstreamFailure('token', tokenError);
    expect(failure.code).toBe('token_error');
    expect(failure.cause).toBeUndefined();
    expect(failure.message).not.toContain('abc123');
    const nonce = new Error('unexpected JWT claim value encountered', { cause: Object.assign(new Error('x'), { cause: { claim: 'nonce', claims: { nonce: 'n' } } }) });
    expect(upstreamFailure('token', nonce).code).toBe('invalid_nonce');
    expect(upstreamFailure('token', new Error('JWT signature verification failed')).code).toBe('invalid_id_token');
    expect(upstreamFailure('discovery', new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })).code).toBe('upstream_unreachable');
    expect(upstreamFailure('userinfo', new Error('x', { cause: { attribute: 'sub' } })).code).toBe('userinfo_sub_mismatch');
    const passed = new UpstreamError('iss_mismatch', 'm');
    expect(upstreamFailure('token', passed)).toBe(passed);
  });
});

describe('Microsoft multi-tenant issuers', () => {
  it('admits the tid the tenant value promises', () => {
    const org = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb';
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/{tenantid}/v2.0', { tid: org })).toBe(true);
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/common/v2.0', { tid: org })).toBe(true);
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/common/v2.0', {})).toBe(false);
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/organizations/v2.0', { tid: MICROSOFT_CONSUMERS_TID })).toBe(false);
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/consumers/v2.0', { tid: org })).toBe(false);
    expect(checkMicrosoftTenant('https://login.microsoftonline.com/consumers/v2.0', { tid: MICROSOFT_CONSUMERS_TID })).toBe(true);
  });

  const MS = 'https://login.microsoftonline.com';
  const TID = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb';
  let key: CryptoKey;
  let jwks: object;
  let idTokenClaims: Record<string, unknown> = {};

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'ms-1', alg: 'RS256', use: 'sig' }] };
  });

  /** Stands in for Entra ID: discovery with the {tenantid} template, keys, a token endpoint. */
  const fakeEntra: typeof fetch = async (input) => {
    const url = String(input);
    const json = (value: unknown) => new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } });
    const tenant = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\//.exec(url)?.[1];
    if (url.endsWith('/v2.0/.well-known/openid-configuration')) {
      return json({
        issuer: `${MS}/{tenantid}/v2.0`, authorization_endpoint: `${MS}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${MS}/${tenant}/oauth2/v2.0/token`, jwks_uri: `${MS}/${tenant}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    if (url.endsWith('/discovery/v2.0/keys')) return json(jwks);
    if (url.endsWith('/oauth2/v2.0/token')) {
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ aud: 'ms-client', iat: now, exp: now + 300, sub: 'ms-sub', email: 'u@contoso.example', name: 'U', ...idTokenClaims })
        .setProtectedHeader({ alg: 'RS256', kid: 'ms-1' }).sign(key);
      return json({ access_token: 'at', token_type: 'Bearer', id_token: idToken });
    }
    return new Response('not found', { status: 404 });
  };

  async function signIn(tenant: string, claims: (nonce: string) => Record<string, unknown>) {
    const adapter = createOidcUpstream({ fetch: fakeEntra });
    const idp = oidcIdp(presetDefaults('microsoft', { tenant, clientId: 'ms-client', clientSecret: 's' }) as OidcUpstreamConfig);
    const urls = upstreamUrls('https://rp.example', 'downstream', 'microsoft');
    const state = 'state-'.padEnd(50, 'x');
    const begun = await adapter.begin({ idp, urls, state });
    expect(begun.url.startsWith(`${MS}/${tenant}/oauth2/v2.0/authorize?`)).toBe(true);
    idTokenClaims = claims(begun.kept.nonce!);
    return adapter.finish({ idp, urls, params: { code: 'c', state }, kept: begun.kept });
  }

  it('accepts an ID token whose iss is the template filled with its own tid', async () => {
    const identity = await signIn('common', (nonce) => ({ nonce, tid: TID, iss: `${MS}/${TID}/v2.0` }));
    expect(identity).toMatchObject({ subject: 'ms-sub', claims: { tid: TID, email: 'u@contoso.example' } });
  });

  it('refuses an iss of another tenant than the token\'s tid', async () => {
    await expect(signIn('common', (nonce) => ({ nonce, tid: TID, iss: `${MS}/ffffffff-1111-2222-3333-bbbbbbbbbbbb/v2.0` })))
      .rejects.toMatchObject({ code: 'invalid_id_token' });
  });

  it('refuses a work account at `consumers` and a personal one at `organizations`', async () => {
    await expect(signIn('consumers', (nonce) => ({ nonce, tid: TID, iss: `${MS}/${TID}/v2.0` }))).rejects.toMatchObject({ code: 'invalid_tenant' });
    await expect(signIn('organizations', (nonce) => ({ nonce, tid: MICROSOFT_CONSUMERS_TID, iss: `${MS}/${MICROSOFT_CONSUMERS_TID}/v2.0` })))
      .rejects.toMatchObject({ code: 'invalid_tenant' });
  });
});
