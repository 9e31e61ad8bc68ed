// Moderation end to end against real Temporal, the database and a real SMTP listener: admins are
// mailed, list the pending account through the admin API and approve or reject it there or with
// `tessera users approve|reject`; each decision is an audit event with who decided, the user is
// mailed (a single-use sign-in link on approval), and a second decision, an unknown id, a bad
// token or a malformed body are refused and change nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { createAdminToken, revokeAdminToken } from '../../core/accounts/admin-tokens.ts';
import { getApproval } from '../../core/registration/approvals.ts';
import { peekLink } from '../../core/journeys/link-tokens.ts';
import { createUser, getUser } from '../../core/accounts/users.ts';
import { registrationStateQuery, registrationWorkflowId } from '../../workflows/registration-contracts.ts';
import { adminRequest, awaitingApproval, moderatedTenant } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const sink: SmtpSink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
const { db } = stack;
afterAll(() => killAll());

const ADMIN = 'moderator@example.test';
const tokenIn = (mail: SunkMail) => /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
const mailTo = (to: string, subject: RegExp) => sink.waitFor((m) => m.to.includes(to) && subject.test(m.subject), 30_000);

async function setup() {
  const { tenant, token } = await moderatedTenant(db, [ADMIN]);
  const { user, approval } = await awaitingApproval(db, stack.server.client, stack.config, tenant);
  /** `bearer` null: no token at all. */
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer: string | null = token) =>
    adminRequest(stack.url, tenant, bearer ?? undefined, method, path, body, headers);
  return { tenant, token, user, approval, api };
}

async function auditOf(tenant: string, type: string) {
  return (await listAudit(db, tenant, 200)).filter((e) => e.type === type);
}

