// A logout started elsewhere than at a SAML SP — RP-initiated OIDC logout, or
// POST /api/session/logout — ends the session at the session's SAML SPs too (issue 13: "SAML SLO
// relayed to the session's other SAML SPs"): after the session ended, the browser visits each SP
// with a LogoutRequest signed by the IdP for the NameID and SessionIndex that SP was given (the
// same relay as an SP-initiated logout, server/protocols/saml/slo-relay.ts), and only then goes
// to the registered post_logout_redirect_uri (or the login page). The token carrying the browser
// on works once; the session's SPs are not visited twice. A logout started by a SAML SP of a
// federated session goes on, after the other SPs, to the upstream IdP (whose signed LogoutResponse
// brings the browser back) before the asking SP gets its LogoutResponse.
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { saveUpstreamSession } from '../../core/federation/upstream-sessions.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import type { Landing, OidcBrowser } from '../support/oidc-browser.ts';
import { logoutRelayHarness } from '../support/saml-logout-relay.ts';
import { createTestIdp, logoutResponseXml, redirectLogoutResponse, type TestIdp } from '../support/saml-test-idp.ts';
import { redirectXml, type SamlifySp } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let web: OidcClient;
let upstream: TestIdp;
const UPSTREAM_SLO = 'https://upstream.example/slo';
beforeAll(async () => {
  user = await tenantWithUser(db);
  upstream = await createTestIdp({ sloUrl: UPSTREAM_SLO });
  await saveIdp(db, user.tenant, {
    kind: 'saml', alias: 'shib', displayName: 'University',
    saml: { metadata: upstream.metadata, signAuthnRequests: true, wantAssertionsSigned: true, nameIdFormat: 'email' },
  });
  web = await createOidcClient(db, user.tenant, { first_party: true, client_name: 'Web', redirect_uris: ['https://web.example/cb'], post_logout_redirect_uris: ['https://web.example/bye'] });
});
const { signedIn, logoutRequestFrom, logoutResponseFrom, idpSigned } = logoutRelayHarness(stack, () => user);

type Signed = Awaited<ReturnType<typeof signedIn>>;

/**
 * Walks the relay from `landing`: each SP's LogoutRequest is checked (IdP signature, that SP's
 * NameID and SessionIndex) and answered with Success. Returns the SPs visited and where it ended.
 */
async function walk(browser: OidcBrowser, landing: Landing, s: Signed): Promise<{ visited: string[]; end: Landing }> {
  const visited: string[] = [];
  for (;;) {
    if (landing.kind !== 'callback') return { visited, end: landing };
    const url = landing.url;
    const sp = [s.a, s.b].find((x: SamlifySp) => `${url.origin}${url.pathname}` === `${new URL(x.entityId).origin}/slo`);
    if (!sp || !url.searchParams.has('SAMLRequest')) return { visited, end: landing };
    expect(await idpSigned(url)).toBe(true);
    const xml = redirectXml(url.href);
    const row = s.rowOf(sp);
    expect(xml).toContain(`<saml:NameID Format="${row.name_id_format}">${row.name_id}</saml:NameID>`);
    expect(xml).toContain(`<samlp:SessionIndex>${row.session_index}</samlp:SessionIndex>`);
    visited.push(sp.entityId);
    landing = await browser.follow(await logoutResponseFrom(sp, /ID="([^"]+)"/.exec(xml)![1]!, url.searchParams.get('RelayState')!));
  }
}

async function oidcSignIn(browser: OidcBrowser): Promise<string> {
  const issuer = `${stack.url}/t/${user.tenant}`;
  const config = await oidc.discovery(new URL(issuer), web.clientId, web.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'https://web.example/cb', scope: 'openid', state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const landing = await browser.login(url.href, { username: user.login, password: user.password });
  if (landing.kind !== 'callback') throw new Error(`expected a callback, got ${landing.kind}`);
  const tokens = await oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedState: 'st' });
  return tokens.id_token!;
}

