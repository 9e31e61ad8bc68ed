// Several resource indicators in one request (RFC 8707): the authorization request names two
// APIs; the grant covers both, and the client then gets one access token per API, one audience at
// a time (code exchange for one, refresh for the other). Asking the token endpoint for two at
// once, or for one outside the grant, is invalid_target with a description that says why.
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const REDIRECT = 'https://rp.example/cb';
const ONE = 'https://one.api.example/';
const TWO = 'https://two.api.example/';
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let app: OidcClient;
let third: OidcClient;
let service: OidcClient;
let keys: ReturnType<typeof createLocalJWKSet>;

async function tokenRequest(client: OidcClient, body: [string, string][]): Promise<{ status: number; body: any }> {
  const auth = Buffer.from(`${client.clientId}:${client.metadata.client_secret}`).toString('base64');
  const res = await fetch(`${issuer}/oidc/token`, {
    method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A code for `client` with both resources, the user signing in (and consenting when asked). */
async function codeFor(client: OidcClient, scope: string, consent?: (html: string) => void): Promise<{ code: string; verifier: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(`${issuer}/oidc/auth`);
  const params: [string, string][] = [
    ['client_id', client.clientId], ['response_type', 'code'], ['redirect_uri', REDIRECT], ['scope', scope],
    ['code_challenge', await oidc.calculatePKCECodeChallenge(verifier)], ['code_challenge_method', 'S256'],
    ['resource', ONE], ['resource', TWO], ['state', 's'], ['prompt', 'consent'],
  ];
  for (const [k, v] of params) url.searchParams.append(k, v);
  const browser = new OidcBrowser(stack.url, user.tenant);
  let landing: Landing = await browser.login(String(url), { username: user.login, password: user.password });
  if (landing.kind === 'page' && /name="decision"/.test(landing.html)) {
    consent?.(landing.html);
    landing = await browser.submit(landing, 'Allow');
  }
  if (landing.kind !== 'callback') throw new Error(`expected the redirect_uri, got ${landing.kind}: ${'html' in landing ? landing.html.slice(0, 400) : ''}`);
  expect(landing.params.get('error') ?? undefined, landing.params.get('error_description') ?? '').toBeUndefined();
  return { code: landing.params.get('code')!, verifier };
}

const audienceOf = async (token: string) => (await jwtVerify(token, keys, { issuer, typ: 'at+jwt' })).payload.aud;

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  const common = { redirect_uris: [REDIRECT], scope: 'openid profile offline_access', grant_types: ['authorization_code', 'refresh_token'] as const };
  app = await createOidcClient(stack.db, user.tenant, { ...common, client_name: 'App', first_party: true, grant_types: [...common.grant_types] });
  third = await createOidcClient(stack.db, user.tenant, { ...common, client_name: 'Third', grant_types: [...common.grant_types] });
  service = await createOidcClient(stack.db, user.tenant, { client_name: 'svc', grant_types: ['client_credentials'] });
  keys = createLocalJWKSet(await (await fetch(`${issuer}/oidc/jwks`)).json() as JSONWebKeySet);
});

describe('several resources in one authorization request', () => {
  it('gives one token per resource from the same grant: code for one, refresh for the other', async () => {
    const { code, verifier } = await codeFor(app, 'openid offline_access');
    const first = await tokenRequest(app, [
      ['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', REDIRECT], ['code_verifier', verifier], ['resource', ONE],
    ]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(await audienceOf(first.body.access_token)).toBe(ONE);
    expect(first.body.id_token).toBeTypeOf('string');
    const second = await tokenRequest(app, [['grant_type', 'refresh_token'], ['refresh_token', first.body.refresh_token], ['resource', TWO]]);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(await audienceOf(second.body.access_token)).toBe(TWO);
    expect(decodeJwt(second.body.access_token)).toMatchObject({ sub: user.user.id, client_id: app.clientId });
    const again = await tokenRequest(app, [['grant_type', 'refresh_token'], ['refresh_token', second.body.refresh_token], ['resource', ONE]]);
    expect(await audienceOf(again.body.access_token)).toBe(ONE);
  });

  it('refuses two resources at once, or one outside the grant, at the token endpoint', async () => {
    const { code, verifier } = await codeFor(app, 'openid offline_access');
    const both = await tokenRequest(app, [
      ['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', REDIRECT], ['code_verifier', verifier], ['resource', ONE], ['resource', TWO],
    ]);
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(both.body.error_description).toMatch(/one resource/);

    const fresh = await codeFor(app, 'openid offline_access');
    const ok = await tokenRequest(app, [
      ['grant_type', 'authorization_code'], ['code', fresh.code], ['redirect_uri', REDIRECT], ['code_verifier', fresh.verifier], ['resource', TWO],
    ]);
    expect(ok.status).toBe(200);
    const outside = await tokenRequest(app, [['grant_type', 'refresh_token'], ['refresh_token', ok.body.refresh_token], ['resource', 'https://three.api.example/']]);
    expect(outside).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const twoAtOnce = await tokenRequest(app, [['grant_type', 'refresh_token'], ['refresh_token', ok.body.refresh_token], ['resource', ONE], ['resource', TWO]]);
    expect(twoAtOnce).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(twoAtOnce.body.error_description).toMatch(/one resource/);
    // A refused resource leaves the refresh token usable (it is not rotated, so no replay either).
    const retry = await tokenRequest(app, [['grant_type', 'refresh_token'], ['refresh_token', ok.body.refresh_token], ['resource', ONE]]);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await audienceOf(retry.body.access_token)).toBe(ONE);
  });

  it('without a resource at the token endpoint, gives the userinfo token (openid) or asks to choose', async () => {
    const withOpenid = await codeFor(app, 'openid offline_access');
    const plain = await tokenRequest(app, [
      ['grant_type', 'authorization_code'], ['code', withOpenid.code], ['redirect_uri', REDIRECT], ['code_verifier', withOpenid.verifier],
    ]);
    expect(plain.status).toBe(200);
    const info = await fetch(`${issuer}/oidc/me`, { headers: { authorization: `Bearer ${plain.body.access_token}` } });
    expect((await info.json()).sub).toBe(user.user.id);

    const apisOnly = await codeFor(app, 'offline_access');
    const unnamed = await tokenRequest(app, [
      ['grant_type', 'authorization_code'], ['code', apisOnly.code], ['redirect_uri', REDIRECT], ['code_verifier', apisOnly.verifier],
    ]);
    expect(unnamed).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(unnamed.body.error_description).toMatch(/resource parameter/);
  });

  it('asks a third-party client\'s user to consent to both APIs', async () => {
    let page = '';
    const { code, verifier } = await codeFor(third, 'openid offline_access', (html) => { page = html; });
    expect(page).toContain('one.api.example');
    expect(page).toContain('two.api.example');
    const res = await tokenRequest(third, [
      ['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', REDIRECT], ['code_verifier', verifier], ['resource', TWO],
    ]);
    expect(await audienceOf(res.body.access_token)).toBe(TWO);
  });

  it('refuses two resources in one client credentials request', async () => {
    const res = await tokenRequest(service, [['grant_type', 'client_credentials'], ['resource', ONE], ['resource', TWO]]);
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });
});
