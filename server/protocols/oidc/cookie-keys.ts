// Keys that sign the provider's cookies (session, interaction, resume), one per codec key, derived
// by HMAC with the tenant's id: never a constant, different for every tenant, and rotated with the
// codec keys (the first signs, the others still verify, as with the payload codec).
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCodec } from '../../../core/infra/codec-keys.ts';
import { parseCodecKeys, type CodecKey } from '../../../core/infra/codec.ts';
import type { Config } from '../../../core/infra/config.ts';

const loaded = new WeakMap<Config, Promise<CodecKey[]>>();

async function codecKeys(config: Config): Promise<CodecKey[]> {
  if (config.codecKeys) return parseCodecKeys(config.codecKeys);
  // loadCodec creates DATA_DIR/codec-keys on first use; the file is then the source of truth.
  await loadCodec(config);
  return parseCodecKeys((await readFile(join(config.dataDir, 'codec-keys'), 'utf8')).trim());
}

/** @throws Error when the codec keys are malformed or unreadable. */
export async function cookieKeys(config: Config, tenant: string): Promise<string[]> {
  let material = loaded.get(config);
  if (!material) {
    material = codecKeys(config);
    loaded.set(config, material);
    material.catch(() => loaded.delete(config));
  }
  return (await material).map((k) => createHmac('sha256', k.key).update(`tessera/oidc-cookies/${tenant}`).digest('base64url'));
}
