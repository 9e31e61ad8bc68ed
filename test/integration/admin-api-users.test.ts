// Users through the management API against the real server, Temporal, the database and an SMTP
// listener: search and pagination, create under the password policy, PATCH with If-Match, delete;
// credentials shown without secrets, set (ending sessions) and reset by a mailed recovery link that
// the existing link page and recovery tree accept; sessions listed by a public id and ended as a
// logout ends them (back-channel logout workflow, row revoked); linked identities and groups; role
// checks; every change an audit event naming the caller; and the `tessera users` verbs.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { getPasswordHash, getUser, createUser, type User } from '../../core/accounts/users.ts';
import { verifyPassword } from '../../core/accounts/passwords.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { saveCredential } from '../../core/accounts/webauthn-credentials.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { linkIdentity } from '../../core/federation/federated-identities.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { backchannelLogoutWorkflowId } from '../../workflows/backchannel-logout-contracts.ts';
import { adminRequest, awaitingApproval } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { childEnv, killAll, ROOT, runTessera, type Env, type RunResult } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const sink: SmtpSink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
const { db } = stack;
afterAll(() => killAll());

const PASSWORD = 'a sturdy old passphrase';
const NEW_PASSWORD = 'an even sturdier passphrase';
const tokenIn = (mail: SunkMail) => /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];

async function setup() {
  const tenant = uniqueTenantId('usr');
  await createTenant(db, tenant);
  const { token } = await createAdminToken(db, tenant, 'ops');
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer = token) =>
    adminRequest(stack.url, tenant, bearer, method, path, body, headers);
  const newUser = async (local: string, extra: Record<string, unknown> = {}): Promise<User> =>
    createUser(db, tenant, { email: `${local}@${tenant}.example`, password: PASSWORD, ...extra });
  return { tenant, token, api, newUser };
}

async function auditOf(tenant: string, type: string) {
  return (await listAudit(db, tenant, 500)).filter((e) => e.type === type);
}

/** Signs in with the default login tree; returns the session cookie value. */
async function logIn(tenant: string, email: string, password = PASSWORD): Promise<string> {
  const browser = new JourneyApi(stack.url, tenant);
  await browser.start('login');
  await browser.submit({ username: email });
  const done = await browser.submit({ password });
  expect(done.body.status).toBe('succeeded');
  return browser.cookies.get('tessera_session')!;
}

async function ssoIdOf(tenant: string, cookie: string): Promise<string> {
  return (await getSession(db, tenant, cookie))!.ssoId;
}

async function backchannelStarted(tenant: string, ssoId: string, userId: string): Promise<boolean> {
  try {
    await stack.server.client.workflow.getHandle(backchannelLogoutWorkflowId({ tenant, ssoId, userId })).describe();
    return true;
  } catch {
    return false;
  }
}

