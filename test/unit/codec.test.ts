// The payload codec: confidentiality, integrity, key rotation.
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, newCodecKeyText, parseCodecKeys } from '../../core/infra/codec.ts';

const secret = 'hunter2-correct-horse';
const payload = () => defaultPayloadConverter.toPayload({ password: secret });

describe('EncryptionCodec', () => {
  it('round-trips and hides the plaintext', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKeyText()));
    const [encoded] = await codec.encode([payload()]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain(secret);
    expect(Buffer.from(encoded!.data!).toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ password: secret });
  });

  it('decrypts with an old key after rotation and refuses unknown keys', async () => {
    const oldText = newCodecKeyText().replace(/^k[^:]+/, 'old');
    const newText = newCodecKeyText().replace(/^k[^:]+/, 'new');
    const before = new EncryptionCodec(parseCodecKeys(oldText));
    const [encoded] = await before.encode([payload()]);
    const rotated = new EncryptionCodec(parseCodecKeys(`${newText},${oldText}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([encoded!]))[0]!)).toEqual({ password: secret });
    const [fresh] = await rotated.encode([payload()]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('new');
    await expect(new EncryptionCodec(parseCodecKeys(newText)).decode([encoded!])).rejects.toThrow(/unknown codec key "old"/);
  });

  it('refuses a tampered payload', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKeyText()));
    const [encoded] = await codec.encode([payload()]);
    const data = Buffer.from(encoded!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
  });

  it('refuses malformed key configuration', () => {
    expect(() => parseCodecKeys('')).toThrow();
    expect(() => parseCodecKeys('k1:c2hvcnQ=')).toThrow(/32-byte/);
    expect(() => parseCodecKeys('bad id:' + Buffer.alloc(32).toString('base64'))).toThrow();
  });
});
