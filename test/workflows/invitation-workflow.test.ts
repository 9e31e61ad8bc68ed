// The invitation workflow on Temporal's time-skipping test server with fake activities: expiry
// after the ttl, revoke, the accepted signal, refusals once it has ended, races the database
// decides, and mail that is refused and retried until it goes out.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { InvitationEnd, InvitationRef } from '../../activities/invitations.ts';
import {
  INVITATION_WORKFLOW, invitationAcceptedSignal, invitationStateQuery, revokeUpdate,
  type InvitationInput, type InvitationState,
} from '../../workflows/invitation-contracts.ts';
import { createTimeSkippingEnv } from '../support/time-skipping.ts';

const DAY = 86_400_000;
const TASK_QUEUE = 'invitations';

/** Per-invitation behaviour of the fakes, keyed by invitation id. */
interface Script {
  /** How many send calls fail with a MailError before one succeeds. */
  refusals?: number;
  send?: 'sent' | 'skipped';
  /** What the row says after finishInvitation (default: the outcome asked for). */
  finish?: (end: InvitationEnd) => { status: string; userId?: string };
  /** Holds finishInvitation until released. */
  hold?: Promise<void>;
}

const scripts = new Map<string, Script>();
const sends: InvitationRef[] = [];
const ends: InvitationEnd[] = [];