describe('users: create, search, read, change, delete', () => {
  it('creates a user under the password policy, never answering or auditing the password', async () => {
    const { tenant, api } = await setup();
    const created = await api('POST', '/users', {
      email: 'Ann.Lee@Example.test', name: 'Ann Lee', password: PASSWORD, emailVerified: true, attributes: { department: 'ops' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), username: 'Ann.Lee@Example.test', email: 'ann.lee@example.test', emailVerified: true, name: 'Ann Lee',
      status: 'active', attributes: { department: 'ops' }, createdAt: expect.any(String), updatedAt: expect.any(String), lastLoginAt: null,
    });
    expect(await verifyPassword(await getPasswordHash(db, tenant, created.body.id), PASSWORD)).toBe(true);
    const [event] = await auditOf(tenant, 'admin.users.create');
    expect(event).toMatchObject({ actor: 'admin:ops', subject: created.body.id, data: { password: true, status: 'active' } });
    expect(JSON.stringify(await listAudit(db, tenant, 100))).not.toContain(PASSWORD);

    const refusals: [unknown, number, string][] = [
      [{ email: 'weak@example.test', password: 'password1' }, 400, 'weak_password'],
      [{ email: 'short@example.test', password: 'short' }, 400, 'weak_password'],
      [{ email: 'self@example.test', password: 'self@example.test' }, 400, 'weak_password'],
      [{ email: 'ANN.LEE@example.test' }, 409, 'user_exists'],
      [{ email: 'not an email' }, 400, 'invalid_request'],
      [{ name: 'Nobody' }, 400, 'invalid_request'],
      [{ email: 'x@example.test', role: 'super-admin' }, 400, 'invalid_request'],
      [{ email: 'x@example.test', status: 'gone' }, 400, 'invalid_request'],
      [{ email: 'x@example.test', password: 'x'.repeat(257) }, 400, 'invalid_request'],
      [{ email: 'x@example.test', attributes: { Bad: 'x' } }, 400, 'invalid_request'],
      [{ email: 'x@example.test', attributes: { email: 'x' } }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await api('POST', '/users', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code, JSON.stringify(body)).toBe(code);
    }
    expect((await api('GET', '/users')).body.items).toHaveLength(1);
    expect(await auditOf(tenant, 'admin.users.create')).toHaveLength(1);
  });

  it('searches by part of the username, email or name, by status and by group, one page at a time', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann', { name: 'Ann Smith' });
    const bob = await newUser('bob', { name: 'Robert Jones', status: 'disabled' });
    const cid = await newUser('cid', { name: 'Cid SMITHERS' });
    const emails = (res: { body: { items: { email: string }[] } }) => res.body.items.map((u) => u.email);
    expect(emails(await api('GET', '/users?q=smith'))).toEqual([ann.email, cid.email]);
    expect(emails(await api('GET', '/users?q=BOB@'))).toEqual([bob.email]);
    expect(emails(await api('GET', '/users?status=disabled'))).toEqual([bob.email]);
    expect(emails(await api('GET', '/users?q=%25'))).toEqual([]);

    const group = await api('POST', '/groups', { name: 'staff' });
    expect(await api('PUT', `/users/${cid.id}/groups/${group.body.id}`)).toMatchObject({ status: 204 });
    expect(emails(await api('GET', `/users?group=${group.body.id}`))).toEqual([cid.email]);
    expect(emails(await api('GET', '/users?group=staff'))).toEqual([cid.email]);
    expect(emails(await api('GET', '/users?group=nothing'))).toEqual([]);

    const first = await api('GET', '/users?limit=2');
    expect(emails(first)).toEqual([ann.email, bob.email]);
    const second = await api('GET', `/users?limit=2&cursor=${first.body.next}`);
    expect(second.body).toMatchObject({ next: null });
    expect(emails(second)).toEqual([cid.email]);
    for (const bad of ['limit=0', 'limit=201', 'cursor=nope', 'status=gone', `q=${'x'.repeat(201)}`]) {
      expect((await api('GET', `/users?${bad}`)).status, bad).toBe(400);
    }
  });

  it('changes only what PATCH sends, honours If-Match, and refuses bad or clashing values without changing anything', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann', { emailVerified: true, attributes: { department: 'ops', floor: '3' } });
    const other = await newUser('other');
    const read = await api('GET', `/users/${ann.id}`);
    expect(read.body).toMatchObject({ id: ann.id, emailVerified: true, attributes: { department: 'ops', floor: '3' } });
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^W\//);

    const changed = await api('PATCH', `/users/${ann.id}`, { name: 'Ann', attributes: { floor: null, team: 'blue' } }, { 'if-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Ann', email: ann.email, emailVerified: true, attributes: { department: 'ops', team: 'blue' } });
    expect(changed.body.attributes).not.toHaveProperty('floor');
    expect(changed.headers.get('etag')).not.toBe(etag);

    const stale = await api('PATCH', `/users/${ann.id}`, { name: 'Stale' }, { 'if-match': etag });
    expect(stale).toMatchObject({ status: 412, body: { error: { code: 'precondition_failed' } } });
    expect(await api('DELETE', `/users/${ann.id}`, undefined, { 'if-match': etag })).toMatchObject({ status: 412 });

    const moved = await api('PATCH', `/users/${ann.id}`, { email: `New.Ann@${tenant}.example` });
    expect(moved.body).toMatchObject({ email: `new.ann@${tenant}.example`, emailVerified: false });

    const before = (await api('GET', `/users/${ann.id}`)).body;
    const refusals: [unknown, number, string][] = [
      [{ email: other.email!.toUpperCase() }, 409, 'user_exists'],
      [{ username: other.username }, 409, 'user_exists'],
      [{ status: 'gone' }, 400, 'invalid_request'],
      [{ email: 'nope' }, 400, 'invalid_request'],
      [{ username: 'has space' }, 400, 'invalid_request'],
      [{ attributes: { 'no-dashes': 'x' } }, 400, 'invalid_request'],
      [{ attributes: { team: 'two\nlines' } }, 400, 'invalid_request'],
      [{ password: NEW_PASSWORD }, 400, 'invalid_request'],
      [{ id: randomUUID() }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await api('PATCH', `/users/${ann.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code, JSON.stringify(body)).toBe(code);
    }
    expect((await api('GET', `/users/${ann.id}`)).body).toEqual(before);
    expect(await auditOf(tenant, 'admin.users.update')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: ann.id, data: { changed: ['email'] } }),
      expect.objectContaining({ actor: 'admin:ops', subject: ann.id, data: { changed: ['attributes', 'name'] } }),
    ]);
  });

  it('answers 404 for an unknown or malformed id on every user route', async () => {
    const { api } = await setup();
    for (const id of [randomUUID(), 'not-a-uuid', '------------------------------------']) {
      for (const [method, path, body] of [
        ['GET', `/users/${id}`], ['PATCH', `/users/${id}`, { name: 'x' }], ['DELETE', `/users/${id}`],
        ['GET', `/users/${id}/credentials`], ['PUT', `/users/${id}/password`, { password: NEW_PASSWORD }],
        ['POST', `/users/${id}/password-reset`], ['DELETE', `/users/${id}/totp`], ['DELETE', `/users/${id}/passkeys/abc`],
        ['GET', `/users/${id}/sessions`], ['DELETE', `/users/${id}/sessions`], ['DELETE', `/users/${id}/sessions/${randomUUID()}`],
        ['GET', `/users/${id}/identities`], ['DELETE', `/users/${id}/identities/up`],
        ['GET', `/users/${id}/groups`], ['PUT', `/users/${id}/groups/${randomUUID()}`], ['DELETE', `/users/${id}/groups/${randomUUID()}`],
      ] as [string, string, unknown?][]) {
        const res = await api(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code, `${method} ${path}`).toBe('not_found');
      }
    }
  });

  it('refuses a status change of an account awaiting approval', async () => {
    const { tenant, api } = await setup();
    const { user } = await awaitingApproval(db, stack.server.client, stack.config, tenant);
    expect(await api('PATCH', `/users/${user.id}`, { status: 'active' })).toMatchObject({ status: 409, body: { error: { code: 'approval_pending' } } });
    expect((await getUser(db, tenant, user.id))?.status).toBe('pending');
    expect(await api('PATCH', `/users/${user.id}`, { name: 'Still pending' })).toMatchObject({ status: 200, body: { status: 'pending' } });
  });

  it('deletes a user with everything that hangs off them, ending their sessions as a logout does', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const cookie = await logIn(tenant, ann.email!);
    const ssoId = await ssoIdOf(tenant, cookie);
    const etag = (await api('GET', `/users/${ann.id}`)).headers.get('etag')!;
    expect(await api('DELETE', `/users/${ann.id}`, undefined, { 'if-match': etag })).toMatchObject({ status: 204 });
    expect(await getUser(db, tenant, ann.id)).toBeUndefined();
    expect(await getSession(db, tenant, cookie)).toBeUndefined();
    expect(await db`SELECT 1 FROM sessions WHERE tenant_id = ${tenant} AND user_id = ${ann.id}`).toHaveLength(0);
    expect(await backchannelStarted(tenant, ssoId, ann.id)).toBe(true);
    expect(await api('GET', `/users/${ann.id}`)).toMatchObject({ status: 404 });
    expect(await auditOf(tenant, 'admin.users.delete')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: ann.id })]);
  });
});

describe('users: sessions', () => {
  it('lists live sessions by a public id and ends one, or all, as a logout does', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const first = await logIn(tenant, ann.email!);
    const second = await logIn(tenant, ann.email!);
    const listed = await api('GET', `/users/${ann.id}/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.items[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), acr: expect.any(String), amr: ['pwd'], authTime: expect.any(String),
      createdAt: expect.any(String), lastSeenAt: expect.any(String), expiresAt: expect.any(String),
    });
    const text = JSON.stringify(listed.body);
    for (const cookie of [first, second]) {
      expect(text).not.toContain(cookie);
      expect(text).not.toContain(createHash('sha256').update(cookie).digest('hex').slice(0, 12));
    }
    const paged = await api('GET', `/users/${ann.id}/sessions?limit=1`);
    const rest = await api('GET', `/users/${ann.id}/sessions?limit=1&cursor=${paged.body.next}`);
    expect([...paged.body.items, ...rest.body.items]).toEqual(listed.body.items);
    expect(rest.body.next).toBeNull();

    const [row] = await db`SELECT id FROM sessions WHERE tenant_id = ${tenant} AND id_hash = ${createHash('sha256').update(second).digest('hex')}`;
    const secondSso = await ssoIdOf(tenant, second);
    expect(await api('DELETE', `/users/${ann.id}/sessions/${row!.id}`)).toMatchObject({ status: 204 });
    expect(await getSession(db, tenant, second)).toBeUndefined();
    expect(await getSession(db, tenant, first)).toBeDefined();
    expect(await backchannelStarted(tenant, secondSso, ann.id)).toBe(true);
    expect(await api('DELETE', `/users/${ann.id}/sessions/${row!.id}`)).toMatchObject({ status: 404 });
    expect(await api('DELETE', `/users/${ann.id}/sessions/not-a-uuid`)).toMatchObject({ status: 404 });
    // Another user's session is not this user's.
    const bob = await newUser('bob');
    expect(await api('DELETE', `/users/${bob.id}/sessions/${listed.body.items.find((s: { id: string }) => s.id !== row!.id).id}`)).toMatchObject({ status: 404 });
    expect(await getSession(db, tenant, first)).toBeDefined();

    const firstSso = await ssoIdOf(tenant, first);
    expect(await api('DELETE', `/users/${ann.id}/sessions`)).toMatchObject({ status: 204 });
    expect(await getSession(db, tenant, first)).toBeUndefined();
    expect(await backchannelStarted(tenant, firstSso, ann.id)).toBe(true);
    expect((await api('GET', `/users/${ann.id}/sessions`)).body).toEqual({ items: [], next: null });
    expect(await auditOf(tenant, 'admin.users.end-sessions')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: ann.id, data: { sessionsEnded: 1 } })]);
    expect(await auditOf(tenant, 'admin.users.end-session')).toEqual([expect.objectContaining({ subject: ann.id, data: { session: row!.id } })]);
  });

  it('ends the sessions of a user who is disabled', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const cookie = await logIn(tenant, ann.email!);
    const ssoId = await ssoIdOf(tenant, cookie);
    expect(await api('PATCH', `/users/${ann.id}`, { status: 'disabled' })).toMatchObject({ status: 200, body: { status: 'disabled' } });
    expect(await db`SELECT 1 FROM sessions WHERE tenant_id = ${tenant} AND user_id = ${ann.id} AND revoked_at IS NULL`).toHaveLength(0);
    expect(await backchannelStarted(tenant, ssoId, ann.id)).toBe(true);
    expect(await auditOf(tenant, 'admin.users.update')).toEqual([expect.objectContaining({ data: { changed: ['status'], status: 'disabled' } })]);
  });
});

