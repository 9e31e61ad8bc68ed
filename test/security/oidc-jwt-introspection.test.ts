// JWT access tokens at the introspection (RFC 7662) and revocation (RFC 7009) endpoints: a
// client-credentials token (a JWT, never stored) is introspected by its client and by the
// resource server it is addressed to, revoked by its client, and from then on inactive everywhere
// Tessera checks its own access tokens (introspection, token exchange, the admin API).
// Before this, both endpoints answered `unsupported_token_type` for every JWT. The JWT checklist
// (alg none, RS→HS confusion, unknown crit, keys named by jku/jwk/x5u, a kid of another key):
// each such token is inactive and revokes nothing, not even the real token whose jti it names.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { ensureSigningKeys, providerJwks, signJwt } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 60_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let issuer: string;
let service: OidcClient;
let api: OidcClient;
let other: OidcClient;
let spa: OidcClient;

const basic = (c: OidcClient) => `Basic ${btoa(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.metadata.client_secret!)}`)}`;

async function post(path: string, client: OidcClient, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams(params);
  if (client.metadata.client_secret) headers.authorization = basic(client);
  else body.set('client_id', client.clientId);
  const res = await fetch(`${issuer}/oidc/${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function clientToken(client: OidcClient, resource?: string): Promise<string> {
  const res = await post('token', client, { grant_type: 'client_credentials', ...(resource ? { resource } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token;
}

beforeAll(async () => {
  tenant = uniqueTenantId('jwtint');
  await createTenant(stack.db, tenant);
  issuer = `${stack.url}/t/${tenant}`;
  service = await createOidcClient(stack.db, tenant, { client_id: 'svc', grant_types: ['client_credentials'], permissions: ['GET::/items'] });
  api = await createOidcClient(stack.db, tenant, { client_id: 'api://orders', grant_types: ['client_credentials'] });
  other = await createOidcClient(stack.db, tenant, { client_id: 'nosy', grant_types: ['client_credentials'] });
  spa = await createOidcClient(stack.db, tenant, { client_id: 'spa', public: true, redirect_uris: ['http://localhost/cb'] });
});

describe('introspection of JWT access tokens', () => {
  it('answers active with the token\'s claims to the client it was issued to', async () => {
    const token = await clientToken(service);
    const { payload } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`)), { issuer, typ: 'at+jwt' });
    const res = await post('introspect', service, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: true, client_id: 'svc', sub: 'svc', iss: issuer, aud: issuer, jti: payload.jti, exp: payload.exp, iat: payload.iat,
      token_type: 'Bearer', permissions: ['GET::/items'],
    });
  });

  it('answers the resource server the token is addressed to, and nobody else', async () => {
    const token = await clientToken(service, 'api://orders');
    expect((await post('introspect', api, { token })).body).toMatchObject({ active: true, aud: 'api://orders', client_id: 'svc' });
    expect((await post('introspect', other, { token })).body).toEqual({ active: false });
    expect((await post('introspect', spa, { token })).body).toEqual({ active: false });
  });

  it('answers inactive for an expired, forged or foreign-issuer token, and keeps refusing other JWTs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'svc', client_id: 'svc', aud: issuer, jti: 'j-expired' };
    const expired = await signJwt(stack.db, tenant, { ...claims, iss: issuer, iat: now - 3600, exp: now - 60 }, { typ: 'at+jwt' });
    const foreignIssuer = await signJwt(stack.db, tenant, { ...claims, iss: 'https://evil.example/t/x', exp: now + 300 }, { typ: 'at+jwt' });
    const [{ kid }] = await stack.db`SELECT kid FROM signing_keys WHERE tenant_id = ${tenant} AND alg = 'ES256'` as unknown as [{ kid: string }];
    const forged = await new jose.SignJWT({ ...claims, iss: issuer, exp: now + 300 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign((await jose.generateKeyPair('ES256')).privateKey);
    for (const [name, token] of Object.entries({ expired, foreignIssuer, forged })) {
      expect((await post('introspect', service, { token })).body, name).toEqual({ active: false });
    }
    const idLike = await signJwt(stack.db, tenant, { ...claims, iss: issuer, exp: now + 300 }, { typ: 'JWT' });
    expect((await post('introspect', service, { token: idLike })).body).toMatchObject({ error: 'unsupported_token_type' });
  });
});

describe('the JWT checklist at introspection and revocation', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  let attackerKeys: Server;
  let fetched: string[];

  beforeAll(async () => {
    fetched = [];
    const attacker = await jose.generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await jose.exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'ES256', use: 'sig' }] };
    attackerKeys = createServer((req, res) => {
      fetched.push(req.url ?? '');
      res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => attackerKeys.listen(0, '127.0.0.1', resolve));
    return () => new Promise<void>((resolve) => attackerKeys.close(() => resolve()));
  });

  /** Tokens claiming `jti`, each broken in one way the checklist names. */
  async function hostileTokens(jti: string): Promise<Record<string, string>> {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer, sub: 'svc', client_id: 'svc', aud: issuer, jti, iat: now, exp: now + 300 };
    const keys = (await providerJwks(stack.db, tenant)).keys;
    const es = keys.find((k) => k.alg === 'ES256')!;
    const rs = keys.find((k) => k.alg === 'RS256')!;
    const realEs = await jose.importJWK(es, 'ES256');
    const { publicKey: _p, privateKey: attackerKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const attackerJwk = await jose.exportJWK(await jose.generateKeyPair('ES256', { extractable: true }).then((k) => k.publicKey));
    const url = `http://127.0.0.1:${(attackerKeys.address() as AddressInfo).port}`;
    const attackerSigned = (header: Record<string, unknown>) =>
      new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...header }).sign(attackerKey);
    const rsPublicPem = createPublicKey({ key: { kty: rs.kty!, n: rs.n!, e: rs.e! }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const otherTenant = uniqueTenantId('jwtother');
    await createTenant(stack.db, otherTenant);
    await ensureSigningKeys(stack.db, otherTenant);
    const otherEs = (await providerJwks(stack.db, otherTenant)).keys.find((k) => k.alg === 'ES256')!;
    return {
      algNone: `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`,
      algNoneWithSignature: `${b64({ alg: 'none', typ: 'at+jwt', kid: es.kid })}.${b64(claims)}.c2ln`,
      hs256WithThePublicKey: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rs.kid })
        .sign(new TextEncoder().encode(rsPublicPem)),
      hs256WithThePublicJwk: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rs.kid })
        .sign(new TextEncoder().encode(JSON.stringify({ kty: rs.kty, n: rs.n, e: rs.e }))),
      // Signed with the tenant's own key: only the unknown critical header is wrong.
      unknownCrit: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: es.kid, crit: ['urn:evil:ignore-me'], 'urn:evil:ignore-me': true })
        .sign(realEs, { crit: { 'urn:evil:ignore-me': true } }),
      jku: await attackerSigned({ kid: 'attacker', jku: `${url}/jwks.json` }),
      jkuWithTheTenantsKid: await attackerSigned({ kid: es.kid, jku: `${url}/jwks.json` }),
      x5u: await attackerSigned({ kid: 'attacker', x5u: `${url}/cert.pem` }),
      embeddedJwk: await attackerSigned({ jwk: attackerJwk }),
      embeddedJwkWithTheTenantsKid: await attackerSigned({ kid: es.kid, jwk: attackerJwk }),
      kidPathTrick: await attackerSigned({ kid: '../../../../dev/null' }),
      kidSqlTrick: await attackerSigned({ kid: "x' OR '1'='1" }),
      kidOfAnotherTenantsKey: await new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: otherEs.kid })
        .sign(await jose.importJWK(otherEs, 'ES256')),
    };
  }

  it('answers each hostile token inactive, and revoking it revokes nothing', async () => {
    const real = await clientToken(service);
    const { jti } = jose.decodeJwt(real);
    const [before] = await stack.db`SELECT count(*)::int AS n FROM revoked_access_tokens WHERE tenant_id = ${tenant}`;
    for (const [name, token] of Object.entries(await hostileTokens(jti!))) {
      const introspected = await post('introspect', service, { token });
      expect(introspected, name).toEqual({ status: 200, body: { active: false } });
      expect((await post('revoke', service, { token })).status, name).toBe(200);
    }
    const [after] = await stack.db`SELECT count(*)::int AS n FROM revoked_access_tokens WHERE tenant_id = ${tenant}`;
    expect(after?.n).toBe(before?.n);
    // The real token whose jti they all claimed is still active; no key URL was ever fetched.
    expect((await post('introspect', service, { token: real })).body).toMatchObject({ active: true, jti });
    expect(fetched).toEqual([]);
  });
});

