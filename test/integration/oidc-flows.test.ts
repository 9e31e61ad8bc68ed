// Flows with a signed-in user, driven by a relying party (openid-client 6) and a browser that
// logs in through the Journey API (test/support/oidc-browser.ts): authorization code with PKCE,
// every implicit and hybrid response_type, response modes, RFC 9207 `iss`, refresh token rotation
// and reuse detection, authorization code reuse / theft / expiry, userinfo, introspection and
// revocation of opaque tokens. Tokens are checked with jose against the tenant's JWKS.
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const REDIRECT = 'https://rp.example/cb';
let tenant: string;
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let app: OidcClient;
let other: OidcClient;
let spa: OidcClient;
let browser: OidcBrowser;
let keys: ReturnType<typeof createLocalJWKSet>;

const rp = (client: OidcClient) => oidc.discovery(new URL(issuer), client.clientId, client.metadata.client_secret ?? { token_endpoint_auth_method: 'none' },
  client.metadata.client_secret ? undefined : oidc.None(), { execute: [oidc.allowInsecureRequests] });

/** Follows an authorization request as the signed-in (or signing-in) user; allows consent if asked. */
async function authorize(url: URL | string): Promise<Landing> {
  let landing = await browser.login(String(url), { username: user.login, password: user.password });
  if (landing.kind === 'page' && /name="decision"/.test(landing.html)) landing = await browser.submit(landing, 'Allow');
  return landing;
}

interface CodeRequest { url: URL; verifier: string; state: string; nonce: string }

async function codeRequest(client: OidcClient, extra: Record<string, string> = {}): Promise<CodeRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(await rp(client), {
    redirect_uri: REDIRECT, scope: 'openid profile email offline_access', prompt: 'consent', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url, verifier, state, nonce };
}

function callback(landing: Landing): URLSearchParams & { url: URL } {
  if (landing.kind !== 'callback') throw new Error(`expected the redirect_uri, got ${landing.kind}: ${'html' in landing ? landing.html.slice(0, 300) : ''}`);
  expect(landing.url.origin + landing.url.pathname).toBe(REDIRECT);
  return Object.assign(landing.params, { url: landing.url });
}

async function codeFlow(client: OidcClient): Promise<{ tokens: oidc.TokenEndpointResponse; request: CodeRequest }> {
  const request = await codeRequest(client);
  const params = callback(await authorize(request.url));
  const tokens = await oidc.authorizationCodeGrant(await rp(client), params.url, {
    pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true,
  });
  return { tokens, request };
}

async function oauthError(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { error?: string }).error;
  }
  throw new Error('expected an OAuth error');
}

/** A token request made by hand, to replay what openid-client would refuse to send twice. */
async function tokenRequest(client: OidcClient, body: Record<string, string>): Promise<{ status: number; body: any }> {
  const auth = Buffer.from(`${client.clientId}:${client.metadata.client_secret}`).toString('base64');
  const res = await fetch(`${issuer}/oidc/token`, {
    method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: await res.json() };
}

const halfHash = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

async function verifyIdToken(token: string, client: OidcClient, nonce: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys, { issuer, audience: client.clientId, algorithms: ['RS256'] });
  expect(payload).toMatchObject({ sub: user.user.id, nonce });
  return payload;
}

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  tenant = user.tenant;
  issuer = `${stack.url}/t/${tenant}`;
  const common = { redirect_uris: [REDIRECT], first_party: true, scope: 'openid profile email offline_access' };
  app = await createOidcClient(stack.db, tenant, { ...common, client_name: 'App', grant_types: ['authorization_code', 'implicit', 'refresh_token'] });
  other = await createOidcClient(stack.db, tenant, { ...common, client_name: 'Other', grant_types: ['authorization_code', 'refresh_token'] });
  spa = await createOidcClient(stack.db, tenant, { ...common, client_name: 'SPA', public: true, grant_types: ['authorization_code', 'refresh_token'] });
  browser = new OidcBrowser(stack.url, tenant);
  keys = createLocalJWKSet(await (await fetch(`${issuer}/oidc/jwks`)).json() as JSONWebKeySet);
});

