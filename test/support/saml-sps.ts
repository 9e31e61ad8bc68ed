// Test service providers for Tessera's SAML IdP: samlify as SP and @node-saml/node-saml as SP,
// each with its own key and certificate, registered with a tenant from the metadata it generates.
// Plus what a browser sees of the IdP's HTTP-POST binding page (the form it would submit).
import { sign as cryptoSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import type { Db } from '../../core/infra/db.ts';
import { certificateBody, newSamlCredentials, type SamlCredentials } from '../../core/saml/saml-credentials.ts';
import { saml } from '../../core/saml/saml-setup.ts';
import { addSamlSp, type SamlSp, type SamlSpSettings } from '../../core/saml/saml-sps.ts';
import { parseForm, type Landing } from './oidc-browser.ts';

export const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const FORMATS = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;

let keyPool: Promise<SamlCredentials>[] = [];
/** Key pairs are slow to make: a few are shared by every SP of a test file. */
export function spKeys(i: number): Promise<SamlCredentials> {
  while (keyPool.length <= i) keyPool.push(newSamlCredentials(`test-sp-${keyPool.length}`));
  return keyPool[i]!;
}
export function resetKeys(): void {
  keyPool = [];
}

export const idpEntityId = (base: string, tenant: string) => `${base}/t/${tenant}/saml/metadata`;
export const ssoUrl = (base: string, tenant: string) => `${base}/t/${tenant}/saml/sso`;
export const sloUrl = (base: string, tenant: string) => `${base}/t/${tenant}/saml/slo`;

export async function idpMetadata(base: string, tenant: string): Promise<string> {
  const res = await fetch(idpEntityId(base, tenant));
  if (res.status !== 200) throw new Error(`metadata: ${res.status}`);
  return res.text();
}

export interface NodeSamlSp { saml: SAML; entityId: string; acs: string; metadata: string; registered: SamlSp }

export interface SpOptions {
  entityId: string;
  acs?: string;
  slo?: string;
  /** Sign AuthnRequests (and LogoutRequests) with key 0. */
  sign?: boolean;
  /** Decrypt assertions with key 1 (published as the encryption certificate). */
  encrypt?: boolean;
  nameIdFormat?: keyof typeof FORMATS;
  settings?: Partial<SamlSpSettings>;
  config?: Partial<SamlConfig>;
}

/** A node-saml SP registered with the tenant from its own metadata. */
export async function nodeSamlSp(db: Db, base: string, tenant: string, o: SpOptions): Promise<NodeSamlSp> {
  const [signing, enc] = await Promise.all([spKeys(0), spKeys(1)]);
  const idp = await newSamlCredentialsFromMetadata(base, tenant);
  const acs = o.acs ?? `${o.entityId.replace(/\/$/, '')}/acs`;
  const sp = new SAML({
    callbackUrl: acs, entryPoint: ssoUrl(base, tenant), issuer: o.entityId, idpCert: idp, idpIssuer: idpEntityId(base, tenant),
    audience: o.entityId, wantAssertionsSigned: true, wantAuthnResponseSigned: true, validateInResponseTo: 'always' as never,
    identifierFormat: FORMATS[o.nameIdFormat ?? 'email'], logoutUrl: sloUrl(base, tenant), logoutCallbackUrl: o.slo,
    ...(o.sign ? { privateKey: signing.privateKeyPem, signatureAlgorithm: 'sha256' as const } : {}),
    ...(o.encrypt ? { decryptionPvk: enc.privateKeyPem } : {}),
    ...o.config,
  });
  const metadata = sp.generateServiceProviderMetadata(o.encrypt ? enc.certificatePem : null, o.sign ? signing.certificatePem : null);
  const registered = await addSamlSp(db, tenant, metadata, { nameIdFormat: o.nameIdFormat ?? 'email', ...(o.encrypt ? { encryptAssertion: true } : {}), ...o.settings });
  return { saml: sp, entityId: o.entityId, acs, metadata, registered };
}

/** The IdP signing certificate, read from its metadata (as an SP would). */
async function newSamlCredentialsFromMetadata(base: string, tenant: string): Promise<string> {
  const xml = await idpMetadata(base, tenant);
  return /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1]!;
}

export interface SamlifySp { sp: ReturnType<ReturnType<typeof saml>['ServiceProvider']>; idp: ReturnType<ReturnType<typeof saml>['IdentityProvider']>; entityId: string; acs: string; registered: SamlSp }

