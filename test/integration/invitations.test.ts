// Invitations end to end: real Temporal, database, worker and SMTP listener. Created by the CLI,
// the admin API and signed-in users (quota, CSRF checks, no enumeration); mailed once with the
// code in the link's fragment; accepted through acceptInvitation + the signal (workflow ends
// accepted, audited); refused when reused, revoked, expired or presented with another email.
// Most tests mount the two routers on a small app (a stand-in for the admin router's bearer
// check sets res.locals.admin); one goes through the server as it mounts them.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createInvitationActivities } from '../../activities/invitations.ts';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { acceptInvitation, findUsableInvitation, getInvitation, hashInvitationCode } from '../../core/registration/invitations.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { createSession } from '../../core/accounts/sessions.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, type User } from '../../core/accounts/users.ts';
import { invitationAcceptedSignal, invitationStateQuery, type InvitationState } from '../../workflows/invitation-contracts.ts';
import { CATALOGUE } from '../../server/api/admin/catalogue.ts';
import { bindOperations } from '../../server/api/admin/http-binding.ts';
import { operations as invitationOperations } from '../../server/api/admin/resources/invitations.ts';
import { userInvitationRoutes } from '../../server/api/invitations/routes.ts';
import { errorHandler } from '../../server/middleware/error-handler.ts';
import { loadTenant } from '../../server/middleware/load-tenant.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { codec, uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera, type Env } from '../support/processes.ts';
import { startSmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const sink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
let base: string;
let closeApp: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  const deps = { db: stack.db, temporal: stack.server.client, config: stack.config };
  const tenantRoutes = express.Router({ mergeParams: true });
  // The invitation operations alone, called by a tenant-admin token named "ops" of any tenant.
  const adminDeps = { db: stack.db, config: stack.config, temporal: async () => stack.server.client };
  tenantRoutes.use('/api/admin', (req, res, next) => {
    res.locals.principal = { actor: 'admin:ops', grants: [{ role: 'tenant-admin', tenant: req.tenant!.id }] };
    next();
  }, bindOperations(invitationOperations, 'tenant', adminDeps, CATALOGUE));
  tenantRoutes.use('/api/invitations', userInvitationRoutes(deps));
  app.use('/t/:tenant', loadTenant(stack.db), tenantRoutes);
  app.use(errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeApp = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await killAll();
  await closeApp?.();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  });
  return { status: res.status, body: await res.json() as any };
}

async function newTenant(): Promise<string> {
  const tenant = uniqueTenantId('inv');
  await createTenant(stack.db, tenant, `${tenant} Corp`);
  return tenant;
}

function mailTo(to: string): Promise<SunkMail> {
  return sink.waitFor((m) => m.to.includes(to), 30_000);
}

/** The code from the mailed link, which must carry it only in the fragment. */
function codeOf(mail: SunkMail, tenant: string): string {
  const match = new RegExp(`(http://[^\\s"]+/t/${tenant}/ui/signup)#invite=([A-Za-z0-9_-]{43})`).exec(mail.text);
  expect(match, mail.text).not.toBeNull();
  expect(mail.html).toContain(`#invite=${match![2]}`);
  expect(mail.subject).not.toContain(match![2]);
  return match![2]!;
}

/** The code mailed for invitation `id`, once the activity has stored its hash. */
async function mailedCode(tenant: string, email: string, id: string): Promise<string> {
  const code = codeOf(await mailTo(email), tenant);
  await expect.poll(async () => (await stack.db`SELECT code_hash FROM invitations WHERE tenant_id = ${tenant} AND id = ${id}`)[0]?.code_hash,
    { timeout: 30_000 }).toBe(hashInvitationCode(code));
  return code;
}

/** Every payload of the workflow's history, decrypted with the test codec, as one string. */
async function decodedHistory(workflowId: string): Promise<string> {
  const history = await stack.server.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  const collect = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if ('metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array) payloads.push(value as Payload);
    else for (const inner of Object.values(value)) collect(inner);
  };
  collect(history.events);
  expect(payloads.length).toBeGreaterThan(3);
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data!).toString('utf8')).join('\n');
}

async function audit(tenant: string, invitationId: string) {
  return stack.db`SELECT type, actor, subject FROM audit_events WHERE tenant_id = ${tenant} AND data->>'invitation' = ${invitationId} ORDER BY id`;
}