const fakes = {
  async sendInvitation(ref: InvitationRef) {
    sends.push(ref);
    const script = scripts.get(ref.invitationId) ?? {};
    if (script.refusals) {
      script.refusals--;
      throw ApplicationFailure.retryable('mail server refused the message (451)', 'MailError');
    }
    return script.send ?? 'sent';
  },
  async finishInvitation(end: InvitationEnd) {
    ends.push(end);
    const script = scripts.get(end.invitationId) ?? {};
    await script.hold;
    return script.finish?.(end) ?? (end.outcome === 'accepted' ? { status: 'accepted', userId: end.userId } : { status: end.outcome });
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection, taskQueue: TASK_QUEUE, activities: fakes,
    workflowsPath: fileURLToPath(new URL('../../workflows/invitation.ts', import.meta.url)),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function start(script: Script = {}, ttlMs = 7 * DAY): Promise<{ handle: WorkflowHandle; input: InvitationInput }> {
  const input: InvitationInput = { tenant: 'acme', invitationId: randomUUID(), ttlMs };
  scripts.set(input.invitationId, script);
  const handle = await env.client.workflow.start(INVITATION_WORKFLOW, {
    workflowId: `invitation-acme-${input.invitationId}`, taskQueue: TASK_QUEUE, args: [input],
  });
  return { handle, input };
}

async function stateOf(handle: WorkflowHandle): Promise<InvitationState> {
  return handle.query(invitationStateQuery);
}

async function until(handle: WorkflowHandle, check: (s: InvitationState) => boolean): Promise<InvitationState> {
  for (let i = 0; i < 200; i++) {
    const state = await stateOf(handle);
    if (check(state)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`state never matched: ${JSON.stringify(await stateOf(handle))}`);
}

function endsOf(input: InvitationInput): InvitationEnd[] {
  return ends.filter((e) => e.invitationId === input.invitationId);
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the update to be refused').toBeInstanceOf(Error);
  return err;
}

describe('invitation workflow', () => {
  it('mails once, then expires after the ttl and records it', async () => {
    const { handle, input } = await start();
    await until(handle, (s) => s.mail.state === 'sent');
    const before = await env.currentTimeMs();
    const result: InvitationState = await handle.result();
    expect(result).toMatchObject({ status: 'expired', mail: { state: 'sent', attempts: 1 } });
    expect(await env.currentTimeMs() - before).toBeGreaterThanOrEqual(7 * DAY - 60_000);
    expect(endsOf(input)).toEqual([expect.objectContaining({ outcome: 'expired' })]);
    expect(sends.filter((s) => s.invitationId === input.invitationId)).toHaveLength(1);
  });

  it('is revoked by the update, which answers with the revoked state and names who', async () => {
    const { handle, input } = await start();
    await until(handle, (s) => s.mail.state === 'sent');
    const state = await handle.executeUpdate(revokeUpdate, { args: [{ by: 'admin:ops' }] });
    expect(state).toMatchObject({ status: 'revoked', revokedBy: 'admin:ops' });
    expect(await handle.result()).toMatchObject({ status: 'revoked' });
    expect(endsOf(input)).toEqual([expect.objectContaining({ outcome: 'revoked', by: 'admin:ops' })]);
  });

  it('ends accepted on the accepted signal, with the user the row names', async () => {
    const { handle, input } = await start();
    const userId = randomUUID();
    await handle.signal(invitationAcceptedSignal, { userId });
    expect(await handle.result()).toMatchObject({ status: 'accepted', acceptedUserId: userId });
    expect(endsOf(input)).toEqual([expect.objectContaining({ outcome: 'accepted', userId })]);
  });

  it('refuses a revoke once it has ended, and a revoke without who', async () => {
    const { handle } = await start();
    await handle.signal(invitationAcceptedSignal, { userId: randomUUID() });
    await handle.result();
    await refusal(handle.executeUpdate(revokeUpdate, { args: [{ by: 'cli' }] }));

    const pending = await start();
    const err = await refusal(pending.handle.executeUpdate(revokeUpdate, { args: [{ by: '' }] }));
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidInput' });
    expect(await stateOf(pending.handle)).toMatchObject({ status: 'pending' });
  });

  it('refuses a second revoke while the first is being recorded', async () => {
    let release!: () => void;
    const { handle } = await start({ hold: new Promise<void>((r) => (release = r)) });
    const first = handle.executeUpdate(revokeUpdate, { args: [{ by: 'admin:a' }] });
    await until(handle, () => ends.length > 0 && ends.some((e) => e.by === 'admin:a'));
    const err = await refusal(handle.executeUpdate(revokeUpdate, { args: [{ by: 'admin:b' }] }));
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvitationFinished' });
    release();
    expect(await first).toMatchObject({ status: 'revoked', revokedBy: 'admin:a' });
  });

  it('fails a revoke that lost to an acceptance in the database, and ends accepted', async () => {
    const userId = randomUUID();
    const { handle } = await start({ finish: () => ({ status: 'accepted', userId }) });
    const err = await refusal(handle.executeUpdate(revokeUpdate, { args: [{ by: 'admin:late' }] }));
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvitationFinished' });
    expect(await handle.result()).toMatchObject({ status: 'accepted', acceptedUserId: userId });
  });

  it('ignores an accepted signal the row does not confirm, and still expires', async () => {
    const { handle, input } = await start({ finish: (end) => ({ status: end.outcome === 'accepted' ? 'pending' : end.outcome }) }, DAY);
    await handle.signal(invitationAcceptedSignal, { userId: randomUUID() });
    await until(handle, () => endsOf(input).length === 1);
    expect(await stateOf(handle)).toMatchObject({ status: 'pending' });
    expect(await handle.result()).toMatchObject({ status: 'expired' });
    expect(endsOf(input).map((e) => e.outcome)).toEqual(['accepted', 'expired']);
  });

  it('shows a refused mail as retrying, with the error, and sends it later', async () => {
    // The activity tries 3 times per attempt: the first attempt fails, the second succeeds.
    const { handle, input } = await start({ refusals: 4 });
    const retrying = await until(handle, (s) => s.mail.state === 'retrying' && s.mail.attempts === 1);
    expect(retrying.mail.lastError).toBe('mail server refused the message (451)');
    await env.sleep(61_000);
    const sent = await until(handle, (s) => s.mail.state === 'sent');
    expect(sent.mail).toEqual({ state: 'sent', attempts: 2 });
    expect(sends.filter((s) => s.invitationId === input.invitationId)).toHaveLength(5);
    await handle.executeUpdate(revokeUpdate, { args: [{ by: 'cli' }] });
  });

  it('says skipped when the activity mailed nothing (the address has an account)', async () => {
    const { handle } = await start({ send: 'skipped' });
    expect(await until(handle, (s) => s.mail.state !== 'none' && s.mail.state !== 'sending')).toMatchObject({ mail: { state: 'skipped' } });
    await handle.executeUpdate(revokeUpdate, { args: [{ by: 'cli' }] });
  });
});