describe('authorization code with PKCE', () => {
  it('signs the user in through a journey and returns code, state and iss to the redirect_uri', async () => {
    const request = await codeRequest(app);
    const first = await browser.follow(String(request.url));
    expect(first.kind).toBe('journey');
    const params = callback(await browser.completeJourney({ username: user.login, password: user.password }).then(async (l) =>
      (l.kind === 'page' && /name="decision"/.test(l.html) ? browser.submit(l, 'Allow') : l)));
    expect(params.get('iss')).toBe(issuer);
    expect(params.get('state')).toBe(request.state);
    const tokens = await oidc.authorizationCodeGrant(await rp(app), params.url, {
      pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const claims = await verifyIdToken(tokens.id_token!, app, request.nonce);
    expect(claims.auth_time).toBeTypeOf('number');
    expect(tokens.refresh_token).toBeTypeOf('string');
    const info = await oidc.fetchUserInfo(await rp(app), tokens.access_token, user.user.id);
    expect(info.sub).toBe(user.user.id);

    const introspected = await oidc.tokenIntrospection(await rp(app), tokens.access_token);
    expect(introspected).toMatchObject({ active: true, sub: user.user.id, client_id: app.clientId });
    expect(await oidc.tokenIntrospection(await rp(app), tokens.refresh_token!)).toMatchObject({ active: true, sub: user.user.id, client_id: app.clientId });
    await oidc.tokenRevocation(await rp(app), tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(await rp(app), tokens.refresh_token!)).toMatchObject({ active: false });
  });

  it('refuses a missing or wrong code_verifier, a code for another client, and an expired code', async () => {
    for (const verifier of [undefined, oidc.randomPKCECodeVerifier()]) {
      const request = await codeRequest(app);
      const code = callback(await authorize(request.url)).get('code')!;
      const body: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
      if (verifier) body.code_verifier = verifier;
      expect(await tokenRequest(app, body)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }

    const stolen = await codeRequest(app);
    const code = callback(await authorize(stolen.url)).get('code')!;
    expect(await tokenRequest(other, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: stolen.verifier }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const late = await codeRequest(app);
    const lateCode = callback(await authorize(late.url)).get('code')!;
    const expired = await stack.db`UPDATE oidc_payloads SET expires_at = now() - interval '1 second'
      WHERE tenant_id = ${tenant} AND model = 'AuthorizationCode' AND id = ${lateCode}`;
    expect(expired.count).toBe(1);
    expect(await tokenRequest(app, { grant_type: 'authorization_code', code: lateCode, redirect_uri: REDIRECT, code_verifier: late.verifier }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('answers a reused code with invalid_grant and revokes what the code gave', async () => {
    const request = await codeRequest(app);
    const code = callback(await authorize(request.url)).get('code')!;
    const body = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.verifier };
    const first = await tokenRequest(app, body);
    expect(first.status).toBe(200);
    expect(await oidc.tokenIntrospection(await rp(app), first.body.refresh_token)).toMatchObject({ active: true });
    expect(await tokenRequest(app, body)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await oidc.tokenIntrospection(await rp(app), first.body.refresh_token)).toMatchObject({ active: false });
    expect(await oidc.tokenIntrospection(await rp(app), first.body.access_token)).toMatchObject({ active: false });
  });

  it('requires PKCE of public clients too, and gives them rotating refresh tokens', async () => {
    const { tokens } = await codeFlow(spa);
    expect(tokens.refresh_token).toBeTypeOf('string');
    const next = await oidc.refreshTokenGrant(await rp(spa), tokens.refresh_token!);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
  });
});

describe('refresh tokens', () => {
  it('rotate on every use; presenting a rotated one revokes the whole grant', async () => {
    const { tokens } = await codeFlow(app);
    const second = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(tokens.refresh_token);
    await verifyIdToken(second.body.id_token, app, (await jwtVerify(tokens.id_token!, keys)).payload.nonce as string);
    const third = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(third.status).toBe(200);

    // The first token again: refused, and everything of the grant is dead — the newest refresh
    // token and the access tokens issued along the way.
    expect(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: third.body.refresh_token }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await oidc.tokenIntrospection(await rp(app), third.body.access_token)).toMatchObject({ active: false });
    // Another client cannot use a refresh token it was not given.
    const fresh = await codeFlow(app);
    expect(await tokenRequest(other, { grant_type: 'refresh_token', refresh_token: fresh.tokens.refresh_token! }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('implicit, hybrid and response modes', () => {
  const expected: Record<string, string[]> = {
    'id_token': ['id_token'],
    'id_token token': ['id_token', 'access_token'],
    'token': ['access_token'],
    'code id_token': ['code', 'id_token'],
    'code token': ['code', 'access_token'],
    'code id_token token': ['code', 'id_token', 'access_token'],
  };

  for (const [responseType, returned] of Object.entries(expected)) {
    it(`response_type=${responseType} answers in the fragment with ${returned.join(', ')} and iss`, async () => {
      const nonce = oidc.randomNonce();
      const state = oidc.randomState();
      const { verifier, url } = await codeRequest(app, { response_type: responseType, nonce, state, scope: 'openid profile' });
      const params = callback(await authorize(url));
      expect(params.url.search).toBe('');
      expect(params.url.hash).not.toBe('');
      expect(params.get('iss')).toBe(issuer);
      expect(params.get('state')).toBe(state);
      for (const name of ['code', 'id_token', 'access_token']) expect(params.has(name), name).toBe(returned.includes(name));
      const idToken = params.get('id_token');
      if (idToken) {
        const claims = await verifyIdToken(idToken, app, nonce);
        if (params.has('access_token')) expect(claims.at_hash).toBe(halfHash(params.get('access_token')!));
        if (params.has('code')) expect(claims.c_hash).toBe(halfHash(params.get('code')!));
      }
      if (params.has('access_token')) {
        expect((await oidc.fetchUserInfo(await rp(app), params.get('access_token')!, oidc.skipSubjectCheck)).sub).toBe(user.user.id);
      }
      if (params.has('code')) {
        const tokens = await tokenRequest(app, { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier });
        expect(tokens.status).toBe(200);
      }
    });
  }

  it('response_type=none returns only state and iss, in the query', async () => {
    const { url, state } = await codeRequest(app, { response_type: 'none', scope: 'openid' });
    const params = callback(await authorize(url));
    expect([...params.keys()].sort()).toEqual(['iss', 'state']);
    expect(params.get('state')).toBe(state);
  });

  it('response_mode form_post and fragment carry the code and iss', async () => {
    const posted = await codeRequest(app, { response_mode: 'form_post' });
    const landing = await authorize(posted.url);
    if (landing.kind !== 'form_post') throw new Error(`expected a form_post page, got ${landing.kind}`);
    expect(landing.action).toBe(REDIRECT);
    expect(landing.params.get('iss')).toBe(issuer);
    expect(landing.params.get('state')).toBe(posted.state);
    expect(await tokenRequest(app, {
      grant_type: 'authorization_code', code: landing.params.get('code')!, redirect_uri: REDIRECT, code_verifier: posted.verifier,
    })).toMatchObject({ status: 200 });

    const fragment = await codeRequest(app, { response_mode: 'fragment' });
    const params = callback(await authorize(fragment.url));
    expect(params.url.search).toBe('');
    expect(params.get('code')).toBeTruthy();
    expect(params.get('iss')).toBe(issuer);
  });

  it('refuses the query response mode for tokens in the front channel', async () => {
    const { url } = await codeRequest(app, { response_type: 'id_token token', response_mode: 'query', scope: 'openid' });
    const landing = await authorize(url);
    const error = landing.kind === 'callback' ? landing.params.get('error') : landing.kind === 'page' ? landing.html : landing.kind;
    expect(error).toMatch(/invalid_request/);
    if (landing.kind === 'callback') expect(landing.params.has('access_token')).toBe(false);
  });
});
