// Claims, claim rules, RFC 8693 token exchange (delegation and external JWT) and the resource
// guard, against a real tenant: openid-client 6 as the relying party, jose to check what comes out.
// One test signs the user in for real (code flow through the Journey API, test/support/oidc-browser.ts);
// elsewhere, user access tokens are made by the tenant's own provider (same keys, same storage) as
// the authorization code grant would make them, which keeps each case short.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import type Provider from 'oidc-provider';
import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { saveAttributes } from '../../core/accounts/profile.ts';
import { providerJwks, signJwt } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createProviderCache } from '../../server/protocols/oidc/provider-cache.ts';
import type { OidcDeps } from '../../server/protocols/oidc/deps.ts';
import { createResourceGuard } from '../../guard/resource-guard.ts';
import { tenantWithUser, uniqueTenantId, type TestUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const CI_ISSUER = 'https://ci.example.org';
const REDIRECT = 'https://rp.example/cb';
const CI_SUBJECT = 'repo:acme/app:ref:refs/heads/main';

let tenant: string;
let user: TestUser['user'];
let login: { username: string; password: string };
let issuer: string;
let provider: Provider;
let jwks: ReturnType<typeof jose.createLocalJWKSet>;
const secrets = new Map<string, string>();
let ciKey: CryptoKey;
let ciPublic: jose.JWK;

async function addClient(metadata: Record<string, unknown>): Promise<void> {
  const client_secret = randomBytes(32).toString('base64url');
  secrets.set(metadata.client_id as string, client_secret);
  await createOidcClient(stack.db, tenant, { ...metadata, client_secret });
}

function rp(clientId: string, tenantId = tenant): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${stack.url}/t/${tenantId}`), clientId, undefined, oidc.ClientSecretBasic(secrets.get(clientId)),
    { execute: [oidc.allowInsecureRequests] });
}

async function exchange(clientId: string, params: Record<string, string>) {
  return oidc.genericGrantRequest(await rp(clientId), EXCHANGE, params);
}

/** The OAuth error a request was refused with ('accepted' when it was not). */
async function refusal(request: Promise<unknown>): Promise<string> {
  try {
    await request;
    return 'accepted';
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
}

/** A user access token as the code flow gives it: a JWT for `resource`, or an opaque one for userinfo. */
async function userToken(clientId: string, scope: string, resource?: string): Promise<string> {
  const client = (await provider.Client.find(clientId))!;
  const grant = new provider.Grant({ accountId: user.id, clientId });
  grant.addOIDCScope(scope);
  if (resource) grant.addResourceScope(resource, scope);
  const grantId = await grant.save();
  const token = new provider.AccessToken({ accountId: user.id, client, grantId, gty: 'authorization_code', scope });
  if (resource) {
    token.resourceServer = new provider.ResourceServer(resource, {
      audience: resource, scope, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
    });
  }
  return token.save();
}

async function ciJwt(claims: jose.JWTPayload, key: CryptoKey | Uint8Array = ciKey, alg = 'ES256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ iss: CI_ISSUER, sub: CI_SUBJECT, aud: issuer, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg, kid: 'ci-1' }).sign(key);
}

const unsigned = (header: object, payload: object) =>
  `${jose.base64url.encode(JSON.stringify(header))}.${jose.base64url.encode(JSON.stringify(payload))}.`;

beforeAll(async () => {
  const created = await tenantWithUser(stack.db);
  ({ tenant, user } = created);
  login = { username: created.login, password: created.password };
  issuer = `${stack.config.publicUrl}/t/${tenant}`;
  const ci = await jose.generateKeyPair('ES256', { extractable: true });
  ciKey = ci.privateKey;
  ciPublic = { ...await jose.exportJWK(ci.publicKey), kid: 'ci-1', alg: 'ES256', use: 'sig' };

  await addClient({
    client_id: 'web', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], first_party: true,
    claim_rules: [
      { rename: { from: 'email', to: 'mail' } },
      { add: { claim: 'tenant', value: 'acme' } },
      { add: { claim: 'display', template: '{{name}} <{{mail}}> {{address.locality}}' } },
      { remove: 'phone_number' },
    ],
  });
  await addClient({
    client_id: 'api://orders', grant_types: ['client_credentials', EXCHANGE],
    token_exchange: { audiences: ['api://billing'] }, permissions: ['GET::/orders/[0-9]+', 'POST::/orders'],
  });
  await addClient({ client_id: 'api://billing', grant_types: ['client_credentials', EXCHANGE], token_exchange: { audiences: ['api://reports'] } });
  await addClient({ client_id: 'api://reports', grant_types: ['client_credentials'] });
  await addClient({ client_id: 'api://nosy', grant_types: [EXCHANGE], token_exchange: { audiences: ['api://billing'] } });
  await addClient({
    client_id: 'deployer', grant_types: ['client_credentials', EXCHANGE], permissions: ['POST::/deploy', '*::/status'],
    token_exchange: { audiences: ['api://billing'], external: [{ issuer: CI_ISSUER, subject: CI_SUBJECT, jwks: { keys: [ciPublic] } }] },
  });

  await saveAttributes(stack.db, tenant, user.id, {
    name: 'Ann Lee', given_name: 'Ann', family_name: 'Lee', phone_number: '+30 210 000', locality: 'Athens',
  });
  await stack.db`UPDATE users SET email_verified_at = now() WHERE tenant_id = ${tenant} AND id = ${user.id}`;
  await stack.db`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${tenant}, ${user.id}, 'admins'), (${tenant}, ${user.id}, 'staff')`;

  // The tenant's provider, as the server builds it: tokens it makes are the tenant's tokens.
  const deps = { db: stack.db, config: stack.config, cookies: { secure: false }, idleTimeoutMs: 60_000 } as unknown as OidcDeps;
  provider = await createProviderCache(deps)(tenant);
  jwks = jose.createLocalJWKSet(await (await fetch(`${stack.url}/t/${tenant}/oidc/jwks`)).json() as jose.JSONWebKeySet);
});

async function verifyAccessToken(token: string, audience: string) {
  return (await jose.jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'] })).payload;
}

describe('client credentials', () => {
  it('carry the client\'s permissions in the JWT access token', async () => {
    const tokens = await oidc.clientCredentialsGrant(await rp('api://orders'));
    const payload = await verifyAccessToken(tokens.access_token, issuer);
    expect(payload).toMatchObject({ sub: 'api://orders', client_id: 'api://orders', permissions: ['GET::/orders/[0-9]+', 'POST::/orders'] });
  });
});

describe('token exchange, delegation', () => {
  it('gives a token for an allowed audience: same sub, act = the presenting client, scope narrowed', async () => {
    const subject = await userToken('web', 'openid profile email', 'api://orders');
    const subjectExp = jose.decodeJwt(subject).exp!;
    const tokens = await exchange('api://orders', {
      subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing', scope: 'openid email',
    });
    expect(tokens).toMatchObject({ token_type: 'bearer', issued_token_type: ACCESS, scope: 'openid email' });
    const payload = await verifyAccessToken(tokens.access_token, 'api://billing');
    expect(payload).toMatchObject({ sub: user.id, aud: 'api://billing', client_id: 'api://orders', act: { sub: 'api://orders' }, scope: 'openid email' });
    expect(payload.exp).toBeLessThanOrEqual(subjectExp);
    expect(payload).not.toHaveProperty('permissions');

    // Exchanged again by its audience: the earlier actor is kept inside the new one.
    const chained = await exchange('api://billing', { subject_token: tokens.access_token, subject_token_type: ACCESS, audience: 'api://reports' });
    expect(await verifyAccessToken(chained.access_token, 'api://reports'))
      .toMatchObject({ sub: user.id, act: { sub: 'api://billing', act: { sub: 'api://orders' } } });

    const events = (await listAudit(stack.db, tenant)).filter((e) => e.type === 'token.exchanged');
    expect(events[0]).toMatchObject({ actor: 'api://billing', subject: user.id, data: { form: 'delegation', client: 'api://billing', audience: 'api://reports' } });
    expect(JSON.stringify(events)).not.toContain(subject.split('.')[2]);
    expect(JSON.stringify(events)).not.toContain(tokens.access_token.split('.')[2]);
  });

  it('accepts the opaque token a client holds itself', async () => {
    const subject = await userToken('api://orders', 'openid profile');
    const tokens = await exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing' });
    expect(await verifyAccessToken(tokens.access_token, 'api://billing')).toMatchObject({ sub: user.id, scope: 'openid profile' });
  });

  it('refuses an audience the client is not allowed, or missing', async () => {
    const subject = await userToken('web', 'openid', 'api://orders');
    for (const audience of ['api://reports', 'web', 'api://unknown']) {
      expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience })), audience).toBe('invalid_target');
    }
    expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS }))).toBe('invalid_request');
  });

  it('refuses a token neither issued to nor addressed to the presenting client', async () => {
    const subject = await userToken('web', 'openid', 'api://orders');
    expect(await refusal(exchange('api://nosy', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing' }))).toBe('invalid_grant');
  });

  it('refuses a wider scope, an unknown token type, and actor tokens', async () => {
    const subject = await userToken('web', 'openid email', 'api://orders');
    expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing', scope: 'openid profile' })))
      .toBe('invalid_scope');
    expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', audience: 'api://billing' })))
      .toBe('invalid_request');
    expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing', actor_token: subject, actor_token_type: ACCESS })))
      .toBe('invalid_request');
  });

  it('refuses expired, revoked, forged and non-access subject tokens', async () => {
    const base = { sub: user.id, client_id: 'web', aud: 'api://orders', iss: issuer, scope: 'openid', jti: 'x1' };
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt(stack.db, tenant, { ...base, iat: now - 3600, exp: now - 60 }, { typ: 'at+jwt' });
    const notAccess = await signJwt(stack.db, tenant, { ...base, exp: now + 300 }, { typ: 'JWT' });
    const other = await jose.generateKeyPair('ES256');
    const [{ kid }] = (await stack.db`SELECT kid FROM signing_keys WHERE tenant_id = ${tenant} AND alg = 'ES256'`) as unknown as [{ kid: string }];
    const forged = await new jose.SignJWT({ ...base, exp: now + 300 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(other.privateKey);
    const none = unsigned({ alg: 'none', typ: 'at+jwt' }, { ...base, exp: now + 300 });

    const revoked = await userToken('api://orders', 'openid');
    const revocation = await fetch(`${stack.url}/t/${tenant}/oidc/revoke`, {
      method: 'POST', body: new URLSearchParams({ token: revoked }),
      headers: { authorization: `Basic ${btoa(`${encodeURIComponent('api://orders')}:${secrets.get('api://orders')}`)}` },
    });
    expect(revocation.status).toBe(200);

    for (const [name, subject] of Object.entries({ expired, notAccess, forged, none, revoked, garbage: 'not-a-token' })) {
      expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing' })), name)
        .toBe('invalid_grant');
    }
  });

  it('refuses the token of a user who has since been disabled', async () => {
    const subject = await userToken('web', 'openid', 'api://orders');
    await stack.db`UPDATE users SET status = 'disabled' WHERE tenant_id = ${tenant} AND id = ${user.id}`;
    try {
      expect(await refusal(exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing' }))).toBe('invalid_grant');
    } finally {
      await stack.db`UPDATE users SET status = 'active' WHERE tenant_id = ${tenant} AND id = ${user.id}`;
    }
  });
});

describe('token exchange, external JWT', () => {
  it('gives the configured service principal a token for an allowed audience, with its permissions', async () => {
    const tokens = await exchange('deployer', { subject_token: await ciJwt({}), subject_token_type: JWT, audience: 'api://billing' });
    const payload = await verifyAccessToken(tokens.access_token, 'api://billing');
    expect(payload).toMatchObject({ sub: 'service:deployer', client_id: 'deployer', permissions: ['POST::/deploy', '*::/status'] });
    expect(payload).not.toHaveProperty('act');
    const [event] = (await listAudit(stack.db, tenant)).filter((e) => e.type === 'token.exchanged');
    expect(event).toMatchObject({ actor: 'deployer', subject: 'service:deployer', data: { form: 'service', external_issuer: CI_ISSUER } });
  });

  it('accepts the client_id as the external token\'s audience', async () => {
    const tokens = await exchange('deployer', { subject_token: await ciJwt({ aud: 'deployer' }), subject_token_type: JWT, audience: 'api://billing' });
    expect(await verifyAccessToken(tokens.access_token, 'api://billing')).toMatchObject({ sub: 'service:deployer' });
  });

  it('refuses what it cannot trust', async () => {
    const stranger = await jose.generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, string> = {
      keyNotInJwks: await ciJwt({}, stranger.privateKey),
      algNone: unsigned({ alg: 'none', kid: 'ci-1' }, { iss: CI_ISSUER, sub: CI_SUBJECT, aud: issuer, exp: now + 300 }),
      hmacWithPublicKey: await new jose.SignJWT({ aud: issuer }).setProtectedHeader({ alg: 'HS256', kid: 'ci-1' })
        .setIssuer(CI_ISSUER).setSubject(CI_SUBJECT).setExpirationTime('5m').sign(new TextEncoder().encode(JSON.stringify(ciPublic))),
      otherSubject: await ciJwt({ sub: 'repo:acme/app:ref:refs/heads/evil' }),
      otherIssuer: await ciJwt({ iss: 'https://ci.evil.example' }),
      wrongAudience: await ciJwt({ aud: 'https://elsewhere.example' }),
      expired: await ciJwt({ exp: now - 120, iat: now - 600 }),
      notYet: await ciJwt({ nbf: now + 600 }),
      noExpiry: await new jose.SignJWT({ aud: issuer }).setProtectedHeader({ alg: 'ES256', kid: 'ci-1' })
        .setIssuer(CI_ISSUER).setSubject(CI_SUBJECT).sign(ciKey),
    };
    for (const [name, subject] of Object.entries(cases)) {
      expect(await refusal(exchange('deployer', { subject_token: subject, subject_token_type: JWT, audience: 'api://billing' })), name)
        .toBe('invalid_grant');
    }
    // A client that does not trust the CI issuer.
    expect(await refusal(exchange('api://orders', { subject_token: await ciJwt({}), subject_token_type: JWT, audience: 'api://billing' })))
      .toBe('invalid_grant');
  });

  it('refuses clients without the grant type', async () => {
    expect(await refusal(exchange('api://reports', { subject_token: await ciJwt({}), subject_token_type: JWT, audience: 'api://billing' })))
      .toMatch(/unauthorized_client|invalid_request/);
  });
});

describe('a real sign-in', () => {
  async function codeFlow(browser: OidcBrowser, extra: Record<string, string>) {
    const config = await rp('web');
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid profile email phone groups', nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    const landing: Landing = await browser.login(String(url), login);
    if (landing.kind !== 'callback') throw new Error(`expected the redirect_uri, got ${landing.kind}`);
    return oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true }, extra);
  }

  it('puts rule-shaped claims in the ID token and userinfo, and its access token can be exchanged', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    // With a resource, the access token is not for userinfo: the scopes' claims go in the ID token.
    const forApi = await codeFlow(browser, { resource: 'api://orders' });
    const idToken = (await jose.jwtVerify(forApi.id_token!, jwks, { issuer, audience: 'web' })).payload;
    expect(idToken).toMatchObject({ sub: user.id, mail: user.email, tenant: 'acme', display: `Ann Lee <${user.email}> ` });
    expect(idToken).not.toHaveProperty('email');
    expect(idToken).not.toHaveProperty('phone_number');
    expect(await verifyAccessToken(forApi.access_token, 'api://orders')).toMatchObject({ sub: user.id, client_id: 'web' });

    const exchanged = await exchange('api://orders', { subject_token: forApi.access_token, subject_token_type: ACCESS, audience: 'api://billing' });
    expect(await verifyAccessToken(exchanged.access_token, 'api://billing')).toMatchObject({ sub: user.id, act: { sub: 'api://orders' } });

    // Signed in already: the second authorization is silent, its opaque token is for userinfo.
    const forUserinfo = await codeFlow(browser, {});
    const claims = await oidc.fetchUserInfo(await rp('web'), forUserinfo.access_token, user.id);
    expect(claims).toMatchObject({ sub: user.id, mail: user.email, groups: ['admins', 'staff'], tenant: 'acme' });
    expect(claims).not.toHaveProperty('email');
  });
});

describe('userinfo', () => {
  it('releases the scopes\' claims, reshaped by the client\'s claim rules', async () => {
    const token = await userToken('web', 'openid profile email address phone groups');
    const claims = await oidc.fetchUserInfo(await rp('web'), token, user.id);
    expect(claims).toMatchObject({
      sub: user.id, name: 'Ann Lee', given_name: 'Ann', family_name: 'Lee', mail: user.email, email_verified: true,
      address: { locality: 'Athens' }, phone_number_verified: false, groups: ['admins', 'staff'], tenant: 'acme',
      display: `Ann Lee <${user.email}> Athens`, preferred_username: user.username,
    });
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('phone_number');
  });

  it('releases nothing a scope did not ask for, rules or not', async () => {
    const token = await userToken('web', 'openid');
    const claims = await oidc.fetchUserInfo(await rp('web'), token, user.id);
    expect(claims).toEqual({ sub: user.id, tenant: 'acme', display: ' <> ' });
  });
});

describe('resource guard', () => {
  let server: Server;
  let api: string;
  const guard = () => createResourceGuard({ issuer, audience: 'api://billing' });

  beforeAll(async () => {
    const middleware = guard().middleware();
    server = createServer((req, res) => middleware(req, res, () => {
      res.end(JSON.stringify({ ok: true, sub: (req as { auth?: jose.JWTPayload }).auth?.sub }));
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const call = (method: string, path: string, token?: string) =>
    fetch(`${api}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function serviceToken(): Promise<string> {
    return (await exchange('deployer', { subject_token: await ciJwt({}), subject_token_type: JWT, audience: 'api://billing' })).access_token;
  }

  it('lets through what the permissions allow, and nothing else', async () => {
    const token = await serviceToken();
    const ok = await call('POST', '/deploy?dry=1', token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, sub: 'service:deployer' });
    expect((await call('DELETE', '/status', token)).status).toBe(200);
    for (const [method, path] of [['GET', '/deploy'], ['POST', '/deploy/x'], ['POST', '/x/deploy'], ['GET', '/statuses']]) {
      const denied = await call(method!, path!, token);
      expect(denied.status, `${method} ${path}`).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
  });

  it('refuses a user token without permissions (403) and no token at all (401)', async () => {
    const subject = await userToken('web', 'openid', 'api://orders');
    const userAccess = (await exchange('api://orders', { subject_token: subject, subject_token_type: ACCESS, audience: 'api://billing' })).access_token;
    expect((await call('GET', '/anything', userAccess)).status).toBe(403);
    const none = await call('GET', '/anything');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses tokens for another audience, expired, from another issuer or tenant, or forged', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'service:deployer', client_id: 'deployer', aud: 'api://billing', iss: issuer, permissions: ['*::/.*'], jti: 'j' };
    const other = await jose.generateKeyPair('RS256', { extractable: true });
    const [{ kid }] = (await stack.db`SELECT kid FROM signing_keys WHERE tenant_id = ${tenant} AND alg = 'RS256'`) as unknown as [{ kid: string }];
    const rsaPublic = (await (await fetch(`${stack.url}/t/${tenant}/oidc/jwks`)).json() as jose.JSONWebKeySet).keys.find((k) => k.kid === kid)!;

    // Active keys come first; the stored JWK is sealed, providerJwks opens it.
    const privateJwk = (await providerJwks(stack.db, tenant)).keys.find((k) => k.alg === 'ES256')!;
    const tenantKey = { kid: privateJwk.kid!, key: await jose.importJWK(privateJwk, 'ES256') };

    const otherTenant = uniqueTenantId('guard');
    await createTenant(stack.db, otherTenant);
    secrets.set('api://billing@other', randomBytes(32).toString('base64url'));
    await createOidcClient(stack.db, otherTenant, { client_id: 'api://billing', client_secret: secrets.get('api://billing@other'), grant_types: ['client_credentials'] });
    const otherConfig = await oidc.discovery(new URL(`${stack.url}/t/${otherTenant}`), 'api://billing', undefined,
      oidc.ClientSecretBasic(secrets.get('api://billing@other')), { execute: [oidc.allowInsecureRequests] });
    const otherTenantToken = (await oidc.clientCredentialsGrant(otherConfig, { resource: 'api://billing' })).access_token;

    const cases: Record<string, string> = {
      otherAudience: (await oidc.clientCredentialsGrant(await rp('api://orders'))).access_token,
      expired: await signJwt(stack.db, tenant, { ...claims, iat: now - 3600, exp: now - 120 }, { typ: 'at+jwt' }),
      otherIssuer: await signJwt(stack.db, tenant, { ...claims, iss: 'https://evil.example/t/x', exp: now + 300 }, { typ: 'at+jwt' }),
      otherTenant: otherTenantToken,
      notAnAccessToken: await signJwt(stack.db, tenant, { ...claims, exp: now + 300 }, { typ: 'JWT' }),
      algNone: unsigned({ alg: 'none', typ: 'at+jwt' }, { ...claims, exp: now + 300 }),
      foreignKey: await new jose.SignJWT({ ...claims, exp: now + 300 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign((await jose.generateKeyPair('ES256')).privateKey),
      embeddedJwk: await new jose.SignJWT({ ...claims, exp: now + 300 })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk: await jose.exportJWK(other.publicKey) }).sign(other.privateKey),
      jkuHeader: await new jose.SignJWT({ ...claims, exp: now + 300 })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jku: `${api}/evil-jwks` }).sign(other.privateKey),
      kidTrick: await new jose.SignJWT({ ...claims, exp: now + 300 })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: `../../${kid}' OR '1'='1` }).sign(other.privateKey),
      hmacWithPublicKey: await new jose.SignJWT({ ...claims, exp: now + 300 }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
        .sign(new TextEncoder().encode(JSON.stringify(rsaPublic))),
      // Signed by the tenant's own key: only the unknown critical header is wrong.
      unknownCrit: await new jose.SignJWT({ ...claims, exp: now + 300 })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: tenantKey.kid, crit: ['x-new'], 'x-new': 1 } as jose.JWTHeaderParameters)
        .sign(tenantKey.key, { crit: { 'x-new': true } }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await call('GET', '/status', token);
      expect(res.status, name).toBe(401);
      expect(res.headers.get('www-authenticate'), name).toContain('error="invalid_token"');
    }
    // The control: a well-formed token signed by the tenant's key passes.
    expect((await call('GET', '/status', await signJwt(stack.db, tenant, { ...claims, exp: now + 300 }, { typ: 'at+jwt' }))).status).toBe(200);
    await expect(guard().verify(cases.expired!)).rejects.toThrow();
  });
});