describe('users: credentials', () => {
  it('shows how a user signs in without any secret, and removes TOTP and passkeys', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, ann.id, secret, 0);
    const publicKey = new Uint8Array(Buffer.from('a public key that must not leave the server'));
    await saveCredential(db, {
      tenant, id: 'cred-one', userId: ann.id, publicKey, counter: 0, transports: ['internal'], deviceType: 'multiDevice', backedUp: true, aaguid: 'x',
    });
    const shown = await api('GET', `/users/${ann.id}/credentials`);
    expect(shown.body).toEqual({
      password: { set: true, updatedAt: expect.any(String) },
      totp: { enrolled: true, enrolledAt: expect.any(String) },
      passkeys: [{ id: 'cred-one', name: null, deviceType: 'multiDevice', backedUp: true, transports: ['internal'], createdAt: expect.any(String), lastUsedAt: null }],
    });
    const text = JSON.stringify(shown.body);
    for (const leak of [secret, Buffer.from(publicKey).toString('base64'), (await getPasswordHash(db, tenant, ann.id))!]) expect(text).not.toContain(leak);

    expect(await api('DELETE', `/users/${ann.id}/totp`)).toMatchObject({ status: 204 });
    expect(await api('DELETE', `/users/${ann.id}/totp`)).toMatchObject({ status: 404 });
    expect(await api('DELETE', `/users/${ann.id}/passkeys/cred-one`)).toMatchObject({ status: 204 });
    expect(await api('DELETE', `/users/${ann.id}/passkeys/cred-one`)).toMatchObject({ status: 404 });
    expect((await api('GET', `/users/${ann.id}/credentials`)).body).toMatchObject({ totp: { enrolled: false, enrolledAt: null }, passkeys: [] });
    expect(await auditOf(tenant, 'admin.users.remove-totp')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: ann.id })]);
    expect(await auditOf(tenant, 'admin.users.remove-passkey')).toEqual([expect.objectContaining({ subject: ann.id, data: { passkey: 'cred-one' } })]);
  });

  it('sets a password under the policy, ending the sessions, and never answers or audits it', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const cookie = await logIn(tenant, ann.email!);
    for (const body of [{ password: 'password1' }, { password: 'short' }, { password: ann.email }, { password: NEW_PASSWORD, extra: 1 }, {}]) {
      const res = await api('PUT', `/users/${ann.id}/password`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await verifyPassword(await getPasswordHash(db, tenant, ann.id), PASSWORD)).toBe(true);
    expect(await getSession(db, tenant, cookie)).toBeDefined();

    const set = await api('PUT', `/users/${ann.id}/password`, { password: NEW_PASSWORD });
    expect(set.status).toBe(204);
    expect(await verifyPassword(await getPasswordHash(db, tenant, ann.id), NEW_PASSWORD)).toBe(true);
    expect(await getSession(db, tenant, cookie)).toBeUndefined();

    const kept = await logIn(tenant, ann.email!, NEW_PASSWORD);
    expect(await api('PUT', `/users/${ann.id}/password`, { password: PASSWORD, endSessions: false })).toMatchObject({ status: 204 });
    expect(await getSession(db, tenant, kept)).toBeDefined();
    expect(await auditOf(tenant, 'admin.users.set-password')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: ann.id, data: { sessionsEnded: 0 } }),
      expect.objectContaining({ actor: 'admin:ops', subject: ann.id, data: { sessionsEnded: 1 } }),
    ]);
    expect(JSON.stringify(await listAudit(db, tenant, 100))).not.toContain(NEW_PASSWORD);
  });

  it('mails a single-use recovery link that the link page and the recovery tree accept', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const old = await logIn(tenant, ann.email!);
    const sent = await api('POST', `/users/${ann.id}/password-reset`);
    expect(sent).toMatchObject({ status: 202, body: { status: 'sent', email: ann.email } });
    const mail = await sink.waitFor((m) => m.to.includes(ann.email!), 30_000);
    expect(mail.subject).toBe(`Reset your password for ${tenant}`);
    const token = tokenIn(mail)!;
    expect(token).toBeDefined();
    expect(JSON.stringify(sent.body)).not.toContain(token);

    const browser = new JourneyApi(stack.url, tenant);
    const followed = await browser.request('POST', `/t/${tenant}/api/links`, { token });
    expect(followed.status).toBe(201);
    expect(followed.body).toMatchObject({ kind: 'recovery', status: 'waiting', step: { node: 'reset' } });
    browser.journey = followed.body;
    const done = await browser.submit({ password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.body.status).toBe('succeeded');
    expect(await verifyPassword(await getPasswordHash(db, tenant, ann.id), NEW_PASSWORD)).toBe(true);
    expect(await getSession(db, tenant, old)).toBeUndefined();
    expect((await browser.request('POST', `/t/${tenant}/api/links`, { token })).status).toBe(410);
    const [event] = await auditOf(tenant, 'admin.users.reset-password');
    expect(event).toMatchObject({ actor: 'admin:ops', subject: ann.id });
    expect(JSON.stringify(event)).not.toContain(token);

    const nomail = await createUser(db, tenant, { username: 'no-mail', password: PASSWORD });
    expect(await api('POST', `/users/${nomail.id}/password-reset`)).toMatchObject({ status: 409, body: { error: { code: 'no_email' } } });
    const off = await newUser('off', { status: 'disabled' });
    expect(await api('POST', `/users/${off.id}/password-reset`)).toMatchObject({ status: 409, body: { error: { code: 'user_not_active' } } });
    expect(sink.messages.filter((m) => m.to.includes(off.email!))).toEqual([]);
  });
});

