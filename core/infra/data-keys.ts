// Where the keys sealing secrets at rest come from, and the keyring of this process.
// Rules:
// - TESSERA_DATA_KEYS ("id:base64key,…", the codec keys' format): its first key seals;
// - unset: one key per codec key (TESSERA_CODEC_KEYS or DATA_DIR/codec-keys), derived with HKDF
//   under a label of its own (a codec key never encrypts data directly), named `codec.<id>`;
// - keys derived from the codec keys always open, also when TESSERA_DATA_KEYS is set, so moving
//   from derived keys to dedicated ones is: set TESSERA_DATA_KEYS, run `tessera data-keys rotate`;
// - processes install their keyring once at start (bin/runtime/database.ts); code that reads or
//   writes a sealed column asks dataKeyring() for it.
import { hkdfSync } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCodecKeys, type CodecKey } from './codec.ts';
import { loadCodecKeys } from './codec-keys.ts';
import type { Config } from './config.ts';
import { DataKeyring } from './data-encryption.ts';

const HKDF_INFO = 'tessera/data-at-rest/v1';
const DERIVED_PREFIX = 'codec.';

/** @throws Error naming TESSERA_DATA_KEYS (never echoing its value) when malformed. */
export function parseDataKeys(text: string): CodecKey[] {
  try {
    return parseCodecKeys(text);
  } catch {
    throw new Error('TESSERA_DATA_KEYS must be "id:base64" pairs of 32-byte keys, separated by commas');
  }
}

/** One data key per codec key, in the same order. */
export function deriveDataKeys(codecKeys: readonly CodecKey[]): CodecKey[] {
  return codecKeys.map((k) => ({
    id: `${DERIVED_PREFIX}${k.id}`,
    key: Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), HKDF_INFO, 32)),
  }));
}

/** The keyring for the given settings (texts in the variables' format). */
export function dataKeyringFrom(dataKeys: string | undefined, codecKeys: readonly CodecKey[]): DataKeyring {
  const derived = deriveDataKeys(codecKeys);
  return new DataKeyring(dataKeys ? [...parseDataKeys(dataKeys), ...derived] : derived);
}

async function existingCodecKeys(config: Config): Promise<CodecKey[]> {
  if (config.codecKeys) return parseCodecKeys(config.codecKeys);
  try {
    await access(join(config.dataDir, 'codec-keys'));
  } catch {
    return [];
  }
  return loadCodecKeys(config);
}

/** @throws Error when the keys are malformed or unreadable. */
export async function loadDataKeyring(config: Config): Promise<DataKeyring> {
  // With dedicated keys, the codec keys only open what was sealed before: never create them for that.
  const codec = config.dataKeys ? await existingCodecKeys(config) : await loadCodecKeys(config);
  return dataKeyringFrom(config.dataKeys, codec);
}

let installed: DataKeyring | undefined;

export function installDataKeyring(keyring: DataKeyring): void {
  installed = keyring;
}

/** The keyring this process installed. @throws Error when none was (a process must load its keys first). */
export function dataKeyring(): DataKeyring {
  if (!installed) throw new Error('data keys are not loaded (installDataKeyring at process start)');
  return installed;
}
