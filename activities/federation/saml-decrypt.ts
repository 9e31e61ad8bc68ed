// Decrypts the one EncryptedAssertion of an upstream SAML response with the tenant's SP key
// (XML Encryption 1.1, node:crypto only). Rules:
// - key transport RSA-OAEP (MGF1 with SHA-1, digest SHA-1 or SHA-256 as stated); rsa-1_5 is
//   refused before any decryption is tried (Bleichenbacher oracle), as is anything unknown;
// - content AES-128/256 in GCM or CBC; the key length must match the algorithm;
// - every failure is the same bad_encryption, with nothing of the document in the message.
import { createDecipheriv, privateDecrypt, constants } from 'node:crypto';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { NS, attr, childElements, textOf } from './saml-xml.ts';

const RSA_1_5 = 'http://www.w3.org/2001/04/xmlenc#rsa-1_5';
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const OAEP_DIGESTS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
};
const CIPHERS: Record<string, { name: string; keyBytes: number; gcm: boolean }> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': { name: 'aes-128-cbc', keyBytes: 16, gcm: false },
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': { name: 'aes-256-cbc', keyBytes: 32, gcm: false },
  'http://www.w3.org/2009/xmlenc11#aes128-gcm': { name: 'aes-128-gcm', keyBytes: 16, gcm: true },
  'http://www.w3.org/2009/xmlenc11#aes256-gcm': { name: 'aes-256-gcm', keyBytes: 32, gcm: true },
};

const bad = () => new UpstreamError('bad_encryption', 'The encrypted SAML assertion could not be decrypted.');

function one(parent: Element | undefined, ns: string, local: string): Element {
  const found = parent ? childElements(parent, ns, local) : [];
  if (found.length !== 1) throw bad();
  return found[0]!;
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
  if (candidates.length !== 1) throw bad();
  return candidates[0]!;
}

function unwrapKey(key: Element, privateKeyPem: string): Buffer {
  const method = one(key, NS.xenc, 'EncryptionMethod');
  const algorithm = attr(method, 'Algorithm');
  if (algorithm === RSA_1_5) throw new UpstreamError('weak_algorithm', 'The SAML assertion uses RSA PKCS#1 v1.5 key transport, which is not accepted.');
  if (algorithm !== RSA_OAEP) throw bad();
  const digest = childElements(method, NS.dsig, 'DigestMethod')[0];
  const oaepHash = digest ? OAEP_DIGESTS[attr(digest, 'Algorithm') ?? ''] : 'sha1';
  if (!oaepHash) throw bad();
  try {
    return privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, cipherValue(key));
  } catch {
    throw bad();
  }
}

function decryptContent(cipher: { name: string; keyBytes: number; gcm: boolean }, key: Buffer, data: Buffer): Buffer {
  if (key.length !== cipher.keyBytes) throw bad();
  try {
    if (cipher.gcm) {
      if (data.length < 12 + 16) throw bad();
      const decipher = createDecipheriv(cipher.name as 'aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    }
    if (data.length < 32 || data.length % 16 !== 0) throw bad();
    const decipher = createDecipheriv(cipher.name, key, data.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
    // XML Encryption padding: arbitrary bytes, then the pad length (1..16) as the last byte.
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > 16) throw bad();
    return plain.subarray(0, plain.length - pad);
  } catch {
    throw bad();
  }
}

/** @returns the decrypted Assertion's XML text. @throws UpstreamError bad_encryption | weak_algorithm */
export function decryptAssertion(encryptedAssertion: Element, privateKeyPem: string): string {
  const data = one(encryptedAssertion, NS.xenc, 'EncryptedData');
  const key = unwrapKey(encryptedKey(encryptedAssertion, data), privateKeyPem);
  const cipher = CIPHERS[attr(one(data, NS.xenc, 'EncryptionMethod'), 'Algorithm') ?? ''];
  if (!cipher) throw bad();
  return decryptContent(cipher, key, cipherValue(data)).toString('utf8');
}
