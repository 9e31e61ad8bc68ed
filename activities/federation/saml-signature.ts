// XML signatures on an upstream SAML response, checked before anything signed is believed. Rules:
// - trust only the IdP's metadata certificates: KeyInfo is never read (a re-signed document that
//   carries its own certificate fails);
// - a Signature may sit only directly in the element it signs (the Response or the one Assertion),
//   at most one per element; its single Reference must point at that element's ID, and that ID
//   must be unique in the document (signature wrapping, XSW1–XSW8);
// - exactly one SignedInfo, one Reference, no comments anywhere in the Signature (comment tricks
//   in DigestValue), only RSA-SHA256/512 and SHA-256/512, only c14n/exc-c14n without comments;
// - callers read values from what `verifySignature` returns (the signed bytes, re-parsed), never
//   from the document that was posted.
import { SignedXml } from 'xml-crypto';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { certificatePem } from '../../core/saml/saml-credentials.ts';
import { NS, childElements, attr, descendants, parseXml } from './saml-xml.ts';

export const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const DIGEST_METHODS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']);
const CANONICALIZATIONS = new Set(['http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315']);
const TRANSFORMS = new Set([...CANONICALIZATIONS, 'http://www.w3.org/2000/09/xmldsig#enveloped-signature']);

const malformed = () => new UpstreamError('malformed_signature', 'The SAML signature is malformed.');
const wrapped = () => new UpstreamError('wrapped_signature', 'The SAML signature does not cover the expected element.');
const weak = () => new UpstreamError('weak_algorithm', 'The SAML signature uses an algorithm that is not accepted.');

/**
 * The Signature of each element that may carry one. @throws UpstreamError wrapped_signature when a
 * Signature sits anywhere else, or an element carries two.
 */
export function signaturesByParent(doc: Document, allowedParents: Element[]): Map<Element, Element> {
  const found = new Map<Element, Element>();
  for (const signature of descendants(doc, NS.dsig, 'Signature')) {
    const parent = signature.parentNode as Element | null;
    if (!parent || !allowedParents.includes(parent) || found.has(parent)) throw wrapped();
    found.set(parent, signature);
  }
  return found;
}

function hasComment(node: Node): boolean {
  return Array.from(node.childNodes ?? []).some((n) => n.nodeType === 8 || hasComment(n));
}

function onlyChild(parent: Element, ns: string, local: string): Element {
  const found = childElements(parent, ns, local);
  if (found.length !== 1) throw malformed();
  return found[0]!;
}

function idsIn(doc: Document, value: string): number {
  let count = 0;
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    for (const name of ['ID', 'Id', 'id', 'AssertionID']) if (el.getAttribute(name) === value && el.hasAttribute(name)) count += 1;
  }
  return count;
}

/** @throws UpstreamError malformed_signature | wrapped_signature | weak_algorithm */
export function checkSignatureShape(doc: Document, signature: Element, signed: Element): void {
  if (hasComment(signature)) throw malformed();
  if (descendants(signature, NS.dsig, 'SignedInfo').length !== 1) throw malformed();
  const signedInfo = onlyChild(signature, NS.dsig, 'SignedInfo');
  onlyChild(signature, NS.dsig, 'SignatureValue');
  if (descendants(signedInfo, NS.dsig, 'Reference').length !== 1) throw malformed();
  const c14n = attr(onlyChild(signedInfo, NS.dsig, 'CanonicalizationMethod'), 'Algorithm');
  if (!c14n || !CANONICALIZATIONS.has(c14n)) throw weak();
  const method = attr(onlyChild(signedInfo, NS.dsig, 'SignatureMethod'), 'Algorithm');
  if (!method || !SIGNATURE_METHODS.has(method)) throw weak();
  const reference = onlyChild(signedInfo, NS.dsig, 'Reference');
  const id = attr(signed, 'ID');
  if (!id || attr(reference, 'URI') !== `#${id}` || idsIn(doc, id) !== 1) throw wrapped();
  for (const transforms of childElements(reference, NS.dsig, 'Transforms')) {
    for (const transform of childElements(transforms, NS.dsig, 'Transform')) {
      const algorithm = attr(transform, 'Algorithm');
      if (!algorithm || !TRANSFORMS.has(algorithm)) throw weak();
    }
  }
  const digest = attr(onlyChild(reference, NS.dsig, 'DigestMethod'), 'Algorithm');
  if (!digest || !DIGEST_METHODS.has(digest)) throw weak();
  onlyChild(reference, NS.dsig, 'DigestValue');
}

/**
 * Verifies `signature` over `xml` with one of the trusted certificates (base64 DER bodies).
 * @returns the signed element, re-parsed from the canonical bytes the signature covers.
 * @throws UpstreamError invalid_signature
 */
export function verifySignature(xml: string, signature: Element, certificates: string[]): Element {
  for (const certificate of certificates) {
    const signed = new SignedXml({ publicCert: certificatePem(certificate), getCertFromKeyInfo: () => null });
    try {
      signed.loadSignature(signature);
      if (!signed.checkSignature(xml)) continue;
      const references = signed.getSignedReferences();
      if (references.length !== 1) continue;
      return parseXml(references[0]!).documentElement!;
    } catch {
      continue;
    }
  }
  throw new UpstreamError('invalid_signature', 'The SAML signature is not valid for the identity provider\'s certificate.');
}
