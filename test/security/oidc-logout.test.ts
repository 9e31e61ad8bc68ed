// RP-initiated logout without confirmation must not become a way to sign someone out, or to be
// sent somewhere, without proof (issue 13; SECURITY-CHECKLIST "RP-initiated logout"): only an
// id_token_hint the provider verified, of this very session, skips the page; the skip is a mark in
// the provider's server-side session, not something a request can say; the redirect is still only
// to a registered post_logout_redirect_uri.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { createUser } from '../../core/accounts/users.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser, type TestUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;

interface Tenant extends TestUser { tenant: string; issuer: string; web: OidcClient }

async function setUp(): Promise<Tenant> {
  const base = await tenantWithUser(db);
  const web = await createOidcClient(db, base.tenant, {
    client_name: 'Web', redirect_uris: ['https://web.example/cb'], post_logout_redirect_uris: ['https://web.example/bye'], first_party: true,
  });
  return { ...base, issuer: `${stack.url}/t/${base.tenant}`, web };
}

async function signIn(t: Tenant, browser: OidcBrowser, who: { login: string; password: string } = t): Promise<string> {
  const config = await oidc.discovery(new URL(t.issuer), t.web.clientId, t.web.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'https://web.example/cb', scope: 'openid', state: 's',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const landing = await browser.login(url.href, { username: who.login, password: who.password });
  if (landing.kind !== 'callback') throw new Error('expected a callback');
  const tokens = await oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedState: 's' });
  const jwks = createLocalJWKSet(await (await fetch(`${t.issuer}/oidc/jwks`)).json() as JSONWebKeySet);
  await jwtVerify(tokens.id_token!, jwks, { issuer: t.issuer, audience: t.web.clientId });
  return tokens.id_token!;
}

const endSession = (t: Tenant, params: Record<string, string>) => `${t.issuer}/oidc/session/end?${new URLSearchParams(params)}`;

describe('logout without confirmation needs proof', () => {
  it('GET of the logout route without the mark changes nothing', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const cookie = browser.cookies.get('tessera_session')!;
    const res = await browser.request('GET', `${t.issuer}/oidc/interaction/logout?hinted=true&xsrf=x`);
    expect(res.status).toBe(400);
    expect(await getSession(db, t.tenant, cookie)).toBeDefined();
    // Nor after the confirmation page was shown (the mark comes only from a verified hint).
    await browser.follow(endSession(t, { client_id: t.web.clientId }));
    expect((await browser.request('GET', `${t.issuer}/oidc/interaction/logout`)).status).toBe(400);
    expect(await getSession(db, t.tenant, cookie)).toBeDefined();
  });

  it("another user's valid ID token as hint: the confirmation page, and this browser's session lives on", async () => {
    const t = await setUp();
    const bob = { login: `bob@${t.tenant}.example`, password: 'pw-bob-123456789' };
    await createUser(db, t.tenant, { email: bob.login, password: bob.password, status: 'active' });
    const bobsToken = await signIn(t, new OidcBrowser(stack.url, t.tenant), bob);
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const cookie = browser.cookies.get('tessera_session')!;
    const page = await browser.follow(endSession(t, { id_token_hint: bobsToken, post_logout_redirect_uri: 'https://web.example/bye' }));
    expect(page).toMatchObject({ kind: 'page', status: 200 });
    expect((page as { html: string }).html).toContain('Sign out?');
    expect(await getSession(db, t.tenant, cookie)).toBeDefined();
  });

  it('a hint with a broken signature, or for an unregistered post_logout_redirect_uri: refused, nothing ends, no redirect', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const token = await signIn(t, browser);
    const cookie = browser.cookies.get('tessera_session')!;
    const [h, p, s] = token.split('.');
    const broken = `${h}.${p}.${s!.slice(0, -4)}${s!.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const refused: Record<string, string>[] = [{ id_token_hint: broken }, { id_token_hint: token, post_logout_redirect_uri: 'https://evil.example/bye' }];
    for (const params of refused) {
      const landing = await browser.follow(endSession(t, params));
      expect(landing).toMatchObject({ kind: 'page', status: 400 });
      expect(await getSession(db, t.tenant, cookie)).toBeDefined();
    }
  });

  it('the mark is used once: after the hinted logout, the route answers 400', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const token = await signIn(t, browser);
    const landing = await browser.follow(endSession(t, { id_token_hint: token, post_logout_redirect_uri: 'https://web.example/bye' }));
    expect(landing.kind).toBe('callback');
    expect((await browser.request('GET', `${t.issuer}/oidc/interaction/logout`)).status).toBe(400);
  });
});
