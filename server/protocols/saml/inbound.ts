// Reading what an SP sends (AuthnRequest, LogoutRequest, LogoutResponse) with the HTTP-Redirect or HTTP-POST
// binding, before anything trusts it. Rules, in order:
// - the encoded message is bounded before decoding, and a Redirect message's inflated size too
//   (no deflate bomb); a DOCTYPE or ENTITY declaration is refused outright (no XXE, no expansion);
// - the document must pass the SAML 2.0 schemas (core/saml/saml-setup.ts) and have the expected root;
// - values are read from the root element and its direct children only;
// - signatures are checked by the caller (checkSignature) against the SP's registered
//   certificate; on the Redirect binding only RSA with SHA-256/384/512 is accepted (SHA-1 and
//   unknown SigAlg are refused).
import { createPublicKey, verify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { Request } from 'express';
import { certificatePem } from '../../../core/saml/saml-credentials.ts';
import { saml } from '../../../core/saml/saml-setup.ts';
import { checkEnvelopedSignature } from './xml-signature.ts';

export const MAX_ENCODED_CHARS = 100_000;
export const MAX_XML_BYTES = 64 * 1024;

const SIG_ALGS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};

/** A refusal of an inbound message: a code for the audit log and a message safe to show. */
export class SamlInputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SamlInputError';
    this.code = code;
  }
}

export type Binding = 'redirect' | 'post';
export type Kind = 'SAMLRequest' | 'SAMLResponse';

export interface Inbound {
  binding: Binding;
  xml: string;
  root: Element;
  relayState?: string;
  /** Redirect binding: what was signed, the SigAlg and the signature, exactly as received. */
  detached?: { octets: string; sigAlg: string; signature: string };
}

/** The raw (still URL-encoded) query parameters, in order, as the Redirect binding's signature covers them. */
function rawQuery(req: Request): Map<string, string> {
  const query = req.originalUrl.split('?')[1] ?? '';
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && !params.has(part.slice(0, eq))) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return params;
}

/** URL-decodes a query value; `form` (RelayState) reads '+' as a space, base64 values keep it. */
const decode = (raw: string, form = false) => {
  try {
    return decodeURIComponent(form ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    throw new SamlInputError('malformed', 'The SAML message is not correctly URL-encoded.');
  }
};

function base64Bytes(text: string): Buffer {
  if (text.length > MAX_ENCODED_CHARS) throw new SamlInputError('too_large', 'The SAML message is too large.');
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new SamlInputError('malformed', 'The SAML message is not base64.');
  return Buffer.from(clean, 'base64');
}

/** The message's XML from the request (Redirect: query; POST: form body). */
export function readMessage(req: Request, kind: Kind): { binding: Binding; xml: string; relayState?: string; detached?: Inbound['detached'] } {
  if (req.method === 'GET') {
    const raw = rawQuery(req);
    const encoded = raw.get(kind);
    if (encoded === undefined) throw new SamlInputError('missing', `The request carries no ${kind}.`);
    if (encoded.length > MAX_ENCODED_CHARS) throw new SamlInputError('too_large', 'The SAML message is too large.');
    let xml: string;
    try {
      xml = inflateRawSync(base64Bytes(decode(encoded)), { maxOutputLength: MAX_XML_BYTES }).toString('utf8');
    } catch (err) {
      if (err instanceof SamlInputError) throw err;
      throw new SamlInputError('too_large', 'The SAML message cannot be inflated within the size limit.');
    }
    const relayState = raw.has('RelayState') ? decode(raw.get('RelayState')!, true) : undefined;
    const sigAlg = raw.get('SigAlg');
    const signature = raw.get('Signature');
    let detached: Inbound['detached'];
    if (sigAlg !== undefined || signature !== undefined) {
      const octets = [`${kind}=${encoded}`, ...(raw.has('RelayState') ? [`RelayState=${raw.get('RelayState')}`] : []), `SigAlg=${sigAlg ?? ''}`].join('&');
      detached = { octets, sigAlg: decode(sigAlg ?? ''), signature: decode(signature ?? '') };
    }
    return { binding: 'redirect', xml, relayState, detached };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const encoded = body[kind];
  if (typeof encoded !== 'string') throw new SamlInputError('missing', `The request carries no ${kind}.`);
  const bytes = base64Bytes(encoded);
  if (bytes.length > MAX_XML_BYTES) throw new SamlInputError('too_large', 'The SAML message is too large.');
  const relayState = typeof body.RelayState === 'string' ? body.RelayState : undefined;
  return { binding: 'post', xml: bytes.toString('utf8'), relayState };
}

/** Checks and parses the message. @throws SamlInputError */
export async function parseMessage(req: Request, kind: Kind, rootName: 'AuthnRequest' | 'LogoutRequest' | 'LogoutResponse'): Promise<Inbound> {
  const message = readMessage(req, kind);
  if (/<!DOCTYPE|<!ENTITY/i.test(message.xml)) throw new SamlInputError('doctype', 'SAML messages with a DOCTYPE are refused.');
  try {
    await saml().SamlLib.isValidXml(message.xml);
  } catch {
    throw new SamlInputError('schema', 'The SAML message is not valid SAML 2.0.');
  }
  const doc = new DOMParser().parseFromString(message.xml, 'text/xml');
  const root = doc.documentElement;
  if (!root || root.localName !== rootName || root.namespaceURI !== 'urn:oasis:names:tc:SAML:2.0:protocol') {
    throw new SamlInputError('unexpected', `Expected a ${rootName}.`);
  }
  if (message.relayState !== undefined && message.relayState.length > 1024) throw new SamlInputError('relay_state', 'RelayState is longer than 1024 characters.');
  return { ...message, root };
}

/** The first direct child of `el` with this local name (in the SAML namespaces). */
export function child(el: Element, localName: string): Element | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === localName) return n as Element;
  }
  return undefined;
}

export const textOf = (el: Element | undefined) => (el?.textContent ?? '').trim();

export type SignatureState = 'unsigned' | 'valid';

/**
 * The message's signature, checked against the SP's certificate (base64 DER).
 * @throws SamlInputError for a signature that does not verify, or a refused algorithm.
 */
export function checkSignature(message: Inbound, certBody: string | null): SignatureState {
  if (message.binding === 'redirect') {
    const d = message.detached;
    if (!d) return 'unsigned';
    const hash = SIG_ALGS[d.sigAlg];
    if (!hash) throw new SamlInputError('sig_alg', 'The signature algorithm is not accepted (SHA-1 and unknown algorithms are refused).');
    if (!certBody) throw new SamlInputError('signature', 'The service provider has no signing certificate registered.');
    const key = createPublicKey(certificatePem(certBody));
    const ok = verify(hash, Buffer.from(d.octets), key, Buffer.from(d.signature, 'base64'));
    if (!ok) throw new SamlInputError('signature', 'The message signature is not valid.');
    return 'valid';
  }
  const result = checkEnvelopedSignature(message.xml, certBody);
  if (result === 'invalid') throw new SamlInputError('signature', 'The message signature is not valid.');
  return result;
}
