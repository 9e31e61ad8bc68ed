// A tenant as an OpenID Provider, seen by a relying party (openid-client 6) and a resource server
// (jose): discovery, JWKS, client credentials with resource indicators, introspection and
// revocation answers, client authentication, PAR, request objects, the redirect_uri error page,
// and key rotation without a restart. Flows that need a signed-in user: oidc-flows.test.ts.
import { createPublicKey, createSecretKey } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createOidcClient, deleteOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { listSigningKeys, rotateSigningKeys } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let issuer: string;
let service: OidcClient;
let web: OidcClient;

const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

async function rpFor(client: OidcClient, secret = client.metadata.client_secret!, at = issuer): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(at), client.clientId, secret, undefined, { execute: [oidc.allowInsecureRequests] });
}

async function jwks(at = issuer): Promise<JSONWebKeySet> {
  const res = await fetch(`${at}/oidc/jwks`);
  expect(res.status).toBe(200);
  return res.json() as Promise<JSONWebKeySet>;
}

async function oauthError(promise: Promise<unknown>): Promise<{ error?: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { error?: string; status?: number; cause?: { error?: string } };
    return { error: e.error ?? e.cause?.error, status: e.status };
  }
  throw new Error('expected an OAuth error');
}

function basic(client: OidcClient, secret = client.metadata.client_secret!): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function par(client: OidcClient, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${issuer}/oidc/request`, {
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: await res.json() };
}

const authParams = (client: OidcClient) => ({
  client_id: client.clientId, response_type: 'code', redirect_uri: 'https://rp.example/cb', scope: 'openid',
  code_challenge: PKCE_CHALLENGE, code_challenge_method: 'S256', state: 'st-1', nonce: 'n-1',
});

beforeAll(async () => {
  tenant = uniqueTenantId('oidc');
  await createTenant(stack.db, tenant);
  issuer = `${stack.url}/t/${tenant}`;
  service = await createOidcClient(stack.db, tenant, {
    client_name: 'service', grant_types: ['client_credentials'], scope: 'profile', permissions: ['GET::/api/items/[0-9]+'],
  });
  web = await createOidcClient(stack.db, tenant, { client_name: 'web', redirect_uris: ['https://rp.example/cb'] });
});

describe('discovery and JWKS', () => {
  it('publishes the issuer and absolute endpoints under /t/{tenant}/oidc', async () => {
    const rp = await rpFor(web);
    const meta = rp.serverMetadata();
    expect(meta.issuer).toBe(issuer);
    for (const [key, path] of Object.entries({
      authorization_endpoint: 'auth', token_endpoint: 'token', userinfo_endpoint: 'me', jwks_uri: 'jwks',
      introspection_endpoint: 'introspect', revocation_endpoint: 'revoke', pushed_authorization_request_endpoint: 'request',
      device_authorization_endpoint: 'device/auth', end_session_endpoint: 'session/end',
    })) {
      expect(meta[key], key).toBe(`${issuer}/oidc/${path}`);
    }
    expect(new Set(meta.response_types_supported)).toEqual(new Set([
      'code', 'id_token', 'token', 'code id_token', 'code token', 'id_token token', 'code id_token token', 'none',
    ]));
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.request_object_signing_alg_values_supported).not.toContain('none');
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'profile', 'email', 'address', 'phone']));
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']));
  });

  it('publishes ES256, RS256, PS256 and EdDSA public keys only', async () => {
    const set = await jwks();
    expect(set.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const key of set.keys) {
      expect(key.use).toBe('sig');
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key, `${key.alg}.${secret}`).not.toHaveProperty(secret);
    }
  });

  it('gives every tenant its own keys, and unknown tenants the JSON 404', async () => {
    const other = uniqueTenantId('oidc');
    await createTenant(stack.db, other);
    const mine = new Set((await jwks()).keys.map((k) => k.kid));
    expect((await jwks(`${stack.url}/t/${other}`)).keys.some((k) => mine.has(k.kid))).toBe(false);
    const res = await fetch(`${stack.url}/t/no-such-tenant-x/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('tenant_not_found');
  });
});

