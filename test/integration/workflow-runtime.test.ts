// TESSERA_WORKFLOW_RUNTIME=in-process (bin/runtime/in-process-workflows.ts): journey code runs in
// the worker's main thread without the SDK's per-promise stack-trace hook. Checked against the
// real dev server: endless workflow code still fails its workflow task ("Script execution timed
// out") and the worker goes on serving other workflows, the guard the per-call timeout gives;
// the `__stack_trace` query says stack traces are off (what is lost), where the SDK's threaded
// executor answers it.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { workerClass } from '../../bin/runtime/in-process-workflows.ts';
import { installTemporalRuntime } from '../../bin/runtime/temporal-runtime.ts';
import { workflowRuntime, type WorkflowRuntime } from '../../core/infra/workflow-runtime.ts';

const workflowsPath = fileURLToPath(new URL('../support/workflows/spinning-workflows.ts', import.meta.url));
let bundle: WorkflowBundle;
let client: Client;
let clientConnection: Connection;

beforeAll(async () => {
  installTemporalRuntime();
  bundle = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  clientConnection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: clientConnection });
}, 60_000);

afterAll(async () => {
  await clientConnection?.close();
});

async function runWorker<T>(runtime: WorkflowRuntime, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `runtime-${randomBytes(5).toString('hex')}`;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  // The SDK reads isolateExecutionTimeout (default 5 s) but leaves it out of its public type.
  const worker: Worker = await workerClass(runtime).create({
    connection, taskQueue, workflowBundle: bundle, ...{ isolateExecutionTimeout: '300ms' },
  });
  try {
    return await worker.runUntil(body(taskQueue));
  } finally {
    await connection.close();
  }
}

describe('the workflow runtime setting', () => {
  it('defaults to in-process and refuses anything else by name', () => {
    expect(workflowRuntime(undefined)).toBe('in-process');
    expect(workflowRuntime('threaded')).toBe('threaded');
    expect(() => workflowRuntime('inline')).toThrow(/TESSERA_WORKFLOW_RUNTIME/);
  });
});

describe('in-process journey code', () => {
  it('fails a workflow task that never yields and goes on serving other workflows', async () => {
    await runWorker('in-process', async (taskQueue) => {
      const spinning = await client.workflow.start('spinForever', { taskQueue, workflowId: `spin-${randomBytes(4).toString('hex')}` });
      try {
        // The guard fired: the workflow task failed with the timeout's error, recorded in history.
        await expect.poll(async () => {
          const { events } = await spinning.fetchHistory();
          return (events ?? []).some((e) => /Script execution timed out after 300ms/.test(e.workflowTaskFailedEventAttributes?.failure?.message ?? ''));
        }, { timeout: 20_000, interval: 250 }).toBe(true);
        // The worker was not frozen by it.
        const answer = await client.workflow.execute('answerAtOnce', { taskQueue, workflowId: `answer-${randomBytes(4).toString('hex')}`, args: ['tessera'] });
        expect(answer).toBe('hello tessera');
      } finally {
        await spinning.terminate('test over');
      }
    });
  }, 60_000);

  it('answers the __stack_trace query with "not enabled"; the threaded executor answers it', async () => {
    const ask = (runtime: WorkflowRuntime) => runWorker(runtime, async (taskQueue) => {
      const waiting = await client.workflow.start('waitForWake', { taskQueue, workflowId: `wait-${randomBytes(4).toString('hex')}` });
      try {
        return await waiting.query<string>('__stack_trace').then((stack) => ({ stack }), (err: Error) => ({ error: err.message }));
      } finally {
        await waiting.terminate('test over');
      }
    });
    expect(await ask('in-process')).toEqual({ error: expect.stringMatching(/stack traces are not enabled/i) });
    expect(await ask('threaded')).toEqual({ stack: expect.stringContaining('waitForWake') });
  }, 60_000);
});
