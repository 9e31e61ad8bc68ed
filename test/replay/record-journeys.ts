// Records the histories that the replay test replays: one per distinct path through the journey
// workflow. Run with RECORD_HISTORIES=1 after a deliberate, patched change to the workflow.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';
import type { Db } from '../../core/infra/db.ts';
import { defaultLoginTree } from '../../core/journeys/default-trees.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import type { Config } from '../../core/infra/config.ts';
import { createInvitation } from '../../core/registration/invitation-lifecycle.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { recordSessionClient } from '../../core/oidc/session-clients.ts';
import { ensureSigningKeys } from '../../core/oidc/signing-keys.ts';
import { BACKCHANNEL_LOGOUT_WORKFLOW, backchannelLogoutWorkflowId } from '../../workflows/backchannel-logout-contracts.ts';
import { signupNoticeWorkflowId } from '../../workflows/signup-notice-contracts.ts';
import { approveUpdate, registrationWorkflowId } from '../../workflows/registration-contracts.ts';
import { setUserStatus } from '../../core/accounts/users.ts';
import { getTotpSecret, newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { extendLockSignal, LOCKOUT_WORKFLOW, lockoutWorkflowId } from '../../workflows/lockout-contracts.ts';
import { tenantWithUser } from '../support/harness.ts';

export const HISTORIES_DIR = new URL('./histories/', import.meta.url);

async function save(client: Client, name: string, api: JourneyApi): Promise<void> {
  const handle = client.workflow.getHandle(api.journey!.id);
  await handle.result();
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
}

/** The newest mail to `to` (the dev mailbox keeps bodies), waiting a little for it. */
async function mailedText(db: Db, tenant: string, to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [row] = await db`SELECT text_body FROM mail_messages WHERE tenant_id = ${tenant} AND recipient = ${to} ORDER BY id DESC LIMIT 1`;
    if (row?.text_body) return String(row.text_body);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

/** The token of the newest link mailed to `to`. */
async function mailedToken(db: Db, tenant: string, to: string): Promise<string> {
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(await mailedText(db, tenant, to))?.[1];
  if (!token) throw new Error(`no link mailed to ${to}`);
  return token;
}

async function saveWorkflow(client: Client, name: string, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
}

/** Signup with verification, the link followed (registration workflow + link sign-in), and a password reset. */
async function recordAccountJourneys(base: string, client: Client, db: Db, taskQueue: string): Promise<void> {
  const { tenant, login } = await tenantWithUser(db);
  await updateRegistrationSettings(db, tenant, { forceProfileUpdate: true });
  const email = `new@${tenant}.example`;
  const signup = new JourneyApi(base, tenant);
  await signup.start('registration');
  await signup.submit({ email, name: 'New User', password: 'Password1', invitation: '' });
  await signup.submit({ email, name: 'New User', password: 'violet staple orbit 42', invitation: '' });
  await save(client, 'registration-verify', signup);
  const [user] = await db`SELECT id FROM users WHERE tenant_id = ${tenant} AND email = ${email}`;
  const follower = new JourneyApi(base, tenant);
  const followed = await follower.request('POST', `/t/${tenant}/api/links`, { token: await mailedToken(db, tenant, email) });
  follower.journey = followed.body;
  await follower.submit({ name: 'New User' });
  await save(client, 'link-sign-in-profile-review', follower);
  const registration = client.workflow.getHandle(registrationWorkflowId(tenant, user!.id));
  await registration.result();
  await saveWorkflow(client, 'registration-workflow-verified', registration.workflowId);

  const recovery = new JourneyApi(base, tenant);
  await recovery.start('recovery');
  await recovery.submit({ username: login });
  const other = new JourneyApi(base, tenant);
  const moved = await other.request('POST', `/t/${tenant}/api/links`, { token: await mailedToken(db, tenant, login) });
  other.journey = moved.body;
  await other.submit({ password: 'violet staple orbit 43', confirm: 'violet staple orbit 44', username: login });
  await other.submit({ password: 'violet staple orbit 43', confirm: 'violet staple orbit 43', username: login });
  await save(client, 'recovery-link-reset', other);

  // Moderation, approved by an admin; and an invitation accepted at signup.
  await updateRegistrationSettings(db, tenant, { moderation: { enabled: true, notify: [`ops@${tenant}.example`] } });
  const moderated = new JourneyApi(base, tenant);
  await moderated.start('registration');
  await moderated.submit({ email: `mod@${tenant}.example`, name: 'Mo Derated', password: 'violet staple orbit 42', invitation: '' });
  const [pending] = await db`SELECT id FROM users WHERE tenant_id = ${tenant} AND email = ${`mod@${tenant}.example`}`;
  const approval = client.workflow.getHandle(registrationWorkflowId(tenant, pending!.id));
  await approval.executeUpdate(approveUpdate, { args: [{ by: 'admin:recorder' }] });
  await approval.result();
  await saveWorkflow(client, 'registration-workflow-approved', approval.workflowId);

  const invited = `inv@${tenant}.example`;
  const invitation = await createInvitation(db, client, { publicUrl: base, taskQueue } as Config, { tenant, email: invited, inviter: 'cli', ttlMs: 86_400_000 });
  const code = /#invite=([A-Za-z0-9_-]+)/.exec(await mailedText(db, tenant, invited))![1]!;
  const joining = new JourneyApi(base, tenant);
  await joining.start('registration');
  await joining.submit({ email: invited, name: 'In Vited', password: 'violet staple orbit 42', invitation: code });
  const handle = client.workflow.getHandle(invitation.workflowId);
  await handle.result();
  await saveWorkflow(client, 'invitation-workflow-accepted', invitation.workflowId);

  // A signup with a taken address: the notice workflow mails its owner.
  const taken = new JourneyApi(base, tenant);
  await taken.start('registration');
  await taken.submit({ email: invited, name: 'Someone Else', password: 'violet staple orbit 42', invitation: '' });
  const notice = client.workflow.getHandle(signupNoticeWorkflowId(tenant, taken.journey!.id));
  await notice.result();
  await saveWorkflow(client, 'signup-notice-workflow', notice.workflowId);

  await recordBackchannelLogout(client, db, tenant, taskQueue);
}

/** A back-channel logout delivered to a relying party (a local HTTP server that answers 200). */
async function recordBackchannelLogout(client: Client, db: Db, tenant: string, taskQueue: string): Promise<void> {
  const rp = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  try {
    const uri = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/logout`;
    await ensureSigningKeys(db, tenant);
    const rpClient = await createOidcClient(db, tenant, { redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: uri });
    const [user] = await db`SELECT id FROM users WHERE tenant_id = ${tenant} LIMIT 1`;
    const input = { tenant, ssoId: `recorded-${tenant}` };
    await recordSessionClient(db, { tenant, ssoId: input.ssoId, clientId: rpClient.clientId, sid: 'sid-recorded', userId: user!.id });
    const handle = await client.workflow.start(BACKCHANNEL_LOGOUT_WORKFLOW, { workflowId: backchannelLogoutWorkflowId(input), taskQueue, args: [input] });
    const result = await handle.result() as { delivered: number };
    if (result.delivered !== 1) throw new Error('back-channel logout was not delivered');
    await saveWorkflow(client, 'backchannel-logout-delivered', handle.workflowId);
  } finally {
    rp.close();
  }
}

export async function recordJourneys(base: string, client: Client, db: Db, taskQueue: string): Promise<void> {
  await recordAccountJourneys(base, client, db, taskQueue);
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
    await saveTree(db, tenant, { ...defaultLoginTree, nodes: { ...defaultLoginTree.nodes, otp: { type: 'totp', config: { enroll: true }, next: { ok: 'success', bad: 'otp-failed', skip: 'success' } } } });
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