describe('users: linked identities and groups', () => {
  it('lists and unlinks upstream identities', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    await db`INSERT INTO identity_providers (tenant_id, alias, kind, display_name, config, provisioning)
      VALUES (${tenant}, 'up', 'oidc', 'Upstream', '{}', '{}')`;
    expect(await linkIdentity(db, tenant, 'up', 'upstream-subject-1', ann.id, 'ann@upstream.example')).toBe(true);
    expect((await api('GET', `/users/${ann.id}/identities`)).body).toEqual({
      items: [{ idp: 'up', subject: 'upstream-subject-1', email: 'ann@upstream.example', createdAt: expect.any(String), lastLoginAt: expect.any(String) }],
      next: null,
    });
    expect(await api('DELETE', `/users/${ann.id}/identities/up`)).toMatchObject({ status: 204 });
    expect(await api('DELETE', `/users/${ann.id}/identities/up`)).toMatchObject({ status: 404 });
    expect((await api('GET', `/users/${ann.id}/identities`)).body.items).toEqual([]);
    expect(await auditOf(tenant, 'admin.users.unlink-identity')).toEqual([expect.objectContaining({ subject: ann.id, data: { idp: 'up' } })]);
  });

  it('adds and removes groups, and refuses role groups (roles are granted through /roles)', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const staff = (await api('POST', '/groups', { name: 'staff' })).body;
    expect(await api('PUT', `/users/${ann.id}/groups/${staff.id}`)).toMatchObject({ status: 204 });
    expect(await api('PUT', `/users/${ann.id}/groups/${staff.id}`)).toMatchObject({ status: 204 });
    expect((await api('GET', `/users/${ann.id}/groups`)).body).toEqual({ items: [expect.objectContaining({ id: staff.id, name: 'staff', members: 1 })], next: null });

    const admin = await newUser('admin');
    await grantRole(db, tenant, admin.id, 'tenant-admin');
    const [roleGroup] = await db`SELECT id FROM groups WHERE tenant_id = ${tenant} AND role = 'tenant-admin'`;
    expect(await api('PUT', `/users/${ann.id}/groups/${roleGroup!.id}`)).toMatchObject({ status: 409, body: { error: { code: 'role_group' } } });
    expect(await api('DELETE', `/users/${admin.id}/groups/${roleGroup!.id}`)).toMatchObject({ status: 409, body: { error: { code: 'role_group' } } });
    expect((await api('GET', `/users/${admin.id}/groups`)).body.items).toEqual([expect.objectContaining({ role: 'tenant-admin' })]);
    expect((await api('GET', `/users/${ann.id}/groups`)).body.items.map((g: { name: string }) => g.name)).toEqual(['staff']);

    expect(await api('DELETE', `/users/${ann.id}/groups/${staff.id}`)).toMatchObject({ status: 204 });
    expect(await api('DELETE', `/users/${ann.id}/groups/${staff.id}`)).toMatchObject({ status: 404 });
    expect(await api('PUT', `/users/${ann.id}/groups/not-a-group`)).toMatchObject({ status: 404 });
    expect(await auditOf(tenant, 'admin.users.add-group')).toHaveLength(2);
    expect(await auditOf(tenant, 'admin.users.remove-group')).toEqual([expect.objectContaining({ subject: ann.id, data: { group: 'staff' } })]);
  });
});

