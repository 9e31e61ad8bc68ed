// The OIDC `claims` request parameter reaches no further than the client's registered scopes:
// a client registered with `openid` alone gets neither email nor groups by asking for them as
// claims (in the ID token or at userinfo), and a third-party client's consent page names every
// claim it asks for that way and gets only what its scopes cover.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const REDIRECT = 'https://rp.example/cb';
const ASKED = { email: null, email_verified: null, groups: null, name: null, acr: { essential: true } };
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  await stack.db`UPDATE users SET email_verified_at = now() WHERE tenant_id = ${user.tenant} AND id = ${user.user.id}`;
  await stack.db`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${user.tenant}, ${user.user.id}, 'admins')`;
});

async function client(metadata: Record<string, unknown>): Promise<OidcClient> {
  return createOidcClient(stack.db, user.tenant, { client_name: 'Client', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], ...metadata });
}

interface Flow { config: oidc.Configuration; url: string; verifier: string; state: string; client: OidcClient }

async function flow(c: OidcClient, scope: string): Promise<Flow> {
  const config = await oidc.discovery(new URL(issuer), c.clientId, c.metadata.client_secret as string, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope, state, claims: JSON.stringify({ id_token: ASKED, userinfo: ASKED }),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  return { config, url: url.href, verifier, state, client: c };
}

async function tokens(f: Flow, landing: Landing): Promise<{ idToken: JWTPayload; userinfo: Record<string, unknown> }> {
  if (landing.kind !== 'callback') throw new Error(`expected a callback, got ${landing.kind}`);
  const raw = await oidc.authorizationCodeGrant(f.config, landing.url, { pkceCodeVerifier: f.verifier, expectedState: f.state });
  const keys = createLocalJWKSet(await (await fetch(`${issuer}/oidc/jwks`)).json() as JSONWebKeySet);
  const { payload } = await jwtVerify(raw.id_token!, keys, { issuer, audience: f.client.clientId });
  const info = await fetch(`${issuer}/oidc/me`, { headers: { authorization: `Bearer ${raw.access_token}` } });
  return { idToken: payload, userinfo: await info.json() as Record<string, unknown> };
}

describe('the claims parameter', () => {
  it('gives a client registered with openid only nothing beyond openid, though it asks for email and groups', async () => {
    const c = await client({ scope: 'openid', first_party: true });
    const f = await flow(c, 'openid');
    const { idToken, userinfo } = await tokens(f, await new OidcBrowser(stack.url, user.tenant).login(f.url, { username: user.login, password: user.password }));
    expect(idToken.sub).toBe(user.user.id);
    expect(idToken.acr).toBeTypeOf('string');
    for (const claim of ['email', 'email_verified', 'groups', 'name']) {
      expect(idToken).not.toHaveProperty(claim);
      expect(userinfo).not.toHaveProperty(claim);
    }
  });

  it('shows a third-party client\'s claims on the consent page, and releases only what its scopes cover', async () => {
    const c = await client({ scope: 'openid email' });
    const f = await flow(c, 'openid');
    const browser = new OidcBrowser(stack.url, user.tenant);
    const page = await browser.login(f.url, { username: user.login, password: user.password });
    if (page.kind !== 'page') throw new Error(`expected the consent page, got ${page.kind}`);
    expect(page.html).toContain('Your email address');
    expect(page.html).not.toContain('group');
    expect(page.html).not.toContain('“name”');
    const { idToken, userinfo } = await tokens(f, await browser.submit(page, 'Allow'));
    expect(idToken).toMatchObject({ email: user.login, email_verified: true });
    expect(userinfo).toMatchObject({ email: user.login });
    for (const claim of ['groups', 'name']) {
      expect(idToken).not.toHaveProperty(claim);
      expect(userinfo).not.toHaveProperty(claim);
    }
  });
});
