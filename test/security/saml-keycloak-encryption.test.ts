// Refusals around XML Encryption 1.1 key transport (issue 13, SAML interop with Keycloak), and the
// operator's log line that names their real cause: parameters other than the document states,
// rsa-oaep-mgf1p with another MGF than SHA-1, unknown digests and MGFs, rsa-1_5, and documents the
// schemas refuse. The user only ever sees the generic message; the log names the cause and never
// carries the document, a NameID, a value of the document or key material.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createSamlUpstream } from '../../activities/federation/saml-upstream.ts';
import { logger } from '../../core/infra/logger.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { KEY_TRANSPORT, MGF_URIS, XENC11, encryptAssertionLikeKeycloak, type KeycloakEncryption } from '../support/saml-keycloak-encryption.ts';
import { createTestIdp, encode, parse, readAuthnRequest, responseXml, samlIdentityProvider, signElement, testCredentials,
  type TestCredentials, type TestIdp } from '../support/saml-test-idp.ts';

let db: Db;
let tenant: string;
let idp: TestIdp;
let sp: TestCredentials;
const NAME_ID = 'secret-person@corp.example';
const urls = () => upstreamUrls('https://sp.example', tenant, 'kc');
const upstream = () => createSamlUpstream({ db, credentials: async () => sp, now: () => new Date() });

beforeAll(async () => {
  db = testDb();
  tenant = uniqueTenantId('samlkcbad');
  await createTenant(db, tenant);
  [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
});
afterAll(async () => { await db.end(); });
afterEach(() => { vi.restoreAllMocks(); });

/** Finishes a Keycloak-style response (the XML altered by `alter`) and returns the refusal, the user's message and the log. */
async function refused(encryption: KeycloakEncryption, alter: (xml: string) => string = (xml) => xml) {
  const provider = samlIdentityProvider(tenant, 'kc', idp);
  const begun = await upstream().begin({ idp: provider, urls: urls(), state: 's' });
  const request = readAuthnRequest(begun.url);
  let xml = responseXml(idp, { sp: { entityId: request.issuer, acs: request.acs }, inResponseTo: request.id, sign: 'response', nameId: NAME_ID });
  xml = alter(encryptAssertionLikeKeycloak(xml, sp.certificatePem, encryption));
  xml = signElement(xml, parse(xml).documentElement!.getAttribute('ID')!, idp);
  const lines: string[] = [];
  vi.spyOn(logger, 'warn').mockImplementation(((line: string) => { lines.push(String(line)); }) as never);
  const error = await upstream().finish({ idp: provider, urls: urls(), params: { SAMLResponse: encode(xml) }, kept: begun.kept })
    .then(() => undefined, (e: { code: string; message: string }) => e);
  const log = lines.join('\n');
  // Never the document, its values or key material in the log.
  expect(log).not.toContain(NAME_ID);
  expect(log).not.toMatch(/CipherValue|BEGIN|<\w/);
  for (const value of xml.match(/>[A-Za-z0-9+/=]{40,}</g) ?? []) expect(log).not.toContain(value.slice(1, 30));
  return { code: error?.code, message: error?.message, log };
}

describe('key transport parameters other than the document states', () => {
  it('states MGF1-SHA256 but was encrypted with MGF1-SHA1: refused, the log names the unwrap and its parameters', async () => {
    const r = await refused({ transport: KEY_TRANSPORT.oaep11, hash: 'sha256', mgfHash: 'sha1', mgfUri: MGF_URIS.sha256 });
    expect(r.code).toBe('bad_encryption');
    expect(r.message).toBe('The encrypted SAML assertion could not be decrypted.');
    expect(r.log).toContain(`tenant=${tenant} idp=kc`);
    expect(r.log).toMatch(/bad_encryption \(RSA-OAEP key unwrap failed \(digest sha256, MGF1 sha256\)/);
  });

  it('rsa-oaep-mgf1p with an MGF other than SHA-1 is refused: MGF1 is always SHA-1 there', async () => {
    const r = await refused({ transport: KEY_TRANSPORT.mgf1p, hash: 'sha256', mgfHash: 'sha256', mgfUri: MGF_URIS.sha256 });
    expect(r.code).toBe('bad_encryption');
    expect(r.log).toContain('rsa-oaep-mgf1p with MGF http://www.w3.org/2009/xmlenc11#mgf1sha256');
  });

  it('an unknown digest, an unknown MGF, an unknown key transport', async () => {
    const digest = await refused({ digestUri: 'http://www.w3.org/2001/04/xmldsig-more#md5' });
    expect(digest).toMatchObject({ code: 'bad_encryption' });
    expect(digest.log).toContain('unsupported OAEP DigestMethod http://www.w3.org/2001/04/xmldsig-more#md5');
    const mgf = await refused({ mgfUri: `${XENC11}mgf1md5` });
    expect(mgf.log).toContain(`unsupported MGF ${XENC11}mgf1md5`);
    const transport = await refused({ transport: 'urn:example:rsa-raw' });
    expect(transport.log).toContain('unsupported key transport algorithm urn:example:rsa-raw');
  });

  it('rsa-1_5 stays refused before any decryption', async () => {
    const r = await refused({ transport: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5', digestUri: null, mgfUri: null });
    expect(r.code).toBe('weak_algorithm');
    expect(r.log).toContain('key transport rsa-1_5 refused');
  });

  it('content tampered with: the GCM tag mismatch is logged, the user sees the same message', async () => {
    const r = await refused({}, (xml) => xml.replace(/(<xenc:CipherValue>)([A-Za-z0-9+/]{8})([^<]*<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>)/,
      (_m, open: string, head: string, rest: string) => `${open}${head === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA'}${rest}`));
    expect(r.code).toBe('bad_encryption');
    expect(r.message).toBe('The encrypted SAML assertion could not be decrypted.');
    expect(r.log).toContain('aes-256-gcm content decryption failed');
  });
});

describe('documents the schemas refuse', () => {
  it('an element the schemas do not know: the log names it, the user sees "not a valid SAML document"', async () => {
    const r = await refused({}, (xml) => xml.replace('<xenc11:MGF', `<xenc11:Unknown xmlns:xenc11="${XENC11}" Algorithm="x"/><xenc11:MGF`));
    expect(r.code).toBe('invalid_xml');
    expect(r.message).toBe('The SAML response is not a valid SAML document.');
    expect(r.log).toMatch(/invalid_xml \(schema: .*Element '\{http:\/\/www\.w3\.org\/2009\/xmlenc11#\}Unknown'/);
  });

  it("a value of the wrong type: the log says which attribute and why, with the value itself left out", async () => {
    const r = await refused({}, (xml) => xml.replace(/(<samlp:Response[^>]*IssueInstant=")[^"]+"/, `$1${NAME_ID}"`));
    expect(r.code).toBe('invalid_xml');
    expect(r.log).toMatch(/attribute 'IssueInstant'/);
    expect(r.log).toContain("'…'");
  });
});