describe('a logout started elsewhere is relayed to the session\'s SAML SPs', () => {
  it('POST /api/session/logout: redirectTo leads through a signed LogoutRequest to each SAML SP, then to the login page', async () => {
    const s = await signedIn();
    const cookie = s.browser.cookies.get('tessera_session')!;
    const res = await s.browser.api.request('POST', `/t/${user.tenant}/api/session/logout`, {});
    expect(res.status).toBe(200);
    expect(await getSession(db, user.tenant, cookie)).toBeUndefined();
    expect(res.body.redirectTo).toBeTypeOf('string');
    const { visited } = await walk(s.browser, await s.browser.follow(new URL(res.body.redirectTo, stack.url).href), s);
    expect(visited.sort()).toEqual([s.a.entityId, s.b.entityId].sort());
    expect(s.browser.visited.at(-1)).toMatch(new RegExp(`^GET /t/${user.tenant}/ui/login`));
    // The token that started the relay works once.
    expect(await s.browser.follow(new URL(res.body.redirectTo, stack.url).href)).toMatchObject({ kind: 'page', status: 400 });
  });

  it('RP-initiated OIDC logout (id_token_hint of this session): the SAML SPs first, then the post_logout_redirect_uri with state', async () => {
    const s = await signedIn();
    const idToken = await oidcSignIn(s.browser);
    const cookie = s.browser.cookies.get('tessera_session')!;
    const start = await s.browser.follow(`${stack.url}/t/${user.tenant}/oidc/session/end?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://web.example/bye', state: 's-1' })}`);
    expect(await getSession(db, user.tenant, cookie)).toBeUndefined();
    const { visited, end } = await walk(s.browser, start, s);
    expect(visited.sort()).toEqual([s.a.entityId, s.b.entityId].sort());
    if (end.kind !== 'callback') throw new Error(`expected the post-logout redirect, got ${end.kind}`);
    expect(end.url.href).toBe('https://web.example/bye?state=s-1');
  });

  it('a second logout of the same browser has no SAML SP left to visit', async () => {
    const s = await signedIn();
    const first = await s.browser.api.request('POST', `/t/${user.tenant}/api/session/logout`, {});
    await walk(s.browser, await s.browser.follow(new URL(first.body.redirectTo, stack.url).href), s);
    const again = await s.browser.api.request('POST', `/t/${user.tenant}/api/session/logout`, {});
    expect(again.body).toEqual({ status: 'signed_out' });
  });
});

describe('an SP-initiated SAML logout of a federated session', () => {
  it('after the other SPs, the browser goes to the upstream IdP; its signed LogoutResponse brings it back; then A gets Success', async () => {
    const s = await signedIn();
    const session = await getSession(db, user.tenant, s.browser.cookies.get('tessera_session')!);
    await saveUpstreamSession(db, user.tenant, session!.ssoId, 'shib', {
      nameId: 'alice@corp.example', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', sessionIndex: '_up-idx',
    });
    const rowA = s.rowOf(s.a);
    const toB = await s.browser.follow(logoutRequestFrom(s.a, rowA.name_id, rowA.name_id_format, '_from-a', 'a-state'));
    const { visited, end } = await walk(s.browser, toB, s);
    expect(visited).toEqual([s.b.entityId]);
    if (end.kind !== 'callback') throw new Error(`expected the upstream IdP's SLO, got ${end.kind}`);
    expect(`${end.url.origin}${end.url.pathname}`).toBe(UPSTREAM_SLO);
    const request = redirectXml(end.url.href);
    expect(request).toContain('<samlp:SessionIndex>_up-idx</samlp:SessionIndex>');

    const slo = upstreamUrls(stack.url, user.tenant, 'shib').slo;
    const answer = redirectLogoutResponse(slo, logoutResponseXml(upstream, { inResponseTo: /ID="([^"]+)"/.exec(request)![1]!, destination: slo }),
      end.url.searchParams.get('RelayState')!, upstream);
    const back = await s.browser.follow(answer);
    if (back.kind !== 'callback') throw new Error(`expected A's SLO, got ${back.kind}`);
    expect(`${back.url.origin}${back.url.pathname}`).toBe(`${new URL(s.a.entityId).origin}/slo`);
    expect(await idpSigned(back.url)).toBe(true);
    expect(back.url.searchParams.get('RelayState')).toBe('a-state');
    const response = redirectXml(back.url.href, 'SAMLResponse');
    expect(response).toContain('InResponseTo="_from-a"');
    expect(response).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(response).not.toContain('PartialLogout');
  });
});
