// The way back from a logout at an upstream IdP (server/protocols/federation/logout-return.ts) must
// not become an open redirect or a replayable link: only a live, single-use state issued for this
// IdP of this tenant sends the browser on, to the destination decided before it left; a SAML
// LogoutResponse must answer our own request; anything else is a plain "signed out" page.
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { saveRelay, saveUpstreamReturn } from '../../core/saml/logout-relays.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let other: string;
const loggedOut = (t: string, alias: string, state: string) => `${stack.url}/t/${t}/federation/${alias}/logged-out?state=${encodeURIComponent(state)}`;
const get = (url: string) => fetch(url, { redirect: 'manual' });

beforeAll(async () => {
  [tenant, other] = [uniqueTenantId('fedout'), uniqueTenantId('fedout')];
  await Promise.all([createTenant(stack.db, tenant), createTenant(stack.db, other)]);
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
