// A samlify-based upstream SAML IdP for tests of Tessera's SP side (activities/federation/saml-*).
//
//   const idp = await createTestIdp();                       // key, certificate, metadata (Redirect SSO)
//   const sp = await testCredentials('sp');                   // an SP key + certificate (encryption)
//   const request = readAuthnRequest(begun.url);             // what our `begin` sent: id, issuer, acs…
//   const SAMLResponse = await issueResponse(idp, {           // a valid, signed answer to it
//     sp: { entityId: urls.spEntityId, acs: urls.acs, certificatePem: sp.certificatePem },
//     inResponseTo: request.id, sign: 'both', encrypt: true });
//
// Every field of the response can be overridden (audience, recipient, destination, issuer, times,
// status, NameID — also as raw XML, to inject a comment —, attributes, algorithms), and the
// building blocks below (decode/encode, parse/serialize, signElement, removeSignatures) make the
// tampered variants: start from a validly signed response and alter it. Test-only: nothing here
// is hardened.
import { createPrivateKey, randomBytes, sign as cryptoSign, webcrypto } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as x509 from '@peculiar/x509';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { IdentityProvider, SamlUpstreamConfig } from '../../core/federation/federation-types.ts';
import { saml } from '../../core/saml/saml-setup.ts';

x509.cryptoProvider.set(webcrypto as Crypto);

export const SAML_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;
export const ALGORITHMS = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaOaep: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsa15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes256cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
} as const;
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export interface TestCredentials { privateKeyPem: string; certificatePem: string; certificateBody: string }

/** A fresh RSA 2048 key and a self-signed certificate for it (CN = name). */
export async function testCredentials(name: string): Promise<TestCredentials> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`, name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 365 * 86_400_000),
    signingAlgorithm: alg, keys,
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  const certificatePem = cert.toString('pem') + '\n';
  return { privateKeyPem, certificatePem, certificateBody: certificatePem.replace(/-----[^-]+-----|\s+/g, '') };
}

export interface TestIdp extends TestCredentials {
  entityId: string;
  ssoUrl: string;
  /** The IdP's metadata XML, as a tenant would register it. */
  metadata: string;
}

export async function createTestIdp(options: { entityId?: string; ssoUrl?: string; sloUrl?: string; wantAuthnRequestsSigned?: boolean } = {}): Promise<TestIdp> {
  const credentials = await testCredentials('test-idp');
  const entityId = options.entityId ?? `https://idp-${randomBytes(4).toString('hex')}.example/saml`;
  const ssoUrl = options.ssoUrl ?? `${entityId}/sso`;
  const metadata = saml().IdentityProvider({
    entityID: entityId,
    signingCert: credentials.certificatePem,
    wantAuthnRequestsSigned: options.wantAuthnRequestsSigned ?? false,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [
      { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: ssoUrl },
      { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: ssoUrl },
    ],
    ...(options.sloUrl ? { singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: options.sloUrl }] } : {}),
  }).getMetadata();
  return { ...credentials, entityId, ssoUrl, metadata };
}

export interface ReadAuthnRequest {
  id: string; issuer: string; acs: string; destination: string; nameIdFormat: string;
  relayState: string | null; sigAlg: string | null; signature: string | null; xml: string;
}

/** Decodes the HTTP-Redirect AuthnRequest URL our SP produced. */
export function readAuthnRequest(url: string): ReadAuthnRequest {
  const query = new URL(url).searchParams;
  const xml = inflateRawSync(Buffer.from(query.get('SAMLRequest')!, 'base64')).toString('utf8');
  const root = parse(xml).documentElement!;
  const policy = root.getElementsByTagNameNS(SAML_NS.protocol, 'NameIDPolicy')[0];
  return {
    id: root.getAttribute('ID')!, destination: root.getAttribute('Destination')!,
    acs: root.getAttribute('AssertionConsumerServiceURL')!,
    issuer: root.getElementsByTagNameNS(SAML_NS.assertion, 'Issuer')[0]!.textContent!,
    nameIdFormat: policy?.getAttribute('Format') ?? '',
    relayState: query.get('RelayState'), sigAlg: query.get('SigAlg'), signature: query.get('Signature'), xml,
  };
}

