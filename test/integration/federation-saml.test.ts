// Federated sign-in with a SAML upstream IdP (Tessera as SP) through the default login tree: the
// signed AuthnRequest goes out on the Redirect binding, the IdP's (signed, encrypted) Response
// comes back to the ACS as a cross-site POST without cookies, and the journey's own browser
// brings it in on a same-site GET. A stripped signature, a replayed Response and a Response
// answering another request are each refused: audit event, failed journey, no session. Our SP
// metadata names the ACS and the tenant's certificate.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { uniqueTenantId } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { pickIdp } from '../support/federation.ts';
import { createTestIdp, decode, encode, issueResponse, parse, readAuthnRequest, removeSignatures, serialize, type TestIdp } from '../support/saml-test-idp.ts';
import { useStack } from '../support/stack.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { tenantSamlCredentials } from '../../core/saml/saml-credentials.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { findUserByLogin } from '../../core/accounts/users.ts';
import { listAudit } from '../../core/infra/audit.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let idp: TestIdp;
let spCertificate: string;

beforeAll(async () => {
  tenant = uniqueTenantId('saml-sp');
  await createTenant(stack.db, tenant);
  idp = await createTestIdp();
  await saveIdp(stack.db, tenant, {
    kind: 'saml', alias: 'shib', displayName: 'University',
    saml: { metadata: idp.metadata, signAuthnRequests: true, wantAssertionsSigned: true, nameIdFormat: 'email' },
  });
  spCertificate = (await tenantSamlCredentials(stack.db, tenant)).certificatePem;
});

const urls = () => upstreamUrls(stack.url, tenant, 'shib');

/** A journey waiting at the IdP: the browser, its AuthnRequest as read by the IdP. */
async function atTheIdp() {
  const browser = new OidcBrowser(stack.url, tenant);
  const url = await pickIdp(browser, 'shib');
  expect(url.startsWith(idp.ssoUrl)).toBe(true);
  return { browser, request: readAuthnRequest(url) };
}

/** The IdP's cross-site POST to our ACS (no cookies), then the browser's same-site GET. */
async function postBack(browser: OidcBrowser, relayState: string, samlResponse: string) {
  const posted = await fetch(urls().acs, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
  });
  if (posted.status !== 303) return { status: posted.status, landing: undefined };
  return { status: posted.status, landing: await browser.follow(posted.headers.get('location')!) };
}

const answer = (inResponseTo: string, nameId = 'ada@uni.example') => issueResponse(idp, {
  sp: { entityId: urls().spEntityId, acs: urls().acs, certificatePem: spCertificate },
  inResponseTo, sign: 'both', encrypt: true, nameId,
  attributes: { 'urn:oid:0.9.2342.19200300.100.1.3': nameId, 'urn:oid:2.5.4.42': 'Ada', 'urn:oid:2.5.4.4': 'Lovelace' },
});

async function refusedCodes(): Promise<unknown[]> {
  return (await listAudit(stack.db, tenant)).filter((e) => e.type === 'federation.refused').map((e) => e.data?.code);
}

describe('SAML upstream (Tessera as SP)', () => {
  it('sends a signed AuthnRequest for our ACS and entity id, with the state as RelayState', async () => {
    const { request } = await atTheIdp();
    expect(request).toMatchObject({ issuer: urls().spEntityId, acs: urls().acs, destination: idp.ssoUrl });
    expect(request.signature).toBeTruthy();
    expect(request.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(request.relayState?.length).toBeGreaterThanOrEqual(40);
  });

  it('signs the user in from a signed, encrypted Response, with a just-in-time account', async () => {
    const { browser, request } = await atTheIdp();
    const { landing } = await postBack(browser, request.relayState!, await answer(request.id));
    expect(landing?.kind === 'journey' && landing.journey.status, JSON.stringify(landing)).toBe('succeeded');
    expect(browser.cookies.has('tessera_session')).toBe(true);
    expect(await findUserByLogin(stack.db, tenant, 'ada@uni.example')).toMatchObject({ name: 'Ada Lovelace', status: 'active' });
  });

  it('refuses a Response whose signatures were stripped', async () => {
    const { browser, request } = await atTheIdp();
    const signed = await issueResponse(idp, {
      sp: { entityId: urls().spEntityId, acs: urls().acs }, inResponseTo: request.id, sign: 'both', nameId: 'mallory@uni.example',
    });
    const doc = parse(decode(signed));
    removeSignatures(doc);
    const { landing } = await postBack(browser, request.relayState!, encode(serialize(doc)));
    expect(landing?.kind === 'journey' && landing.journey.status).toBe('failed');
    expect(browser.cookies.has('tessera_session')).toBe(false);
    expect(await findUserByLogin(stack.db, tenant, 'mallory@uni.example')).toBeUndefined();
    expect((await refusedCodes()).length).toBeGreaterThan(0);
  });

  it('refuses a replayed Response: at the same state, and answering another journey\'s request', async () => {
    const first = await atTheIdp();
    const response = await answer(first.request.id, 'replay@uni.example');
    expect((await postBack(first.browser, first.request.relayState!, response)).landing).toMatchObject({ kind: 'journey', journey: { status: 'succeeded' } });
    // The same POST again: the state was used.
    expect((await postBack(first.browser, first.request.relayState!, response)).status).toBe(400);
    // Carried into a new journey: it answers another AuthnRequest (and its assertion was seen).
    const second = await atTheIdp();
    const { landing } = await postBack(second.browser, second.request.relayState!, response);
    expect(landing?.kind === 'journey' && landing.journey.status).toBe('failed');
    expect(second.browser.cookies.has('tessera_session')).toBe(false);
  });

  it('publishes our SP metadata: entity id, ACS and the tenant certificate', async () => {
    const res = await fetch(urls().spMetadata);
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${urls().spEntityId}"`);
    expect(xml).toContain(`Location="${urls().acs}"`);
    expect(xml.replace(/\s+/g, '')).toContain(spCertificate.replace(/-----[^-]+-----|\s+/g, ''));
    expect((await fetch(`${stack.url}/t/${tenant}/federation/nobody/metadata`)).status).toBe(404);
  });
});
