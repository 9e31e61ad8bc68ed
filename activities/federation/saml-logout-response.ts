// The upstream SAML IdP's LogoutResponse to our LogoutRequest (server/upstream-logout.ts), checked
// the way a login response is (saml-response.ts, saml-signature.ts) before the browser is sent on.
// Rules:
// - a signature is always required (SAML profiles §4.4.4.2: the responder MUST authenticate the
//   LogoutResponse; on the front-channel bindings only a signature does; IdP metadata has no flag
//   for it); it is checked against the IdP's metadata certificates only, never KeyInfo;
// - HTTP-Redirect: the query signature over the exact SAMLResponse, RelayState and SigAlg octets as
//   received (SAML bindings §3.4.4.1); HTTP-POST: the enveloped XML signature of the root, with
//   the same shape and wrapping checks as a login response; only RSA-SHA256/512 (SHA-1 refused);
// - size, DOCTYPE, strict parse and the SAML schemas first; the root must be a LogoutResponse;
// - from the signed message: the Issuer must be the IdP's entity id, a Destination (when there)
//   our SP SLO URL, InResponseTo our request, and the top-level status Success.
import { createPublicKey, verify } from 'node:crypto';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { certificatePem } from '../../core/saml/saml-credentials.ts';
import { checkStatus } from './saml-response.ts';
import { checkSignatureShape, SIGNATURE_METHODS, signaturesByParent, verifySignature } from './saml-signature.ts';
import { NS, attr, checkSchema, childElement, parseXml, refuseDoctype, textOf, MAX_XML_BYTES } from './saml-xml.ts';

const HASHES: Record<string, string> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};

export interface LogoutResponseMessage {
  binding: 'redirect' | 'post';
  /** The decoded (Redirect: inflated) XML. */
  xml: string;
  /** Redirect binding: the signed octets as received, the SigAlg and the signature (absent: unsigned). */
  detached?: { octets: string; sigAlg: string; signature: string };
}

export interface LogoutResponseExpectation {
  /** The IdP's signing certificates from its metadata (base64 DER). */
  certificates: string[];
  idpEntityId: string;
  /** Our SP SLO URL, where the IdP answers. */
  destination: string;
  /** The ID of the LogoutRequest we sent. */
  requestId: string;
}

const notSigned = () => new UpstreamError('not_signed', 'The logout response is not signed.');

function verifyDetached(detached: NonNullable<LogoutResponseMessage['detached']>, certificates: string[]): void {
  if (!detached.signature) throw notSigned();
  const hash = HASHES[detached.sigAlg];
  if (!hash || !SIGNATURE_METHODS.has(detached.sigAlg)) throw new UpstreamError('weak_algorithm', 'The SAML signature uses an algorithm that is not accepted.', `SigAlg ${detached.sigAlg.slice(0, 80)}`);
  const signature = Buffer.from(detached.signature, 'base64');
  for (const certificate of certificates) {
    try {
      if (verify(hash, Buffer.from(detached.octets), createPublicKey(certificatePem(certificate)), signature)) return;
    } catch {
      continue;
    }
  }
  throw new UpstreamError('invalid_signature', 'The SAML signature is not valid for the identity provider\'s certificate.', 'query signature');
}

/** @throws UpstreamError for every refusal named in the header. */
export async function checkLogoutResponse(message: LogoutResponseMessage, expect: LogoutResponseExpectation): Promise<void> {
  if (Buffer.byteLength(message.xml) > MAX_XML_BYTES) throw new UpstreamError('too_large', 'The SAML response is too large.');
  refuseDoctype(message.xml);
  const doc = parseXml(message.xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutResponse') throw new UpstreamError('invalid_xml', 'The SAML message is not a LogoutResponse.');
  let signed: Element;
  if (message.binding === 'redirect') {
    if (!message.detached) throw notSigned();
    await checkSchema(message.xml);
    verifyDetached(message.detached, expect.certificates);
    signed = root;
  } else {
    const signature = signaturesByParent(doc, [root]).get(root);
    if (!signature) throw notSigned();
    checkSignatureShape(doc, signature, root);
    await checkSchema(message.xml);
    signed = verifySignature(message.xml, signature, expect.certificates);
  }
  const issuer = childElement(signed, NS.assertion, 'Issuer');
  if (!issuer || textOf(issuer) !== expect.idpEntityId) throw new UpstreamError('wrong_issuer', 'The logout response comes from another issuer.');
  const destination = attr(signed, 'Destination');
  if (destination !== undefined && destination !== expect.destination) throw new UpstreamError('wrong_destination', 'The logout response is meant for another endpoint.');
  if (attr(signed, 'InResponseTo') !== expect.requestId) throw new UpstreamError('wrong_request', 'The logout response does not answer our request.');
  checkStatus(signed);
}
