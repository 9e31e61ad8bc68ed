// Tessera as SAML SP of a Keycloak 26 realm with Keycloak's defaults (issue 13, "Must work"):
// assertions encrypted with xmlenc11#rsa-oaep (SHA-256 digest, MGF1-SHA256), or with
// rsa-oaep-mgf1p and a SHA-256 DigestMethod (MGF1 then stays SHA-1), AES-GCM or AES-CBC content,
// the Response signed (Keycloak's "sign documents"), the assertion signed inside or not. Each
// response is built the way Keycloak builds it (test/support/saml-keycloak-encryption.ts) and goes
// through the SP's finish; our SP metadata advertises what we decrypt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMParser } from '@xmldom/xmldom';
import type { Db } from '../../core/infra/db.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createSamlUpstream, samlSpMetadata } from '../../activities/federation/saml-upstream.ts';
import { checkSchema } from '../../activities/federation/saml-xml.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { DIGEST_URIS, KEY_TRANSPORT, XENC11, encryptAssertionLikeKeycloak, type KeycloakEncryption } from '../support/saml-keycloak-encryption.ts';
import { createTestIdp, encode, parse, readAuthnRequest, responseXml, samlIdentityProvider, signElement, testCredentials,
  type TestCredentials, type TestIdp } from '../support/saml-test-idp.ts';

let db: Db;
let tenant: string;
let idp: TestIdp;
let sp: TestCredentials;
const urls = () => upstreamUrls('https://sp.example', tenant, 'kc');
const upstream = () => createSamlUpstream({ db, credentials: async () => sp, now: () => new Date() });

beforeAll(async () => {
  db = testDb();
  tenant = uniqueTenantId('samlkc');
  await createTenant(db, tenant);
  [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
});
afterAll(async () => { await db.end(); });

/** A Keycloak-style response to a fresh AuthnRequest: assertion (optionally signed) encrypted, then the Response signed. */
export async function keycloakRoundTrip(encryption: KeycloakEncryption, signAssertion = false) {
  const provider = samlIdentityProvider(tenant, 'kc', idp);
  const begun = await upstream().begin({ idp: provider, urls: urls(), state: 'state-kc' });
  const request = readAuthnRequest(begun.url);
  const assertionId = `_a${Math.random().toString(16).slice(2)}`;
  let xml = responseXml(idp, { sp: { entityId: request.issuer, acs: request.acs }, inResponseTo: request.id, sign: 'response', assertionId,
    nameId: 'kc-user@corp.example', sessionIndex: '_kc-session' });
  if (signAssertion) xml = signElement(xml, assertionId, idp);
  xml = encryptAssertionLikeKeycloak(xml, sp.certificatePem, encryption);
  xml = signElement(xml, parse(xml).documentElement!.getAttribute('ID')!, idp);
  return upstream().finish({ idp: provider, urls: urls(), params: { SAMLResponse: encode(xml), RelayState: 'state-kc' }, kept: begun.kept });
}

describe('Keycloak-encrypted assertions are accepted', () => {
  it("Keycloak's default: xmlenc11#rsa-oaep, SHA-256 digest, MGF1-SHA256, AES-256-GCM", async () => {
    const identity = await keycloakRoundTrip({ transport: KEY_TRANSPORT.oaep11, hash: 'sha256', mgfHash: 'sha256' });
    expect(identity.subject).toBe('kc-user@corp.example');
    expect(identity.session).toMatchObject({ sessionIndex: '_kc-session' });
  });

  it('rsa-oaep-mgf1p with a SHA-256 DigestMethod: MGF1 stays SHA-1', async () => {
    const identity = await keycloakRoundTrip({ transport: KEY_TRANSPORT.mgf1p, hash: 'sha256', mgfHash: 'sha1' });
    expect(identity.subject).toBe('kc-user@corp.example');
  });

  it('xmlenc11#rsa-oaep without an MGF element: MGF1-SHA1 by default', async () => {
    const identity = await keycloakRoundTrip({ transport: KEY_TRANSPORT.oaep11, hash: 'sha256', mgfHash: 'sha1', mgfUri: null });
    expect(identity.subject).toBe('kc-user@corp.example');
  });

  it('either transport without a DigestMethod: SHA-1 by default', async () => {
    await expect(keycloakRoundTrip({ transport: KEY_TRANSPORT.oaep11, hash: 'sha1', mgfHash: 'sha1', digestUri: null, mgfUri: null })).resolves.toBeDefined();
    await expect(keycloakRoundTrip({ transport: KEY_TRANSPORT.mgf1p, hash: 'sha1', digestUri: null })).resolves.toBeDefined();
  });

  it('xmlenc11#rsa-oaep with SHA-512 / MGF1-SHA512, AES-128-CBC content, the assertion signed inside', async () => {
    const identity = await keycloakRoundTrip({ transport: KEY_TRANSPORT.oaep11, hash: 'sha512', mgfHash: 'sha512', content: 'aes128-cbc' }, true);
    expect(identity.subject).toBe('kc-user@corp.example');
  });
});

describe('SP metadata', () => {
  it('lists the encryption methods we accept, with their OAEP parameters, and no rsa-1_5', async () => {
    const xml = samlSpMetadata(samlIdentityProvider(tenant, 'kc', idp), urls(), sp);
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
    const encryption = Array.from(doc.getElementsByTagNameNS(md, 'KeyDescriptor')).find((k) => k.getAttribute('use') === 'encryption')!;
    const methods = Array.from(encryption.getElementsByTagNameNS(md, 'EncryptionMethod'));
    expect(methods.map((m) => m.getAttribute('Algorithm'))).toEqual([
      `${XENC11}aes256-gcm`, `${XENC11}aes128-gcm`, KEY_TRANSPORT.oaep11, KEY_TRANSPORT.mgf1p,
      'http://www.w3.org/2001/04/xmlenc#aes256-cbc', 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
    ]);
    const oaep = methods[2]!;
    expect(oaep.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'DigestMethod')[0]!.getAttribute('Algorithm')).toBe(DIGEST_URIS.sha256);
    expect(oaep.getElementsByTagNameNS(XENC11, 'MGF')[0]!.getAttribute('Algorithm')).toBe(`${XENC11}mgf1sha256`);
    expect(xml).not.toContain('rsa-1_5');
    // Still the metadata samlify produced around it: signing key, ACS.
    expect(Array.from(doc.getElementsByTagNameNS(md, 'KeyDescriptor')).map((k) => k.getAttribute('use'))).toEqual(['signing', 'encryption']);
    expect(xml).toContain(`Location="${urls().acs}"`);
  });

  it('the schema set knows xmlenc11 (an EncryptedKey with xenc11:MGF is a valid SAML document)', async () => {
    const provider = samlIdentityProvider(tenant, 'kc', idp);
    const request = readAuthnRequest((await upstream().begin({ idp: provider, urls: urls(), state: 's' })).url);
    const xml = encryptAssertionLikeKeycloak(responseXml(idp, { sp: { entityId: request.issuer, acs: request.acs }, inResponseTo: request.id, sign: 'response' }), sp.certificatePem);
    expect(xml).toContain('xenc11:MGF');
    await expect(checkSchema(xml)).resolves.toBeUndefined();
  });
});
