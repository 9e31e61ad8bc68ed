// No module error retries forever: a module that always throws (a database that refuses, a bug)
// is retried a few times with backoff, then the journey ends `failed` with `internal_error`, and
// the caller waiting on the step gets that answer instead of hanging. Real dev server, fake
// module activities (as test/workflows/journey-workflow.test.ts). Input the database refuses as
// data (SQLSTATE 22021, a NUL byte) is not retried at all: the journey ends `invalid_input`.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import postgres from 'postgres';
import type { Activities } from '../../activities/index.ts';
import { refusingBadData } from '../../activities/journey.ts';
import type { NodeCall } from '../../core/journeys/journey-context.ts';
import type { JourneyInput } from '../../core/journeys/journey-types.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { firstStepUpdate, submitUpdate } from '../../workflows/contracts.ts';
import { startWorker, testClient, testConfig, testDb, type RunningWorker } from '../support/harness.ts';

const treeTo = (name: string, type: string): Tree => ({
  name, start: 'ask',
  nodes: {
    ask: { type: 'ask', next: { ok: type } },
    [type]: { type, next: { ok: 'success' } },
  },
});
const trees: Record<string, Tree> = { fake: treeTo('fake', 'broken'), 'bad-data': treeTo('bad-data', 'refused') };

let brokenCalls = 0;
let refusedCalls = 0;
const fakes = {
  async loadTree({ name }: { name: string }) {
    return trees[name];
  },
  async prepareNode(call: NodeCall) {
    if (call.type === 'broken') {
      brokenCalls++;
      throw new Error('relation "users" is on fire');
    }
    if (call.type === 'refused') {
      refusedCalls++;
      // What the activities do around every module call, with the error a NUL byte gets from PostgreSQL.
      return refusingBadData(() => Promise.reject(new postgres.PostgresError({ message: 'invalid byte sequence for encoding "UTF8": 0x00', code: '22021' } as never)));
    }
    return { kind: 'step', step: { type: 'form', title: 'Who?', fields: [{ name: 'who', type: 'text', label: 'Who', required: true }] } };
  },
  async verifyNode() {
    return { outcome: 'ok' };
  },
  async recordJourneyEnd() {},
  async requiredActions() {
    return null;
  },
} as unknown as Activities;

const db = testDb();
const config = testConfig();
let worker: RunningWorker;
let client: Client;

beforeAll(async () => {
  worker = await startWorker(config, db, fakes);
  client = await testClient(config);
});
afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await db.end();
});

/** Starts a journey on `tree` and answers its first step. @returns the id and when the answer went. */
async function startAndAnswer(tree: string) {
  const input: JourneyInput = {
    id: randomBytes(24).toString('base64url'), tenant: 'acme', kind: 'login', tree, binding: 'bind', idleTimeoutMs: 60_000, request: {},
  };
  await client.workflow.executeUpdateWithStart(firstStepUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation('journeyWorkflow', {
      workflowId: input.id, taskQueue: config.taskQueue, args: [input], workflowIdConflictPolicy: 'FAIL',
    }),
  });
  const started = Date.now();
  const done = await client.workflow.getHandle(input.id).executeUpdate(submitUpdate, { args: [{ tenant: 'acme', binding: 'bind', stepId: 'ask#1', values: { who: 'x' } }] });
  return { id: input.id, started, done };
}

it('ends the journey failed/internal_error after a bounded number of attempts, answering the step', async () => {
  const { id, started, done } = await startAndAnswer('fake');
  expect(done.view).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(brokenCalls).toBeGreaterThan(1);
  expect(brokenCalls).toBeLessThanOrEqual(5);
  expect(await client.workflow.getHandle(id).result()).toEqual({ status: 'failed' });
}, 60_000);

it('ends the journey failed/invalid_input at once when the database refuses the input as data, without retrying', async () => {
  const { id, done } = await startAndAnswer('bad-data');
  expect(done.view).toMatchObject({ status: 'failed', error: { code: 'invalid_input' } });
  expect(refusedCalls).toBe(1);
  expect(await client.workflow.getHandle(id).result()).toEqual({ status: 'failed' });
}, 60_000);
