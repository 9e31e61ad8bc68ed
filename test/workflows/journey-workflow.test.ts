// The journey workflow on a real Temporal dev server with fake module activities: what it does
// with outcomes, failures, timeouts and concurrent submits, independent of any real module.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.ts';
import type { JourneyInput, JourneySnapshot } from '../../core/journeys/journey-types.ts';
import type { NodeCall } from '../../core/journeys/journey-context.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { firstStepUpdate, snapshotQuery, submitUpdate } from '../../workflows/contracts.ts';
import { startWorker, testClient, testConfig, testDb, type RunningWorker } from '../support/harness.ts';
import { recordedJourney } from '../support/recorded-journey.ts';

const tree: Tree = {
  name: 'fake', version: 7, start: 'ask', acr: 'test-acr',
  nodes: {
    ask: { type: 'ask', next: { ok: 'decide', bad: 'ask', weird: 'failure' } },
    decide: { type: 'decide', next: { yes: 'success', no: 'failure' } },
  },
};

const calls: { fn: string; node: string; values?: Record<string, string> }[] = [];
const ends: { journeyId: string; status: string; version: number }[] = [];

const fakes = {
  async loadTree() {
    calls.push({ fn: 'loadTree', node: '' });
    return tree;
  },
  async prepareNode(call: NodeCall) {
    calls.push({ fn: 'prepare', node: call.node });
    if (call.type === 'decide') return { kind: 'outcome', outcome: call.ctx.login === 'mallory' ? 'no' : 'yes', patch: { error: { code: 'denied', message: 'No.' } } };
    return { kind: 'step', step: { type: 'form', title: 'Who?', fields: [{ name: 'who', type: 'text', label: 'Who', required: true }] } };
  },
  async verifyNode(call: NodeCall, values: Record<string, string>) {
    calls.push({ fn: 'verify', node: call.node, values });
    if (values.who === 'crash') throw ApplicationFailure.nonRetryable('module exploded', 'Boom');
    if (values.who === 'unrouted') return { outcome: 'sideways' };
    if (values.who === 'weird') return { outcome: 'weird' };
    if (values.who === 'again') return { outcome: 'bad' };
    if (values.who === 'slow') await new Promise((r) => setTimeout(r, 300));
    return { outcome: 'ok', patch: { login: values.who, user: { id: `id-${values.who}`, username: values.who!, status: 'active' }, amr: ['fake'] } };
  },
  async recordJourneyEnd(end: { journeyId: string; status: string; version: number }) {
    ends.push(end);
  },
  /**
   * "review" must answer one more step after the tree (a required action); so must "slow", which
   * keeps its journey open for the double-submit test's loser to be refused as stale.
   */
  async requiredActions(ctx: { login?: string }) {
    calls.push({ fn: 'requiredActions', node: '' });
    if (ctx.login !== 'review' && ctx.login !== 'slow') return null;
    return { name: 'required-actions', start: 'confirm', nodes: { confirm: { type: 'ask', next: { ok: 'success' } } } };
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

async function start(idleTimeoutMs = 60_000, more: Partial<JourneyInput> = {}): Promise<JourneyInput> {
  const input: JourneyInput = {
    id: randomBytes(24).toString('base64url'), tenant: 'acme', kind: 'login', tree: 'fake', binding: 'bind', idleTimeoutMs, request: {}, ...more,
  };
  const first = await client.workflow.executeUpdateWithStart(firstStepUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation('journeyWorkflow', {
      workflowId: input.id, taskQueue: config.taskQueue, args: [input], workflowIdConflictPolicy: 'FAIL',
    }),
  });
  expect(first.view.step?.id).toBe('ask#1');
  return input;
}

function submit(input: JourneyInput, who: string, stepId = 'ask#1'): Promise<JourneySnapshot> {
  return client.workflow.getHandle(input.id).executeUpdate(submitUpdate, { args: [{ tenant: 'acme', binding: 'bind', stepId, values: { who } }] });
}

describe('journey workflow', () => {
  it('runs interactive and decided nodes to success, carrying acr and amr', async () => {
    const input = await start();
    const done = await submit(input, 'alice');
    expect(done.view.status).toBe('succeeded');
    expect(done.result).toMatchObject({ subject: 'id-alice', acr: 'test-acr', amr: ['fake'], tenant: 'acme' });
    expect(await client.workflow.getHandle(input.id).result()).toEqual({ status: 'succeeded' });
    expect(ends).toContainEqual(expect.objectContaining({ journeyId: input.id, status: 'succeeded', version: 7 }));
  });

  it('runs required actions after the tree and before the session, asked by the chain that reached success', async () => {
    const input = await start();
    const asked = await submit(input, 'review');
    expect(asked.view).toMatchObject({ status: 'waiting', step: { id: 'required/confirm#1', node: 'required/confirm' } });
    expect(asked.result).toBeUndefined();
    const done = await submit(input, 'review', 'required/confirm#1');
    expect(done.view.status).toBe('succeeded');
    expect(done.result).toMatchObject({ subject: 'id-review' });
    // No requiredActions activity of its own: the module chain answered it.
    expect((await recordedJourney(client, input.id)).activities).toEqual(['loadTree', 'advanceJourney', 'advanceJourney', 'advanceJourney', 'advanceJourney', 'recordJourneyEnd']);
  });

  it('ends at failure with the error a module set', async () => {
    const input = await start();
    const done = await submit(input, 'mallory');
    expect(done.view).toMatchObject({ status: 'failed', error: { code: 'denied' } });
  });

  it('fails the journey, not the workflow, when a module throws or answers an unrouted outcome', async () => {
    for (const who of ['crash', 'unrouted']) {
      const input = await start();
      const done = await submit(input, who);
      expect(done.view).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
      expect(await client.workflow.getHandle(input.id).result()).toEqual({ status: 'failed' });
    }
  });

  it('accepts exactly one of two simultaneous submits of the same step', async () => {
    const input = await start();
    const before = calls.filter((c) => c.fn === 'verify').length;
    const results = await Promise.allSettled([submit(input, 'slow'), submit(input, 'slow')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejected[0]!.reason.cause as ApplicationFailure).type).toBe('StaleStep');
    expect(calls.filter((c) => c.fn === 'verify').length - before).toBe(1);
  });

  it('rejects input for a stale step without recording it in history', async () => {
    const input = await start();
    await expect(submit(input, 'alice', 'ask#9')).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    const history = await client.workflow.getHandle(input.id).fetchHistory();
    const updates = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updates).toHaveLength(1); // only the firstStep update
    expect((await client.workflow.getHandle(input.id).query(snapshotQuery)).view.step?.id).toBe('ask#1');
  });

  it('expires after the idle timeout and records it', async () => {
    const input = await start(1000);
    expect(await client.workflow.getHandle(input.id).result()).toEqual({ status: 'expired' });
    const snap = await client.workflow.getHandle(input.id).query(snapshotQuery);
    expect(snap.view).toMatchObject({ status: 'expired', error: { code: 'expired' } });
    expect(snap.view.step).toBeUndefined();
    expect(ends).toContainEqual(expect.objectContaining({ journeyId: input.id, status: 'expired' }));
  });

  it('keeps one idle deadline that each step moves: no timer per step, no expiry while steps keep coming', async () => {
    const input = await start(1500);
    const pause = () => new Promise((r) => setTimeout(r, 900));
    await pause();
    expect((await submit(input, 'again')).view.step?.id).toBe('ask#2');
    await pause(); // 1.8 s since the start, 0.9 s since the last step: the first timer fired early
    expect((await submit(input, 'again', 'ask#2')).view.step?.id).toBe('ask#3');
    expect((await submit(input, 'alice', 'ask#3')).view.status).toBe('succeeded');
    const events = (await client.workflow.getHandle(input.id).fetchHistory()).events ?? [];
    const types = events.map((e) => String(e.eventType));
    const count = (type: string) => types.filter((t) => t === type || t === `EVENT_TYPE_${type}`).length;
    expect(count('TIMER_CANCELED')).toBe(0);
    expect(count('TIMER_STARTED')).toBeLessThanOrEqual(2);
    // Then, with the deadline moved by a step, it still expires once nobody answers.
    const idle = await start(1000);
    await new Promise((r) => setTimeout(r, 600));
    await submit(idle, 'again');
    expect(await client.workflow.getHandle(idle.id).result()).toEqual({ status: 'expired' });
  });

  it('runs the tree snapshot handed in its input and loads none', async () => {
    const loadsBefore = calls.filter((c) => c.fn === 'loadTree').length;
    const input = await start(60_000, { bundle: { ...tree, version: 9, acr: 'handed-acr' } });
    const done = await submit(input, 'alice');
    expect(done.result).toMatchObject({ subject: 'id-alice', acr: 'handed-acr' });
    expect(await client.workflow.getHandle(input.id).result()).toEqual({ status: 'succeeded' });
    expect(calls.filter((c) => c.fn === 'loadTree').length).toBe(loadsBefore);
    expect(ends).toContainEqual(expect.objectContaining({ journeyId: input.id, status: 'succeeded', version: 9 }));
  });

  it('loads the tree once, at the start', async () => {
    const input = await start();
    const loadsBefore = calls.filter((c) => c.fn === 'loadTree').length;
    await submit(input, 'bob', 'ask#1');
    expect(calls.filter((c) => c.fn === 'loadTree').length).toBe(loadsBefore);
  });
});
