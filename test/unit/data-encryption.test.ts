// Sealing secrets at rest: confidentiality, integrity, binding to the place, key rotation, and
// errors that name the key id but never the value.
import { describe, expect, it } from 'vitest';
import { newCodecKeyText, parseCodecKeys } from '../../core/infra/codec.ts';
import { DataKeyring, isSealed, sealedKeyId, SealedValueError, type SealPlace } from '../../core/infra/data-encryption.ts';
import { dataKeyringFrom, deriveDataKeys, parseDataKeys } from '../../core/infra/data-keys.ts';

const secret = 'JBSWY3DPEHPK3PXP-hunter2';
const place: SealPlace = { table: 'totp_credentials', column: 'secret', row: ['acme', '2b0e3e9c-0000-4000-8000-000000000001'] };
const keyText = (id: string) => newCodecKeyText().replace(/^k[^:]+/, id);
const ring = (text: string) => new DataKeyring(parseDataKeys(text));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
}

describe('DataKeyring', () => {
  it('round-trips, hides the plaintext and names its key id', () => {
    const keys = ring(keyText('k1'));
    const sealed = keys.seal(secret, place);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(keys.open(sealed, place)).toBe(secret);
    expect(keys.seal(secret, place)).not.toBe(sealed);
  });

  it('passes plaintext from before sealing through', () => {
    expect(ring(keyText('k1')).open(secret, place)).toBe(secret);
  });

  it('refuses an altered value, without saying what it holds', () => {
    const keys = ring(keyText('k1'));
    const sealed = keys.seal(secret, place);
    const body = Buffer.from(sealed.slice('enc:v1:k1:'.length), 'base64url');
    body[14]! ^= 1;
    const err = thrown(() => keys.open(`enc:v1:k1:${body.toString('base64url')}`, place));
    expect(err).toBeInstanceOf(SealedValueError);
    expect(err.message).toMatch(/totp_credentials\.secret .* does not open with data key "k1"/);
    expect(err.message).not.toContain(secret);
    expect(thrown(() => keys.open('enc:v1:k1:AAAA', place))).toBeInstanceOf(SealedValueError);
  });

  it('binds the value to its row, column and JSON field', () => {
    const keys = ring(keyText('k1'));
    const sealed = keys.seal(secret, place);
    expect(() => keys.open(sealed, { ...place, row: ['acme', '2b0e3e9c-0000-4000-8000-000000000002'] })).toThrow(SealedValueError);
    expect(() => keys.open(sealed, { ...place, row: ['other', place.row[1]!] })).toThrow(SealedValueError);
    expect(() => keys.open(sealed, { ...place, column: 'other' })).toThrow(SealedValueError);
    expect(() => keys.open(sealed, { ...place, table: 'oidc_clients' })).toThrow(SealedValueError);
    const field: SealPlace = { table: 'tenants', column: 'settings', path: ['smtp', 'url'], row: ['acme'] };
    const inField = keys.seal(secret, field);
    expect(keys.open(inField, field)).toBe(secret);
    expect(() => keys.open(inField, { ...field, path: ['smtp', 'from'] })).toThrow(SealedValueError);
  });

  it('names a missing key id (and nothing of the value) when the key is gone', () => {
    const sealed = ring(keyText('gone')).seal(secret, place);
    const err = thrown(() => ring(keyText('k2')).open(sealed, place));
    expect(err).toBeInstanceOf(SealedValueError);
    expect((err as SealedValueError).keyId).toBe('gone');
    expect(err.message).toMatch(/sealed with data key "gone", which this process does not have/);
    expect(err.message).not.toContain(sealed.slice(12));
    expect(err.message).not.toContain(secret);
  });

  it('rotates: the first key seals, every key opens', () => {
    const oldText = keyText('old');
    const newText = keyText('new');
    const sealedOld = ring(oldText).seal(secret, place);
    const rotated = ring(`${newText},${oldText}`);
    expect(rotated.currentKeyId).toBe('new');
    expect(rotated.open(sealedOld, place)).toBe(secret);
    const sealedNew = rotated.seal(secret, place);
    expect(sealedKeyId(sealedNew)).toBe('new');
    expect(ring(newText).open(sealedNew, place)).toBe(secret);
    expect(() => ring(newText).open(sealedOld, place)).toThrow(/data key "old"/);
  });

  it('refuses a key list naming one id twice with different keys', () => {
    expect(() => ring(`${keyText('a')},${keyText('a')}`)).toThrow(/two different data keys are named "a"/);
  });
});

describe('data keys', () => {
  it('derives one key per codec key under a label of its own, deterministically', () => {
    const codec = parseCodecKeys(`${keyText('c2')},${keyText('c1')}`);
    const derived = deriveDataKeys(codec);
    expect(derived.map((k) => k.id)).toEqual(['codec.c2', 'codec.c1']);
    expect(derived[0]!.key).toHaveLength(32);
    expect(derived[0]!.key.equals(codec[0]!.key)).toBe(false);
    expect(deriveDataKeys(codec)[0]!.key.equals(derived[0]!.key)).toBe(true);
    const keys = dataKeyringFrom(undefined, codec);
    expect(keys.currentKeyId).toBe('codec.c2');
    expect(keys.keyIds).toEqual(['codec.c2', 'codec.c1']);
  });

  it('seals with TESSERA_DATA_KEYS and still opens what the derived keys sealed', () => {
    const codec = parseCodecKeys(keyText('c1'));
    const before = dataKeyringFrom(undefined, codec).seal(secret, place);
    const after = dataKeyringFrom(keyText('d1'), codec);
    expect(after.currentKeyId).toBe('d1');
    expect(after.open(before, place)).toBe(secret);
  });

  it('refuses malformed TESSERA_DATA_KEYS without echoing them', () => {
    const bad = 'd1:c2VjcmV0LWJ1dC1zaG9ydA==';
    const err = thrown(() => parseDataKeys(bad));
    expect(err.message).toMatch(/TESSERA_DATA_KEYS must be "id:base64" pairs/);
    expect(err.message).not.toContain('c2VjcmV0');
    expect(() => parseDataKeys('')).toThrow(/TESSERA_DATA_KEYS/);
  });
});
