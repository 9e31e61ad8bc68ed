// The AuthnRequest this SP sends an upstream IdP, HTTP-Redirect binding (SAML bindings §3.4):
// deflated, base64, in the query with the RelayState; signed over the query string with
// RSA-SHA256 when we are configured to sign or the IdP wants it. Built here rather than by
// samlify, which refuses to sign when the IdP's metadata does not ask for it. Values are
// XML-escaped; the ID is 160 random bits.
import { createSign, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { NameIdFormat } from '../../core/federation/federation-types.ts';

export const NAME_ID_FORMATS: Record<NameIdFormat, string> = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
};
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export interface AuthnRequestInput {
  ssoUrl: string;
  spEntityId: string;
  acs: string;
  nameIdFormat: NameIdFormat;
  relayState: string;
  /** PEM; when given, the request is signed. */
  signingKey?: string;
  now: Date;
}

const escapeXml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function authnRequestXml(id: string, input: AuthnRequestInput): string {
  const allowCreate = input.nameIdFormat === 'transient' ? '' : ' AllowCreate="true"';
  return '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
    + ` ID="${escapeXml(id)}" Version="2.0" IssueInstant="${input.now.toISOString()}" Destination="${escapeXml(input.ssoUrl)}"`
    + ` AssertionConsumerServiceURL="${escapeXml(input.acs)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">`
    + `<saml:Issuer>${escapeXml(input.spEntityId)}</saml:Issuer>`
    + `<samlp:NameIDPolicy Format="${NAME_ID_FORMATS[input.nameIdFormat]}"${allowCreate}/>`
    + '</samlp:AuthnRequest>';
}

/** @returns the URL to send the browser to, and the request's ID (kept for InResponseTo). */
export function authnRequestUrl(input: AuthnRequestInput): { url: string; id: string } {
  const id = `_${randomBytes(20).toString('hex')}`;
  const encoded = deflateRawSync(Buffer.from(authnRequestXml(id, input), 'utf8')).toString('base64');
  let query = `SAMLRequest=${encodeURIComponent(encoded)}&RelayState=${encodeURIComponent(input.relayState)}`;
  if (input.signingKey) {
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    const signature = createSign('RSA-SHA256').update(query).sign(input.signingKey).toString('base64');
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  return { url: `${input.ssoUrl}${input.ssoUrl.includes('?') ? '&' : '?'}${query}`, id };
}
