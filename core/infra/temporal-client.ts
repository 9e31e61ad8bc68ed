// A Temporal client whose data converter encrypts payloads (core/infra/codec.ts). The server and the
// CLI use this; the worker installs the same codec.
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { clientInterceptors } from './temporal-client-interceptors.ts';

export async function connectClient(address: string, namespace: string, codec: PayloadCodec): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter: { payloadCodecs: [codec] }, interceptors: { workflow: clientInterceptors() } });
}
