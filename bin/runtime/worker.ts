// The Temporal worker: the journey workflows and every activity, with the payload codec so that
// nothing it records is readable without the key. Workflow code is bundled once per process, or
// taken from the bundle cache when its sources have not changed.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { createActivities } from '../../activities/index.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';
import { startWebhookDispatcher, webhookRetryBaseMs } from './webhook-dispatcher.ts';
import { logger } from '../../core/infra/logger.ts';
import { workerInterceptors, workerSinks, workflowInterceptorModules } from './worker-observability.ts';
import { workerCacheOptions } from '../../core/infra/worker-cache.ts';
import { workerClass } from './in-process-workflows.ts';
import { codeCacheDir } from './code-cache.js';
import { cachedWorkflowBundle } from './workflow-bundle-cache.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundle> | undefined;

/** Where the bundle is kept between starts (workflow-bundle-cache.ts), unless TESSERA_CODE_CACHE=0. */
function bundleCacheFile(): string | undefined {
  const dir = codeCacheDir();
  return dir ? join(dir, 'workflow-bundle.json') : undefined;
}

/** The workflow bundle: from the cache when its sources are unchanged, else built; shared by every worker in the process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  return (bundle ??= cachedWorkflowBundle({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: workflowInterceptorModules(), logger: quietLogger }, bundleCacheFile())
    .then(({ code }) => ({ code })));
}

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn: (message: string) => logger.warn(`[bundle] ${message}`),
  error: (message: string) => logger.error(`[bundle] ${message}`),
};

export interface WorkerDeps { config: Config; db: Db; codec: PayloadCodec; address: string }

export async function createWorker({ config, db, codec, address }: WorkerDeps): Promise<{ worker: Worker; connection: NativeConnection; close(): Promise<void> }> {
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address });
  // Activities that start workflows of their own (lockouts, mail) use an ordinary client.
  const temporal = await connectClient(address, config.temporalNamespace, codec);
  const worker = await workerClass(config.workflowRuntime).create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db, config, temporal }),
    dataConverter: { payloadCodecs: [codec] },
    interceptors: workerInterceptors(), sinks: workerSinks(),
    // Local activities run inside the workflow task; keep it comfortably above a password hash.
    maxConcurrentLocalActivityExecutions: 64,
    ...workerCacheOptions(config.workerCachedWorkflows),
  });
  // Every worker also turns the webhook outbox into delivery workflows (safe with many workers).
  const dispatcher = startWebhookDispatcher({ db, temporal, taskQueue: config.taskQueue, retryBaseMs: webhookRetryBaseMs() });
  return {
    worker, connection,
    async close() {
      await dispatcher.stop();
      await connection.close();
      await temporal.connection.close();
    },
  };
}
