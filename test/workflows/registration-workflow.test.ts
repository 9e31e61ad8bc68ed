// The registration workflow on Temporal's time-skipping test server with fake activities: the
// three policies, the reminder, the deadline and the 30-day verification expiry (days skipped in
// milliseconds), decisions refused once made, resend limits, and mail that keeps failing — shown
// by the query, retried, never blocking a decision, and finally sent.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RegistrationActivities, RegistrationMail, RegistrationPlan } from '../../activities/registration.ts';
import {
  approveUpdate, registrationStateQuery, registrationWorkflowId, rejectUpdate, resendVerificationSignal, verifyEmailUpdate,
  type RegistrationInput, type RegistrationState,
} from '../../workflows/registration-contracts.ts';
import { createTimeSkippingEnv } from '../support/time-skipping.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const ADMINS = ['admin1@example.test', 'admin2@example.test'];

interface Call { fn: string; tenant: string; input: any }
const calls: Call[] = [];
const plans = new Map<string, Partial<RegistrationPlan>>();
/** Tenants whose mail server refuses everything for now. */
const mailDown = new Set<string>();

function record(fn: string) {
  return async (input: any) => {
    calls.push({ fn, tenant: input.tenant, input });
  };
}

const fakes: RegistrationActivities = {
  async loadRegistrationPlan({ tenant }) {
    calls.push({ fn: 'loadRegistrationPlan', tenant, input: { tenant } });
    return { verificationTtlMs: DAY, signInLinkTtlMs: 7 * DAY, reminderAfterMs: 2 * DAY, deadlineMs: 7 * DAY, notify: ADMINS, ...plans.get(tenant) };
  },
  activateRegistration: record('activateRegistration'),
  openRegistrationApproval: record('openRegistrationApproval'),
  markRegistrationReminded: record('markRegistrationReminded'),
  decideRegistration: record('decideRegistration'),
  expireRegistration: record('expireRegistration'),
  async sendRegistrationMail(input) {
    if (mailDown.has(input.tenant)) {
      calls.push({ fn: 'mailRefused', tenant: input.tenant, input });
      throw ApplicationFailure.retryable('mail server refused the message (451)', 'MailError');
    }
    calls.push({ fn: 'mail', tenant: input.tenant, input });
  },
};

