// The Temporal worker: the journey workflows and every activity, with the payload codec so that
// nothing it records is readable without the key. Workflow code is bundled once per process.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { createActivities } from '../../activities/index.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';
import { workerCacheOptions } from '../../core/infra/worker-cache.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle; built on first use and shared by every worker in the process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  return (bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }));
}

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn: (message: string) => console.warn(`[bundle] ${message}`),
  error: (message: string) => console.error(`[bundle] ${message}`),
};

export interface WorkerDeps { config: Config; db: Db; codec: PayloadCodec; address: string }

export async function createWorker({ config, db, codec, address }: WorkerDeps): Promise<{ worker: Worker; connection: NativeConnection; close(): Promise<void> }> {
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address });
  // Activities that start workflows of their own (lockouts, mail) use an ordinary client.
  const temporal = await connectClient(address, config.temporalNamespace, codec);
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db, config, temporal }),
    dataConverter: { payloadCodecs: [codec] },
    // Local activities run inside the workflow task; keep it comfortably above a password hash.
    maxConcurrentLocalActivityExecutions: 64,
    ...workerCacheOptions(config.workerCachedWorkflows),
  });
  return {
    worker, connection,
    async close() {
      await connection.close();
      await temporal.connection.close();
    },
  };
}