/** A samlify SP registered with the tenant from its own metadata; `idp` is Tessera as it sees it. */
export async function samlifySp(db: Db, base: string, tenant: string, o: SpOptions & { wantAssertionsSigned?: boolean }): Promise<SamlifySp> {
  const [signing, enc] = await Promise.all([spKeys(0), spKeys(1)]);
  const acs = o.acs ?? `${o.entityId.replace(/\/$/, '')}/acs`;
  const sp = saml().ServiceProvider({
    entityID: o.entityId,
    assertionConsumerService: [{ Binding: POST, Location: acs }],
    singleLogoutService: o.slo ? [{ Binding: REDIRECT, Location: o.slo }] : [],
    nameIDFormat: [FORMATS[o.nameIdFormat ?? 'email']],
    authnRequestsSigned: o.sign === true,
    wantAssertionsSigned: o.wantAssertionsSigned ?? true,
    wantMessageSigned: true,
    wantLogoutResponseSigned: true,
    signingCert: signing.certificatePem, privateKey: signing.privateKeyPem,
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    signatureConfig: { prefix: 'ds', location: { reference: "/*[local-name(.)='AuthnRequest']/*[local-name(.)='Issuer']", action: 'after' } },
    ...(o.encrypt ? { encryptCert: enc.certificatePem, encPrivateKey: enc.privateKeyPem, isAssertionEncrypted: true } : {}),
  } as never);
  let idpXml = await idpMetadata(base, tenant);
  // samlify signs requests only when the IdP's metadata asks; Tessera asks per SP instead.
  if (o.sign) idpXml = idpXml.replace('WantAuthnRequestsSigned="false"', 'WantAuthnRequestsSigned="true"');
  const idp = saml().IdentityProvider({ metadata: idpXml, ...(o.encrypt ? { isAssertionEncrypted: true } : {}) } as never);
  const registered = await addSamlSp(db, tenant, sp.getMetadata(), {
    nameIdFormat: o.nameIdFormat ?? 'email', ...(o.encrypt ? { encryptAssertion: true } : {}), ...o.settings,
  });
  return { sp, idp, entityId: o.entityId, acs, registered };
}

/** The SAML message an HTTP-POST binding page would submit, and where. */
export function postedMessage(landing: Landing): { action: string; SAMLResponse: string; RelayState?: string; xml: string; csp: string | null } {
  if (landing.kind !== 'page') throw new Error(`expected the POST binding page, got ${landing.kind}: ${JSON.stringify(landing).slice(0, 400)}`);
  const form = parseForm(landing.html);
  const value = form?.fields.get('SAMLResponse');
  if (!form || !value) throw new Error(`no SAMLResponse form (status ${landing.status}): ${landing.html.slice(0, 1500)}`);
  return {
    action: form.action, SAMLResponse: value, RelayState: form.fields.get('RelayState') ?? undefined,
    xml: Buffer.from(value, 'base64').toString('utf8'), csp: null,
  };
}

/** The XML inside a Redirect binding URL's parameter. */
export function redirectXml(url: string, field = 'SAMLRequest'): string {
  const value = new URL(url).searchParams.get(field)!;
  return inflateRawSync(Buffer.from(value, 'base64')).toString('utf8');
}

export { certificateBody };

export interface RawRequest { id?: string; issuer: string; acs?: string; issueInstant?: Date; destination?: string; body?: string; attrs?: string; root?: 'AuthnRequest' | 'LogoutRequest' }

/** A hand-made AuthnRequest (or LogoutRequest), for the checks no SP library would send. */
export function rawRequestXml(r: RawRequest): string {
  const root = r.root ?? 'AuthnRequest';
  const acs = r.acs ? ` AssertionConsumerServiceURL="${r.acs}"` : '';
  const destination = r.destination ? ` Destination="${r.destination}"` : '';
  return `<samlp:${root} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.id ?? `_${Math.random().toString(16).slice(2)}`}" Version="2.0" IssueInstant="${(r.issueInstant ?? new Date()).toISOString()}"${destination}${acs}${r.attrs ?? ''}><saml:Issuer>${r.issuer}</saml:Issuer>${r.body ?? ''}</samlp:${root}>`;
}

/** A Redirect binding URL for `xml`; signed with `sign` (PEM key, SigAlg URI, node hash name) when given. */
export function redirectUrlFor(target: string, xml: string, o: { relayState?: string; sign?: { key: string; sigAlg: string; hash: string } } = {}): string {
  const parts = [`SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`];
  if (o.relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(o.relayState)}`);
  if (o.sign) {
    parts.push(`SigAlg=${encodeURIComponent(o.sign.sigAlg)}`);
    const signature = cryptoSign(o.sign.hash, Buffer.from(parts.join('&')), o.sign.key).toString('base64');
    parts.push(`Signature=${encodeURIComponent(signature)}`);
  }
  return `${target}?${parts.join('&')}`;
}
