// PayloadCodec that encrypts every payload Temporal stores (workflow arguments, update inputs,
// activity inputs and results, query answers) with AES-256-GCM. The key id travels in the
// payload's metadata, so keys rotate by adding a new first key and keeping the old ones for
// decryption. Without the key, history and the Web UI show only ciphertext.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS module: its namespaces are reachable only through the default export under ESM.
const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface CodecKey { id: string; key: Buffer }

/** Parses "id:base64key[,id:base64key…]"; the first key encrypts. @throws on malformed keys. */
export function parseCodecKeys(text: string): CodecKey[] {
  const keys = text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [id, b64] = part.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[\w.-]{1,64}$/.test(id) || key.length !== 32) {
      throw new Error('codec keys must be "id:base64" pairs of 32-byte keys');
    }
    return { id, key };
  });
  if (keys.length === 0) throw new Error('no codec key given');
  return keys;
}

export function newCodecKeyText(): string {
  return `k${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`;
}

export class EncryptionCodec implements PayloadCodec {
  readonly #encryptWith: { id: string; key: KeyObject };
  // KeyObjects, made once: given raw bytes, every cipher would import the key anew (about half the
  // CPU of encrypting a small payload, and there are dozens per journey).
  readonly #byId: Map<string, KeyObject>;

  constructor(keys: CodecKey[]) {
    if (!keys[0]) throw new Error('no codec key given');
    this.#byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
    this.#encryptWith = { id: keys[0].id, key: this.#byId.get(keys[0].id)! };
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.#encryptWith.key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: { encoding: encoder.encode(ENCODING), 'encryption-key-id': encoder.encode(this.#encryptWith.id) },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  /** @throws Error when a payload was encrypted with a key this codec does not hold. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const id = decoder.decode(payload.metadata?.['encryption-key-id'] ?? new Uint8Array());
      const key = this.#byId.get(id);
      if (!key) throw new Error(`payload encrypted with unknown codec key "${id}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
