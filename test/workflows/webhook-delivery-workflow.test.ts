// The webhook delivery workflow on Temporal's time-skipping test server with fake activities, at
// production settings (10 s retry base, 24 h dead-letter): backoff doubling up to an hour, the last
// attempt at the deadline and then dead-lettered, delivered as soon as one attempt succeeds, a
// disabled webhook ending the retries, and a database fault retried without counting as an attempt.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  WEBHOOK_DELIVERY_WORKFLOW, webhookDeliveryWorkflowId, type WebhookAttemptInput, type WebhookAttemptResult, type WebhookDeliveryEnd,
  type WebhookDeliveryInput,
} from '../../workflows/webhook-delivery-contracts.ts';
import { createTimeSkippingEnv } from '../support/time-skipping.ts';

const TASK_QUEUE = 'webhook-delivery';
const HOUR = 3_600_000;

/** What each webhook's receiver answers to attempt n (1-based). */
const script: Record<string, (n: number) => WebhookAttemptResult | 'db-down'> = {
  down: () => ({ outcome: 'failed', responseCode: 503, error: 'the receiver answered 503' }),
  third: (n) => (n < 3 ? { outcome: 'failed', error: 'could not reach the receiver (ECONNREFUSED)' } : { outcome: 'delivered', responseCode: 204 }),
  disabled: (n) => (n < 2 ? { outcome: 'failed', responseCode: 500, error: 'the receiver answered 500' } : { outcome: 'gone', error: 'the webhook was disabled' }),
  flaky: () => 'db-down',
};
const attempts = new Map<string, { n: number; at: number }[]>();
const ends: WebhookDeliveryEnd[] = [];
let dbFaults = 0;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

const fakes = {
  async attemptWebhookDelivery(input: WebhookAttemptInput): Promise<WebhookAttemptResult> {
    const answer = script[input.webhookId]!(input.attempt);
    if (answer === 'db-down' && dbFaults++ < 2) throw new Error('connection refused (database)');
    attempts.set(input.webhookId, [...(attempts.get(input.webhookId) ?? []), { n: input.attempt, at: await env.currentTimeMs() }]);
    return answer === 'db-down' ? { outcome: 'delivered', responseCode: 200 } : answer;
  },
  async finishWebhookDelivery(end: WebhookDeliveryEnd) {
    ends.push(end);
  },
};

const input = (webhookId: string): WebhookDeliveryInput => ({
  tenant: 'acme', webhookId, eventId: `event-${webhookId}`, eventType: 'user.created', retryBaseMs: 10_000, deadLetterAfterMs: 24 * HOUR,
});

async function run(webhookId: string) {
  const i = input(webhookId);
  return env.client.workflow.execute(WEBHOOK_DELIVERY_WORKFLOW, { workflowId: webhookDeliveryWorkflowId(i), taskQueue: TASK_QUEUE, args: [i] });
}

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection, taskQueue: TASK_QUEUE, activities: fakes,
    workflowsPath: fileURLToPath(new URL('../../workflows/webhook-delivery.ts', import.meta.url)),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('webhook delivery workflow', () => {
  it('retries a receiver that never accepts with doubling waits up to an hour, last at the 24 h deadline, then dead-letters it', async () => {
    const started = await env.currentTimeMs();
    expect(await run('down')).toEqual({ status: 'dead-lettered', attempts: attempts.get('down')!.length });
    const tries = attempts.get('down')!;
    const gaps = tries.slice(1).map((t, i) => t.at - tries[i]!.at);
    expect(gaps.slice(0, 4).map((g) => Math.round(g / 1000))).toEqual([10, 20, 40, 80]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(HOUR + 1000);
    expect(tries.at(-1)!.at - started).toBeGreaterThanOrEqual(24 * HOUR - 1000);
    expect(tries.at(-1)!.at - started).toBeLessThanOrEqual(24 * HOUR + 60_000);
    expect(tries.length).toBeLessThan(40);
    expect(ends.filter((e) => e.webhookId === 'down')).toEqual([
      { tenant: 'acme', webhookId: 'down', eventId: 'event-down', status: 'dead-lettered', error: 'the receiver answered 503' },
    ]);
  });

  it('delivers on the first attempt that succeeds, and records it once', async () => {
    expect(await run('third')).toEqual({ status: 'delivered', attempts: 3 });
    expect(attempts.get('third')!.map((t) => t.n)).toEqual([1, 2, 3]);
    expect(ends.filter((e) => e.webhookId === 'third')).toEqual([{ tenant: 'acme', webhookId: 'third', eventId: 'event-third', status: 'delivered' }]);
  });

  it('stops when the webhook is disabled or deleted, before the deadline', async () => {
    const started = await env.currentTimeMs();
    expect(await run('disabled')).toEqual({ status: 'dead-lettered', attempts: 2 });
    expect(attempts.get('disabled')!.at(-1)!.at - started).toBeLessThan(HOUR);
    expect(ends.find((e) => e.webhookId === 'disabled')).toMatchObject({ status: 'dead-lettered', error: 'the webhook was disabled' });
  });

  it('retries our own faults (the database) inside one attempt', async () => {
    expect(await run('flaky')).toEqual({ status: 'delivered', attempts: 1 });
    expect(dbFaults).toBeGreaterThanOrEqual(2);
    expect(attempts.get('flaky')!.map((t) => t.n)).toEqual([1]);
  });
});
