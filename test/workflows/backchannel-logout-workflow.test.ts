// The back-channel logout workflow on Temporal's time-skipping test server with fake activities:
// every relying party is notified in parallel; one that keeps failing is retried with backoff and
// given up after a day, audited as failed; each delivery ends in exactly one record.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  BACKCHANNEL_LOGOUT_WORKFLOW, backchannelLogoutWorkflowId, type BackchannelLogoutInput, type BackchannelOutcome, type BackchannelTarget,
} from '../../workflows/backchannel-logout-contracts.ts';
import { createTimeSkippingEnv } from '../support/time-skipping.ts';

const TASK_QUEUE = 'backchannel-logout';
const HOUR = 3_600_000;

const target = (clientId: string): BackchannelTarget => ({
  tenant: 'acme', ssoId: 'sso-1', clientId, sid: `sid-${clientId}`, userId: 'u1', uri: `https://${clientId}.example/logout`, alg: 'RS256',
});

const attempts = new Map<string, number[]>();
const outcomes: BackchannelOutcome[] = [];
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

const fakes = {
  async listBackchannelTargets(input: BackchannelLogoutInput) {
    return input.userId === 'nobody' ? [] : [target('up'), target('down')];
  },
  async deliverBackchannelLogout(t: BackchannelTarget) {
    attempts.set(t.clientId, [...(attempts.get(t.clientId) ?? []), await env.currentTimeMs()]);
    if (t.clientId === 'down') throw ApplicationFailure.retryable('the client\'s back-channel logout URI answered 503', 'BackchannelRefused');
  },
  async finishBackchannelLogout(outcome: BackchannelOutcome) {
    outcomes.push(outcome);
  },
};

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection, taskQueue: TASK_QUEUE, activities: fakes,
    workflowsPath: fileURLToPath(new URL('../../workflows/backchannel-logout.ts', import.meta.url)),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('back-channel logout workflow', () => {
  it('delivers to the RPs that answer, retries one that does not for a day, then records it failed', async () => {
    const input: BackchannelLogoutInput = { tenant: 'acme', ssoId: 'sso-1' };
    const started = await env.currentTimeMs();
    const result = await env.client.workflow.execute(BACKCHANNEL_LOGOUT_WORKFLOW, {
      workflowId: backchannelLogoutWorkflowId(input), taskQueue: TASK_QUEUE, args: [input],
    });
    expect(result).toEqual({ delivered: 1, failed: 1 });
    expect(attempts.get('up')).toHaveLength(1);
    const tries = attempts.get('down')!;
    expect(tries.length).toBeGreaterThan(10);
    expect(tries.at(-1)! - started).toBeLessThanOrEqual(24 * HOUR);
    expect(tries.at(-1)! - started).toBeGreaterThan(20 * HOUR);
    // Backoff: the gaps grow, capped at an hour.
    const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(HOUR + 1000);
    expect(outcomes).toHaveLength(2);
    expect(outcomes.find((o) => o.clientId === 'up')).toMatchObject({ delivered: true });
    expect(outcomes.find((o) => o.clientId === 'down')).toMatchObject({ delivered: false, error: expect.stringContaining('503') });
  });

  it('ends at once when the session signed in to no RP', async () => {
    const input: BackchannelLogoutInput = { tenant: 'acme', ssoId: 'sso-2', userId: 'nobody' };
    expect(backchannelLogoutWorkflowId(input)).toBe('backchannel-logout-acme-sso-2-nobody');
    const result = await env.client.workflow.execute(BACKCHANNEL_LOGOUT_WORKFLOW, {
      workflowId: backchannelLogoutWorkflowId(input), taskQueue: TASK_QUEUE, args: [input],
    });
    expect(result).toEqual({ delivered: 0, failed: 0 });
  });
});
