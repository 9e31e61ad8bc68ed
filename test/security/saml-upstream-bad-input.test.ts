// Bad input to Tessera's SAML SP (issue 6 "Bad input", SECURITY-CHECKLIST "SAML / As relying
// party"), apart from signature attacks (saml-upstream-signature.test.ts): XML bombs and XXE,
// size, structure, status, and the checks that bind an assertion to our request, our ACS, our
// entity id and the clock. Each case starts from a response validly signed by the test IdP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createSamlUpstream } from '../../activities/federation/saml-upstream.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { ALGORITHMS, SAML_NS, createTestIdp, decode, encode, find, issueResponse, parse, readAuthnRequest, responseXml,
  samlIdentityProvider, serialize, signElement, testCredentials, type ResponseOptions, type TestCredentials, type TestIdp } from '../support/saml-test-idp.ts';

let db: Db;
let tenant: string;
let idp: TestIdp;
let sp: TestCredentials;
let requestCounter = 0;
const urls = () => upstreamUrls('https://sp.example', tenant, 'corp');
const provider = () => samlIdentityProvider(tenant, 'corp', idp);
const upstream = (now?: Date) => createSamlUpstream({ db, credentials: async () => sp, now: now && (() => now) });

beforeAll(async () => {
  db = testDb();
  tenant = uniqueTenantId('samlbad');
  await createTenant(db, tenant);
  [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
});
afterAll(async () => { await db.end(); });

const spOf = () => ({ entityId: urls().spEntityId, acs: urls().acs, certificatePem: sp.certificatePem });

/** A validly signed response (decoded XML) to a fresh request id, and a finish for it. */
async function signed(options: Partial<ResponseOptions> = {}) {
  const requestId = `_req-${++requestCounter}`;
  const xml = decode(await issueResponse(idp, { sp: spOf(), inResponseTo: requestId, sign: 'both', ...options }));
  const finish = (altered: string, kept: Record<string, string> = { requestId }, now?: Date) =>
    upstream(now).finish({ idp: provider(), urls: urls(), params: { SAMLResponse: encode(altered), RelayState: 'r' }, kept });
  return { xml, finish, requestId };
}

const refusal = (code: string) => ({ name: 'UpstreamError', code });

describe('XML bombs, external entities, size, structure', () => {
  let server: Server;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => { hits += 1; res.end('<!ENTITY leak "fetched">'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => { await new Promise((resolve) => server.close(resolve)); });

  it('refuses a DOCTYPE with an external entity without fetching it', async () => {
    const { xml, finish } = await signed({ nameIdXml: '&xxe;' });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const general = `<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "${base}/general">]>${xml}`;
    const parameter = `<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY % remote SYSTEM "${base}/parameter"> %remote;]>${xml.replace('&xxe;', 'x')}`;
    await expect(finish(general)).rejects.toMatchObject(refusal('doctype'));
    await expect(finish(parameter)).rejects.toMatchObject(refusal('doctype'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hits).toBe(0);
  });

  it('refuses billion laughs', async () => {
    const { xml, finish } = await signed({ nameIdXml: '&lol9;' });
    const entities = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)];
    const started = Date.now();
    await expect(finish(`<!DOCTYPE lolz [${entities.join('')}]>${xml}`)).rejects.toMatchObject(refusal('doctype'));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses an oversized document before parsing it, and an oversized parameter before decoding it', async () => {
    const { xml, finish } = await signed({ attributes: { 'urn:custom:blob': 'x'.repeat(300 * 1024) } });
    expect(xml.length).toBeGreaterThan(256 * 1024);
    await expect(finish(xml)).rejects.toMatchObject(refusal('too_large'));
    const huge = upstream().finish({ idp: provider(), urls: urls(), params: { SAMLResponse: 'A'.repeat(2 * 1024 * 1024) }, kept: { requestId: '_r' } });
    await expect(huge).rejects.toMatchObject(refusal('too_large'));
  });

  it('refuses a response carrying two assertions, even when it is validly signed', async () => {
    const requestId = '_req-two';
    const doc = parse(responseXml(idp, { sp: spOf(), inResponseTo: requestId, sign: 'response' }));
    const assertion = doc.getElementsByTagNameNS(SAML_NS.assertion, 'Assertion')[0]!;
    const second = assertion.cloneNode(true) as Element;
    second.setAttribute('ID', '_second');
    find(second, 'NameID').textContent = 'admin@corp.example';
    doc.documentElement!.appendChild(second);
    const xml = signElement(serialize(doc), doc.documentElement!.getAttribute('ID')!, idp);
    const finish = upstream().finish({ idp: provider(), urls: urls(), params: { SAMLResponse: encode(xml) }, kept: { requestId } });
    await expect(finish).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('refuses two root elements', async () => {
    const { xml, finish } = await signed();
    await expect(finish(`${xml}${xml}`)).rejects.toMatchObject(refusal('multiple_roots'));
  });

  it('refuses a status other than Success, naming it', async () => {
    const { xml, finish } = await signed({ status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' });
    await expect(finish(xml)).rejects.toMatchObject(refusal('status_requester'));
    const doc = parse(xml);
    const code = find(doc, 'StatusCode');
    const second = doc.createElementNS(SAML_NS.protocol, 'samlp:StatusCode');
    second.setAttribute('Value', 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed');
    code.appendChild(second);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('status_authn_failed'));
  });

  it('refuses an assertion encrypted with RSA PKCS#1 v1.5 key transport', async () => {
    const { xml, finish } = await signed({ encrypt: true, keyEncryptionAlgorithm: ALGORITHMS.rsa15 });
    expect(xml).toContain(ALGORITHMS.rsa15);
    await expect(finish(xml)).rejects.toMatchObject(refusal('weak_algorithm'));
  });

  it('refuses an encrypted assertion nobody signed, and one encrypted for another key', async () => {
    // Signed on the Response only, that signature then stripped: the plaintext carries none.
    const unsigned = await signed({ encrypt: true, sign: 'response' });
    const doc = parse(unsigned.xml);
    for (const s of Array.from(doc.getElementsByTagNameNS(SAML_NS.dsig, 'Signature'))) s.parentNode!.removeChild(s);
    await expect(unsigned.finish(serialize(doc))).rejects.toMatchObject(refusal('not_signed'));
    const other = await testCredentials('other-sp');
    const { finish } = await signed();
    const foreign = decode(await issueResponse(idp, { sp: { ...spOf(), certificatePem: other.certificatePem }, inResponseTo: '_req-foreign', sign: 'both', encrypt: true }));
    await expect(finish(foreign, { requestId: '_req-foreign' })).rejects.toMatchObject(refusal('bad_encryption'));
  });
});

describe('NameID with an injected comment', () => {
  for (const sign of ['assertion', 'response'] as const) {
    it(`comes out as the full text (signed on the ${sign})`, async () => {
      const { xml, finish } = await signed({ sign, nameIdXml: 'admin@corp.com<!---->.evil.com' });
      expect(xml).toContain('admin@corp.com<!---->.evil.com');
      const identity = await finish(xml);
      expect(identity.subject).toBe('admin@corp.com.evil.com');
      expect(identity.claims.email).toBe('admin@corp.com.evil.com');
    });
  }
});

describe('bound to our request', () => {
  it('refuses a response without InResponseTo (unsolicited)', async () => {
    const { xml, finish } = await signed({ inResponseTo: null });
    await expect(finish(xml)).rejects.toMatchObject(refusal('wrong_in_response_to'));
  });

  it('refuses an unknown InResponseTo, and a journey that kept no request id', async () => {
    const { xml, finish } = await signed();
    await expect(finish(xml, { requestId: '_never-sent' })).rejects.toMatchObject(refusal('wrong_in_response_to'));
    await expect(finish(xml, {})).rejects.toMatchObject(refusal('wrong_in_response_to'));
  });

  it("refuses the answer to another journey's request", async () => {
    const first = await upstream().begin({ idp: provider(), urls: urls(), state: 'a' });
    const second = await upstream().begin({ idp: provider(), urls: urls(), state: 'b' });
    const SAMLResponse = await issueResponse(idp, { sp: spOf(), inResponseTo: readAuthnRequest(first.url).id, sign: 'both' });
    const finish = upstream().finish({ idp: provider(), urls: urls(), params: { SAMLResponse, RelayState: 'b' }, kept: second.kept });
    await expect(finish).rejects.toMatchObject(refusal('wrong_in_response_to'));
  });

  it('refuses a wrong Audience', async () => {
    const { xml, finish } = await signed({ audience: 'https://other-sp.example/metadata' });
    await expect(finish(xml)).rejects.toMatchObject(refusal('wrong_audience'));
  });

  it('refuses a wrong Recipient', async () => {
    const { xml, finish } = await signed({ recipient: 'https://other-sp.example/acs' });
    await expect(finish(xml)).rejects.toMatchObject(refusal('wrong_recipient'));
  });

  it('refuses a wrong Destination (and accepts none)', async () => {
    const { xml, finish } = await signed({ destination: 'https://other-sp.example/acs' });
    await expect(finish(xml)).rejects.toMatchObject(refusal('wrong_destination'));
    const none = await signed({ destination: null });
    await expect(none.finish(none.xml)).resolves.toBeDefined();
  });

  it('refuses a wrong Issuer, though signed with the right key', async () => {
    const { xml, finish } = await signed({ issuer: 'https://other-idp.example/saml' });
    await expect(finish(xml)).rejects.toMatchObject(refusal('wrong_issuer'));
  });
});

describe('time', () => {
  it('refuses NotBefore in the future (beyond 60 s of skew)', async () => {
    const now = new Date();
    const { xml, finish } = await signed({ notBefore: new Date(now.getTime() + 5 * 60_000), notOnOrAfter: new Date(now.getTime() + 10 * 60_000) });
    await expect(finish(xml)).rejects.toMatchObject(refusal('not_yet_valid'));
    const skewed = await signed({ notBefore: new Date(now.getTime() + 30_000) });
    await expect(skewed.finish(skewed.xml)).resolves.toBeDefined();
  });

  it('refuses NotOnOrAfter in the past', async () => {
    const { xml, finish } = await signed({ now: new Date(Date.now() - 10 * 60_000) });
    await expect(finish(xml)).rejects.toMatchObject(refusal('expired'));
  });

  it("judges by the injected clock", async () => {
    const { xml, finish, requestId } = await signed();
    await expect(finish(xml, { requestId }, new Date(Date.now() + 6 * 60_000 + 1_000))).rejects.toMatchObject(refusal('expired'));
    await expect(finish(xml, { requestId }, new Date(Date.now() - 5 * 60_000))).rejects.toMatchObject(refusal('not_yet_valid'));
  });
});
