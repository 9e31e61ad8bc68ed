// RP-initiated logout as Keycloak does it (issue 13, "Must work"): an id_token_hint of this very
// session ends it without a confirmation page, still only toward a registered
// post_logout_redirect_uri; anything less shows the page. Front-channel logout (OIDC Front-Channel
// Logout 1.0): clients that registered a frontchannel_logout_uri are loaded in iframes with iss and
// sid, under a CSP whose frame-src names exactly their origins.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { createUser } from '../../core/accounts/users.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser, type TestUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;

interface Tenant extends TestUser { tenant: string; issuer: string; web: OidcClient; front: OidcClient; front2: OidcClient }

async function setUp(): Promise<Tenant> {
  const base = await tenantWithUser(db);
  const client = (input: Record<string, unknown>) => createOidcClient(db, base.tenant, { first_party: true, ...input });
  const [web, front, front2] = await Promise.all([
    client({ client_name: 'Web', redirect_uris: ['https://web.example/cb'], post_logout_redirect_uris: ['https://web.example/bye'] }),
    client({ client_name: 'Front', redirect_uris: ['https://front.example/cb'], frontchannel_logout_uri: 'https://front.example/fc-logout?x=1' }),
    client({ client_name: 'Front 2', redirect_uris: ['https://front2.example:8443/cb'], frontchannel_logout_uri: 'https://front2.example:8443/logout' }),
  ]);
  return { ...base, issuer: `${stack.url}/t/${base.tenant}`, web, front, front2 };
}

async function rpFor(t: Tenant, client: OidcClient): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(t.issuer), client.clientId, client.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
}

/** Signs in to `client` (through a journey, or by SSO) and returns its verified ID token. */
async function signIn(t: Tenant, browser: OidcBrowser, client: OidcClient, who: { login: string; password: string } = t): Promise<{ raw: string; claims: JWTPayload }> {
  const config = await rpFor(t, client);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: (client.metadata.redirect_uris as string[])[0]!, scope: 'openid', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const landing = await browser.login(url.href, { username: who.login, password: who.password });
  if (landing.kind !== 'callback') throw new Error(`expected a callback, got ${landing.kind}`);
  const tokens = await oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedState: state });
  const jwks = createLocalJWKSet(await (await fetch(`${t.issuer}/oidc/jwks`)).json() as JSONWebKeySet);
  const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: t.issuer, audience: client.clientId });
  return { raw: tokens.id_token!, claims: payload };
}

const endSession = (t: Tenant, params: Record<string, string>) => `${t.issuer}/oidc/session/end?${new URLSearchParams(params)}`;

function callback(landing: Landing): URL {
  if (landing.kind !== 'callback') throw new Error(`expected a redirect to the client, got ${landing.kind}: ${'html' in landing ? landing.html.slice(0, 300) : ''}`);
  return landing.url;
}

describe('RP-initiated logout with an id_token_hint of this session', () => {
  it('ends the session without a confirmation page and returns to the registered post_logout_redirect_uri with state', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser, t.web);
    const cookie = browser.cookies.get('tessera_session')!;
    const back = callback(await browser.follow(endSession(t, { id_token_hint: raw, post_logout_redirect_uri: 'https://web.example/bye', state: 'st-9' })));
    expect(`${back.origin}${back.pathname}`).toBe('https://web.example/bye');
    expect(back.searchParams.get('state')).toBe('st-9');
    expect(browser.visited.some((v) => v.includes('/oidc/interaction/logout'))).toBe(true);
    expect(await getSession(db, t.tenant, cookie)).toBeUndefined();
    expect((await browser.follow((await oidc.buildAuthorizationUrl(await rpFor(t, t.web), { redirect_uri: 'https://web.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })).href)).kind).toBe('journey');
  });

  it('without a post_logout_redirect_uri: the signed-out page, still without asking', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser, t.web);
    const landing = await browser.follow(endSession(t, { id_token_hint: raw }));
    expect(landing).toMatchObject({ kind: 'page', status: 200, url: `${t.issuer}/oidc/session/end/success` });
  });

  it('asks when the hint is from an earlier session of the same user, or when there is no hint', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const first = await signIn(t, browser, t.web);
    await browser.api.request('POST', `/t/${t.tenant}/api/session/logout`, {});
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later auth_time
    await signIn(t, browser, t.web);
    const cookie = browser.cookies.get('tessera_session')!;
    const asks: Record<string, string>[] = [{ id_token_hint: first.raw }, { client_id: t.web.clientId }];
    for (const params of asks) {
      const page = await browser.follow(endSession(t, params));
      expect(page).toMatchObject({ kind: 'page', status: 200 });
      expect((page as { html: string }).html).toContain('Sign out?');
      expect(await getSession(db, t.tenant, cookie)).toBeDefined();
    }
  });
});

describe('front-channel logout', () => {
  it('loads each front-channel client of the session in an iframe with iss and its sid, then goes on', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const front = await signIn(t, browser, t.front);
    const front2 = await signIn(t, browser, t.front2);
    const { raw } = await signIn(t, browser, t.web);
    expect(front.claims.sid).toBeTypeOf('string');
    expect(front2.claims.sid).toBeTypeOf('string');

    const page = await browser.follow(endSession(t, { id_token_hint: raw, post_logout_redirect_uri: 'https://web.example/bye', state: 's' }));
    if (page.kind !== 'page') throw new Error(`expected the front-channel page, got ${page.kind}`);
    const frames = [...page.html.matchAll(/<iframe[^>]*src="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll('&amp;', '&')));
    expect(frames.map((f) => `${f.origin}${f.pathname}`).sort()).toEqual(['https://front.example/fc-logout', 'https://front2.example:8443/logout']);
    const one = frames.find((f) => f.hostname === 'front.example')!;
    expect(Object.fromEntries(one.searchParams)).toEqual({ x: '1', iss: t.issuer, sid: front.claims.sid });
    expect(frames.find((f) => f.hostname === 'front2.example')!.searchParams.get('sid')).toBe(front2.claims.sid);
    expect(page.html).toMatch(/<meta http-equiv="refresh" content="\d+;url=https:\/\/web\.example\/bye\?state=s">/);
  });

  it('discovery says front-channel logout (with sid) is supported', async () => {
    const t = await setUp();
    const discovery = await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(discovery).toMatchObject({ frontchannel_logout_supported: true, frontchannel_logout_session_supported: true });
  });

  it("the page's CSP allows exactly the front-channel origins as frames", async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser, t.front);
    const { raw } = await signIn(t, browser, t.web);
    const start = await browser.request('GET', endSession(t, { id_token_hint: raw }));
    expect(start.status).toBe(303);
    const res = await browser.request('GET', new URL(start.headers.get('location')!, stack.url).href);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp.split(';').map((d) => d.trim()).filter((d) => d.startsWith('frame-src'))).toEqual(['frame-src https://front.example']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
  });

  it('no front-channel page when no client of the session registered one; another user\'s session is not named', async () => {
    const t = await setUp();
    const other = { login: `bob@${t.tenant}.example`, password: 'pw-bob-123456789' };
    await createUser(db, t.tenant, { email: other.login, password: other.password, status: 'active' });
    const bob = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, bob, t.front, other);
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser, t.web);
    const back = callback(await browser.follow(endSession(t, { id_token_hint: raw, post_logout_redirect_uri: 'https://web.example/bye' })));
    expect(back.hostname).toBe('web.example');
  });
});
