// The way back from a logout at an upstream IdP (server/protocols/federation/logout-return.ts) must
// not become an open redirect or a replayable link: only a live, single-use state issued for this
// IdP of this tenant sends the browser on, to the destination decided before it left; a SAML
// LogoutResponse must answer our own request, come signed by the IdP's metadata key (Redirect: the
// query signature; POST: the XML signature; SHA-1 refused) and say Success; anything else is a
// plain "signed out" page, with the cause in the server log.
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { saveRelay, saveUpstreamReturn } from '../../core/saml/logout-relays.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { logger } from '../../core/infra/logger.ts';
import { uniqueTenantId } from '../support/harness.ts';
import {
  ALGORITHMS, createTestIdp, encode, logoutResponseXml, redirectLogoutResponse, signElement, testCredentials, type TestCredentials, type TestIdp,
} from '../support/saml-test-idp.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let other: string;
let idp: TestIdp;
let stranger: TestCredentials;
const loggedOut = (t: string, alias: string, state: string) => `${stack.url}/t/${t}/federation/${alias}/logged-out?state=${encodeURIComponent(state)}`;
const get = (url: string) => fetch(url, { redirect: 'manual' });

beforeAll(async () => {
  [tenant, other] = [uniqueTenantId('fedout'), uniqueTenantId('fedout')];
  await Promise.all([createTenant(stack.db, tenant), createTenant(stack.db, other)]);
  [idp, stranger] = await Promise.all([createTestIdp({ sloUrl: 'https://idp.example/slo' }), testCredentials('stranger')]);
  await saveIdp(stack.db, tenant, {
    kind: 'saml', alias: 'signed', displayName: 'University',
    saml: { metadata: idp.metadata, signAuthnRequests: true, wantAssertionsSigned: true, nameIdFormat: 'email' },
  });
});

describe('coming back from an upstream logout', () => {
  it('a state of this IdP sends the browser on once; a replay, another IdP or another tenant does not', async () => {
    const state = await saveUpstreamReturn(stack.db, tenant, { upstream: { idp: 'up', next: 'https://web.example/bye' } });
    expect((await get(loggedOut(other, 'up', state))).status).toBe(200);
    expect((await get(loggedOut(tenant, 'other-idp', state))).status).toBe(200);
    const ok = await get(loggedOut(tenant, 'up', state));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('https://web.example/bye');
    const replay = await get(loggedOut(tenant, 'up', state));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('location')).toBeNull();
  });

  it('no state, a made-up one, or a SAML single-logout relay token: a page, no redirect', async () => {
    const relayToken = await saveRelay(stack.db, tenant, { pending: [], origin: { entityId: 'https://sp.example', requestId: '_r' }, partial: false });
    for (const url of [`${stack.url}/t/${tenant}/federation/up/logged-out`, loggedOut(tenant, 'up', 'https://evil.example/'), loggedOut(tenant, 'up', relayToken)]) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('a SAML LogoutResponse that does not answer our request does not send the browser on', async () => {
    const relay = await saveUpstreamReturn(stack.db, tenant, { upstream: { idp: 'shib', requestId: '_ours', next: 'https://web.example/bye' } });
    const response = (inResponseTo: string) => deflateRawSync(Buffer.from(`<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${inResponseTo}"/>`)).toString('base64');
    expect(inflateRawSync(Buffer.from(response('_a'), 'base64')).toString()).toContain('_a');
    const bad = await get(`${stack.url}/t/${tenant}/federation/shib/slo?${new URLSearchParams({ SAMLResponse: response('_theirs'), RelayState: relay })}`);
    expect(bad.status).toBe(200);
    expect(bad.headers.get('location')).toBeNull();
    // The relay was spent by that attempt: even the right answer now gets the page.
    const late = await get(`${stack.url}/t/${tenant}/federation/shib/slo?${new URLSearchParams({ SAMLResponse: response('_ours'), RelayState: relay })}`);
    expect(late.headers.get('location')).toBeNull();
  });
});

describe('the upstream SAML IdP\'s LogoutResponse is checked against its metadata certificate', () => {
  const slo = () => upstreamUrls(stack.url, tenant, 'signed').slo;
  /** A live upstream return for our LogoutRequest `_req-…`: the relay token and the request id. */
  async function pending() {
    const requestId = `_req-${Math.random().toString(16).slice(2)}`;
    return { requestId, relay: await saveUpstreamReturn(stack.db, tenant, { upstream: { idp: 'signed', requestId, next: 'https://web.example/bye' } }) };
  }
  const post = (xml: string, relay: string) => fetch(slo(), {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: encode(xml), RelayState: relay }),
  });
  const signedXml = (xml: string, key: { privateKeyPem: string }, signature?: string) =>
    signElement(xml, /ID="([^"]+)"/.exec(xml)![1]!, key, signature ? { signature } : {});

  it('signed by the IdP (Redirect query signature, or POST XML signature), for our request, Success: the browser goes on', async () => {
    const one = await pending();
    const redirect = await get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: one.requestId, destination: slo() }), one.relay, idp));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('https://web.example/bye');
    const two = await pending();
    const posted = await post(signedXml(logoutResponseXml(idp, { inResponseTo: two.requestId }), idp), two.relay);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('https://web.example/bye');
  });

  const refusals: [string, string, (p: { requestId: string; relay: string }) => Promise<Response>][] = [
    ['an unsigned Redirect response', 'not_signed', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: p.requestId }), p.relay, false))],
    ['an unsigned POST response', 'not_signed', (p) => post(logoutResponseXml(idp, { inResponseTo: p.requestId }), p.relay)],
    ['a Redirect response signed with RSA-SHA1', 'weak_algorithm', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: p.requestId }), p.relay, idp, ALGORITHMS.rsaSha1))],
    ['a POST response signed with RSA-SHA1', 'weak_algorithm', (p) => post(signedXml(logoutResponseXml(idp, { inResponseTo: p.requestId }), idp, ALGORITHMS.rsaSha1), p.relay)],
    ['a Redirect response signed with another key', 'invalid_signature', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: p.requestId }), p.relay, stranger))],
    ['a POST response signed with another key', 'invalid_signature', (p) => post(signedXml(logoutResponseXml(idp, { inResponseTo: p.requestId }), stranger), p.relay)],
    ['a signed response with a failure status', 'status_responder', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: p.requestId, status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }), p.relay, idp))],
    ['a signed response from another issuer', 'wrong_issuer', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: p.requestId, issuer: 'https://evil.example/saml' }), p.relay, idp))],
    ['a signed response for another request', 'wrong_request', (p) => get(redirectLogoutResponse(slo(), logoutResponseXml(idp, { inResponseTo: '_another' }), p.relay, idp))],
  ];
  for (const [name, code, send] of refusals) {
    it(`${name}: a signed-out page, no redirect, the cause (${code}) in the server log only`, async () => {
      const lines: string[] = [];
      const spy = vi.spyOn(logger, 'warn').mockImplementation(((line: string) => { lines.push(String(line)); }) as never);
      try {
        const res = await send(await pending());
        expect(res.status).toBe(200);
        expect(res.headers.get('location')).toBeNull();
        const html = await res.text();
        expect(html).toContain('signed out');
        expect(html).not.toContain(code);
        expect(lines.some((l) => l.includes(`idp=signed`) && l.includes(code))).toBe(true);
      } finally {
        spy.mockRestore();
      }
    });
  }
});
