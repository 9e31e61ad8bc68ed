// A new account's way to activation (DESIGN.md §1, issue 4), as one durable workflow per account:
// invited → active at once; verify → mail a link and wait for `verifyEmail` (30 days at most,
// resends on request); moderation → open an approval, tell the user and the admins, remind the
// admins once, and wait for `approve` / `reject` until the deadline, which rejects.
// Rules: the tenant's settings are read once, at the start; updates only record a decision and
// wait for the main loop to apply it, so they answer while mail is still being retried; the
// workflow ends only once its mail went out.
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RegistrationActivities, RegistrationPlan, RegistrationRef } from '../activities/registration.ts';
import {
  approveUpdate, registrationStateQuery, rejectUpdate, resendVerificationSignal, verifyEmailUpdate,
  type Decision, type RegistrationInput, type RegistrationState,
} from './registration-contracts.ts';
import { Outbox } from './registration-outbox.ts';
import { RegistrationRecord, VERIFICATION_EXPIRY_MS } from './registration-state.ts';

// Database work retries until it succeeds; mail gives up after a few quick tries and is then
// retried by the outbox on a slower schedule the query shows.
const db = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
});
const mail = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', maximumInterval: '10s', backoffCoefficient: 2, maximumAttempts: 3 },
});

// Date.now() in the workflow sandbox is the SDK's deterministic clock, replayed identically.

async function verification(record: RegistrationRecord, ref: RegistrationRef, plan: RegistrationPlan, outbox: Outbox): Promise<void> {
  const expiresAt = record.state.requestedAt + VERIFICATION_EXPIRY_MS;
  record.state.deadlineAt = expiresAt;
  // A link still failing to go out is pointless once the registration is over.
  const over = () => record.settled || record.pending !== undefined;
  const sendLink = () => outbox.post({ kind: 'verify', n: record.nextSend(Date.now()), ttlMs: plan.verificationTtlMs }, over);
  sendLink();
  for (;;) {
    const left = expiresAt - Date.now();
    const woken = left > 0 && (await condition(() => record.pending !== undefined || record.resendWanted, left));
    if (record.pending?.kind === 'verify') {
      await db.activateRegistration({ ...ref, reason: 'email_verified' });
      return record.settle('active');
    }
    if (!woken) break;
    if (record.resendWanted) sendLink();
  }
  record.record({ kind: 'expire' });
  await db.expireRegistration(ref);
  record.settle('expired', { reason: 'verification' });
}

async function moderation(record: RegistrationRecord, ref: RegistrationRef, plan: RegistrationPlan, outbox: Outbox): Promise<void> {
  const { requestedAt } = record.state;
  const deadlineAt = requestedAt + plan.deadlineMs;
  const remindAt = requestedAt + plan.reminderAfterMs;
  record.state.deadlineAt = deadlineAt;
  await db.openRegistrationApproval({ ...ref, requestedAt, deadlineAt });
  outbox.post({ kind: 'pending' });
  for (const to of plan.notify) outbox.post({ kind: 'approval-request', to, deadlineAt });

  while (!record.pending) {
    const now = Date.now();
    const remindDue = record.state.remindedAt === undefined && remindAt < deadlineAt;
    if (now >= deadlineAt) {
      record.record({ kind: 'expire' });
    } else if (remindDue && now >= remindAt) {
      record.state.remindedAt = now;
      await db.markRegistrationReminded({ ...ref, at: now });
      for (const to of plan.notify) outbox.post({ kind: 'approval-reminder', to, requestedAt, deadlineAt });
    } else {
      await condition(() => record.pending !== undefined, (remindDue ? remindAt : deadlineAt) - now);
    }
  }

  const pending = record.pending;
  if (pending.kind === 'approve') {
    await db.decideRegistration({ ...ref, outcome: 'approved', ...pending.decision });
    record.settle('active', pending.decision);
    outbox.post({ kind: 'approved', ttlMs: plan.signInLinkTtlMs });
  } else if (pending.kind === 'reject') {
    await db.decideRegistration({ ...ref, outcome: 'rejected', ...pending.decision });
    record.settle('rejected', pending.decision);
    outbox.post({ kind: 'rejected', reason: pending.decision.reason });
  } else {
    await db.decideRegistration({ ...ref, outcome: 'expired', reason: 'deadline' });
    record.settle('expired', { reason: 'deadline' });
    outbox.post({ kind: 'rejected', reason: 'deadline' });
  }
}

export async function registrationWorkflow(input: RegistrationInput): Promise<RegistrationState> {
  const record = new RegistrationRecord(input, Date.now());
  const ref: RegistrationRef = { tenant: input.tenant, userId: input.userId, workflowId: workflowInfo().workflowId, journeyId: input.journeyId };
  const outbox = new Outbox(record, (m) => mail.sendRegistrationMail({ ...ref, mail: m }));

  const decide = (kind: 'approve' | 'reject') => async (decision: Decision) => {
    record.record({ kind, decision: { by: decision.by, ...(decision.reason ? { reason: decision.reason } : {}) } });
    await condition(() => record.settled);
    return record.view();
  };
  setHandler(registrationStateQuery, () => record.view());
  setHandler(approveUpdate, decide('approve'), { validator: (d) => record.validateDecision(d) });
  setHandler(rejectUpdate, decide('reject'), { validator: (d) => record.validateDecision(d) });
  setHandler(verifyEmailUpdate, async () => {
    record.record({ kind: 'verify' });
    await condition(() => record.settled);
    return record.view();
  }, { validator: () => record.validateVerify() });
  setHandler(resendVerificationSignal, () => record.requestResend(Date.now()));

  const plan = await db.loadRegistrationPlan({ tenant: input.tenant });
  if (input.policy === 'invited') {
    await db.activateRegistration({ ...ref, reason: 'invited' });
    record.settle('active');
  } else if (input.policy === 'verify') {
    await verification(record, ref, plan, outbox);
  } else {
    await moderation(record, ref, plan, outbox);
  }
  await condition(() => outbox.idle);
  await condition(allHandlersFinished);
  return record.view();
}
