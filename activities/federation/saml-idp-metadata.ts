// What this SP takes from an upstream IdP's metadata (read by samlify): its entity id, its
// HTTP-Redirect SSO (and SLO) URL, whether it wants signed AuthnRequests, and its signing certificates —
// the only keys a response is ever verified with. Parsed once per metadata text.
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { saml } from '../../core/saml/saml-setup.ts';

export interface IdpMetadata {
  entityId: string;
  ssoRedirectUrl: string;
  /** Its HTTP-Redirect single logout service, where a logout here sends a LogoutRequest. */
  sloRedirectUrl?: string;
  wantAuthnRequestsSigned: boolean;
  /** Base64 DER bodies. */
  signingCertificates: string[];
}

const parsed = new Map<string, IdpMetadata>();

const bad = (what: string) => new UpstreamError('bad_metadata', `The identity provider's metadata has no usable ${what}.`);

function read(xml: string): IdpMetadata {
  let metadata;
  try {
    metadata = saml().IdPMetadata(xml);
  } catch {
    throw bad('entity descriptor');
  }
  const entityId = metadata.getEntityID();
  if (typeof entityId !== 'string' || !entityId) throw bad('entity id');
  const sso = metadata.getSingleSignOnService('redirect');
  if (typeof sso !== 'string' || !/^https?:\/\//.test(sso)) throw bad('HTTP-Redirect single sign-on service');
  const certificates = [metadata.getX509Certificate('signing')].flat().filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (!certificates.length) throw bad('signing certificate');
  const slo = metadata.getSingleLogoutService('redirect');
  return {
    entityId,
    ssoRedirectUrl: sso,
    ...(typeof slo === 'string' && /^https?:\/\//.test(slo) ? { sloRedirectUrl: slo } : {}),
    wantAuthnRequestsSigned: metadata.isWantAuthnRequestsSigned(),
    signingCertificates: certificates.map((c) => c.replace(/\s+/g, '')),
  };
}

/** @throws UpstreamError bad_metadata */
export function idpMetadata(xml: string): IdpMetadata {
  let found = parsed.get(xml);
  if (!found) {
    found = read(xml);
    if (parsed.size > 500) parsed.clear();
    parsed.set(xml, found);
  }
  return found;
}
