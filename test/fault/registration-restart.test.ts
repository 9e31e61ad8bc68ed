// A signup awaiting approval survives the worker: stop it while the workflow waits for a
// decision, start a new one, approve through the admin API, and the account activates. Then the
// harder case: the approval is asked for while no worker runs at all, and is answered once one
// starts.
import { expect, it } from 'vitest';
import { getUser } from '../../core/accounts/users.ts';
import { registrationStateQuery, registrationWorkflowId } from '../../workflows/registration-contracts.ts';
import { adminRequest, awaitingApproval, moderatedTenant } from '../support/admin-api.ts';
import { startWorker } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

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

it('answers an approval asked for while no worker runs, once one starts', async () => {
  const { tenant, token } = await moderatedTenant(db);
  const { user, approval } = await awaitingApproval(db, stack.server.client, stack.config, tenant);
  await stack.worker.stop();
  let answered = false;
  const pending = adminRequest(stack.url, tenant, token, 'POST', `/approvals/${approval.id}/reject`, { reason: 'Spam.' })
    .finally(() => { answered = true; });
  await new Promise((r) => setTimeout(r, 2000));
  expect(answered).toBe(false);
  expect((await getUser(db, tenant, user.id))?.status).toBe('pending');

  stack.worker = await startWorker(stack.config, db);
  expect(await pending).toMatchObject({ status: 200, body: { id: approval.id, status: 'rejected' } });
  expect((await getUser(db, tenant, user.id))?.status).toBe('disabled');
}, 180_000);
