// Decrypts the one EncryptedAssertion of an upstream SAML response with the tenant's SP key
// (XML Encryption 1.1, node:crypto only). Rules:
// - key transport RSA-OAEP with its parameters exactly as XML Encryption 1.1 §5.5.2 defines them:
//   rsa-oaep-mgf1p: MGF1 is always SHA-1 (an xenc11:MGF naming another is refused), the digest is
//   the ds:DigestMethod (default SHA-1); xmlenc11#rsa-oaep: digest from ds:DigestMethod (default
//   SHA-1), MGF from xenc11:MGF (default MGF1-SHA1); OAEPparams is the label;
// - rsa-1_5 is refused before any decryption is tried (Bleichenbacher oracle), as is anything unknown;
// - content AES-128/192/256 in GCM or CBC; the key length must match the algorithm;
// - every failure is the same bad_encryption for the user, with nothing of the document in the
//   message; the operator's detail names the algorithm or step that failed, never key material.
import { createDecipheriv } from 'node:crypto';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { rsaOaepDecrypt, type OaepHash } from './rsa-oaep.ts';
import { NS, attr, childElements, textOf } from './saml-xml.ts';

const XENC11 = 'http://www.w3.org/2009/xmlenc11#';
const RSA_1_5 = 'http://www.w3.org/2001/04/xmlenc#rsa-1_5';
const RSA_OAEP_MGF1P = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const RSA_OAEP_11 = `${XENC11}rsa-oaep`;
const DIGESTS: Record<string, OaepHash> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#sha224': 'sha224',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};
const MGFS: Record<string, OaepHash> = {
  [`${XENC11}mgf1sha1`]: 'sha1',
  [`${XENC11}mgf1sha224`]: 'sha224',
  [`${XENC11}mgf1sha256`]: 'sha256',
  [`${XENC11}mgf1sha384`]: 'sha384',
  [`${XENC11}mgf1sha512`]: 'sha512',
};
const CIPHERS: Record<string, { name: string; keyBytes: number; gcm: boolean }> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': { name: 'aes-128-cbc', keyBytes: 16, gcm: false },
  'http://www.w3.org/2001/04/xmlenc#aes192-cbc': { name: 'aes-192-cbc', keyBytes: 24, gcm: false },
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': { name: 'aes-256-cbc', keyBytes: 32, gcm: false },
  [`${XENC11}aes128-gcm`]: { name: 'aes-128-gcm', keyBytes: 16, gcm: true },
  [`${XENC11}aes192-gcm`]: { name: 'aes-192-gcm', keyBytes: 24, gcm: true },
  [`${XENC11}aes256-gcm`]: { name: 'aes-256-gcm', keyBytes: 32, gcm: true },
};

const bad = (detail: string) => new UpstreamError('bad_encryption', 'The encrypted SAML assertion could not be decrypted.', detail);
/** An algorithm URI for the operator's log: bounded, printable. */
const named = (uri: string | undefined) => (uri ?? 'none').replace(/[^\x21-\x7e]/g, '?').slice(0, 100);

function one(parent: Element | undefined, ns: string, local: string): Element {
  const found = parent ? childElements(parent, ns, local) : [];
  if (found.length !== 1) throw bad(`expected exactly one ${local} element, found ${found.length}`);
  return found[0]!;
}

function atMostOne(parent: Element, ns: string, local: string): Element | undefined {
  const found = childElements(parent, ns, local);
  if (found.length > 1) throw bad(`${local} is repeated`);
  return found[0];
}

function cipherValue(parent: Element): Buffer {
  return Buffer.from(textOf(one(one(parent, NS.xenc, 'CipherData'), NS.xenc, 'CipherValue')).replace(/\s+/g, ''), 'base64');
}

/** The EncryptedKey inside EncryptedData/KeyInfo, or beside EncryptedData in the EncryptedAssertion. */
function encryptedKey(encryptedAssertion: Element, encryptedData: Element): Element {
  const keyInfo = childElements(encryptedData, NS.dsig, 'KeyInfo')[0];
  const candidates = [
    ...(keyInfo ? childElements(keyInfo, NS.xenc, 'EncryptedKey') : []),
    ...childElements(encryptedAssertion, NS.xenc, 'EncryptedKey'),
  ];
  if (candidates.length !== 1) throw bad(`expected exactly one EncryptedKey, found ${candidates.length}`);
  return candidates[0]!;
}