async function workflowState(workflowId: string): Promise<InvitationState> {
  return stack.server.client.workflow.getHandle(workflowId).query(invitationStateQuery);
}

async function signedIn(tenant: string, name = 'Ina Viter'): Promise<{ user: User; cookie: string }> {
  const user = await createUser(stack.db, tenant, { email: `${randomBytes(4).toString('hex')}@${tenant}.example`, name });
  const token = await createSession(stack.db, {
    tenant, userId: user.id, journeyId: randomBytes(16).toString('base64url'), ssoId: randomBytes(16).toString('base64url'),
    acr: 'test', amr: ['pwd'], authTime: new Date(),
  });
  return { user, cookie: `tessera_session=${token}` };
}

describe('CLI', () => {
  let env: Env;
  beforeAll(() => {
    env = {
      DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.config.temporalAddress, TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
      TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, PUBLIC_URL: stack.config.publicUrl, SMTP_URL: sink.url,
      DATA_DIR: `${inject('scratchDir')}/cli-invitations`,
    };
  });

  it('creates an invitation that is mailed, lists it and revokes it; refuses what it cannot do in one line', async () => {
    const tenant = await newTenant();
    const email = `cli@${tenant}.example`;
    const created = await runTessera(['invitations', 'create', '--tenant', tenant, '--email', email, '--ttl', '3d', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const invitation = JSON.parse(created.stdout);
    expect(invitation).toMatchObject({ email, status: 'pending', inviter: expect.stringMatching(/^cli:/) });
    expect(new Date(invitation.expires).getTime() - Date.now()).toBeGreaterThan(3 * 86_400_000 - 120_000);
    const mail = await mailTo(email);
    expect(mail.subject).toBe(`You are invited to ${tenant}`);
    expect(mail.text).toContain(`${tenant} Corp invites you`);
    expect(mail.text).toContain('expires in 3 days');
    expect(created.stdout).not.toContain(codeOf(mail, tenant));

    const list = await runTessera(['invitations', 'list', '--tenant', tenant], env);
    expect(list.stdout).toMatch(new RegExp(`${invitation.id}\\s+${email}\\s+pending`));

    const revoked = await runTessera(['invitations', 'revoke', '--tenant', tenant, '--id', invitation.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^status: revoked$/m);
    for (const [args, error] of [
      [['revoke', '--id', invitation.id], /has already ended/],
      [['revoke', '--id', '00000000-0000-4000-8000-000000000000'], /no invitation/],
      [['create', '--email', 'not-an-address'], /not a valid address/],
      [['create', '--email', email, '--ttl', 'soon'], /--ttl must be a duration/],
    ] as const) {
      const res = await runTessera(['invitations', ...args, '--tenant', tenant], env);
      expect(res.code, res.stdout).not.toBe(0);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(error);
    }
  });

  it('says in one line when there is no Temporal to reach', async () => {
    const tenant = await newTenant();
    const res = await runTessera(['invitations', 'create', '--tenant', tenant, '--email', `x@${tenant}.example`],
      { ...env, TEMPORAL_ADDRESS: undefined, DATA_DIR: `${inject('scratchDir')}/no-temporal-${tenant}` });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toMatch(/^tessera: Temporal is not running: set TEMPORAL_ADDRESS/);
    expect(await stack.db`SELECT 1 FROM invitations WHERE tenant_id = ${tenant}`).toHaveLength(0);
  });
});

describe('admin API and acceptance', () => {
  it('creates, mails once (through a refusing mail server) and accepts an invitation once, then ends the workflow accepted', async () => {
    const tenant = await newTenant();
    const email = `Guest@${tenant}.example`;
    sink.refuseNext(2);
    const res = await call('POST', `/t/${tenant}/api/admin/invitations`, { email, ttl: '2d' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: email.toLowerCase(), status: 'pending', inviter: 'admin:ops' });
    expect(JSON.stringify(res.body)).not.toMatch(/code|hash/i);
    const mail = await mailTo(email.toLowerCase());
    const code = codeOf(mail, tenant);
    expect(sink.messages.filter((m) => m.to.includes(email.toLowerCase()))).toHaveLength(1);
    const { id } = res.body;
    const invitation = (await getInvitation(stack.db, tenant, id))!;
    // The mail reaches the listener a moment before the activity has stored the code's hash.
    await expect.poll(async () => (await workflowState(invitation.workflowId)).mail.state, { timeout: 30_000 }).toBe('sent');

    expect(await findUsableInvitation(stack.db, tenant, code, email)).toEqual({ id, workflowId: invitation.workflowId });
    expect(await findUsableInvitation(stack.db, tenant, code, `other@${tenant}.example`)).toBeUndefined();
    const user = await createUser(stack.db, tenant, { email, status: 'pending' });
    expect(await acceptInvitation(stack.db, tenant, code, `other@${tenant}.example`, user.id)).toEqual({ ok: false, reason: 'unknown' });
    expect(await acceptInvitation(stack.db, tenant, code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), email, user.id)).toEqual({ ok: false, reason: 'unknown' });
    const accepted = await acceptInvitation(stack.db, tenant, code, email.toUpperCase(), user.id);
    expect(accepted).toEqual({ ok: true, id, workflowId: invitation.workflowId });
    // A retry for the same account gets the same answer; any other account is refused.
    expect(await acceptInvitation(stack.db, tenant, code, email, user.id)).toEqual(accepted);
    expect(await acceptInvitation(stack.db, tenant, code, email, randomUUID())).toEqual({ ok: false, reason: 'used' });
    expect(await findUsableInvitation(stack.db, tenant, code, email)).toBeUndefined();

    const handle = stack.server.client.workflow.getHandle(invitation.workflowId);
    await handle.signal(invitationAcceptedSignal, { userId: user.id });
    expect(await handle.result()).toMatchObject({ status: 'accepted', acceptedUserId: user.id });
    const history = await decodedHistory(invitation.workflowId);
    expect(history).toContain(user.id);
    expect(history).not.toContain(code);
    expect(await audit(tenant, id)).toEqual([
      expect.objectContaining({ type: 'invitation.sent', actor: 'admin:ops' }),
      expect.objectContaining({ type: 'invitation.accepted', subject: user.id }),
    ]);
    expect((await call('POST', `/t/${tenant}/api/admin/invitations/${id}/revoke`)).status).toBe(409);
    expect((await call('GET', `/t/${tenant}/api/admin/invitations`)).body.invitations).toEqual([expect.objectContaining({ id, status: 'accepted', acceptedUserId: user.id })]);
  });

  it('revokes through the workflow (audited with the admin), after which the code is refused', async () => {
    const tenant = await newTenant();
    const email = `revoked@${tenant}.example`;
    const { body } = await call('POST', `/t/${tenant}/api/admin/invitations`, { email });
    const code = await mailedCode(tenant, email, body.id);
    const revoked = await call('POST', `/t/${tenant}/api/admin/invitations/${body.id}/revoke`);
    expect(revoked).toMatchObject({ status: 200, body: { id: body.id, status: 'revoked' } });
    expect(await stack.server.client.workflow.getHandle((await getInvitation(stack.db, tenant, body.id))!.workflowId).result())
      .toMatchObject({ status: 'revoked', revokedBy: 'admin:ops' });
    expect(await audit(tenant, body.id)).toContainEqual(expect.objectContaining({ type: 'invitation.revoked', actor: 'admin:ops' }));
    const user = await createUser(stack.db, tenant, { email, status: 'pending' });
    expect(await acceptInvitation(stack.db, tenant, code, email, user.id)).toEqual({ ok: false, reason: 'revoked' });
    expect((await call('POST', `/t/${tenant}/api/admin/invitations/${body.id}/revoke`)).body.error.code).toBe('invitation_finished');
    expect((await call('POST', `/t/${tenant}/api/admin/invitations/00000000-0000-4000-8000-000000000000/revoke`)).status).toBe(404);
    expect((await call('POST', `/t/${tenant}/api/admin/invitations/nope/revoke`)).status).toBe(404);
    // Another tenant's invitation is unknown here.
    const other = await newTenant();
    expect((await call('POST', `/t/${other}/api/admin/invitations/${body.id}/revoke`)).status).toBe(404);

    // Read back one by id, and listed by status.
    const { body: open } = await call('POST', `/t/${tenant}/api/admin/invitations`, { email: `open@${tenant}.example` });
    expect(await call('GET', `/t/${tenant}/api/admin/invitations/${body.id}`)).toMatchObject({ status: 200, body: { id: body.id, email, status: 'revoked' } });
    expect(await call('GET', `/t/${tenant}/api/admin/invitations/${open.id}`)).toMatchObject({ status: 200, body: { id: open.id, status: 'pending' } });
    expect((await call('GET', `/t/${tenant}/api/admin/invitations/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await call('GET', `/t/${other}/api/admin/invitations/${body.id}`)).status).toBe(404);
    const ids = async (query: string) => (await call('GET', `/t/${tenant}/api/admin/invitations?${query}`)).body.items.map((i: { id: string }) => i.id);
    expect(await ids('status=revoked')).toEqual([body.id]);
    expect(await ids('status=pending')).toEqual([open.id]);
    expect(await ids('status=accepted')).toEqual([]);
    expect((await ids('')).sort()).toEqual([body.id, open.id].sort());
    expect((await call('GET', `/t/${tenant}/api/admin/invitations?status=bogus`)).status).toBe(400);
  });

  it('refuses an expired code', async () => {
    const tenant = await newTenant();
    const email = `late@${tenant}.example`;
    const { body } = await call('POST', `/t/${tenant}/api/admin/invitations`, { email });
    const code = await mailedCode(tenant, email, body.id);
    await stack.db`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE tenant_id = ${tenant} AND id = ${body.id}`;
    const user = await createUser(stack.db, tenant, { email, status: 'pending' });
    expect(await findUsableInvitation(stack.db, tenant, code, email)).toBeUndefined();
    expect(await acceptInvitation(stack.db, tenant, code, email, user.id)).toEqual({ ok: false, reason: 'expired' });
    expect((await getInvitation(stack.db, tenant, body.id))!.status).toBe('expired');
    expect((await call('POST', `/t/${tenant}/api/admin/invitations/${body.id}/revoke`)).status).toBe(409);
    // What the workflow's timer then runs (test/workflows covers the timer): the row and the audit.
    const { finishInvitation } = createInvitationActivities({ db: stack.db, config: stack.config });
    const end = { tenant, invitationId: body.id, outcome: 'expired' } as const;
    expect(await finishInvitation(end)).toEqual({ status: 'expired' });
    expect(await finishInvitation(end)).toEqual({ status: 'expired' });
    expect((await stack.db`SELECT status FROM invitations WHERE tenant_id = ${tenant} AND id = ${body.id}`)[0]!.status).toBe('expired');
    expect((await audit(tenant, body.id)).filter((e) => e.type === 'invitation.expired')).toHaveLength(1);
  });

  it('refuses bad input and an address that has an account, changing nothing', async () => {
    const tenant = await newTenant();
    await createUser(stack.db, tenant, { email: `taken@${tenant}.example` });
    const path = `/t/${tenant}/api/admin/invitations`;
    expect(await call('POST', path, { email: `taken@${tenant}.example` })).toMatchObject({ status: 409, body: { error: { code: 'already_registered' } } });
    expect(await call('POST', path, { email: 'nope' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_email' } } });
    expect(await call('POST', path, { email: `a@${tenant}.example`, ttl: 'forever' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await call('POST', path, { email: `a@${tenant}.example`, ttl: '30s' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_ttl' } } });
    expect(await call('POST', path, { email: `a@${tenant}.example`, code: 'mine' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await stack.db`SELECT 1 FROM invitations WHERE tenant_id = ${tenant}`).toHaveLength(0);
  });
});

describe('as the server mounts them', () => {
  it('needs an admin token for the admin routes (recorded as the inviter) and a session for the user routes', async () => {
    const tenant = await newTenant();
    const { token } = await createAdminToken(stack.db, tenant, 'ops-team');
    const url = `${stack.url}/t/${tenant}/api`;
    const post = (path: string, headers: Record<string, string>) => fetch(`${url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email: `m@${tenant}.example` }),
    });
    expect((await post('/admin/invitations', {})).status).toBe(401);
    const created = await post('/admin/invitations', { authorization: `Bearer ${token}` });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ inviter: 'admin:ops-team', status: 'pending' });
    expect((await post('/invitations', {})).status).toBe(401);
  });
});

