// Logout at the upstream SAML IdP when a federated session ends (issue 13): the session family's
// upstream NameID and SessionIndex (stored at sign-in by the idp node) go into a LogoutRequest
// signed on the Redirect binding to the IdP's SLO service from its metadata; the IdP's
// LogoutResponse at our SP SLO endpoint (signed with its metadata key) sends the browser on, once,
// and only when it answers our request. Our SP metadata names that SLO endpoint.
import { createPublicKey, verify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createSession } from '../../core/accounts/sessions.ts';
import { createUser } from '../../core/accounts/users.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { saveUpstreamSession } from '../../core/federation/upstream-sessions.ts';
import { tenantSamlCredentials } from '../../core/saml/saml-credentials.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { samlSpMetadata } from '../../activities/federation/saml-sp-metadata.ts';
import { upstreamLogoutUrl } from '../../server/upstream-logout.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { createTestIdp, logoutResponseXml, redirectLogoutResponse, samlIdentityProvider, type TestIdp } from '../support/saml-test-idp.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let idp: TestIdp;
const SLO = 'https://idp.example/slo';

beforeAll(async () => {
  tenant = uniqueTenantId('samlout');
  await createTenant(stack.db, tenant);
  idp = await createTestIdp({ sloUrl: SLO });
  await saveIdp(stack.db, tenant, {
    kind: 'saml', alias: 'shib', displayName: 'University',
    saml: { metadata: idp.metadata, signAuthnRequests: true, wantAssertionsSigned: true, nameIdFormat: 'email' },
  });
});

/** A core session family signed in through the IdP (as the idp node leaves it). */
async function federatedSession(n: number): Promise<string> {
  const user = await createUser(stack.db, tenant, { email: `u${n}@${tenant}.example`, password: `pw-${n}-1234567890`, status: 'active' });
  const journeyId = `journey-${n}-${Date.now()}`;
  await createSession(stack.db, { tenant, userId: user.id, journeyId, ssoId: journeyId, acr: 'x', amr: ['fed'], authTime: new Date() });
  await saveUpstreamSession(stack.db, tenant, journeyId, 'shib', {
    nameId: `u${n}@corp.example`, nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', sessionIndex: `_idx-${n}`,
  });
  return journeyId;
}

/** The IdP's LogoutResponse, signed on the Redirect binding with its metadata key. */
const logoutResponse = (inResponseTo: string, relayState: string) => {
  const slo = upstreamUrls(stack.url, tenant, 'shib').slo;
  return redirectLogoutResponse(slo, logoutResponseXml(idp, { inResponseTo, destination: slo }), relayState, idp);
};

describe('logout at the upstream SAML IdP', () => {
  it('sends a signed LogoutRequest with the NameID and SessionIndex; the LogoutResponse brings the browser on, once', async () => {
    const ssoId = await federatedSession(1);
    const url = new URL((await upstreamLogoutUrl(stack.db, stack.config, tenant, ssoId, 'https://web.example/bye'))!);
    expect(`${url.origin}${url.pathname}`).toBe(SLO);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const urls = upstreamUrls(stack.url, tenant, 'shib');
    expect(xml).toContain(`<saml:Issuer>${urls.spEntityId}</saml:Issuer>`);
    expect(xml).toContain('<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">u1@corp.example</saml:NameID>');
    expect(xml).toContain('<samlp:SessionIndex>_idx-1</samlp:SessionIndex>');
    expect(xml).toContain(`Destination="${SLO}"`);
    const query = url.search.slice(1);
    const signedPart = query.slice(0, query.indexOf('&Signature='));
    const cert = (await tenantSamlCredentials(stack.db, tenant)).certificatePem;
    expect(verify('sha256', Buffer.from(signedPart), createPublicKey(cert), Buffer.from(url.searchParams.get('Signature')!, 'base64'))).toBe(true);

    const requestId = /ID="([^"]+)"/.exec(xml)![1]!;
    const relay = url.searchParams.get('RelayState')!;
    const wrong = await fetch(logoutResponse('_not-ours', relay), { redirect: 'manual' });
    expect(wrong.status).toBe(200); // a signed-out page, no redirect; and the token is spent
    const again = await fetch(logoutResponse(requestId, relay), { redirect: 'manual' });
    expect(again.status).toBe(200);

    const second = new URL((await upstreamLogoutUrl(stack.db, stack.config, tenant, await federatedSession(2), 'https://web.example/bye'))!);
    const secondId = /ID="([^"]+)"/.exec(inflateRawSync(Buffer.from(second.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8'))![1]!;
    const res = await fetch(logoutResponse(secondId, second.searchParams.get('RelayState')!), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://web.example/bye');
    expect((await fetch(logoutResponse(secondId, second.searchParams.get('RelayState')!), { redirect: 'manual' })).status).toBe(200);
  });

  it('goes upstream once per session: the second logout of the family has nothing to end there', async () => {
    const ssoId = await federatedSession(3);
    expect(await upstreamLogoutUrl(stack.db, stack.config, tenant, ssoId, '/next')).toBeDefined();
    expect(await upstreamLogoutUrl(stack.db, stack.config, tenant, ssoId, '/next')).toBeUndefined();
  });

  it('our SP metadata names the SLO endpoint (HTTP-Redirect)', async () => {
    const urls = upstreamUrls(stack.url, tenant, 'shib');
    const xml = samlSpMetadata(samlIdentityProvider(tenant, 'shib', idp), urls, await tenantSamlCredentials(stack.db, tenant));
    expect(xml).toMatch(new RegExp(`SingleLogoutService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*Location="${urls.slo.replace(/[.?]/g, '\\$&')}"`));
  });
});