export interface ResponseOptions {
  /** Our SP: its entity id (the audience), ACS (recipient + destination), certificate (encryption). */
  sp: { entityId: string; acs: string; certificatePem?: string };
  /** null: the attribute is left out everywhere. */
  inResponseTo: string | null;
  sign: 'response' | 'assertion' | 'both';
  encrypt?: boolean;
  audience?: string;
  recipient?: string;
  /** null: no Destination attribute. */
  destination?: string | null;
  issuer?: string;
  nameId?: string;
  /** Inserted as is (unescaped) as the NameID's content, e.g. to inject a comment. */
  nameIdXml?: string;
  nameIdFormat?: string;
  attributes?: Record<string, string | string[]>;
  now?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  status?: string;
  assertionId?: string;
  sessionIndex?: string;
  signatureAlgorithm?: string;
  keyEncryptionAlgorithm?: string;
  dataEncryptionAlgorithm?: string;
}

const esc = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const id = () => `_${randomBytes(16).toString('hex')}`;

function attributeStatement(attributes: Record<string, string | string[]>): string {
  const entries = Object.entries(attributes);
  if (!entries.length) return '';
  return `<saml:AttributeStatement>${entries.map(([name, values]) =>
    `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${[values].flat().map((v) =>
      `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`).join('')}</saml:AttributeStatement>`;
}

/** The unsigned Response XML the options describe. */
export function responseXml(idp: TestIdp, o: ResponseOptions): string {
  const now = o.now ?? new Date();
  const notBefore = (o.notBefore ?? new Date(now.getTime() - 30_000)).toISOString();
  const notOnOrAfter = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const inResponseTo = o.inResponseTo === null ? '' : ` InResponseTo="${esc(o.inResponseTo)}"`;
  const destination = o.destination === null ? '' : ` Destination="${esc(o.destination ?? o.sp.acs)}"`;
  const issuer = `<saml:Issuer>${esc(o.issuer ?? idp.entityId)}</saml:Issuer>`;
  const instant = now.toISOString();
  return `<samlp:Response xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}" ID="${id()}" Version="2.0" IssueInstant="${instant}"${destination}${inResponseTo}>`
    + `${issuer}<samlp:Status><samlp:StatusCode Value="${esc(o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>`
    + `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${o.assertionId ?? id()}" Version="2.0" IssueInstant="${instant}">`
    + `${issuer}<saml:Subject><saml:NameID Format="${esc(o.nameIdFormat ?? EMAIL_FORMAT)}">${o.nameIdXml ?? esc(o.nameId ?? 'alice@corp.example')}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.recipient ?? o.sp.acs)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? o.sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${esc(o.sessionIndex ?? id())}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + attributeStatement(o.attributes ?? { 'urn:oid:2.5.4.42': 'Alice', 'urn:oid:2.5.4.4': 'Liddell' })
    + '</saml:Assertion></samlp:Response>';
}

/** A base64 SAMLResponse, signed (and encrypted) by samlify as the options say. */
export async function issueResponse(idp: TestIdp, o: ResponseOptions): Promise<string> {
  const lib = saml();
  // The encryption algorithms are runtime settings samlify's types leave out.
  const settings = {
    metadata: idp.metadata, privateKey: idp.privateKeyPem,
    requestSignatureAlgorithm: o.signatureAlgorithm ?? ALGORITHMS.rsaSha256,
    isAssertionEncrypted: !!o.encrypt,
    keyEncryptionAlgorithm: o.keyEncryptionAlgorithm ?? ALGORITHMS.rsaOaep,
    dataEncryptionAlgorithm: o.dataEncryptionAlgorithm ?? ALGORITHMS.aes256gcm,
  };
  const entity = lib.IdentityProvider(settings);
  const sp = lib.ServiceProvider({
    entityID: o.sp.entityId,
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: o.sp.acs }],
    wantAssertionsSigned: o.sign !== 'response',
    wantMessageSigned: o.sign !== 'assertion',
    ...(o.sp.certificatePem ? { encryptCert: o.sp.certificatePem } : {}),
  });
  const xml = responseXml(idp, o);
  const { context } = await entity.createLoginResponse(sp, { extract: {} }, 'post', {}, {
    customTagReplacement: () => ({ id: 'unused', context: xml }),
    encryptThenSign: !!o.encrypt,
  });
  return context;
}

// ---- building blocks for tampered variants ----

export const decode = (samlResponse: string) => Buffer.from(samlResponse, 'base64').toString('utf8');
export const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

export function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}
export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

/** The first element with this local name in the SAML / dsig namespaces (or any namespace). */
export function find(root: Document | Element, local: string): Element {
  const found = root.getElementsByTagNameNS('*', local)[0];
  if (!found) throw new Error(`no ${local} element`);
  return found;
}

export function removeSignatures(root: Document | Element): void {
  for (const signature of Array.from(root.getElementsByTagNameNS(SAML_NS.dsig, 'Signature'))) signature.parentNode!.removeChild(signature);
}

/**
 * Signs the element with this ID (enveloped, exc-c14n, SHA-256 by default) with `key`, placing the
 * Signature after its Issuer; with `certificatePem`, the certificate goes into KeyInfo.
 */
export function signElement(xml: string, elementId: string, key: { privateKeyPem: string; certificatePem?: string },
  algorithms: { signature?: string; digest?: string } = {}): string {
  const signed = new SignedXml({
    privateKey: key.privateKeyPem,
    ...(key.certificatePem ? { publicCert: key.certificatePem } : {}),
    signatureAlgorithm: (algorithms.signature ?? ALGORITHMS.rsaSha256) as never,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signed.addReference({
    xpath: `//*[@ID='${elementId}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
  });
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${elementId}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signed.getSignedXml();
}

