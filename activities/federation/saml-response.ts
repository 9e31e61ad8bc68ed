// From a posted SAML Response to the one Assertion whose signature was verified. Rules:
// - cheap refusals first: size, DOCTYPE, strict parse (one root), our structural checks, then
//   the SAML schemas, and only then signature verification;
// - Status must be Success (status_<code> otherwise);
// - exactly one Assertion or EncryptedAssertion in the whole document, as a child of the root;
// - a valid signature over the Response or the Assertion (the Assertion's own when
//   wantAssertionsSigned); when both are there, both must verify;
// - the returned elements are re-parsed from the signed bytes: the Assertion from its own
//   signature, else from the signed Response; the Response from its signature when it has one
//   (else the posted root, which callers use only to refuse, never to accept).
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { decryptAssertion } from './saml-decrypt.ts';
import { checkSignatureShape, signaturesByParent, verifySignature } from './saml-signature.ts';
import { NS, attr, checkSchema, childElement, childElements, decodeSamlResponse, descendants, parseXml, refuseDoctype } from './saml-xml.ts';

export interface ResponseTrust {
  /** The IdP's signing certificates from its metadata (base64 DER). */
  certificates: string[];
  wantAssertionsSigned: boolean;
  /** The SP's private key (PEM), for encrypted assertions. */
  decryptionKey: string;
}

export interface CheckedResponse {
  /** The signed Response, or the posted one when only the Assertion is signed. */
  response: Element;
  responseSigned: boolean;
  /** The Assertion, from signed bytes. */
  assertion: Element;
}

const notSigned = () => new UpstreamError('not_signed', 'The SAML response is not signed as required.');

/** @throws UpstreamError status_<code> unless the top-level StatusCode is Success. */
export function checkStatus(root: Element): void {
  const status = childElement(root, NS.protocol, 'Status');
  const code = status && childElement(status, NS.protocol, 'StatusCode');
  const value = code && attr(code, 'Value');
  if (value === 'urn:oasis:names:tc:SAML:2.0:status:Success') return;
  const second = code && childElement(code, NS.protocol, 'StatusCode');
  const name = (attr(second ?? code ?? root, 'Value') ?? 'missing').split(':').pop()!;
  const safe = name.replace(/[^A-Za-z0-9]/g, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().slice(0, 40) || 'unknown';
  throw new UpstreamError(`status_${safe}`, `The identity provider answered with status ${safe}.`);
}

/** @throws UpstreamError for every refusal named in the header. */
export async function checkResponse(samlResponse: unknown, trust: ResponseTrust): Promise<CheckedResponse> {
  const xml = decodeSamlResponse(samlResponse);
  refuseDoctype(xml);
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') throw new UpstreamError('invalid_xml', 'The SAML message is not a Response.');
  checkStatus(root);

  const plain = descendants(doc, NS.assertion, 'Assertion');
  const encrypted = descendants(doc, NS.assertion, 'EncryptedAssertion');
  if (plain.length + encrypted.length !== 1) throw new UpstreamError('assertion_count', 'The SAML response must carry exactly one assertion.');
  const carried = (plain[0] ?? encrypted[0])!;
  if (carried.parentNode !== root) throw new UpstreamError('wrapped_signature', 'The SAML assertion is not where it belongs.');

  const signatures = signaturesByParent(doc, plain[0] ? [root, plain[0]] : [root]);
  for (const [parent, signature] of signatures) checkSignatureShape(doc, signature, parent);
  // The schemas after our own structural checks (their refusals name the problem), before any
  // signature is computed.
  await checkSchema(xml);
  const responseSignature = signatures.get(root);
  const signedResponse = responseSignature && verifySignature(xml, responseSignature, trust.certificates);

  let assertion: Element | undefined;
  if (plain[0]) {
    const assertionSignature = signatures.get(plain[0]);
    if (assertionSignature) {
      assertion = verifySignature(xml, assertionSignature, trust.certificates);
    } else if (trust.wantAssertionsSigned) {
      throw notSigned();
    } else if (signedResponse) {
      assertion = childElement(signedResponse, NS.assertion, 'Assertion');
    }
  } else {
    assertion = await decryptedAssertion(signedResponse ?? root, !!signedResponse, trust);
  }
  if (!assertion) throw notSigned();
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') throw new UpstreamError('wrapped_signature', 'The signed element is not an assertion.');
  return { response: signedResponse ?? root, responseSigned: !!signedResponse, assertion };
}

/** Decrypts the EncryptedAssertion of `response`; the plaintext's own signature is checked like a plain one. */
async function decryptedAssertion(response: Element, responseSigned: boolean, trust: ResponseTrust): Promise<Element | undefined> {
  const [encrypted, ...more] = childElements(response, NS.assertion, 'EncryptedAssertion');
  if (!encrypted || more.length) throw new UpstreamError('assertion_count', 'The SAML response must carry exactly one assertion.');
  const xml = decryptAssertion(encrypted, trust.decryptionKey);
  refuseDoctype(xml);
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.assertion || root.localName !== 'Assertion'
    || descendants(doc, NS.assertion, 'Assertion').length !== 1 || descendants(doc, NS.assertion, 'EncryptedAssertion').length) {
    throw new UpstreamError('assertion_count', 'The encrypted SAML assertion must hold exactly one assertion.');
  }
  const signature = signaturesByParent(doc, [root]).get(root);
  if (signature) checkSignatureShape(doc, signature, root);
  await checkSchema(xml);
  if (signature) return verifySignature(xml, signature, trust.certificates);
  if (trust.wantAssertionsSigned) throw notSigned();
  return responseSigned ? root : undefined;
}
