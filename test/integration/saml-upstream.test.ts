// Tessera as a SAML SP toward an upstream IdP, protocol half: begin's AuthnRequest → the
// samlify test IdP → its response → finish, for each way of signing (Response, Assertion, both)
// and with an encrypted assertion; replay (also two finishes at once) against the harness DB.
import { createVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createSamlUpstream, samlSpMetadata } from '../../activities/federation/saml-upstream.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { ALGORITHMS, createTestIdp, issueResponse, readAuthnRequest, samlIdentityProvider, testCredentials,
  type ResponseOptions, type TestCredentials, type TestIdp } from '../support/saml-test-idp.ts';

let db: Db;
let tenant: string;
let idp: TestIdp;
let sp: TestCredentials;
const urls = () => upstreamUrls('https://sp.example', tenant, 'corp');

beforeAll(async () => {
  db = testDb();
  tenant = uniqueTenantId('saml');
  await createTenant(db, tenant);
  [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
});
afterAll(async () => { await db.end(); });

function upstream() {
  return createSamlUpstream({ db, credentials: async () => sp, now: () => new Date() });
}

async function roundTrip(options: Partial<ResponseOptions>, config: Parameters<typeof samlIdentityProvider>[3] = {}) {
  const provider = samlIdentityProvider(tenant, 'corp', idp, config);
  const begun = await upstream().begin({ idp: provider, urls: urls(), state: 'state-1' });
  const request = readAuthnRequest(begun.url);
  const SAMLResponse = await issueResponse(idp, {
    sp: { entityId: request.issuer, acs: request.acs, certificatePem: sp.certificatePem }, inResponseTo: request.id, sign: 'both', ...options,
  });
  return upstream().finish({ idp: provider, urls: urls(), params: { SAMLResponse, RelayState: 'state-1' }, kept: begun.kept });
}

describe('begin', () => {
  it('sends an AuthnRequest by HTTP-Redirect to the SSO URL of the metadata, with our issuer, ACS and RelayState', async () => {
    const provider = samlIdentityProvider(tenant, 'corp', idp, { nameIdFormat: 'persistent' });
    const begun = await upstream().begin({ idp: provider, urls: urls(), state: 'opaque-state' });
    expect(begun.url.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const request = readAuthnRequest(begun.url);
    expect(request).toMatchObject({
      issuer: urls().spEntityId, acs: urls().acs, destination: idp.ssoUrl, relayState: 'opaque-state',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', sigAlg: null,
    });
    expect(begun.kept).toEqual({ requestId: request.id });
    const again = readAuthnRequest((await upstream().begin({ idp: provider, urls: urls(), state: 'x' })).url);
    expect(again.id).not.toBe(request.id);
  });

  it('signs the request (RSA-SHA256 over the query) when configured, or when the IdP metadata wants it', async () => {
    const wanting = await createTestIdp({ wantAuthnRequestsSigned: true });
    for (const provider of [samlIdentityProvider(tenant, 'corp', idp, { signAuthnRequests: true }), samlIdentityProvider(tenant, 'corp', wanting)]) {
      const { url } = await upstream().begin({ idp: provider, urls: urls(), state: 's' });
      const request = readAuthnRequest(url);
      expect(request.sigAlg).toBe(ALGORITHMS.rsaSha256);
      const signedPart = url.slice(url.indexOf('?') + 1, url.indexOf('&Signature='));
      expect(createVerify('RSA-SHA256').update(signedPart).verify(sp.certificatePem, request.signature!, 'base64')).toBe(true);
    }
  });
});

describe('finish: valid round trips', () => {
  for (const sign of ['response', 'assertion', 'both'] as const) {
    it(`accepts a response signed on the ${sign}`, async () => {
      const identity = await roundTrip({ sign, attributes: {
        'urn:oid:0.9.2342.19200300.100.1.3': 'alice@corp.example',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'Alice',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['staff', 'admins'],
        'urn:custom:team': 'blue',
      }, sessionIndex: '_session-1' });
      expect(identity.subject).toBe('alice@corp.example');
      expect(identity.claims).toEqual({ email: 'alice@corp.example', given_name: 'Alice', groups: ['staff', 'admins'], 'urn:custom:team': 'blue' });
      expect(identity.session).toEqual({ nameId: 'alice@corp.example', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', sessionIndex: '_session-1' });
    });
  }

  it('accepts an encrypted assertion (AES-256-GCM, RSA-OAEP), signed inside and on the Response', async () => {
    const identity = await roundTrip({ sign: 'both', encrypt: true, nameId: 'bob@corp.example' });
    expect(identity.subject).toBe('bob@corp.example');
    expect(identity.claims).toMatchObject({ email: 'bob@corp.example', given_name: 'Alice', family_name: 'Liddell' });
  });

  it('accepts an encrypted assertion (AES-256-CBC) signed only inside, with wantAssertionsSigned', async () => {
    const identity = await roundTrip({ sign: 'assertion', encrypt: true, dataEncryptionAlgorithm: ALGORITHMS.aes256cbc }, { wantAssertionsSigned: true });
    expect(identity.subject).toBe('alice@corp.example');
  });

  it('sets email_verified only when the IdP is trusted for emails', async () => {
    expect((await roundTrip({ sign: 'response' })).claims.email_verified).toBeUndefined();
    expect((await roundTrip({ sign: 'response' }, { trustEmail: true })).claims.email_verified).toBe(true);
  });
});

describe('finish: replay', () => {
  it('refuses the same response a second time', async () => {
    const provider = samlIdentityProvider(tenant, 'corp', idp);
    const SAMLResponse = await issueResponse(idp, { sp: { entityId: urls().spEntityId, acs: urls().acs }, inResponseTo: '_req-replay', sign: 'both' });
    const input = { idp: provider, urls: urls(), params: { SAMLResponse, RelayState: 's' }, kept: { requestId: '_req-replay' } };
    await expect(upstream().finish(input)).resolves.toMatchObject({ subject: 'alice@corp.example' });
    await expect(upstream().finish(input)).rejects.toMatchObject({ name: 'UpstreamError', code: 'replay' });
  });

  it('lets exactly one of two concurrent finishes of one response through', async () => {
    const provider = samlIdentityProvider(tenant, 'corp', idp);
    const SAMLResponse = await issueResponse(idp, { sp: { entityId: urls().spEntityId, acs: urls().acs }, inResponseTo: '_req-race', sign: 'both' });
    const input = { idp: provider, urls: urls(), params: { SAMLResponse, RelayState: 's' }, kept: { requestId: '_req-race' } };
    const results = await Promise.allSettled([upstream().finish(input), upstream().finish(input), upstream().finish(input)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['replay', 'replay']);
  });

  it('keeps assertion ids per tenant and IdP', async () => {
    const other = uniqueTenantId('saml');
    await createTenant(db, other);
    const assertionId = '_shared-assertion-id';
    const SAMLResponse = await issueResponse(idp, { sp: { entityId: urls().spEntityId, acs: urls().acs }, inResponseTo: '_r', sign: 'both', assertionId });
    await upstream().finish({ idp: samlIdentityProvider(tenant, 'corp', idp), urls: urls(), params: { SAMLResponse }, kept: { requestId: '_r' } });
    const otherUrls = upstreamUrls('https://sp.example', other, 'corp');
    const again = await issueResponse(idp, { sp: { entityId: otherUrls.spEntityId, acs: otherUrls.acs }, inResponseTo: '_r', sign: 'both', assertionId });
    await expect(upstream().finish({ idp: samlIdentityProvider(other, 'corp', idp), urls: otherUrls, params: { SAMLResponse: again }, kept: { requestId: '_r' } }))
      .resolves.toBeDefined();
    const [row] = await db`SELECT expires_at FROM saml_replay WHERE tenant_id = ${tenant} AND idp = 'corp' AND assertion_id = ${assertionId}`;
    expect(row!.expires_at.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
  });
});

describe('SP metadata', () => {
  it('describes our entity id, ACS, certificate (signing + encryption) and flags', async () => {
    const xml = samlSpMetadata(samlIdentityProvider(tenant, 'corp', idp, { wantAssertionsSigned: true, signAuthnRequests: true, nameIdFormat: 'persistent' }), urls(), sp);
    expect(xml).toContain(`entityID="${urls().spEntityId}"`);
    expect(xml).toContain(`Location="${urls().acs}"`);
    expect(xml).toMatch(/AuthnRequestsSigned="true"/);
    expect(xml).toMatch(/WantAssertionsSigned="true"/);
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(xml).toMatch(/use="signing"/);
    expect(xml).toMatch(/use="encryption"/);
    expect(xml).toContain(sp.certificateBody.slice(0, 60));
  });
});