describe('approving through the admin API', () => {
  it('mails the admins, lists the account, approves it once, and mails the user a sign-in link', async () => {
    const { tenant, user, approval, api } = await setup();
    const request = await mailTo(ADMIN, /awaiting approval/);
    expect(request.subject).toBe(`New account awaiting approval at ${tenant}: ${user.email}`);
    expect(request.text).toContain(`Pat Doe (${user.email}) signed up at ${tenant}`);
    expect(request.text).toMatch(/rejected on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await mailTo(user.email!, /awaits approval/);

    const list = await api('GET', '/approvals');
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.body.items).toEqual([{
      id: approval.id, userId: user.id, email: user.email, name: 'Pat Doe', status: 'pending', attributes: {},
      requestedAt: approval.requestedAt.toISOString(), remindedAt: null,
      reminderAt: new Date(approval.requestedAt.getTime() + 2 * 86_400_000).toISOString(),
      deadlineAt: new Date(approval.requestedAt.getTime() + 7 * 86_400_000).toISOString(),
      decidedAt: null, decidedBy: null, reason: null,
    }]);
    expect(list.body.approvals).toEqual(list.body.items);
    expect(list.body.next).toBeNull();

    const approved = await api('POST', `/approvals/${approval.id}/approve`, { reason: 'known customer' });
    expect(approved).toMatchObject({ status: 200, body: { id: approval.id, status: 'approved' } });
    expect((await getUser(db, tenant, user.id))?.status).toBe('active');
    expect(await getApproval(db, tenant, approval.id)).toMatchObject({ status: 'approved', decidedBy: 'admin:ops', reason: 'known customer' });
    // Decided: no reminder ahead any more.
    expect((await api('GET', `/approvals/${approval.id}`)).body).toMatchObject({ status: 'approved', reminderAt: null });
    expect(await auditOf(tenant, 'registration.approved')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: user.id, data: { reason: 'known customer' } }),
    ]);

    const ready = await mailTo(user.email!, /is ready/);
    const token = tokenIn(ready)!;
    expect(token).toBeDefined();
    expect(ready.text).toContain('expires in 7 days');
    // The link's row is stored right after the mail went out.
    await vi.waitFor(async () => expect(await peekLink(db, tenant, token)).toBeDefined(), { timeout: 10_000 });
    expect(await peekLink(db, tenant, token)).toMatchObject({ purpose: 'sign-in', userId: user.id, workflowId: registrationWorkflowId(tenant, user.id) });

    // A second decision, either way, is refused and changes nothing.
    expect(await api('POST', `/approvals/${approval.id}/approve`)).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
    expect(await api('POST', `/approvals/${approval.id}/reject`, { reason: 'changed my mind' })).toMatchObject({ status: 409 });
    expect((await getUser(db, tenant, user.id))?.status).toBe('active');
    expect(await auditOf(tenant, 'registration.rejected')).toEqual([]);
    expect((await api('GET', '/approvals')).body.approvals).toEqual([]);

    // Read back by id, and listed by status.
    expect(await api('GET', `/approvals/${approval.id}`)).toMatchObject({
      status: 200, body: { id: approval.id, userId: user.id, status: 'approved', decidedBy: 'admin:ops', reason: 'known customer' },
    });
    expect((await api('GET', `/approvals/${randomUUID()}`)).status).toBe(404);
    expect((await api('GET', '/approvals?status=approved')).body.items.map((a: { id: string }) => a.id)).toEqual([approval.id]);
    expect((await api('GET', '/approvals?status=rejected')).body.items).toEqual([]);
    expect((await api('GET', '/approvals?status=pending')).body.items).toEqual([]);
    expect((await api('GET', '/approvals?status=bogus')).status).toBe(400);
  });

  it('rejects, disabling the account and telling the user why', async () => {
    const { tenant, user, approval, api } = await setup();
    const rejected = await api('POST', `/approvals/${approval.id}/reject`, { reason: 'Not a customer of ours.' });
    expect(rejected).toMatchObject({ status: 200, body: { id: approval.id, status: 'rejected' } });
    expect((await getUser(db, tenant, user.id))?.status).toBe('disabled');
    expect(await auditOf(tenant, 'registration.rejected')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: user.id })]);
    const mail = await mailTo(user.email!, /account request/);
    expect(mail.text).toContain('was not approved. Not a customer of ours.');
    expect(tokenIn(mail)).toBeUndefined();
    expect(await api('POST', `/approvals/${approval.id}/approve`)).toMatchObject({ status: 409 });
    expect((await getUser(db, tenant, user.id))?.status).toBe('disabled');
  });

  it('answers 409 when the workflow has ended without a decision, and 404 for an unknown or malformed id', async () => {
    const { tenant, user, approval, api } = await setup();
    expect(await api('POST', `/approvals/${randomUUID()}/approve`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await api('POST', '/approvals/not-a-uuid/approve')).toMatchObject({ status: 404 });
    expect(await api('POST', `/approvals/${approval.id}/promote`)).toMatchObject({ status: 404 });

    await stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id)).terminate('test: the workflow is gone');
    expect(await api('POST', `/approvals/${approval.id}/approve`)).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
    expect((await getUser(db, tenant, user.id))?.status).toBe('pending');
  });

  it('refuses a malformed body without deciding', async () => {
    const { tenant, user, approval, api } = await setup();
    expect(await api('POST', `/approvals/${approval.id}/approve`, { reason: 'x'.repeat(501) })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await api('POST', `/approvals/${approval.id}/approve`, { reason: 'ok', by: 'admin:someone-else' })).toMatchObject({ status: 400 });
    expect(await api('POST', `/approvals/${approval.id}/approve`, '{"reason": ')).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect(await api('POST', `/approvals/${approval.id}/approve`, 'reason=x', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 415 });
    expect((await getUser(db, tenant, user.id))?.status).toBe('pending');
    expect(await getApproval(db, tenant, approval.id)).toMatchObject({ status: 'pending' });
  });
});

