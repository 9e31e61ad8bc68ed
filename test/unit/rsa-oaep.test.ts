// RSAES-OAEP decoding with separate digest and MGF1 hash (activities/federation/rsa-oaep.ts),
// checked both ways: ciphertexts from Node's own OAEP (digest = MGF1 hash) decrypt with ours, and
// the test encoder (test/support/saml-keycloak-encryption.ts) decrypts with Node's, so both sides
// agree with OpenSSL; then the mixed cases Node cannot make, and every malformed block refused alike.
import { constants, createPrivateKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OaepError, mgf1, oaepDecode, rsaOaepDecrypt, type OaepHash } from '../../activities/federation/rsa-oaep.ts';
import { oaepEncode } from '../support/saml-keycloak-encryption.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const K = 256;
const HASHES: OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const raw = (em: Buffer, key: KeyObject = publicKey) => publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);

describe('mgf1', () => {
  it('is Hash(seed || counter32be) blocks, truncated', () => {
    expect(mgf1(Buffer.from('seed'), 3, 'sha1').toString('hex')).toBe('09d8db');
    expect(mgf1(Buffer.from('seed'), 50, 'sha256')).toHaveLength(50);
    expect(mgf1(Buffer.from('seed'), 50, 'sha256').subarray(0, 32)).toEqual(mgf1(Buffer.from('seed'), 32, 'sha256'));
  });
});

describe('rsaOaepDecrypt agrees with OpenSSL where OpenSSL can speak', () => {
  for (const hash of HASHES) {
    it(`Node's OAEP (${hash}, MGF1-${hash}) → ours`, () => {
      const message = randomBytes(32);
      const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, message);
      expect(rsaOaepDecrypt(privateKey, ciphertext, { hash, mgfHash: hash })).toEqual(message);
    });
    it(`our encoder (${hash}, MGF1-${hash}) → Node's OAEP`, () => {
      const message = randomBytes(16);
      const ciphertext = raw(oaepEncode(message, K, { hash, mgfHash: hash }));
      expect(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext)).toEqual(message);
    });
  }
  it('with a label (OAEPparams) both ways', () => {
    const label = Buffer.from('params');
    const message = randomBytes(24);
    const fromNode = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, message);
    expect(rsaOaepDecrypt(privateKey, fromNode, { hash: 'sha256', mgfHash: 'sha256', label })).toEqual(message);
    expect(() => rsaOaepDecrypt(privateKey, fromNode, { hash: 'sha256', mgfHash: 'sha256' })).toThrow(OaepError);
  });
});

describe('digest and MGF1 hash chosen separately (XML Encryption 1.1)', () => {
  const cases: [OaepHash, OaepHash][] = [['sha256', 'sha1'], ['sha512', 'sha1'], ['sha1', 'sha256'], ['sha256', 'sha512']];
  for (const [hash, mgfHash] of cases) {
    it(`digest ${hash}, MGF1-${mgfHash}: decrypts, and not with the MGF1 hash tied to the digest`, () => {
      const message = randomBytes(32);
      const ciphertext = raw(oaepEncode(message, K, { hash, mgfHash }));
      expect(rsaOaepDecrypt(privateKey, ciphertext, { hash, mgfHash })).toEqual(message);
      expect(() => rsaOaepDecrypt(privateKey, ciphertext, { hash, mgfHash: hash })).toThrow(OaepError);
      expect(() => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext)).toThrow();
    });
  }

  it('a fixed vector decodes to the same bytes every time (encoding is deterministic given the seed)', () => {
    const seed = Buffer.alloc(32, 7);
    const em = oaepEncode(Buffer.from('key material 16b'), K, { hash: 'sha256', mgfHash: 'sha1', seed });
    expect(oaepEncode(Buffer.from('key material 16b'), K, { hash: 'sha256', mgfHash: 'sha1', seed })).toEqual(em);
    expect(oaepDecode(em, { hash: 'sha256', mgfHash: 'sha1' }).toString()).toBe('key material 16b');
  });
});

describe('malformed blocks are refused, all with the same error', () => {
  const params = { hash: 'sha256' as const, mgfHash: 'sha1' as const };
  const good = () => oaepEncode(Buffer.from('sixteen byte key'), K, params);
  const refusal = (fn: () => unknown) => {
    try { fn(); } catch (error) { return error instanceof OaepError ? error.message : `other: ${String(error)}`; }
    return 'accepted';
  };

  it('a non-zero first byte, a wrong label hash, a missing 0x01, a stray byte in the padding', () => {
    const messages = new Set<string>();
    const firstByte = good(); firstByte[0] = 1;
    messages.add(refusal(() => oaepDecode(firstByte, params)));
    messages.add(refusal(() => oaepDecode(good(), { ...params, label: Buffer.from('other') })));
    messages.add(refusal(() => oaepDecode(good(), { ...params, hash: 'sha384' })));
    messages.add(refusal(() => oaepDecode(Buffer.alloc(K), params)));
    messages.add(refusal(() => oaepDecode(randomBytes(K), params)));
    expect([...messages]).toEqual(['RSA-OAEP decryption failed']);
  });

  it('a ciphertext of the wrong length, for another key, or under a key shorter than 2048 bits', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forOther = raw(oaepEncode(randomBytes(16), K, params), other.publicKey);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const forSmall = raw(oaepEncode(randomBytes(16), 128, params), small.publicKey);
    const messages = new Set([
      refusal(() => rsaOaepDecrypt(privateKey, forOther, params)),
      refusal(() => rsaOaepDecrypt(privateKey, forOther.subarray(1), params)),
      refusal(() => rsaOaepDecrypt(privateKey, Buffer.concat([forOther, Buffer.alloc(1)]), params)),
      refusal(() => rsaOaepDecrypt(privateKey, Buffer.alloc(K, 0xff), params)),
      refusal(() => rsaOaepDecrypt(small.privateKey, forSmall, params)),
      refusal(() => rsaOaepDecrypt(createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), forOther, params)),
    ]);
    expect([...messages]).toEqual(['RSA-OAEP decryption failed']);
  });
});
