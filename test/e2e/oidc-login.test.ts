// OIDC in Chromium against the real server, Temporal and database: the authorization code flow
// with PKCE through the login UI (tokens checked with jose); a third-party client's consent page
// answered with response_mode=form_post; and RP-initiated logout back to the client. Every page
// on the way keeps the site's CSP without a violation, including the redirects to the client
// that follow a form (form-action) and the provider's self-submitting form_post page.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import type { Page, Request } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;

async function newPage(): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Answers the client's URLs (on another origin) inside the browser; resolves with the first request. */
async function relyingParty(page: Page, origin: string): Promise<{ request: Promise<Request> }> {
  await page.route(`${origin}/**`, (route) => route.fulfill({
    status: 200, contentType: 'text/html', body: '<!doctype html><title>RP</title><h1>Back at the app</h1>',
  }));
  return { request: page.waitForRequest((request) => request.url().startsWith(`${origin}/`)) };
}

async function signInWithPassword(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function setUp(client: Record<string, unknown>) {
  const base = await tenantWithUser(db);
  const issuer = `${stack.url}/t/${base.tenant}`;
  const rp = await createOidcClient(db, base.tenant, client);
  const config = await oidc.discovery(new URL(issuer), rp.clientId, rp.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  return { ...base, issuer, rp, config };
}

async function verifyIdToken(issuer: string, rp: OidcClient, idToken: string) {
  const jwks = await (await fetch(`${issuer}/oidc/jwks`)).json() as JSONWebKeySet;
  return (await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer, audience: rp.clientId })).payload;
}

describe('OIDC in the browser', () => {
  it('authorization code with PKCE through the login UI', async () => {
    const t = await setUp({ client_name: 'Web', redirect_uris: ['https://web.example/cb'], first_party: true });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(t.config, {
      redirect_uri: 'https://web.example/cb', scope: 'openid email', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const page = await newPage();
    const watch = await watchPage(page);
    const callback = await relyingParty(page, 'https://web.example');

    await page.goto(url.href);
    await page.waitForURL(/\/ui\/journey\/[A-Za-z0-9_-]{22,64}$/);
    await signInWithPassword(page, t.login, t.password);
    const arrived = new URL((await callback.request).url());
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    expect(arrived.searchParams.get('iss')).toBe(t.issuer);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    const tokens = await oidc.authorizationCodeGrant(t.config, arrived, { pkceCodeVerifier: verifier, expectedState: state });
    const claims = await verifyIdToken(t.issuer, t.rp, tokens.id_token!);
    expect(claims).toMatchObject({ sub: t.user.id, acr: 'urn:tessera:acr:password', amr: ['pwd'] });
    const session = (await page.context().cookies()).find((c) => c.name === 'tessera_session');
    expect(session?.httpOnly).toBe(true);
  });

  it('a third-party client: consent, then form_post to the client, then logout back to it', async () => {
    const t = await setUp({
      client_name: 'Partner App', redirect_uris: ['https://partner.example/cb'], post_logout_redirect_uris: ['https://partner.example/bye'],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(t.config, {
      redirect_uri: 'https://partner.example/cb', scope: 'openid profile', response_mode: 'form_post', state: 's1',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const page = await newPage();
    const callback = await relyingParty(page, 'https://partner.example');

    await page.goto(url.href);
    await page.waitForURL(/\/ui\/journey\//);
    await signInWithPassword(page, t.login, t.password);
    await page.getByRole('heading', { name: 'Allow Partner App?' }).waitFor();
    const watch = await watchPage(page);
    await page.getByText('Your name and profile details').waitFor();
    await page.screenshot({ path: '/tmp/tessera-oidc-consent.png', fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();

    const posted = await callback.request;
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    expect(await watch.cspViolations()).toEqual([]);
    expect(posted.method()).toBe('POST');
    const fields = new URLSearchParams(posted.postData() ?? '');
    expect(fields.get('state')).toBe('s1');
    const tokens = await oidc.authorizationCodeGrant(t.config, new URL(`https://partner.example/cb?${fields}`), { pkceCodeVerifier: verifier, expectedState: 's1' });
    expect((await verifyIdToken(t.issuer, t.rp, tokens.id_token!)).sub).toBe(t.user.id);

    const back = page.waitForRequest((r) => r.url().startsWith('https://partner.example/bye'));
    // Without an id_token_hint of this session the user is asked (with one, logout needs no page:
    // test/integration/oidc-logout.test.ts).
    await page.goto(oidc.buildEndSessionUrl(t.config, { post_logout_redirect_uri: 'https://partner.example/bye', state: 'bye-1' }).href);
    const logoutWatch = await watchPage(page);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.screenshot({ path: '/tmp/tessera-oidc-logout.png', fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL((await back).url()).searchParams.get('state')).toBe('bye-1');
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    expect(await logoutWatch.cspViolations()).toEqual([]);
    expect((await page.context().cookies()).some((c) => c.name === 'tessera_session')).toBe(false);
  });
});
