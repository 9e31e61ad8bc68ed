// Secrets at rest: AES-256-GCM envelopes `enc:v1:<key id>:<base64url(iv | ciphertext | tag)>`.
// Rules:
// - the first key seals, every key opens (rotation: add a new first key, keep the old ones until
//   `tessera data-keys rotate` has re-sealed everything under the new one);
// - the associated data names the place (table, column, JSON field, row key): a ciphertext copied
//   to another row or column does not open;
// - errors name the place and the key id, never the value (plain or sealed);
// - a stored value without the prefix is plaintext from before sealing and is returned as is (the
//   start-up step seals such rows, core/infra/seal-stored-secrets.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecKey } from './codec.ts';

const PREFIX = 'enc:v1:';

/** Where a sealed value lives; it is bound to it. */
export interface SealPlace {
  table: string;
  column: string;
  /** The field inside a JSON column, if the secret is one field of it. */
  path?: readonly string[];
  /** The row's key values, in key column order. */
  row: readonly string[];
}

/** A sealed value that cannot be opened: its key is missing, or it does not authenticate. */
export class SealedValueError extends Error {
  readonly keyId: string | undefined;
  constructor(message: string, keyId?: string) {
    super(message);
    this.name = 'SealedValueError';
    this.keyId = keyId;
  }
}

const describe = (p: SealPlace) => `${p.table}.${p.column}${p.path ? `.${p.path.join('.')}` : ''} (row ${p.row.join('/')})`;

const aad = (p: SealPlace) => Buffer.from(JSON.stringify(['tessera-data/v1', p.table, p.column, p.path ?? [], p.row]), 'utf8');

export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

/** The key id a sealed value names, or undefined for plaintext. */
export function sealedKeyId(stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  const end = stored.indexOf(':', PREFIX.length);
  return end > PREFIX.length ? stored.slice(PREFIX.length, end) : undefined;
}

export class DataKeyring {
  readonly #sealWith: CodecKey;
  readonly #byId: Map<string, Buffer>;

  /** @throws Error when there is no key or two keys share an id with different material. */
  constructor(keys: readonly CodecKey[]) {
    if (!keys[0]) throw new Error('no data key given');
    this.#sealWith = keys[0];
    this.#byId = new Map();
    for (const k of keys) {
      const seen = this.#byId.get(k.id);
      if (seen && !seen.equals(k.key)) throw new Error(`two different data keys are named "${k.id}"`);
      this.#byId.set(k.id, k.key);
    }
  }

  /** The id of the key that seals. */
  get currentKeyId(): string { return this.#sealWith.id; }

  has(keyId: string): boolean { return this.#byId.has(keyId); }

  get keyIds(): string[] { return [...this.#byId.keys()]; }

  seal(plain: string, place: SealPlace): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealWith.key, iv);
    cipher.setAAD(aad(place));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.#sealWith.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The plaintext of `stored` (plaintext passes through). @throws SealedValueError naming the place and key id. */
  open(stored: string, place: SealPlace): string {
    if (!isSealed(stored)) return stored;
    const keyId = sealedKeyId(stored);
    if (!keyId) throw new SealedValueError(`${describe(place)} holds a malformed sealed value`);
    const key = this.#byId.get(keyId);
    if (!key) {
      throw new SealedValueError(`${describe(place)} is sealed with data key "${keyId}", which this process does not have `
        + '(add it to TESSERA_DATA_KEYS, or restore the TESSERA_CODEC_KEYS it was derived from)', keyId);
    }
    const data = Buffer.from(stored.slice(PREFIX.length + keyId.length + 1), 'base64url');
    if (data.length < 28) throw new SealedValueError(`${describe(place)} holds a malformed sealed value`, keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAAD(aad(place));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError(`${describe(place)} does not open with data key "${keyId}" (altered, or copied from another row)`, keyId);
    }
  }
}
