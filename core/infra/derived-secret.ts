// Secrets derived from the codec key (HKDF, one label per purpose) for values that must come out
// the same on every retry of an activity without being stored anywhere: an invitation's code is
// derived from its id, so a resent invitation mail carries the code whose hash the row holds.
// Only the process holding the codec key can derive them, as only it can read the history.
import { createHmac, hkdfSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { parseCodecKeys } from './codec.ts';
import { loadCodec } from './codec-keys.ts';

async function primaryCodecKey(config: Config): Promise<Buffer> {
  // loadCodec creates DATA_DIR/codec-keys on first use; the keys then come from the same place.
  await loadCodec(config);
  const text = config.codecKeys ?? (await readFile(join(config.dataDir, 'codec-keys'), 'utf8'));
  return parseCodecKeys(text.trim())[0]!.key;
}

/** A keyed function for one purpose: label → HMAC-SHA256 under a subkey of the codec key, base64url (43 chars). */
export function derivedSecret(config: Config, purpose: string): (input: string) => Promise<string> {
  let subkey: Promise<Buffer> | undefined;
  return async (input) => {
    subkey ??= primaryCodecKey(config).then((key) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `tessera ${purpose}`, 32)));
    return createHmac('sha256', await subkey).update(input).digest('base64url');
  };
}