describe('user API', () => {
  it('needs a session, the tenant setting and a same-site JSON request', async () => {
    const tenant = await newTenant();
    const { cookie } = await signedIn(tenant);
    const path = `/t/${tenant}/api/invitations`;
    const email = { email: `friend@${tenant}.example` };
    expect(await call('POST', path, email)).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(await call('GET', path)).toMatchObject({ status: 401 });
    expect(await call('POST', path, email, { cookie: 'tessera_session=forgedforgedforgedforged' })).toMatchObject({ status: 401 });
    expect(await call('POST', path, email, { cookie })).toMatchObject({ status: 403, body: { error: { code: 'invitations_disabled' } } });
    await updateRegistrationSettings(stack.db, tenant, { invitations: { usersMayInvite: true } });
    expect(await call('POST', path, email, { cookie, origin: 'https://evil.example' })).toMatchObject({ status: 403, body: { error: { code: 'cross_site_request' } } });
    expect(await call('POST', path, email, { cookie, origin: 'null' })).toMatchObject({ status: 403 });
    expect(await call('POST', path, email, { cookie, 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    const form = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: JSON.stringify(email) });
    expect(form.status).toBe(415);
    expect(await stack.db`SELECT 1 FROM invitations WHERE tenant_id = ${tenant}`).toHaveLength(0);
    expect(await call('POST', path, email, { cookie, origin: base, 'sec-fetch-site': 'same-origin' })).toMatchObject({ status: 201 });
  });

  it('keeps to the quota (revoked ones do not count), lists only the own, and does not tell who is registered', async () => {
    const tenant = await newTenant();
    await updateRegistrationSettings(stack.db, tenant, { invitations: { usersMayInvite: true, quota: 2 } });
    const { user, cookie } = await signedIn(tenant, 'Ina Viter');
    const path = `/t/${tenant}/api/invitations`;

    const first = await call('POST', path, { email: `one@${tenant}.example` }, { cookie });
    expect(first).toMatchObject({ status: 201, body: { email: `one@${tenant}.example`, status: 'pending' } });
    expect(Object.keys(first.body).sort()).toEqual(['acceptedAt', 'createdAt', 'email', 'expiresAt', 'id', 'status']);
    const mail = await mailTo(`one@${tenant}.example`);
    expect(mail.text).toContain('Ina Viter invites you');
    expect(mail.text).toContain('expires in 7 days');
    codeOf(mail, tenant);
    await expect.poll(() => audit(tenant, first.body.id), { timeout: 30_000 })
      .toEqual([expect.objectContaining({ type: 'invitation.sent', actor: `user:${user.id}` })]);

    // An address with an account: the same answer, listed like the others, but nothing mailed.
    const existing = await createUser(stack.db, tenant, { email: `member@${tenant}.example` });
    const second = await call('POST', path, { email: existing.email }, { cookie });
    expect(second.status).toBe(201);
    expect(Object.keys(second.body).sort()).toEqual(Object.keys(first.body).sort());
    const secondRow = (await getInvitation(stack.db, tenant, second.body.id))!;
    await expect.poll(async () => (await workflowState(secondRow.workflowId)).mail.state, { timeout: 30_000 }).toBe('skipped');
    expect(sink.messages.filter((m) => m.to.includes(existing.email!))).toHaveLength(0);

    expect(await call('POST', path, { email: `three@${tenant}.example` }, { cookie })).toMatchObject({ status: 403, body: { error: { code: 'quota_exceeded' } } });
    await call('POST', `/t/${tenant}/api/admin/invitations/${first.body.id}/revoke`);
    expect(await call('POST', path, { email: `three@${tenant}.example` }, { cookie })).toMatchObject({ status: 201 });
    expect(await call('POST', path, { email: `four@${tenant}.example` }, { cookie })).toMatchObject({ status: 403 });

    const other = await signedIn(tenant, 'Someone Else');
    const mine = await call('GET', path, undefined, { cookie });
    expect(mine.body.invitations.map((i: { email: string; status: string }) => `${i.email} ${i.status}`).sort()).toEqual([
      `member@${tenant}.example pending`, `one@${tenant}.example revoked`, `three@${tenant}.example pending`,
    ]);
    expect((await call('GET', path, undefined, { cookie: other.cookie })).body.invitations).toEqual([]);
  });

  it('lets concurrent requests past the quota only as far as it goes', async () => {
    const tenant = await newTenant();
    await updateRegistrationSettings(stack.db, tenant, { invitations: { usersMayInvite: true, quota: 2 } });
    const { cookie } = await signedIn(tenant);
    const results = await Promise.all([1, 2, 3, 4].map((n) => call('POST', `/t/${tenant}/api/invitations`, { email: `c${n}@${tenant}.example` }, { cookie })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 403, 403]);
  });
});