describe('client credentials and resource indicators', () => {
  it('issues an ES256 JWT access token for the tenant (aud = issuer) without a resource', async () => {
    const tokens = await oidc.clientCredentialsGrant(await rpFor(service), { scope: 'profile' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createLocalJWKSet(await jwks()), {
      issuer, audience: issuer, typ: 'at+jwt', algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      client_id: service.clientId, sub: service.clientId, scope: 'profile', permissions: ['GET::/api/items/[0-9]+'],
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15 * 60);
    // Only the scopes registered for the client.
    expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(service), { scope: 'email' }))).toMatchObject({ error: 'invalid_scope' });
  });

  it('addresses the token to the requested resource: an https URL or a registered client id', async () => {
    const api = await createOidcClient(stack.db, tenant, { client_id: 'api://orders', grant_types: ['client_credentials'] });
    const keys = createLocalJWKSet(await jwks());
    for (const resource of ['https://api.example.com/', api.clientId]) {
      const tokens = await oidc.clientCredentialsGrant(await rpFor(service), { resource });
      const { payload } = await jwtVerify(tokens.access_token, keys, { issuer, audience: resource, typ: 'at+jwt' });
      expect(payload.aud).toBe(resource);
    }
    for (const resource of ['api://unregistered', 'http://api.example.com/', 'https://api.example.com/#frag', 'not-a-uri']) {
      expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(service), { resource })), resource).toMatchObject({ error: 'invalid_target' });
    }
  });

  it('refuses a wrong secret, an unknown client, a deleted client and another tenant\'s client', async () => {
    expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(service, 'x'.repeat(43))))).toMatchObject({ error: 'invalid_client', status: 401 });
    const ghost = { ...service, clientId: 'no-such-client' } as OidcClient;
    expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(ghost)))).toMatchObject({ error: 'invalid_client' });
    const other = uniqueTenantId('oidc');
    await createTenant(stack.db, other);
    expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(service, undefined, `${stack.url}/t/${other}`)))).toMatchObject({ error: 'invalid_client' });

    // Created and deleted while the provider runs: no restart either way.
    const temp = await createOidcClient(stack.db, tenant, { grant_types: ['client_credentials'] });
    await oidc.clientCredentialsGrant(await rpFor(temp));
    await deleteOidcClient(stack.db, tenant, temp.clientId);
    // Clients found are remembered for a second (postgres-adapter.ts).
    await vi.waitFor(async () => {
      expect(await oauthError(oidc.clientCredentialsGrant(await rpFor(temp)))).toMatchObject({ error: 'invalid_client' });
    }, { timeout: 5000, interval: 300 });
  });

  it('answers introspection and revocation for unknown tokens and for JWT access tokens', async () => {
    const rp = await rpFor(service);
    expect(await oidc.tokenIntrospection(rp, 'not-a-token-we-issued')).toMatchObject({ active: false });
    await oidc.tokenRevocation(rp, 'not-a-token-we-issued');
    // JWT access tokens are verified and checked against the revocation list
    // (oidc-jwt-introspection.test.ts has the details).
    const { access_token } = await oidc.clientCredentialsGrant(rp);
    expect(await oidc.tokenIntrospection(rp, access_token)).toMatchObject({ active: true, client_id: service.clientId });
    await oidc.tokenRevocation(rp, access_token);
    expect(await oidc.tokenIntrospection(rp, access_token)).toMatchObject({ active: false });
    expect(await oauthError(oidc.tokenIntrospection(await rpFor(service, 'y'.repeat(43)), 'whatever'))).toMatchObject({ error: 'invalid_client' });
  });
});

