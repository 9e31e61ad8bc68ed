// A Temporal client for one CLI command that talks to workflows (approve, reject…): the address
// of TEMPORAL_ADDRESS or of the `tessera start` running on this DATA_DIR, with the payload codec.
import type { Client } from '@temporalio/client';
import type { Config } from '../../core/infra/config.ts';
import { loadCodec } from '../../core/infra/codec-keys.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { runningTemporalAddress } from './temporal-address.ts';

/** @throws Error (one line) when no Temporal is configured or it cannot be reached. */
export async function connectCliTemporal(config: Config): Promise<Client> {
  const address = await runningTemporalAddress(config);
  if (!address) throw new Error('Temporal is not running: set TEMPORAL_ADDRESS, or run `tessera start` on this DATA_DIR');
  try {
    return await connectClient(address, config.temporalNamespace, await loadCodec(config));
  } catch {
    throw new Error(`cannot reach Temporal at ${address}`);
  }
}

/** @throws Error (one line) when no Temporal is configured or it cannot be reached. */
export async function withCliTemporal<T>(config: Config, use: (temporal: Client) => Promise<T>): Promise<T> {
  const temporal = await connectCliTemporal(config);
  try {
    return await use(temporal);
  } finally {
    await temporal.connection.close();
  }
}