const of = (tenant: string, fn: string) => calls.filter((c) => c.tenant === tenant && c.fn === fn).map((c) => c.input);
const mails = (tenant: string, kind?: RegistrationMail['kind']) => of(tenant, 'mail').map((i) => i.mail as RegistrationMail).filter((m) => !kind || m.kind === kind);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `registration-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection, taskQueue, activities: fakes,
    workflowBundle: { code: await readFile(inject('bundlePath'), 'utf8') },
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function start(policy: RegistrationInput['policy'], plan: Partial<RegistrationPlan> = {}, options: { mailDown?: boolean } = {}) {
  const tenant = `t-${randomBytes(4).toString('hex')}`;
  plans.set(tenant, plan);
  if (options.mailDown) mailDown.add(tenant);
  const input: RegistrationInput = { tenant, userId: randomBytes(16).toString('hex'), policy, journeyId: 'journey-1' };
  const handle = await env.client.workflow.start('registrationWorkflow', {
    taskQueue, workflowId: registrationWorkflowId(tenant, input.userId), args: [input],
  }) as WorkflowHandle<(input: RegistrationInput) => Promise<RegistrationState>>;
  return { tenant, handle };
}

/** Polls (in real time: the test server's clock is locked unless a test skips it) until `check` passes. */
async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'finished';
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
  }
  return 'accepted';
}

const state = (handle: WorkflowHandle) => handle.query(registrationStateQuery);

describe('invited', () => {
  it('activates at once', async () => {
    const { tenant, handle } = await start('invited');
    expect(await handle.result()).toMatchObject({ status: 'active', policy: 'invited', mail: { state: 'none' } });
    expect(of(tenant, 'activateRegistration')).toEqual([expect.objectContaining({ reason: 'invited', journeyId: 'journey-1' })]);
    expect(mails(tenant)).toEqual([]);
  });
});

describe('verify', () => {
  it('mails a link, resends at most 5 more at most once a minute, and activates on verifyEmail', async () => {
    const { tenant, handle } = await start('verify');
    await eventually(() => expect(mails(tenant, 'verify')).toEqual([{ kind: 'verify', n: 1, ttlMs: DAY }]));
    expect(await state(handle)).toMatchObject({ status: 'awaiting-verification', mail: { state: 'sent' } });
    // A refused update is answered by the worker after every signal sent before it: a barrier.
    const barrier = () => refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'nobody' }] }));

    await handle.signal(resendVerificationSignal);
    expect(await barrier()).toBe('AlreadyDecided');
    expect(mails(tenant, 'verify')).toHaveLength(1);

    for (let n = 2; n <= 6; n++) {
      await env.sleep(MINUTE + 1000);
      await handle.signal(resendVerificationSignal);
      await handle.signal(resendVerificationSignal);
      await eventually(() => expect(mails(tenant, 'verify')).toHaveLength(n));
    }
    await env.sleep(MINUTE + 1000);
    await handle.signal(resendVerificationSignal);
    await barrier();
    expect(mails(tenant, 'verify').map((m: any) => m.n)).toEqual([1, 2, 3, 4, 5, 6]);

    const verified = await handle.executeUpdate(verifyEmailUpdate);
    expect(verified.status).toBe('active');
    expect(of(tenant, 'activateRegistration')).toEqual([expect.objectContaining({ reason: 'email_verified' })]);
    // The workflow ended with the verification: a late link finds it finished.
    expect(await handle.result()).toMatchObject({ status: 'active' });
    expect(await refusal(handle.executeUpdate(verifyEmailUpdate))).toBe('finished');
  });

  it('gives up after 30 days, leaving the account pending', async () => {
    const { tenant, handle } = await start('verify');
    const end = await handle.result();
    expect(end).toMatchObject({ status: 'expired', reason: 'verification' });
    expect(end.deadlineAt! - end.requestedAt).toBe(30 * DAY);
    expect(of(tenant, 'expireRegistration')).toHaveLength(1);
    expect(of(tenant, 'activateRegistration')).toEqual([]);
    expect(await refusal(handle.executeUpdate(verifyEmailUpdate))).toBe('finished');
  });
});

describe('moderation', () => {
  it('tells the user and the admins, reminds the admins once, and approves', async () => {
    const { tenant, handle } = await start('moderation');
    await eventually(() => expect(mails(tenant)).toHaveLength(3));
    const opened = await state(handle);
    expect(opened).toMatchObject({ status: 'awaiting-approval', mail: { state: 'sent' } });
    expect(opened.deadlineAt! - opened.requestedAt).toBe(7 * DAY);
    expect(of(tenant, 'openRegistrationApproval')).toEqual([expect.objectContaining({ requestedAt: opened.requestedAt })]);
    expect(mails(tenant, 'pending')).toHaveLength(1);
    // One message per admin, sent side by side: in no particular order.
    const requests = mails(tenant, 'approval-request').sort((a: any, b: any) => a.to.localeCompare(b.to));
    expect(requests).toEqual(ADMINS.map((to) => ({ kind: 'approval-request', to, deadlineAt: opened.deadlineAt })));
    expect(opened.remindedAt).toBeUndefined();
    expect(await refusal(handle.executeUpdate(verifyEmailUpdate))).toBe('NotAwaitingVerification');

    await env.sleep(2 * DAY - MINUTE);
    expect(of(tenant, 'markRegistrationReminded')).toEqual([]);
    await env.sleep(2 * MINUTE);
    await eventually(() => expect(mails(tenant, 'approval-reminder')).toHaveLength(2));
    const reminded = await state(handle);
    expect(reminded.remindedAt! - reminded.requestedAt).toBeGreaterThanOrEqual(2 * DAY);
    await env.sleep(2 * DAY);
    expect(of(tenant, 'markRegistrationReminded')).toHaveLength(1);
    expect(mails(tenant, 'approval-reminder')).toHaveLength(2);

    const approved = await handle.executeUpdate(approveUpdate, { args: [{ by: 'admin:ops', reason: 'known customer' }] });
    expect(approved).toMatchObject({ status: 'active', decidedBy: 'admin:ops', reason: 'known customer' });
    expect(of(tenant, 'decideRegistration')).toEqual([expect.objectContaining({ outcome: 'approved', by: 'admin:ops', reason: 'known customer' })]);
    // A later decision is refused: by the validator while the approved mail goes out, or as a
    // finished workflow once it went (the admin API answers 409 either way).
    const refused = ['AlreadyDecided', 'finished'];
    expect(refused).toContain(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'admin:other' }] })));
    expect(refused).toContain(await refusal(handle.executeUpdate(rejectUpdate, { args: [{ by: 'admin:other' }] })));
    expect(await handle.result()).toMatchObject({ status: 'active' });
    expect(mails(tenant, 'approved')).toEqual([{ kind: 'approved', ttlMs: 7 * DAY }]);
    expect(of(tenant, 'decideRegistration')).toHaveLength(1);
  });

  it('rejects with the reason, and refuses a second decision', async () => {
    const { tenant, handle } = await start('moderation', { notify: [] });
    const rejected = await handle.executeUpdate(rejectUpdate, { args: [{ by: 'cli', reason: 'not a customer' }] });
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'cli', reason: 'not a customer' });
    expect(['AlreadyDecided', 'finished']).toContain(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'cli' }] })));
    expect(await handle.result()).toMatchObject({ status: 'rejected' });
    expect(of(tenant, 'decideRegistration')).toEqual([expect.objectContaining({ outcome: 'rejected', by: 'cli', reason: 'not a customer' })]);
    expect(mails(tenant, 'rejected')).toEqual([{ kind: 'rejected', reason: 'not a customer' }]);
  });

  it('refuses a malformed decision without recording it', async () => {
    const { handle } = await start('moderation', { notify: [] });
    expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: '' }] }))).toBe('InvalidDecision');
    expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'x', reason: 'r'.repeat(501) }] }))).toBe('InvalidDecision');
    expect((await state(handle)).status).toBe('awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'cli' }] });
  });

  it('rejects at the deadline without a decision, after one reminder', async () => {
    const { tenant, handle } = await start('moderation', { reminderAfterMs: DAY, deadlineMs: 3 * DAY });
    const end = await handle.result();
    expect(end).toMatchObject({ status: 'expired', reason: 'deadline' });
    expect(end.deadlineAt! - end.requestedAt).toBe(3 * DAY);
    expect(end.remindedAt! - end.requestedAt).toBeGreaterThanOrEqual(DAY);
    expect(of(tenant, 'decideRegistration')).toEqual([expect.objectContaining({ outcome: 'expired', reason: 'deadline' })]);
    expect(of(tenant, 'markRegistrationReminded')).toHaveLength(1);
    expect(mails(tenant, 'rejected')).toEqual([{ kind: 'rejected', reason: 'deadline' }]);
    expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'late' }] }))).toBe('finished');
  });

  it('sends no reminder when the deadline comes first', async () => {
    const { tenant, handle } = await start('moderation', { reminderAfterMs: 5 * DAY, deadlineMs: 3 * DAY });
    expect(await handle.result()).toMatchObject({ status: 'expired' });
    expect(of(tenant, 'markRegistrationReminded')).toEqual([]);
  });
});

describe('mail that cannot be sent', () => {
  it('is shown as retrying, does not hold up a decision, and goes out once the server takes it', async () => {
    const { tenant, handle } = await start('moderation', { notify: [] }, { mailDown: true });
    const retrying = await eventually(async () => {
      const s = await state(handle);
      expect(s.mail).toEqual({ state: 'retrying', attempts: 1, lastError: 'mail server refused the message (451)' });
      return s;
    }, 40_000);
    expect(retrying.status).toBe('awaiting-approval');
    expect(of(tenant, 'mailRefused')).toHaveLength(3);

    const approved = await handle.executeUpdate(approveUpdate, { args: [{ by: 'admin:ops' }] });
    expect(approved.status).toBe('active');
    expect(approved.mail.state).not.toBe('sent');

    await env.sleep(MINUTE + 1000);
    await eventually(async () => expect((await state(handle)).mail).toMatchObject({ state: 'retrying', attempts: 2 }), 40_000);

    mailDown.delete(tenant);
    // Awaiting the result lets the server skip the backoff timers.
    expect(await handle.result()).toMatchObject({ status: 'active', mail: { state: 'sent', attempts: 0 } });
    expect(mails(tenant).map((m) => m.kind).sort()).toEqual(['approved', 'pending']);
  });
});
