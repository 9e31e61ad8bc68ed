// Codes and rotating refresh tokens are single-use even when redeemed in parallel: of N requests
// sent at once, exactly one gets tokens, the others invalid_grant, and the grant is revoked as for
// a replay seen in sequence — the winner's tokens stop working too.
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const REDIRECT = 'https://rp.example/cb';
const PARALLEL = 5;
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let app: OidcClient;
let browser: OidcBrowser;

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  app = await createOidcClient(stack.db, user.tenant, {
    client_name: 'App', redirect_uris: [REDIRECT], first_party: true, scope: 'openid offline_access',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  browser = new OidcBrowser(stack.url, user.tenant);
});

async function post(path: string, body: Record<string, string>): Promise<{ status: number; body: any }> {
  const auth = Buffer.from(`${app.clientId}:${app.metadata.client_secret}`).toString('base64');
  const res = await fetch(`${issuer}/oidc/${path}`, {
    method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: await res.json() };
}

async function codeAndVerifier(): Promise<{ code: string; verifier: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(`${issuer}/oidc/auth`);
  url.search = new URLSearchParams({
    client_id: app.clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid offline_access', prompt: 'consent',
    state: oidc.randomState(), code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }).toString();
  let landing: Landing = await browser.login(String(url), { username: user.login, password: user.password });
  if (landing.kind === 'page' && /name="decision"/.test(landing.html)) landing = await browser.submit(landing, 'Allow');
  if (landing.kind !== 'callback') throw new Error(`expected the redirect_uri, got ${landing.kind}`);
  return { code: landing.params.get('code')!, verifier };
}

/** Sends the same token request PARALLEL times at once; returns the one success and the refusals. */
async function redeemInParallel(body: Record<string, string>): Promise<{ winner: any; refusals: string[] }> {
  const results = await Promise.all(Array.from({ length: PARALLEL }, () => post('token', body)));
  const winners = results.filter((r) => r.status === 200);
  expect(winners).toHaveLength(1);
  return { winner: winners[0]!.body, refusals: results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.error}`) };
}

async function expectRevoked(tokens: { access_token: string; refresh_token?: string }): Promise<void> {
  expect((await post('introspect', { token: tokens.access_token })).body).toEqual({ active: false });
  const info = await fetch(`${issuer}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(info.status).toBe(401);
  if (tokens.refresh_token) {
    expect(await post('token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  }
}

describe('parallel redemption', () => {
  it('of one authorization code: exactly one wins, the others get invalid_grant, and the grant is revoked', async () => {
    const { code, verifier } = await codeAndVerifier();
    const { winner, refusals } = await redeemInParallel({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(refusals).toEqual(Array(PARALLEL - 1).fill('400 invalid_grant'));
    await expectRevoked(winner);
  });

  it('of one rotating refresh token: exactly one wins, the others get invalid_grant, and the grant is revoked', async () => {
    const { code, verifier } = await codeAndVerifier();
    const first = await post('token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(first.status).toBe(200);
    const { winner, refusals } = await redeemInParallel({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refusals).toEqual(Array(PARALLEL - 1).fill('400 invalid_grant'));
    expect(winner.refresh_token).not.toBe(first.body.refresh_token);
    await expectRevoked(winner);
    await expectRevoked(first.body);
  });
});
