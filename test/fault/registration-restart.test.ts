// A signup awaiting approval survives the worker: stop it while the workflow waits for a
// decision, start a new one, approve through the admin API, and the account activates. Then the
// harder case: the approval is asked for while no worker runs at all: it is answered 503 with
// Retry-After within the answer deadline (JOURNEY_ANSWER_TIMEOUT), not held open, and once a
// worker runs the decision is taken exactly once.
import { setTimeout } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { getUser } from '../../core/accounts/users.ts';
import { registrationStateQuery, registrationWorkflowId } from '../../workflows/registration-contracts.ts';
import { type AdminResponse, adminRequest, awaitingApproval, moderatedTenant } from '../support/admin-api.ts';
import { startWorker } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

// Short, so that the refusal comes quickly; the default (JOURNEY_ANSWER_TIMEOUT) is 20 s.
const ANSWER_TIMEOUT_MS = 3000;
const stack = useStack({ config: { journeyAnswerTimeoutMs: ANSWER_TIMEOUT_MS } });
const { db } = stack;

/** Repeats a request answered 503, waiting the Retry-After it names each time, for up to a minute. */
async function retryWhileUnavailable(send: () => Promise<AdminResponse>): Promise<AdminResponse> {
  const giveUp = Date.now() + 60_000;
  for (;;) {
    const res = await send();
    if (res.status !== 503 || Date.now() > giveUp) return res;
    expect(res.body).toMatchObject({ error: { code: 'temporarily_unavailable' } });
    await setTimeout(Number(res.headers.get('retry-after')) * 1000);
  }
}

async function restartWorker(): Promise<void> {
  await stack.worker.stop();
  stack.worker = await startWorker(stack.config, db);
}

it('activates an account approved after the worker was replaced', async () => {
  const { tenant, token } = await moderatedTenant(db);
  const { user, approval } = await awaitingApproval(db, stack.server.client, stack.config, tenant);
  await restartWorker();
  const handle = stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id));
  expect((await handle.query(registrationStateQuery)).status).toBe('awaiting-approval');

  const res = await adminRequest(stack.url, tenant, token, 'POST', `/approvals/${approval.id}/approve`);
  expect(res).toMatchObject({ status: 200, body: { id: approval.id, status: 'approved' } });
  expect((await getUser(db, tenant, user.id))?.status).toBe('active');
  expect(await handle.result()).toMatchObject({ status: 'active', decidedBy: 'admin:ops' });
}, 180_000);

it('answers 503 + Retry-After to an approval asked for while no worker runs, and decides it once when one starts', async () => {
  const { tenant, token } = await moderatedTenant(db);
  const { user, approval } = await awaitingApproval(db, stack.server.client, stack.config, tenant);
  await stack.worker.stop();
  const asked = Date.now();
  const refused = await adminRequest(stack.url, tenant, token, 'POST', `/approvals/${approval.id}/reject`, { reason: 'Spam.' });
  expect(refused).toMatchObject({ status: 503, body: { error: { code: 'temporarily_unavailable' } } });
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(Date.now() - asked).toBeLessThan(ANSWER_TIMEOUT_MS + 4000);
  expect((await getUser(db, tenant, user.id))?.status).toBe('pending');

  stack.worker = await startWorker(stack.config, db);
  // The admin retries as told. The first retries can still be refused: the workflow's task waits
  // on the stopped worker's sticky queue until its schedule-to-start timeout (10 s) sends it to
  // the new worker, longer than this test's answer deadline.
  const retried = await retryWhileUnavailable(() =>
    adminRequest(stack.url, tenant, token, 'POST', `/approvals/${approval.id}/reject`, { reason: 'Spam.' }));
  // Temporal may keep the decision it admitted and hand it to the new worker: the admin's retry
  // then finds it taken (409); otherwise the retry takes it (200). Never twice either way.
  if (retried.status === 409) expect(retried.body).toMatchObject({ error: { code: 'already_decided' } });
  else expect(retried).toMatchObject({ status: 200, body: { id: approval.id, status: 'rejected' } });
  // A 409 may come while the new worker is still carrying out the admitted decision: the
  // registration's result says when it is done.
  const handle = stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id));
  expect(await handle.result()).toMatchObject({ status: 'rejected', decidedBy: 'admin:ops', reason: 'Spam.' });
  expect((await getUser(db, tenant, user.id))?.status).toBe('disabled');
  const again = await adminRequest(stack.url, tenant, token, 'POST', `/approvals/${approval.id}/approve`);
  expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
}, 180_000);
