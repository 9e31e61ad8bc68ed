// RSAES-OAEP decryption (RFC 8017 §7.1.2) with the digest and the MGF1 hash chosen separately, as
// XML Encryption 1.1 allows (rsa-oaep-mgf1p: MGF1-SHA1 with any digest; xmlenc11#rsa-oaep: both
// stated). Node's privateDecrypt ties MGF1's hash to the OAEP digest, so only the raw RSA step is
// left to OpenSSL (RSA_NO_PADDING) and the OAEP decoding is done here. Rules:
// - the ciphertext must be exactly the modulus length; the key at least 2048 bits;
// - every check (leading zero byte, label hash, the 0x01 separator) runs over the whole block
//   without an early exit, and every failure is the same OaepError with no detail: what failed must
//   not be observable (Manger's attack);
// - the label (OAEPparams) defaults to empty.
import { constants, createHash, createPrivateKey, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';

export type OaepHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface OaepParameters {
  /** The OAEP digest (label hash and seed length). */
  hash: OaepHash;
  /** MGF1's hash. */
  mgfHash: OaepHash;
  label?: Buffer;
}

export class OaepError extends Error {
  constructor() {
    super('RSA-OAEP decryption failed');
    this.name = 'OaepError';
  }
}

const MIN_MODULUS_BITS = 2048;

/** MGF1 (RFC 8017 B.2.1). */
export function mgf1(seed: Buffer, length: number, hash: OaepHash): Buffer {
  const blocks: Buffer[] = [];
  let produced = 0;
  for (let counter = 0; produced < length; counter += 1) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * EME-OAEP decoding of the encoded message `em` (k bytes).
 * @throws OaepError for any malformed block, always the same.
 */
export function oaepDecode(em: Buffer, params: OaepParameters): Buffer {
  const lHash = createHash(params.hash).update(params.label ?? Buffer.alloc(0)).digest();
  const hLen = lHash.length;
  const k = em.length;
  if (k < 2 * hLen + 2) throw new OaepError();
  const maskedSeed = em.subarray(1, 1 + hLen);
  const maskedDb = em.subarray(1 + hLen);
  const seed = xor(maskedSeed, mgf1(maskedDb, hLen, params.mgfHash));
  const db = xor(maskedDb, mgf1(seed, k - hLen - 1, params.mgfHash));

  // Constant-time over the block: bad accumulates every failure, the separator index is found
  // without branching on secret bytes.
  let bad = em[0]! | (timingSafeEqual(db.subarray(0, hLen), lHash) ? 0 : 1);
  let lookingForOne = 1;
  let separator = 0;
  for (let i = hLen; i < db.length; i += 1) {
    const byte = db[i]!;
    const isOne = ((byte ^ 1) - 1) >>> 31; // 1 when byte === 1
    const isZero = (byte - 1) >>> 31; // 1 when byte === 0
    separator |= -(lookingForOne & isOne) & i;
    bad |= lookingForOne & (isZero ^ 1) & (isOne ^ 1); // a byte other than 0x00 before the 0x01
    lookingForOne &= isOne ^ 1;
  }
  bad |= lookingForOne;
  if (bad !== 0) throw new OaepError();
  return Buffer.from(db.subarray(separator + 1));
}

/**
 * Decrypts an RSA-OAEP ciphertext with the given digest / MGF1 hash / label.
 * @throws OaepError for every failure (wrong length, wrong key, bad padding), always the same.
 */
export function rsaOaepDecrypt(privateKey: string | KeyObject, ciphertext: Buffer, params: OaepParameters): Buffer {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_MODULUS_BITS) throw new OaepError();
  const k = Math.ceil(bits / 8);
  if (ciphertext.length !== k) throw new OaepError();
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    throw new OaepError();
  }
  // OpenSSL returns exactly k bytes for RSA_NO_PADDING; anything else is refused all the same.
  if (em.length !== k) throw new OaepError();
  return oaepDecode(em, params);
}
