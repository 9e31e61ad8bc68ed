// A Temporal client whose data converter encrypts payloads (core/infra/codec.ts). The server and the
// CLI use this; the worker installs the same codec.
//
// Fail fast: the SDK's default retries an unreachable frontend 10 times with backoff up to 5 s
// (about 20 s), which holds every HTTP request open while Temporal is down. A few quick retries
// ride over a blip (a frontend restarting); beyond that the call fails with UNAVAILABLE and the
// server answers 503 + Retry-After (core/infra/unavailable.ts). Calls that wait for a worker are
// not affected: only errors are retried, and waiting is not one.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { clientInterceptors } from './temporal-client-interceptors.ts';

export const FAIL_FAST_RETRY = { maxAttempts: 3, initialIntervalMs: () => 100, maxIntervalMs: () => 500 } as const;

export async function connectClient(address: string, namespace: string, codec: PayloadCodec): Promise<Client> {
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(FAIL_FAST_RETRY))],
  });
  return new Client({ connection, namespace, dataConverter: { payloadCodecs: [codec] }, interceptors: { workflow: clientInterceptors() } });
}
