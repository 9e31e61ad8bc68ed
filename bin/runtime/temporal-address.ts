// Where Temporal is for a process that does not start it: TEMPORAL_ADDRESS, else the embedded
// dev server that `tessera start` published for this DATA_DIR.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/infra/config.ts';

export async function runningTemporalAddress(config: Config): Promise<string | undefined> {
  if (config.temporalAddress) return config.temporalAddress;
  try {
    const info = JSON.parse(await readFile(join(config.dataDir, 'runtime', 'temporal.json'), 'utf8')) as { pid: number; address: string };
    process.kill(info.pid, 0);
    return info.address;
  } catch {
    return undefined;
  }
}