describe('revocation of JWT access tokens', () => {
  it('makes a client-credentials token inactive once its client revokes it', async () => {
    const token = await clientToken(service, 'api://orders');
    const refused = await post('revoke', other, { token });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await post('revoke', spa, { token })).status).toBe(200);
    expect((await post('introspect', api, { token })).body.active).toBe(true);

    expect((await post('revoke', service, { token, token_type_hint: 'access_token' })).status).toBe(200);
    expect((await post('introspect', api, { token })).body).toEqual({ active: false });
    expect((await post('introspect', service, { token })).body).toEqual({ active: false });
    // Durable, kept until the token's own expiry; revoking again changes nothing.
    const { jti, exp } = jose.decodeJwt(token);
    const rows = await stack.db`SELECT client_id, expires_at FROM revoked_access_tokens WHERE tenant_id = ${tenant} AND jti = ${jti!}`;
    expect(rows).toEqual([{ client_id: 'svc', expires_at: new Date(exp! * 1000) }]);
    expect((await post('revoke', service, { token })).status).toBe(200);
  });

  it('answers 200 for an invalid token and changes nothing', async () => {
    const forged = `${btoa(JSON.stringify({ alg: 'ES256', typ: 'at+jwt' })).replace(/=+$/, '')}.e30.c2ln`;
    expect((await post('revoke', service, { token: forged })).status).toBe(200);
    const [row] = await stack.db`SELECT count(*)::int AS n FROM revoked_access_tokens WHERE tenant_id = ${tenant}`;
    expect(row?.n).toBe(1);
  });

  it('stops a revoked user token from being exchanged', async () => {
    const exchanger = await createOidcClient(stack.db, tenant, {
      client_id: 'api://exchanger', grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_exchange: { audiences: ['api://orders'] },
    });
    const user = await createUser(stack.db, tenant, { email: `ex@${tenant}.example` });
    const now = Math.floor(Date.now() / 1000);
    const subject = async (jti: string) => signJwt(stack.db, tenant, {
      iss: issuer, sub: user.id, client_id: 'svc', aud: 'api://exchanger', scope: 'openid', jti, iat: now, exp: now + 300,
    }, { typ: 'at+jwt' });
    const exchange = (token: string) => post('token', exchanger, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: 'api://orders',
    });
    expect((await exchange(await subject('kept'))).status).toBe(200);
    const revoked = await subject('revoked');
    expect((await post('revoke', service, { token: revoked })).status).toBe(200);
    expect(await exchange(revoked)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('stops a revoked access token at the admin API at once', async () => {
    const console = await createOidcClient(stack.db, tenant, { client_id: 'console', public: true, first_party: true, redirect_uris: ['http://localhost/cb'] });
    const admin = await createUser(stack.db, tenant, { email: `admin@${tenant}.example` });
    await grantRole(stack.db, tenant, admin.id, 'tenant-admin');
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt(stack.db, tenant, {
      iss: issuer, aud: `${stack.config.publicUrl}/api/admin`, sub: admin.id, client_id: console.clientId, jti: 'admin-1', iat: now, exp: now + 300,
    }, { typ: 'at+jwt' });
    const roles = () => fetch(`${stack.url}/t/${tenant}/api/admin/roles`, { headers: { authorization: `Bearer ${token}` } });
    expect((await roles()).status).toBe(200);
    expect((await post('revoke', console, { token })).status).toBe(200);
    expect((await roles()).status).toBe(401);
  });
});