/** The OAEP digest, MGF1 hash and label an EncryptionMethod states (XML Encryption 1.1 §5.5.2). */
export function oaepParameters(method: Element): { hash: OaepHash; mgfHash: OaepHash; label?: Buffer } {
  const algorithm = attr(method, 'Algorithm');
  if (algorithm === RSA_1_5) throw new UpstreamError('weak_algorithm', 'The SAML assertion uses RSA PKCS#1 v1.5 key transport, which is not accepted.', 'key transport rsa-1_5 refused');
  if (algorithm !== RSA_OAEP_MGF1P && algorithm !== RSA_OAEP_11) throw bad(`unsupported key transport algorithm ${named(algorithm)}`);
  const digest = atMostOne(method, NS.dsig, 'DigestMethod');
  const hash = digest ? DIGESTS[attr(digest, 'Algorithm') ?? ''] : 'sha1';
  if (!hash) throw bad(`unsupported OAEP DigestMethod ${named(digest && attr(digest, 'Algorithm'))}`);
  const mgf = atMostOne(method, XENC11, 'MGF');
  const mgfHash = mgf ? MGFS[attr(mgf, 'Algorithm') ?? ''] : 'sha1';
  if (!mgfHash) throw bad(`unsupported MGF ${named(mgf && attr(mgf, 'Algorithm'))}`);
  if (algorithm === RSA_OAEP_MGF1P && mgfHash !== 'sha1') throw bad(`rsa-oaep-mgf1p with MGF ${named(attr(mgf!, 'Algorithm'))}: MGF1 must be SHA-1 there`);
  const params = atMostOne(method, NS.xenc, 'OAEPparams');
  return { hash, mgfHash, ...(params ? { label: Buffer.from(textOf(params).replace(/\s+/g, ''), 'base64') } : {}) };
}

function unwrapKey(key: Element, privateKeyPem: string): Buffer {
  const params = oaepParameters(one(key, NS.xenc, 'EncryptionMethod'));
  try {
    return rsaOaepDecrypt(privateKeyPem, cipherValue(key), params);
  } catch {
    throw bad(`RSA-OAEP key unwrap failed (digest ${params.hash}, MGF1 ${params.mgfHash}): encrypted for another key, or other parameters than stated`);
  }
}

function decryptContent(cipher: { name: string; keyBytes: number; gcm: boolean }, key: Buffer, data: Buffer): Buffer {
  if (key.length !== cipher.keyBytes) throw bad(`the unwrapped key has ${key.length} bytes, ${cipher.name} needs ${cipher.keyBytes}`);
  try {
    if (cipher.gcm) {
      if (data.length < 12 + 16) throw bad('the GCM ciphertext is too short');
      const decipher = createDecipheriv(cipher.name as 'aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    }
    if (data.length < 32 || data.length % 16 !== 0) throw bad('the CBC ciphertext length is not a whole number of blocks');
    const decipher = createDecipheriv(cipher.name, key, data.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
    // XML Encryption padding: arbitrary bytes, then the pad length (1..16) as the last byte.
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > 16) throw bad('bad CBC padding');
    return plain.subarray(0, plain.length - pad);
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw bad(`${cipher.name} content decryption failed${cipher.gcm ? ' (authentication tag mismatch)' : ''}`);
  }
}

/** @returns the decrypted Assertion's XML text. @throws UpstreamError bad_encryption | weak_algorithm */
export function decryptAssertion(encryptedAssertion: Element, privateKeyPem: string): string {
  const data = one(encryptedAssertion, NS.xenc, 'EncryptedData');
  const key = unwrapKey(encryptedKey(encryptedAssertion, data), privateKeyPem);
  const algorithm = attr(one(data, NS.xenc, 'EncryptionMethod'), 'Algorithm');
  const cipher = CIPHERS[algorithm ?? ''];
  if (!cipher) throw bad(`unsupported content encryption algorithm ${named(algorithm)}`);
  return decryptContent(cipher, key, cipherValue(data)).toString('utf8');
}
