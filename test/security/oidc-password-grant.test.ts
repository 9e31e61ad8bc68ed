// The password grant (ROPC) as an opt-in per client: a client that lists `password` in its
// grant_types gets tokens for a username and password checked by the tenant's login tree, run as
// a journey without a browser; every other client gets unauthorized_client. A wrong password, an
// unknown account, a tree that needs more than a password (TOTP) and a locked account are
// invalid_grant; the tree's throttling applies as in a browser. Each grant starts a journey: the
// journey start policy and the journey-start limits apply as to a browser's sign-in.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../core/accounts/users.ts';
import { newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { createOidcClient, OidcClientInputError, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';
import { wellInsideWindow } from '../support/rate-window.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let ropc: OidcClient;
let plain: OidcClient;

function tokenRequest(client: OidcClient, params: Record<string, string>, at = issuer): Promise<Response> {
  return fetch(`${at}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${client.clientId}:${client.metadata.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
}

async function token(client: OidcClient, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await tokenRequest(client, params);
  return { status: res.status, body: await res.json() };
}

const password = (client: OidcClient, username: string, pw: string, extra: Record<string, string> = {}) =>
  token(client, { grant_type: 'password', username, password: pw, ...extra });

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  ropc = await createOidcClient(stack.db, user.tenant, { client_name: 'legacy app', grant_types: ['password', 'refresh_token'], scope: 'openid profile email offline_access' });
  plain = await createOidcClient(stack.db, user.tenant, { client_name: 'web', redirect_uris: ['https://rp.example/cb'] });
});

describe('the password grant', () => {
  it('signs the user in through the login tree for a client that opted in', async () => {
    const res = await password(ropc, user.login, user.password, { scope: 'openid email offline_access' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'openid email offline_access' });
    const { payload } = await jwtVerify(res.body.id_token, createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`)), { issuer, audience: ropc.clientId });
    expect(payload).toMatchObject({ sub: user.user.id, acr: 'urn:tessera:acr:password', amr: ['pwd'] });
    const info = await fetch(`${issuer}/oidc/me`, { headers: { authorization: `Bearer ${res.body.access_token}` } }).then((r) => r.json());
    expect(info).toMatchObject({ sub: user.user.id, email: user.login });
    const refreshed = await token(ropc, { grant_type: 'refresh_token', refresh_token: res.body.refresh_token });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  });

  it('is off by default: unauthorized_client', async () => {
    expect(await password(plain, user.login, user.password)).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    await expect(createOidcClient(stack.db, user.tenant, { public: true, grant_types: ['password'] })).rejects.toThrow(OidcClientInputError);
  });

  it('answers invalid_grant for a wrong password or an unknown account, alike', async () => {
    const wrong = await password(ropc, user.login, 'not-the-password');
    const unknown = await password(ropc, `nobody@${user.tenant}.example`, 'whatever-it-is');
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(unknown.body).toEqual(wrong.body);
    expect(await password(ropc, user.login, 'a\u0000b')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await password(ropc, user.login, user.password, { scope: 'openid phone' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });

  it('refuses a tree that needs more than the password (TOTP), saying so', async () => {
    const pw = 'totp-user-password-1';
    const totpUser = await createUser(stack.db, user.tenant, { email: `totp@${user.tenant}.example`, password: pw });
    await saveTotpSecret(stack.db, user.tenant, totpUser.id, newTotpSecret(), 0);
    const res = await password(ropc, `totp@${user.tenant}.example`, pw);
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(res.body.error_description).toMatch(/one-time code/);
  });

  it('keeps the tree\'s throttling: after repeated failures the right password no longer works', async () => {
    const pw = 'locked-user-password-1';
    await createUser(stack.db, user.tenant, { email: `lock@${user.tenant}.example`, password: pw });
    for (let i = 0; i < 10; i += 1) {
      expect((await password(ropc, `lock@${user.tenant}.example`, `wrong-${i}-password`)).body.error).toBe('invalid_grant');
    }
    expect(await password(ropc, `lock@${user.tenant}.example`, pw)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('counts as a journey start: past the limit per address, or per tenant, 429 with Retry-After and an OAuth error', async () => {
    const limited = async (rateLimits: Record<string, unknown>) => {
      const other = await tenantWithUser(stack.db);
      await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{rateLimits}', ${stack.db.json(rateLimits as never)}) WHERE id = ${other.tenant}`;
      const client = await createOidcClient(stack.db, other.tenant, { grant_types: ['password'], scope: 'openid' });
      const params = { grant_type: 'password', username: other.login, password: other.password };
      return () => tokenRequest(client, params, `${stack.url}/t/${other.tenant}`);
    };
    for (const rateLimits of [{ journeyStartsPerAddress: { limit: 2, window: '1m' } }, { journeyStartsPerTenant: { limit: 2, window: '1m' } }]) {
      const grant = await limited(rateLimits);
      await wellInsideWindow();
      for (let i = 0; i < 2; i += 1) expect((await grant()).status, JSON.stringify(rateLimits)).toBe(200);
      const refused = await grant();
      expect(refused.status, JSON.stringify(rateLimits)).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await refused.json()).toMatchObject({ error: 'rate_limited', error_description: expect.stringMatching(/try again/) });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
  });

  it('runs only a tree a login journey may run: never one that signs people up', async () => {
    const other = await tenantWithUser(stack.db);
    // The tenant's login tree signs up whoever fails the password: the start policy refuses it,
    // even though the right password would never reach the signup node.
    await saveTree(stack.db, other.tenant, {
      name: 'login', start: 'identify', nodes: {
        identify: { type: 'username', next: { ok: 'password' } },
        password: { type: 'password', next: { ok: 'success', bad: 'join' } },
        join: { type: 'signup', next: { active: 'success', pending: 'success', bad: 'join' } },
      },
    });
    const client = await createOidcClient(stack.db, other.tenant, { grant_types: ['password'], scope: 'openid' });
    const res = await tokenRequest(client, { grant_type: 'password', username: other.login, password: other.password }, `${stack.url}/t/${other.tenant}`);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/cannot run the tree "login"/) });
  });
});