describe('users: who may call', () => {
  it('lets an auditor read but not change, an approver nothing, and hides the tenant from another tenant\'s admin', async () => {
    const { tenant, api, newUser } = await setup();
    const ann = await newUser('ann');
    const auditor = (await createAdminToken(db, tenant, 'reader', 'auditor')).token;
    const approver = (await createAdminToken(db, tenant, 'decider', 'approver')).token;
    const stranger = uniqueTenantId('usr');
    await createTenant(db, stranger);
    const foreign = (await createAdminToken(db, stranger, 'ops')).token;

    const reads = ['/users', `/users/${ann.id}`, `/users/${ann.id}/credentials`, `/users/${ann.id}/sessions`, `/users/${ann.id}/identities`, `/users/${ann.id}/groups`];
    const writes: [string, string, unknown?][] = [
      ['POST', '/users', { email: 'new@example.test' }], ['PATCH', `/users/${ann.id}`, { name: 'x' }], ['DELETE', `/users/${ann.id}`],
      ['PUT', `/users/${ann.id}/password`, { password: NEW_PASSWORD }], ['POST', `/users/${ann.id}/password-reset`],
      ['DELETE', `/users/${ann.id}/sessions`], ['DELETE', `/users/${ann.id}/totp`],
    ];
    for (const path of reads) {
      expect((await api('GET', path, undefined, undefined, auditor)).status, `auditor GET ${path}`).toBe(200);
      expect((await api('GET', path, undefined, undefined, approver)).status, `approver GET ${path}`).toBe(403);
      expect(await api('GET', path, undefined, undefined, foreign), `foreign GET ${path}`).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    }
    for (const [method, path, body] of writes) {
      expect((await api(method, path, body, undefined, auditor)).status, `auditor ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, undefined, approver)).status, `approver ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, undefined, foreign)).status, `foreign ${method} ${path}`).toBe(404);
    }
    expect(await getUser(db, tenant, ann.id)).toMatchObject({ name: null, status: 'active' });
    expect((await listAudit(db, tenant, 100)).filter((e) => e.type.startsWith('admin.'))).toEqual([]);
  });
});

