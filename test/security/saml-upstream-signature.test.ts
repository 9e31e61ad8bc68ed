// Signature attacks on Tessera's SAML SP (SECURITY-CHECKLIST "SAML / As relying party"): each test
// starts from a response validly signed by the test IdP, alters it, and expects finish to refuse
// it with the code of the check that catches it. XSW1–XSW8 follow SAML Raider's catalogue; the
// "evil" part always claims admin@corp.example.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createSamlUpstream } from '../../activities/federation/saml-upstream.ts';
import { checkSignatureShape } from '../../activities/federation/saml-signature.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { ALGORITHMS, SAML_NS, createTestIdp, decode, encode, find, issueResponse, parse, removeSignatures, samlIdentityProvider,
  serialize, signElement, testCredentials, type ResponseOptions, type TestCredentials, type TestIdp } from '../support/saml-test-idp.ts';

let db: Db;
let tenant: string;
let idp: TestIdp;
let sp: TestCredentials;
let requestCounter = 0;
const urls = () => upstreamUrls('https://sp.example', tenant, 'corp');

beforeAll(async () => {
  db = testDb();
  tenant = uniqueTenantId('xsw');
  await createTenant(db, tenant);
  [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
});
afterAll(async () => { await db.end(); });

/** A validly signed response (decoded XML) to a fresh request id, and a finish for it. */
async function signed(options: Partial<ResponseOptions> = {}, config: Parameters<typeof samlIdentityProvider>[3] = {}) {
  const requestId = `_req-${++requestCounter}`;
  const xml = decode(await issueResponse(idp, {
    sp: { entityId: urls().spEntityId, acs: urls().acs, certificatePem: sp.certificatePem }, inResponseTo: requestId, sign: 'both', ...options,
  }));
  const finish = (altered: string) => createSamlUpstream({ db, credentials: async () => sp }).finish({
    idp: samlIdentityProvider(tenant, 'corp', idp, config), urls: urls(), params: { SAMLResponse: encode(altered), RelayState: 'r' }, kept: { requestId },
  });
  return { xml, finish };
}

const refusal = (code: string) => ({ name: 'UpstreamError', code });

function evil(assertion: Element): Element {
  find(assertion, 'NameID').textContent = 'admin@corp.example';
  return assertion;
}
const assertionOf = (doc: Document) => doc.getElementsByTagNameNS(SAML_NS.assertion, 'Assertion')[0]!;
const signatureOf = (el: Element) => Array.from(el.childNodes).find((n): n is Element => (n as Element).localName === 'Signature')!;
function wrapInObject(doc: Document, node: Node): Element {
  const object = doc.createElementNS(SAML_NS.dsig, 'ds:Object');
  object.appendChild(node);
  return object;
}

describe('the valid baseline', () => {
  it('is accepted untouched (so each refusal below comes from the alteration)', async () => {
    for (const sign of ['response', 'assertion'] as const) {
      const { xml, finish } = await signed({ sign });
      await expect(finish(xml)).resolves.toMatchObject({ subject: 'alice@corp.example' });
    }
  });
});

describe('XML signature wrapping (SAML Raider XSW1–XSW8)', () => {
  it('XSW1: an evil Response as root, the signed original inside its Signature', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const original = doc.documentElement!;
    const signature = signatureOf(original);
    const forged = original.cloneNode(true) as Element;
    removeSignatures(forged);
    forged.setAttribute('ID', '_evil-response');
    evil(assertionOf(forged as unknown as Document));
    original.removeChild(signature);
    signature.appendChild(wrapInObject(doc, original));
    forged.insertBefore(signature, find(forged, 'Issuer').nextSibling);
    await expect(finish(serialize(forged))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW2: an evil Response as root, the signed original before a detached Signature', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const original = doc.documentElement!;
    const signature = signatureOf(original);
    const forged = original.cloneNode(true) as Element;
    removeSignatures(forged);
    forged.setAttribute('ID', '_evil-response');
    evil(assertionOf(forged as unknown as Document));
    original.removeChild(signature);
    const after = find(forged, 'Issuer').nextSibling;
    forged.insertBefore(original, after);
    forged.insertBefore(signature, after);
    await expect(finish(serialize(forged))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW3: an evil Assertion inserted before the signed one', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const forged = evil(original.cloneNode(true) as Element);
    removeSignatures(forged);
    forged.setAttribute('ID', '_evil-assertion');
    doc.documentElement!.insertBefore(forged, original);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW4: an evil Assertion wrapping the signed one', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const forged = evil(original.cloneNode(true) as Element);
    removeSignatures(forged);
    forged.setAttribute('ID', '_evil-assertion');
    doc.documentElement!.replaceChild(forged, original);
    forged.appendChild(original);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW5: the evil Assertion keeps the Signature, an unsigned copy of the original is appended', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const copy = original.cloneNode(true) as Element;
    removeSignatures(copy);
    evil(original).setAttribute('ID', '_evil-assertion');
    doc.documentElement!.appendChild(copy);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW6: the evil Assertion keeps the Signature, the original sits inside that Signature', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const copy = original.cloneNode(true) as Element;
    removeSignatures(copy);
    evil(original).setAttribute('ID', '_evil-assertion');
    signatureOf(original).appendChild(copy);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW7: the signed original in an Extensions element, an evil Assertion in its place', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const forged = evil(original.cloneNode(true) as Element);
    removeSignatures(forged);
    const extensions = doc.createElementNS(SAML_NS.protocol, 'samlp:Extensions');
    doc.documentElement!.replaceChild(forged, original);
    extensions.appendChild(original);
    doc.documentElement!.insertBefore(extensions, find(doc, 'Status'));
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('XSW8: the evil Assertion keeps the Signature, the original in a ds:Object inside it', async () => {
    const { xml, finish } = await signed({ sign: 'assertion' });
    const doc = parse(xml);
    const original = assertionOf(doc);
    const copy = original.cloneNode(true) as Element;
    removeSignatures(copy);
    evil(original);
    signatureOf(original).appendChild(wrapInObject(doc, copy));
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('assertion_count'));
  });

  it('a Signature moved out of the element it signs, or pointing elsewhere, is refused on its own', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const signature = signatureOf(doc.documentElement!);
    doc.documentElement!.removeChild(signature);
    const assertion = assertionOf(doc);
    assertion.insertBefore(signature, find(assertion, 'Subject'));
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('wrapped_signature'));
    // The same Reference next to an element whose ID it does not name.
    const other = parse(xml);
    other.documentElement!.setAttribute('ID', '_renamed');
    await expect(finish(serialize(other))).rejects.toMatchObject(refusal('wrapped_signature'));
  });
});

describe('stripped, broken and foreign signatures', () => {
  it('refuses a response whose signatures were removed', async () => {
    const { xml, finish } = await signed({ sign: 'both' });
    const doc = parse(xml);
    removeSignatures(doc);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('not_signed'));
  });

  it('refuses a signature with one byte changed, and a signed element changed after signing', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const value = find(doc, 'SignatureValue');
    const text = value.textContent!.replace(/\s+/g, '');
    value.textContent = `${text.slice(0, 10)}${text[10] === 'A' ? 'B' : 'A'}${text.slice(11)}`;
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('invalid_signature'));
    const changed = parse(xml);
    evil(assertionOf(changed));
    await expect(finish(serialize(changed))).rejects.toMatchObject(refusal('invalid_signature'));
  });

  it('refuses a response re-signed with another key that carries its own certificate in KeyInfo', async () => {
    const attacker = await testCredentials('attacker');
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    removeSignatures(doc);
    evil(assertionOf(doc));
    const forged = signElement(serialize(doc), doc.documentElement!.getAttribute('ID')!, attacker);
    expect(forged).toContain(attacker.certificateBody.slice(0, 40));
    await expect(finish(forged)).rejects.toMatchObject(refusal('invalid_signature'));
    // An impostor IdP with the same entity id: its samlify signature carries its certificate too.
    const impostor = await createTestIdp({ entityId: idp.entityId });
    const { finish: finishImpostor } = await signed();
    const fromImpostor = decode(await issueResponse(impostor, { sp: { entityId: urls().spEntityId, acs: urls().acs }, inResponseTo: `_req-${requestCounter}`, sign: 'both' }));
    await expect(finishImpostor(fromImpostor)).rejects.toMatchObject(refusal('invalid_signature'));
  });

  it('refuses a comment inside DigestValue', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const digest = find(doc, 'DigestValue');
    const text = digest.textContent!;
    digest.textContent = text.slice(0, 8);
    digest.appendChild(doc.createComment('x'));
    digest.appendChild(doc.createTextNode(text.slice(8)));
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('malformed_signature'));
  });

  it('refuses a Signature with two SignedInfo elements', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    const signedInfo = find(doc, 'SignedInfo');
    signedInfo.parentNode!.insertBefore(signedInfo.cloneNode(true), signedInfo);
    await expect(finish(serialize(doc))).rejects.toMatchObject(refusal('malformed_signature'));
    expect(() => checkSignatureShape(doc, signatureOf(doc.documentElement!), doc.documentElement!)).toThrow(/malformed/);
  });

  it('refuses RSA-SHA1 / SHA-1 signatures', async () => {
    const { xml, finish } = await signed({ sign: 'response', signatureAlgorithm: ALGORITHMS.rsaSha1 });
    expect(xml).toContain('xmldsig#sha1');
    await expect(finish(xml)).rejects.toMatchObject(refusal('weak_algorithm'));
    // RSA-SHA1 over a SHA-256 digest: the signature method alone is refused.
    const doc = parse(xml);
    removeSignatures(doc);
    const resigned = signElement(serialize(doc), doc.documentElement!.getAttribute('ID')!, idp, { signature: ALGORITHMS.rsaSha1 });
    expect(resigned).toContain('http://www.w3.org/2001/04/xmlenc#sha256');
    await expect(finish(resigned)).rejects.toMatchObject(refusal('weak_algorithm'));
  });

  it('refuses a SHA-1 digest under an RSA-SHA256 signature', async () => {
    const { xml, finish } = await signed({ sign: 'response' });
    const doc = parse(xml);
    removeSignatures(doc);
    const resigned = signElement(serialize(doc), doc.documentElement!.getAttribute('ID')!, idp, { digest: 'http://www.w3.org/2000/09/xmldsig#sha1' });
    await expect(finish(resigned)).rejects.toMatchObject(refusal('weak_algorithm'));
  });

  it('refuses an assertion that is not signed itself when assertions must be signed', async () => {
    const { xml, finish } = await signed({ sign: 'response' }, { wantAssertionsSigned: true });
    await expect(finish(xml)).rejects.toMatchObject(refusal('not_signed'));
  });
});
