// Dynamic client registration (RFC 7591) and management (RFC 7592) with raw HTTP: registering
// needs an initial access token (one use, sha256 only), the client made goes through Tessera's
// validator (Tessera's own settings cannot be registered), and the registration access token
// reads, replaces and deletes that client only.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../core/infra/secret-token.ts';
import { createInitialAccessToken } from '../../core/oidc/client-registration.ts';
import { getOidcClient } from '../../core/oidc/oidc-clients.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 60_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let issuer: string;
let endpoint: string;

async function call(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const initialToken = async () => (await createInitialAccessToken(stack.db, tenant)).token;

const WEB = { client_name: 'Registered app', redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code', 'refresh_token'] };

beforeAll(async () => {
  tenant = uniqueTenantId('dcr');
  await createTenant(stack.db, tenant);
  issuer = `${stack.url}/t/${tenant}`;
  endpoint = `${issuer}/oidc/reg`;
});

describe('registration (RFC 7591)', () => {
  it('is advertised in discovery', async () => {
    const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(meta.registration_endpoint).toBe(endpoint);
  });

  it('refuses a registration without a valid initial access token', async () => {
    for (const token of [undefined, 'tsi_not-a-token', 'x'.repeat(300)]) {
      const res = await call('POST', endpoint, token, WEB);
      expect(res.status, String(token)).toBe(401);
      expect(res.body.error).toBe('invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(await stack.db`SELECT 1 FROM oidc_clients WHERE tenant_id = ${tenant}`).toHaveLength(0);
  });

  it('registers a client through Tessera\'s validator, ignoring what a client may not set itself', async () => {
    const token = await initialToken();
    const res = await call('POST', endpoint, token, { ...WEB, first_party: true, permissions: ['.*::.*'], client_id: 'chosen', contacts: ['a@b.example'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      client_name: 'Registered app', redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0,
      registration_client_uri: `${endpoint}/${res.body.client_id}`,
    });
    expect(res.body.client_id).not.toBe('chosen');
    expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.registration_access_token).toMatch(/^tsr_/);
    expect(res.body).not.toHaveProperty('first_party');
    const stored = await getOidcClient(stack.db, tenant, res.body.client_id);
    expect(stored!.metadata).toMatchObject({ first_party: false });
    expect(stored!.metadata).not.toHaveProperty('permissions');
    // Tokens only as hashes; the initial token is used up.
    const [row] = await stack.db`SELECT token_hash FROM oidc_client_registrations WHERE tenant_id = ${tenant} AND client_id = ${res.body.client_id}`;
    expect(row?.token_hash).toBe(sha256(res.body.registration_access_token));
    expect(await stack.db`SELECT 1 FROM oidc_initial_access_tokens WHERE tenant_id = ${tenant} AND hash = ${token}`).toHaveLength(0);
    expect(await stack.db`SELECT uses_left FROM oidc_initial_access_tokens WHERE tenant_id = ${tenant} AND hash = ${sha256(token)}`).toEqual([{ uses_left: 0 }]);
    expect((await call('POST', endpoint, token, WEB)).status).toBe(401);

    // The client works at the token endpoint.
    const cc = await call('POST', endpoint, await initialToken(), { grant_types: ['client_credentials'] });
    const tokenRes = await fetch(`${issuer}/oidc/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }),
      headers: { authorization: `Basic ${btoa(`${cc.body.client_id}:${cc.body.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(tokenRes.status).toBe(200);
  });

  it('refuses bad metadata with the RFC 7591 error codes, leaving the initial token usable', async () => {
    const token = await initialToken();
    expect(await call('POST', endpoint, token, { redirect_uris: ['http://evil.example/cb'] })).toMatchObject({ status: 400, body: { error: 'invalid_redirect_uri' } });
    expect(await call('POST', endpoint, token, { grant_types: ['password'] })).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect(await call('POST', endpoint, token, { grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'] })).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect(await call('POST', endpoint, token, { token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] })).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect(await call('POST', endpoint, token, '{not json')).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect(await call('POST', endpoint, token, ['x'])).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect((await call('POST', endpoint, token, { ...WEB, token_endpoint_auth_method: 'none' })).status).toBe(201);
  });

  it('makes one client from a one-use token however many registrations race', async () => {
    const token = await initialToken();
    const results = await Promise.all(Array.from({ length: 5 }, () => call('POST', endpoint, token, WEB)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401, 401]);
  });
});

describe('client configuration (RFC 7592)', () => {
  it('reads, replaces and deletes with the registration access token, and nothing else', async () => {
    const made = (await call('POST', endpoint, await initialToken(), WEB)).body;
    const other = (await call('POST', endpoint, await initialToken(), WEB)).body;
    const uri = made.registration_client_uri;
    const rat = made.registration_access_token;

    const read = await call('GET', uri, rat);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ client_id: made.client_id, client_secret: made.client_secret, redirect_uris: WEB.redirect_uris });
    for (const token of [undefined, other.registration_access_token, 'tsr_nope']) expect((await call('GET', uri, token)).status).toBe(401);
    expect((await call('GET', `${endpoint}/${other.client_id}`, rat)).status).toBe(401);

    const replaced = await call('PUT', uri, rat, { client_id: made.client_id, client_name: 'Renamed', redirect_uris: ['https://rp.example/other'] });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({ client_name: 'Renamed', redirect_uris: ['https://rp.example/other'], client_secret: made.client_secret });
    // RFC 7592 §2.2: what is left out is removed (grant types back to the default).
    expect(replaced.body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(await call('PUT', uri, rat, { client_id: 'someone-else', client_name: 'x', redirect_uris: WEB.redirect_uris })).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    expect(await call('PUT', uri, rat, { client_id: made.client_id, client_secret: 'guess'.repeat(10), redirect_uris: WEB.redirect_uris })).toMatchObject({ status: 400 });
    expect(await call('PUT', uri, rat, { client_id: made.client_id, redirect_uris: ['http://evil.example/'] })).toMatchObject({ status: 400, body: { error: 'invalid_redirect_uri' } });
    expect((await call('GET', uri, rat)).body.client_name).toBe('Renamed');
    expect((await call('PUT', uri, other.registration_access_token, { client_id: made.client_id, redirect_uris: WEB.redirect_uris })).status).toBe(401);

    expect((await call('DELETE', uri, other.registration_access_token)).status).toBe(401);
    expect((await call('DELETE', uri, rat)).status).toBe(204);
    expect((await call('GET', uri, rat)).status).toBe(401);
    expect(await getOidcClient(stack.db, tenant, made.client_id)).toBeUndefined();
    expect((await call('GET', other.registration_client_uri, other.registration_access_token)).status).toBe(200);
  });
});