describe('admin API authentication', () => {
  it('answers 401 with WWW-Authenticate for a missing, malformed, unknown or revoked token, and 404 to another tenant\'s', async () => {
    const { tenant, user, approval, api } = await setup();
    const other = await moderatedTenant(db);
    const revoked = await createAdminToken(db, tenant, 'old');
    expect(await revokeAdminToken(db, tenant, 'old')).toBe(true);
    const unknown = `tsa_${'A'.repeat(43)}`;
    const attempts: [string, Record<string, string>, string | null][] = [
      ['no header', {}, null],
      ['another scheme', { authorization: `Basic ${Buffer.from('ops:x').toString('base64')}` }, null],
      ['a malformed token', {}, 'not-a-token'],
      ['an unknown token', {}, unknown],
      ['a revoked token', {}, revoked.token],
    ];
    for (const [what, headers, bearer] of attempts) {
      for (const [method, path] of [['GET', '/approvals'], ['POST', `/approvals/${approval.id}/approve`]] as const) {
        const res = await api(method, path, undefined, headers, bearer);
        expect(res.status, `${what}: ${method} ${path}`).toBe(401);
        expect(res.body, what).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
        expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="tessera"/);
      }
    }
    // A valid token of another tenant: to its holder, this tenant does not exist.
    for (const [method, path] of [['GET', '/approvals'], ['POST', `/approvals/${approval.id}/approve`]] as const) {
      const res = await api(method, path, undefined, {}, other.token);
      expect(res.status, `another tenant's token: ${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('tenant_not_found');
    }
    expect((await getUser(db, tenant, user.id))?.status).toBe('pending');
    expect(await getApproval(db, tenant, approval.id)).toMatchObject({ status: 'pending' });
    // The same token, in the right tenant, works.
    expect((await api('GET', '/approvals')).status).toBe(200);
    expect((await adminRequest(stack.url, other.tenant, other.token, 'GET', '/approvals')).status).toBe(200);
  });
});

describe('tessera users approve|reject', () => {
  const env = () => ({
    DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: stack.config.temporalAddress, TESSERA_CODEC_KEYS: TEST_CODEC_KEYS,
    DATA_DIR: inject('scratchDir'),
  });

  it('approves with the CLI as the decider, and refuses a second decision, an unknown user and one without approval', async () => {
    const { tenant, user, approval } = await setup();
    const res = await runTessera(['users', 'approve', '--tenant', tenant, '--email', user.email!, '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ id: user.id, status: 'active', approval: 'approved' });
    expect(await getApproval(db, tenant, approval.id)).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^cli:/) });
    expect(await auditOf(tenant, 'registration.approved')).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^cli:/) })]);
    await mailTo(user.email!, /is ready/);

    const again = await runTessera(['users', 'reject', '--tenant', tenant, '--id', user.id], env());
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toMatch(/^tessera: already decided/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);

    const nobody = await runTessera(['users', 'approve', '--tenant', tenant, '--email', `nobody@${tenant}.example`], env());
    expect(nobody.code).not.toBe(0);
    expect(nobody.stderr.trim()).toBe(`tessera: no such user in tenant "${tenant}"`);
  });

  it('rejects with a reason, and says so when nothing awaits a decision', async () => {
    const { tenant, user } = await setup();
    const res = await runTessera(['users', 'reject', '--tenant', tenant, '--email', user.email!, '--reason', 'Duplicate account.'], env());
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^status: disabled$/m);
    expect(res.stdout).toMatch(/^approval: rejected$/m);
    expect((await mailTo(user.email!, /account request/)).text).toContain('Duplicate account.');
    const state = await stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id)).result();
    expect(state).toMatchObject({ status: 'rejected', decidedBy: expect.stringMatching(/^cli:/), reason: 'Duplicate account.' });

    const active = await createUser(db, tenant, { email: `active@${tenant}.example`, password: 'correct horse battery' });
    const none = await runTessera(['users', 'approve', '--tenant', tenant, '--email', active.email!], env());
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim()).toBe(`tessera: no approval is pending for this user in tenant "${tenant}"`);
  });

  it('fails with one line when Temporal cannot be reached', async () => {
    const { tenant, user } = await setup();
    const res = await runTessera(['users', 'approve', '--tenant', tenant, '--email', user.email!], { ...env(), TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe('tessera: cannot reach Temporal at 127.0.0.1:1');
    expect((await getUser(db, tenant, user.id))?.status).toBe('pending');
    const state = await stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id)).query(registrationStateQuery);
    expect(state.status).toBe('awaiting-approval');
  });
});
