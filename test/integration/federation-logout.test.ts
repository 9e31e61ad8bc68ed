// Logout at the upstream IdP when a federated session ends (issue 13, "Must work"), with a second
// Tessera tenant as the upstream OpenID Provider: a user signed in downstream through the
// upstream, then signed out downstream (RP-initiated, id_token_hint), is sent to the upstream's
// end_session_endpoint with the upstream's own ID token as id_token_hint, ends the upstream session
// there, and comes back through /federation/{alias}/logged-out to the registered
// post_logout_redirect_uri. The state works once; the upstream ID token never reaches a journey.
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { tenantWithUser, uniqueTenantId, type TestUser } from '../support/harness.ts';
import { bringBack, pickIdp } from '../support/federation.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let upstream: { tenant: string } & TestUser;
let down: string;
let web: OidcClient;

beforeAll(async () => {
  upstream = await tenantWithUser(stack.db);
  down = uniqueTenantId('down');
  await createTenant(stack.db, down);
  const urls = upstreamUrls(stack.url, down, 'up');
  const client = await createOidcClient(stack.db, upstream.tenant, {
    client_name: 'Downstream', redirect_uris: [urls.callback], post_logout_redirect_uris: [urls.loggedOut],
    first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'],
  });
  await saveIdp(stack.db, down, {
    kind: 'oidc', alias: 'up', displayName: 'Upstream Co',
    oidc: { issuer: `${stack.url}/t/${upstream.tenant}`, clientId: client.clientId, clientSecret: client.metadata.client_secret!, scopes: ['openid', 'email', 'profile'] },
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: false },
  });
  web = await createOidcClient(stack.db, down, { redirect_uris: ['https://web.example/cb'], post_logout_redirect_uris: ['https://web.example/bye'], first_party: true });
});

/** A federated sign-in downstream; returns both browsers (each with its own cookies, as two tabs' cookie paths would keep them apart). */
async function federatedSignIn() {
  const browser = new OidcBrowser(stack.url, down);
  const url = await pickIdp(browser, 'up');
  const up = new OidcBrowser(stack.url, upstream.tenant);
  up.leaveAt.push(`/t/${down}/`);
  const callback = await up.login(url, { username: upstream.login, password: upstream.password });
  if (callback.kind !== 'callback') throw new Error(`upstream login ended on ${callback.kind}`);
  const landing = await bringBack(browser, callback.url);
  expect(landing.kind === 'journey' && landing.journey.status).toBe('succeeded');
  return { browser, up };
}

/** An ID token of the downstream client `web` for the browser's (federated) session, by SSO. */
async function webIdToken(browser: OidcBrowser): Promise<string> {
  const config = await oidc.discovery(new URL(`${stack.url}/t/${down}`), web.clientId, web.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://web.example/cb', scope: 'openid', state: 's', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const landing = await browser.follow(url.href);
  if (landing.kind !== 'callback') throw new Error(`expected SSO, got ${landing.kind}`);
  return (await oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedState: 's' })).id_token!;
}

describe('logout at the upstream OIDC provider', () => {
  it('goes through the upstream end_session_endpoint with its ID token, ends the upstream session, and comes back', async () => {
    const { browser, up } = await federatedSignIn();
    const upstreamCookie = up.cookies.get('tessera_session')!;
    expect(await getSession(stack.db, upstream.tenant, upstreamCookie)).toBeDefined();
    const hint = await webIdToken(browser);
    const downCookie = browser.cookies.get('tessera_session')!;

    // Signed out downstream: the browser leaves for the upstream (another tenant: another cookie path).
    browser.leaveAt.push(`/t/${upstream.tenant}/`);
    const out = await browser.follow(`${stack.url}/t/${down}/oidc/session/end?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://web.example/bye', state: 'st' })}`);
    if (out.kind !== 'callback') throw new Error(`expected the upstream logout, got ${out.kind}`);
    expect(await getSession(stack.db, down, downCookie)).toBeUndefined();
    expect(`${out.url.origin}${out.url.pathname}`).toBe(`${stack.url}/t/${upstream.tenant}/oidc/session/end`);
    const upstreamHint = decodeJwt(out.url.searchParams.get('id_token_hint')!);
    expect(upstreamHint).toMatchObject({ iss: `${stack.url}/t/${upstream.tenant}`, sub: upstream.user.id });
    expect(out.url.searchParams.get('post_logout_redirect_uri')).toBe(upstreamUrls(stack.url, down, 'up').loggedOut);

    // At the upstream (its own cookies): an id_token_hint of its session ends it without asking.
    const back = await up.follow(out.url.href);
    if (back.kind !== 'callback') throw new Error(`expected the way back, got ${back.kind}: ${'html' in back ? back.html.slice(0, 300) : ''}`);
    expect(await getSession(stack.db, upstream.tenant, upstreamCookie)).toBeUndefined();
    expect(back.url.pathname).toBe(`/t/${down}/federation/up/logged-out`);

    const done = await browser.follow(back.url.href);
    if (done.kind !== 'callback') throw new Error(`expected the client, got ${done.kind}`);
    expect(`${done.url.origin}${done.url.pathname}`).toBe('https://web.example/bye');
    expect(done.url.searchParams.get('state')).toBe('st');

    // The state worked once; and the upstream session data is gone with it.
    expect(await browser.follow(back.url.href)).toMatchObject({ kind: 'page', status: 200 });
    expect((await stack.db`SELECT count(*)::int AS n FROM upstream_sessions WHERE tenant_id = ${down}`)[0]!.n).toBe(0);
  });

  it('the Journey UI\'s logout (/api/session/logout) answers redirectTo the upstream logout', async () => {
    const { browser } = await federatedSignIn();
    const res = await browser.api.request('POST', `/t/${down}/api/session/logout`, {});
    expect(res.status).toBe(200);
    const redirectTo = new URL((res.body as { redirectTo: string }).redirectTo);
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(`${stack.url}/t/${upstream.tenant}/oidc/session/end`);
    expect(redirectTo.searchParams.get('post_logout_redirect_uri')).toBe(upstreamUrls(stack.url, down, 'up').loggedOut);
    // Nothing left to end upstream: a second logout answers without redirectTo.
    expect((await browser.api.request('POST', `/t/${down}/api/session/logout`, {})).body).toEqual({ status: 'signed_out' });
  });
});
