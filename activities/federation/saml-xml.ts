// Untrusted SAML XML in, a DOM out: the one way this SP reads what a browser POSTs. Rules:
// - the size is bounded before anything is decoded or parsed (base64 and decoded, 256 KiB);
// - a DOCTYPE (XXE, entity expansion) is refused before any parser sees the text;
// - the document is validated against the SAML 2.0 schemas (libxml2 in WebAssembly, core/saml/saml-setup.ts),
//   then parsed strictly: any parser error, or anything beside one root element, is a refusal.
// Helpers read elements by namespace + local name, never by prefix.
import { DOMParser } from '@xmldom/xmldom';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { SchemaError } from '../../core/saml/saml-schema-validator.ts';
import { saml } from '../../core/saml/saml-setup.ts';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
} as const;

export const MAX_XML_BYTES = 256 * 1024;
const MAX_BASE64_CHARS = Math.ceil(MAX_XML_BYTES / 3) * 4 + 1024; // room for line breaks

/** The POSTed SAMLResponse, decoded. @throws UpstreamError too_large | malformed */
export function decodeSamlResponse(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new UpstreamError('malformed', 'The SAML response is missing.');
  if (value.length > MAX_BASE64_CHARS) throw new UpstreamError('too_large', 'The SAML response is too large.');
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new UpstreamError('malformed', 'The SAML response is not base64.');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_XML_BYTES) throw new UpstreamError('too_large', 'The SAML response is too large.');
  return bytes.toString('utf8');
}

/** @throws UpstreamError doctype: DTDs have no place in SAML and carry XXE and entity bombs. */
export function refuseDoctype(xml: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new UpstreamError('doctype', 'The SAML response contains a DOCTYPE.');
}

/** @throws UpstreamError invalid_xml when the document does not follow the SAML schemas. */
export async function checkSchema(xml: string): Promise<void> {
  try {
    // core/saml/saml-setup.ts keeps the validator from logging fragments of the document or leaking.
    await saml().SamlLib.isValidXml(xml);
  } catch (error) {
    // The reason names elements and what was wrong, never the document's values (saml-schema-validator.ts).
    const reason = error instanceof SchemaError ? error.message : 'schema validation failed';
    throw new UpstreamError('invalid_xml', 'The SAML response is not a valid SAML document.', `schema: ${reason}`);
  }
}

/** Parses strictly: one root element, nothing else but whitespace, comments and processing instructions. */
export function parseXml(xml: string): Document {
  refuseDoctype(xml);
  const fail = (): never => { throw new UpstreamError('invalid_xml', 'The SAML response is not well-formed XML.'); };
  const twoRoots = (): never => { throw new UpstreamError('multiple_roots', 'The SAML response must have exactly one root element.'); };
  // xmldom reports a second root element as a hierarchy error.
  const error = (message: string) => (/only one element/i.test(String(message)) ? twoRoots() : fail());
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: () => {}, error, fatalError: error } }).parseFromString(xml, 'text/xml');
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    return fail();
  }
  let roots = 0;
  for (const node of Array.from(doc.childNodes)) {
    if (node.nodeType === 1) roots += 1;
    else if (node.nodeType === 3 && node.nodeValue?.trim()) fail();
    else if (node.nodeType !== 3 && node.nodeType !== 7 && node.nodeType !== 8) fail();
  }
  if (roots !== 1 || !doc.documentElement) twoRoots();
  return doc;
}

export function childElements(parent: Node, ns: string, local: string): Element[] {
  return Array.from(parent.childNodes ?? []).filter((n): n is Element =>
    n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local);
}

/** The only such child, or undefined when absent. @throws UpstreamError invalid_xml when repeated. */
export function childElement(parent: Node, ns: string, local: string): Element | undefined {
  const found = childElements(parent, ns, local);
  if (found.length > 1) throw new UpstreamError('invalid_xml', `The SAML response repeats ${local}.`);
  return found[0];
}

export function descendants(root: Document | Element, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local));
}

/** All text below the element, comments left out but every text node kept (no truncation at a comment). */
export function textOf(el: Element): string {
  return (el.textContent ?? '').trim();
}

/** An attribute's value, or undefined when absent (xmldom answers '' for absent attributes). */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name)! : undefined;
}
