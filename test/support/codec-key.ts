// A fixed codec key for tests, so recorded histories can be replayed in later runs.
import { parseCodecKeys } from '../../core/infra/codec.ts';
import { deriveDataKeys } from '../../core/infra/data-keys.ts';

export const TEST_CODEC_KEYS = 'test1:' + Buffer.alloc(32, 7).toString('base64');

const [derived] = deriveDataKeys(parseCodecKeys(TEST_CODEC_KEYS));
/**
 * The data key (secrets at rest) of the test process and, as TESSERA_DATA_KEYS, of every child it
 * starts by default: the key derived from the test codec key, written out, so that a child given
 * only TESSERA_CODEC_KEYS (or only this) agrees with the test process on every sealed value.
 */
export const TEST_DATA_KEYS = `${derived!.id}:${derived!.key.toString('base64')}`;
