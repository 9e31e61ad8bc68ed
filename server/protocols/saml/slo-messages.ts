// What the IdP sends to an SP's single logout endpoint: a LogoutRequest (when a logout started
// elsewhere reaches this SP) or a LogoutResponse (answering the SP's own request). Rules: only to
// the SLO URL of the SP's registered metadata, with its binding; always signed (Redirect: over the
// exact query, SAML bindings §3.4.4.1; POST: enveloped); every value XML-escaped.
import { deflateRawSync } from 'node:zlib';
import { sign } from 'node:crypto';
import type { Response } from 'express';
import { privateKeyObject, type SamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { REDIRECT_BINDING, type SamlSp } from '../../../core/saml/saml-sps.ts';
import { sendPostForm } from './post-form.ts';
import { newSamlId, xmlEscape } from './response-xml.ts';
import { signElement } from './xml-signature.ts';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';

/** The Redirect binding's URL: deflated, base64, signed over the exact query (SAML bindings §3.4.4.1). */
export function signedRedirectUrl(location: string, field: string, xml: string, relayState: string | undefined, credentials: SamlCredentials): string {
  const parts = [`${field}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
  const octets = parts.join('&');
  const signature = sign('sha256', Buffer.from(octets), privateKeyObject(credentials.privateKeyPem)).toString('base64');
  return `${location}${location.includes('?') ? '&' : '?'}${octets}&Signature=${encodeURIComponent(signature)}`;
}

export interface LogoutRequestInput { id: string; issuer: string; destination: string; nameId: string; nameIdFormat: string; sessionIndex?: string }

export function logoutRequestXml(r: LogoutRequestInput): string {
  return `<samlp:LogoutRequest ${NS} ID="${xmlEscape(r.id)}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${xmlEscape(r.destination)}">`
    + `<saml:Issuer>${xmlEscape(r.issuer)}</saml:Issuer>`
    + `<saml:NameID Format="${xmlEscape(r.nameIdFormat)}">${xmlEscape(r.nameId)}</saml:NameID>`
    + (r.sessionIndex ? `<samlp:SessionIndex>${xmlEscape(r.sessionIndex)}</samlp:SessionIndex>` : '')
    + '</samlp:LogoutRequest>';
}

export { newSamlId };

/**
 * Sends `xml` (a LogoutRequest or LogoutResponse) to the SP's SLO endpoint with its binding.
 * @throws Error when the SP has no SLO endpoint (callers check first).
 */
export function sendToSlo(res: Response, tenant: string, sp: SamlSp, field: 'SAMLRequest' | 'SAMLResponse', xml: string,
  relayState: string | undefined, credentials: SamlCredentials): void {
  if (!sp.sloUrl) throw new Error(`SP ${sp.entityId} has no SLO endpoint`);
  if (sp.sloBinding === REDIRECT_BINDING) return void res.redirect(302, signedRedirectUrl(sp.sloUrl, field, xml, relayState, credentials));
  const root = field === 'SAMLRequest' ? 'LogoutRequest' : 'LogoutResponse';
  const signed = signElement(xml, `/*[local-name(.)='${root}']`, credentials);
  sendPostForm(res, tenant, { action: sp.sloUrl, field, value: Buffer.from(signed).toString('base64'), relayState, title: 'Signing you out…' });
}
