// Records the histories that the replay test replays: one per distinct path through the journey
// workflow. Run with RECORD_HISTORIES=1 after a deliberate, patched change to the workflow.
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';
import type { Db } from '../../core/db.ts';
import { defaultLoginTree } from '../../core/default-trees.ts';
import { saveTree } from '../../core/trees.ts';
import { setUserStatus } from '../../core/users.ts';
import { getTotpSecret, newTotpSecret, saveTotpSecret, totpCode } from '../../core/totp.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { extendLockSignal, LOCKOUT_WORKFLOW, lockoutWorkflowId } from '../../workflows/lockout-contracts.ts';
import { tenantWithUser } from '../support/harness.ts';

export const HISTORIES_DIR = new URL('./histories/', import.meta.url);

async function save(client: Client, name: string, api: JourneyApi): Promise<void> {
  const handle = client.workflow.getHandle(api.journey!.id);
  await handle.result();
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
}

export async function recordJourneys(base: string, client: Client, db: Db, taskQueue: string): Promise<void> {
  {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, user.id, secret, 0);
    const api = new JourneyApi(base, tenant);
    await api.start();
    await api.submit({ username: login });
    await api.submit({ password: 'wrong-password' });
    await api.submit({ password });
    await api.submit({ code: '000000' === totpCode(secret) ? '111111' : '000000' });
    await api.submit({ code: totpCode(secret) });
    await save(client, 'login-password-totp-with-retries', api);
  }
  {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await setUserStatus(db, tenant, user.id, 'disabled');
    const api = new JourneyApi(base, tenant);
    await api.start();
    await api.submit({ username: login });
    await api.submit({ password });
    await save(client, 'login-disabled-account', api);
  }
  {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await saveTree(db, tenant, { ...defaultLoginTree, nodes: { ...defaultLoginTree.nodes, otp: { type: 'totp', config: { enroll: true }, next: { ok: 'success', bad: 'otp', skip: 'success' } } } });
    const api = new JourneyApi(base, tenant);
    await api.start();
    await api.submit({ username: login });
    await api.submit({ password });
    const key = /enter this key: ([A-Z2-7 ]+)\./.exec(api.journey!.step!.description!)![1]!.replaceAll(' ', '');
    await api.submit({ code: totpCode(key) });
    if ((await getTotpSecret(db, tenant, user.id)) !== key) throw new Error('enrolment did not store the secret');
    await save(client, 'login-totp-enrolment', api);
  }
  {
    // An inner tree whose TOTP node is remembered on the device: the second journey skips it.
    const { tenant, login, password, user } = await tenantWithUser(db);
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, user.id, secret, 0);
    await saveTree(db, tenant, { name: 'second', start: 'otp', nodes: { otp: { type: 'totp', remember: { in: 'cookie', for: '1h' }, next: { ok: 'success', bad: 'otp', skip: 'failure' } } } });
    await saveTree(db, tenant, {
      name: 'step', start: 'how',
      nodes: {
        how: { type: 'choice', config: { options: [{ value: 'password', label: 'Password' }] }, next: { password: 'identify' } },
        identify: { type: 'username', next: { ok: 'password' } },
        password: { type: 'password', next: { ok: 'mfa', bad: 'password' } },
        mfa: { type: 'tree', config: { tree: 'second' }, next: { success: 'success', failure: 'failure' } },
      },
    });
    const api = new JourneyApi(base, tenant);
    for (const run of ['first', 'remembered']) {
      api.cookies.delete('tessera_session');
      await api.start('login', 'step');
      await api.submit({ choice: 'password' });
      await api.submit({ username: login });
      await api.submit({ password });
      if (run === 'first') await api.submit({ code: totpCode(secret) });
      if (api.journey!.status !== 'succeeded') throw new Error(`inner-tree journey (${run}) did not succeed`);
      await save(client, `login-inner-tree-${run}`, api);
    }
  }
  {
    // A lockout that ends on its durable timer, extended once while it sleeps.
    const { tenant } = await tenantWithUser(db);
    const workflowId = lockoutWorkflowId(tenant, 'f'.repeat(64));
    const until = Date.now() + 1000;
    await client.workflow.signalWithStart(LOCKOUT_WORKFLOW, {
      workflowId, taskQueue, args: [{ tenant, keyHash: 'f'.repeat(64), scope: 'account', until }], signal: extendLockSignal, signalArgs: [until],
    });
    await client.workflow.getHandle(workflowId).signal(extendLockSignal, until + 1000);
    const handle = client.workflow.getHandle(workflowId);
    await handle.result();
    await writeFile(new URL('lockout-extended.json', HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
  }
}

/** A journey that expires needs a short idle timeout: recorded by the caller's own server. */
export async function recordExpiry(base: string, client: Client, db: Db): Promise<void> {
  const { tenant, login } = await tenantWithUser(db);
  const api = new JourneyApi(base, tenant);
  await api.start();
  await api.submit({ username: login });
  await save(client, 'login-expired', api);
}