/** `tessera …` with `input` on its standard input (for --password-stdin). */
function withStdin(args: string[], env: Env, input: string): Promise<RunResult> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'tessera.js'), ...args], { cwd: ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('tessera users', () => {
  const env = () => ({
    DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.config.temporalAddress, TESSERA_CODEC_KEYS: TEST_CODEC_KEYS,
    DATA_DIR: inject('scratchDir'), TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
  });
  const cli = async (args: string[], stdin?: string) => {
    const res = stdin === undefined ? await runTessera(args, env()) : await withStdin(args, env(), stdin);
    return { ...res, json: () => JSON.parse(res.stdout) };
  };

  it('creates, updates, lists sessions, ends them, sets and resets the password, and deletes, each audited as the CLI', async () => {
    const { tenant, newUser } = await setup();
    const created = await cli(['users', 'create', '--tenant', tenant, '--email', `cli@${tenant}.example`, '--password', PASSWORD, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const id = created.json().id;
    const email = `cli@${tenant}.example`;

    const updated = await cli(['users', 'update', '--tenant', tenant, '--email', email, '--name', 'Cli User', '--set', '{"team":"blue"}', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toMatchObject({ id, name: 'Cli User', attributes: { team: 'blue' } });
    const bad = await cli(['users', 'update', '--tenant', tenant, '--email', email, '--set', '[1]']);
    expect(bad.code).toBe(2);
    const clash = await newUser('taken');
    const taken = await cli(['users', 'update', '--tenant', tenant, '--id', id, '--new-email', clash.email!]);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe('tessera: a user with this username or email already exists');

    const cookie = await logIn(tenant, email);
    const sessions = await cli(['users', 'sessions', '--tenant', tenant, '--id', id, '--json']);
    expect(sessions.code, sessions.stderr).toBe(0);
    expect(sessions.json()).toEqual([expect.objectContaining({ amr: ['pwd'] })]);
    const ended = await cli(['users', 'end-sessions', '--tenant', tenant, '--id', id]);
    expect(ended.code, ended.stderr).toBe(0);
    expect(await getSession(db, tenant, cookie)).toBeUndefined();

    const weak = await cli(['users', 'set-password', '--tenant', tenant, '--id', id, '--password-stdin'], 'password1\n');
    expect(weak.code).toBe(2);
    const set = await cli(['users', 'set-password', '--tenant', tenant, '--id', id, '--password-stdin'], `${NEW_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(await verifyPassword(await getPasswordHash(db, tenant, id), NEW_PASSWORD)).toBe(true);

    const reset = await cli(['users', 'reset-password', '--tenant', tenant, '--email', email]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^link: sent$/m);
    expect(tokenIn(await sink.waitFor((m) => m.to.includes(email), 30_000))).toBeDefined();

    const deactivated = await cli(['users', 'deactivate', '--tenant', tenant, '--id', id, '--json']);
    expect(deactivated.json()).toMatchObject({ id, status: 'disabled' });
    const deleted = await cli(['users', 'delete', '--tenant', tenant, '--id', id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await getUser(db, tenant, id)).toBeUndefined();

    const actors = (await listAudit(db, tenant, 100)).filter((e) => e.type.startsWith('admin.users.'));
    expect(actors.map((e) => e.type).sort()).toEqual([
      'admin.users.create', 'admin.users.delete', 'admin.users.end-sessions', 'admin.users.reset-password', 'admin.users.set-password',
      'admin.users.update', 'admin.users.update',
    ]);
    for (const e of actors) expect(e.actor).toMatch(/^cli:/);
    expect(JSON.stringify(actors)).not.toContain(NEW_PASSWORD);
  });
});
