// Where the codec keys come from: TESSERA_CODEC_KEYS, else DATA_DIR/codec-keys (generated once,
// mode 0600). Client, worker and CLI all read the same file, so they agree on the key.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { EncryptionCodec, newCodecKeyText, parseCodecKeys, type CodecKey } from './codec.ts';
import { ensurePrivateDir } from './private-files.ts';

export async function loadCodec(config: Config): Promise<EncryptionCodec> {
  return new EncryptionCodec(await loadCodecKeys(config));
}

/** The codec keys, first one encrypting; creates DATA_DIR/codec-keys when neither it nor the variable exists. */
export async function loadCodecKeys(config: Config): Promise<CodecKey[]> {
  if (config.codecKeys) return parseCodecKeys(config.codecKeys);
  const file = join(config.dataDir, 'codec-keys');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    await ensurePrivateDir(config.dataDir);
    text = newCodecKeyText();
    // 'wx' fails if another process created it meanwhile; then read theirs.
    await writeFile(file, text, { mode: 0o600, flag: 'wx' }).catch(async () => {
      text = await readFile(file, 'utf8');
    });
  }
  return parseCodecKeys(text.trim());
}