/** The IdentityProvider row a tenant would hold for this test IdP (defaults: unsigned requests, assertions may be signed via the Response). */
export function samlIdentityProvider(tenant: string, alias: string, idp: TestIdp, config: Partial<SamlUpstreamConfig> = {}): IdentityProvider {
  return {
    tenant, alias, kind: 'saml', displayName: 'Test IdP', enabled: true, showOnLogin: true,
    saml: { metadata: idp.metadata, signAuthnRequests: false, wantAssertionsSigned: false, nameIdFormat: 'email', ...config },
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: false }, claimRules: [],
  };
}

// ---- the IdP's LogoutResponse to our LogoutRequest (server/protocols/federation/logout-return.ts) ----

export interface LogoutResponseOptions { inResponseTo: string; destination?: string; issuer?: string; status?: string; id?: string }

/** An unsigned LogoutResponse XML from the test IdP. */
export function logoutResponseXml(idp: TestIdp, o: LogoutResponseOptions): string {
  const destination = o.destination ? ` Destination="${esc(o.destination)}"` : '';
  return `<samlp:LogoutResponse xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}" ID="${o.id ?? id()}" Version="2.0" IssueInstant="${new Date().toISOString()}"${destination} InResponseTo="${esc(o.inResponseTo)}">`
    + `<saml:Issuer>${esc(o.issuer ?? idp.entityId)}</saml:Issuer>`
    + `<samlp:Status><samlp:StatusCode Value="${esc(o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status></samlp:LogoutResponse>`;
}

/**
 * The HTTP-Redirect URL carrying `xml` as SAMLResponse to `location`, signed over the exact query
 * with `key` (SAML bindings §3.4.4.1); `sign: false` leaves SigAlg and Signature out.
 */
export function redirectLogoutResponse(location: string, xml: string, relayState: string, key: { privateKeyPem: string } | false,
  sigAlg: string = ALGORITHMS.rsaSha256): string {
  const parts = [`SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`, `RelayState=${encodeURIComponent(relayState)}`];
  if (!key) return `${location}?${parts.join('&')}`;
  parts.push(`SigAlg=${encodeURIComponent(sigAlg)}`);
  const hash = sigAlg === ALGORITHMS.rsaSha1 ? 'sha1' : 'sha256';
  const signature = cryptoSign(hash, Buffer.from(parts.join('&')), createPrivateKey(key.privateKeyPem)).toString('base64');
  return `${location}?${parts.join('&')}&Signature=${encodeURIComponent(signature)}`;
}
