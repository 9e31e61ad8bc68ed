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
import { tenantWithUser } from '../support/harness.ts';

export const HISTORIES_DIR = new URL('./histories/', import.meta.url);

async function save(client: Client, name: string, api: JourneyApi): Promise<void> {
  const handle = client.workflow.getHandle(api.journey!.id);
  await handle.result();
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
}

export async function recordJourneys(base: string, client: Client, db: Db): Promise<void> {
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
}

/** A journey that expires needs a short idle timeout: recorded by the caller's own server. */
export async function recordExpiry(base: string, client: Client, db: Db): Promise<void> {
  const { tenant, login } = await tenantWithUser(db);
  const api = new JourneyApi(base, tenant);
  await api.start();
  await api.submit({ username: login });
  await save(client, 'login-expired', api);
}