describe('authorization requests', () => {
  it('shows an error page, never a redirect, for an unregistered redirect_uri or an unknown client', async () => {
    const cases = [
      { ...authParams(web), redirect_uri: 'https://evil.example/cb' },
      { ...authParams(web), redirect_uri: 'https://rp.example/cb/../evil' },
      { ...authParams(web), client_id: 'no-such-client' },
    ];
    for (const params of cases) {
      const res = await fetch(`${issuer}/oidc/auth?${new URLSearchParams(params)}`, { redirect: 'manual' });
      expect(res.status, params.redirect_uri).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toMatch(/invalid_redirect_uri|invalid_client/);
      expect(html).not.toMatch(/ at .*\.js:\d+/); // no stack
    }
  });

  it('requires PKCE with S256 of every client', async () => {
    const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = authParams(web);
    const res = await fetch(`${issuer}/oidc/auth?${new URLSearchParams(noPkce)}`, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://rp.example/cb');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(location.searchParams.get('iss')).toBe(issuer);
    const plain = await fetch(`${issuer}/oidc/auth?${new URLSearchParams({ ...authParams(web), code_challenge_method: 'plain' })}`, { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts a pushed authorization request and continues it from its request_uri', async () => {
    const pushed = await par(web, authParams(web));
    expect(pushed.status).toBe(201);
    expect(pushed.body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const res = await fetch(`${issuer}/oidc/auth?${new URLSearchParams({ client_id: web.clientId, request_uri: pushed.body.request_uri })}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!, stack.url).pathname).toMatch(new RegExp(`^/t/${tenant}/oidc/interaction/[A-Za-z0-9_-]+$`));
    // openid-client's own PAR helper gets the same answer.
    const url = await oidc.buildAuthorizationUrlWithPAR(await rpFor(web), authParams(web));
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    // A PAR with an unregistered redirect_uri is refused at once (RFC 9126 says invalid_request).
    const refused = await par(web, { ...authParams(web), redirect_uri: 'https://evil.example/cb' });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(refused.body.error_description).toMatch(/redirect_uri/);
  });

  it('accepts request objects signed with the client secret; refuses alg none and HS256 keyed with our public key', async () => {
    const claims = { ...authParams(web), iss: web.clientId, aud: issuer };
    const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m')
      .sign(new TextEncoder().encode(web.metadata.client_secret!));
    expect((await par(web, { client_id: web.clientId, request: signed })).status).toBe(201);

    const unsigned = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('5m').encode();
    expect(await par(web, { client_id: web.clientId, request: unsigned })).toMatchObject({ status: 400, body: { error: 'invalid_request_object' } });

    // The classic confusion attack: the tenant's public RSA key (PEM, or its JWK JSON) as an HMAC secret.
    const rsa = (await jwks()).keys.find((k) => k.alg === 'RS256')!;
    const pem = createPublicKey({ key: rsa as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(rsa))]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).setIssuedAt().setExpirationTime('5m')
        .sign(createSecretKey(secret));
      expect(await par(web, { client_id: web.clientId, request: forged })).toMatchObject({ status: 400, body: { error: 'invalid_request_object' } });
    }
    // Unsigned through the front channel: refused too (at the client's redirect_uri, which is registered).
    const res = await fetch(`${issuer}/oidc/auth?${new URLSearchParams({ client_id: web.clientId, request: unsigned })}`, { redirect: 'manual' });
    const answer = res.headers.get('location') ? new URL(res.headers.get('location')!).searchParams.get('error') : await res.text();
    expect(answer).toMatch(/invalid_request_object/);
  });
});

describe('key rotation', () => {
  it('publishes new keys within seconds, keeps the old ones published, and signs with the new ones', async () => {
    const rotated = uniqueTenantId('oidc');
    await createTenant(stack.db, rotated);
    const at = `${stack.url}/t/${rotated}`;
    const client = await createOidcClient(stack.db, rotated, { grant_types: ['client_credentials'] });
    const before = await oidc.clientCredentialsGrant(await rpFor(client, undefined, at));
    const oldKid = decodeProtectedHeader(before.access_token).kid!;

    await rotateSigningKeys(stack.db, rotated);
    const newKid = (await listSigningKeys(stack.db, rotated)).find((k) => k.status === 'active' && k.alg === 'ES256')!.kid;
    expect(newKid).not.toBe(oldKid);
    await vi.waitFor(async () => {
      expect((await jwks(at)).keys.map((k) => k.kid)).toContain(newKid);
    }, { timeout: 10_000, interval: 250 });

    const set = await jwks(at);
    expect(set.keys.map((k) => k.kid)).toContain(oldKid);
    expect(set.keys).toHaveLength(8);
    await jwtVerify(before.access_token, createLocalJWKSet(set), { issuer: at, audience: at });
    const after = await oidc.clientCredentialsGrant(await rpFor(client, undefined, at));
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
    await jwtVerify(after.access_token, createLocalJWKSet(set), { issuer: at, audience: at });

    // With no grace the previous keys stop being published, the key before them is gone.
    await rotateSigningKeys(stack.db, rotated, 0);
    await vi.waitFor(async () => {
      const kids = (await jwks(at)).keys.map((k) => k.kid);
      expect(kids).not.toContain(newKid);
      expect(kids).toHaveLength(4 + 4);
    }, { timeout: 10_000, interval: 250 });
  });
});

describe('tessera clients and keys', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

  it('creates a client (secret shown once), lists it without the secret, deletes it; rotates keys', async () => {
    const created = await runTessera(['clients', 'create', '--tenant', tenant, '--json', '--name', 'cli app',
      '--redirect-uri', 'https://cli.example/cb', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token',
      '--first-party', '--scope', 'openid profile', '--post-logout-redirect-uri', 'https://cli.example/bye'], env());
    expect(created.code, created.stderr).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({
      client_name: 'cli app', first_party: true, redirect_uris: ['https://cli.example/cb'], scope: 'openid profile',
      grant_types: ['authorization_code', 'refresh_token'], post_logout_redirect_uris: ['https://cli.example/bye'],
    });
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const list = await runTessera(['clients', 'list', '--tenant', tenant, '--json'], env());
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((c: { client_id: string }) => c.client_id)).toContain(client.client_id);
    expect(list.stdout).not.toContain(client.client_secret);

    const bad = await runTessera(['clients', 'create', '--tenant', tenant, '--redirect-uri', 'http://evil.example/cb'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/redirect_uris/);

    const pub = await runTessera(['clients', 'create', '--tenant', tenant, '--public', '--client-id', 'spa-app',
      '--redirect-uri', 'http://localhost:5173/cb'], env());
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toMatch(/client_id: spa-app/);
    expect(pub.stdout).not.toMatch(/client_secret/);

    const deleted = await runTessera(['clients', 'delete', '--tenant', tenant, '--client-id', client.client_id], env());
    expect(deleted.code, deleted.stderr).toBe(0);
    const again = await runTessera(['clients', 'delete', '--tenant', tenant, '--client-id', client.client_id], env());
    expect(again.code).toBe(1);

    const before = (await listSigningKeys(stack.db, tenant)).filter((k) => k.status === 'active').map((k) => k.kid);
    const rotate = await runTessera(['keys', 'rotate', '--tenant', tenant, '--grace', '2h', '--json'], env());
    expect(rotate.code, rotate.stderr).toBe(0);
    const keys = JSON.parse(rotate.stdout) as { kid: string; status: string; published_until: string | null }[];
    expect(keys.filter((k) => k.status === 'active')).toHaveLength(4);
    const retired = keys.filter((k) => before.includes(k.kid));
    expect(retired.map((k) => k.status)).toEqual(['retired', 'retired', 'retired', 'retired']);
    const until = Date.parse(retired[0]!.published_until!) - Date.now();
    expect(until).toBeGreaterThan(110 * 60_000);
    expect(until).toBeLessThan(121 * 60_000);
    expect((await runTessera(['keys', 'rotate', '--tenant', tenant, '--grace', 'soon'], env())).code).toBe(2);
  });
});
