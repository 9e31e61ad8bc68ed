// Signup end to end against real Temporal, the database and a real SMTP listener: the form's
// checks, the verification mail and its single-use link (followed from another browser), no
// account enumeration, moderation ending in a mailed sign-in link, the tenant's
// forceProfileUpdate on the first sign-in, and a tenant that takes no signups.
import { describe, expect, it } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { setRequiredAttributes } from '../../core/accounts/profile.ts';
import { addTerms } from '../../core/accounts/terms.ts';
import { createInvitation } from '../../core/registration/invitation-lifecycle.ts';
import { approveUpdate, registrationWorkflowId } from '../../workflows/registration-contracts.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { defaultLinkSignInTree, defaultRegistrationTree } from '../../core/journeys/default-trees.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { SoftAuthenticator } from '../support/webauthn-authenticator.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

const sink: SmtpSink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
const { db } = stack;

const PASSWORD = 'violet staple orbit 42';
const tokenIn = (mail: SunkMail) => /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;

async function newTenant(settings: Record<string, unknown> = {}): Promise<string> {
  const tenant = uniqueTenantId('reg');
  await createTenant(db, tenant);
  if (Object.keys(settings).length) await updateRegistrationSettings(db, tenant, settings);
  return tenant;
}

async function signUp(tenant: string, values: Record<string, string>) {
  const api = new JourneyApi(stack.url, tenant);
  const start = await api.start('registration');
  expect(start.status).toBe(201);
  expect(start.body.step).toMatchObject({ node: 'signup', type: 'form', title: 'Create your account' });
  const res = await api.submit({ name: 'Ann Lee', password: PASSWORD, invitation: '', ...values });
  return { api, res };
}

async function userRow(tenant: string, email: string): Promise<Record<string, any>> {
  const [row] = await db`SELECT id, status, email_verified_at FROM users WHERE tenant_id = ${tenant} AND email = ${email}`;
  return row!;
}

async function countUsers(tenant: string): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS count FROM users WHERE tenant_id = ${tenant}`;
  return row!.count;
}

async function follow(tenant: string, token: string) {
  const browser = new JourneyApi(stack.url, tenant);
  const res = await browser.request('POST', `/t/${tenant}/api/links`, { token });
  return { browser, res };
}

describe('signup with email verification', () => {
  it('creates a pending account, mails a link that activates it and signs in another browser, once', async () => {
    const tenant = await newTenant();
    const email = `ann@${tenant}.example`;
    const { api, res } = await signUp(tenant, { email });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', notice: { code: 'verification_sent' } });
    expect(res.body.notice.message).toContain(email);
    expect(api.cookies.has('tessera_session')).toBe(false);
    expect(await userRow(tenant, email)).toMatchObject({ status: 'pending', email_verified_at: null });

    const mail = await sink.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject));
    expect(mail.subject).not.toContain(tokenIn(mail));
    const { browser, res: followed } = await follow(tenant, tokenIn(mail));
    expect(followed.status).toBe(201);
    expect(followed.body).toMatchObject({ status: 'succeeded' });
    const row = await userRow(tenant, email);
    expect(row).toMatchObject({ status: 'active' });
    expect(row.email_verified_at).toBeInstanceOf(Date);
    const session = await getSession(db, tenant, browser.cookies.get('tessera_session')!);
    expect(session).toMatchObject({ userId: row.id, amr: ['otp'] });

    const again = await follow(tenant, tokenIn(mail));
    expect(again.res.status).toBe(410);
    expect(again.res.body).toMatchObject({ error: { code: 'link_used' }, resend: true });
    // The password chosen at signup signs in.
    const login = new JourneyApi(stack.url, tenant);
    await login.start();
    await login.submit({ username: email });
    expect((await login.submit({ password: PASSWORD })).body.status).toBe('succeeded');
  });

  it('re-shows the form with errors for a malformed email, a breached password or unaccepted terms, keeping what was typed', async () => {
    const tenant = await newTenant();
    await addTerms(db, tenant, 'https://example.com/terms');
    const api = new JourneyApi(stack.url, tenant);
    const start = await api.start('registration');
    expect(start.body.step.fields.map((f: { name: string }) => f.name)).toEqual(['email', 'name', 'password', 'invitation', 'accept']);
    // The required checkbox is checked at the edge: 400, the journey unchanged.
    const unchecked = await api.submit({ email: `ann@${tenant}.example`, name: 'Ann', password: PASSWORD, invitation: '', accept: 'false' });
    expect(unchecked.status).toBe(400);
    expect(unchecked.body.step).toMatchObject({ id: start.body.step.id, errors: [{ field: 'accept', code: 'required' }] });
    const bad = await api.submit({ email: 'not-an-email', name: 'Ann', password: 'Password1', invitation: '', accept: 'true' });
    expect(bad.status).toBe(200);
    expect(bad.body.step.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    expect(bad.body.step.fields.find((f: { name: string }) => f.name === 'name').value).toBe('Ann');
    expect(bad.body.step.fields.find((f: { name: string }) => f.name === 'password').value).toBeUndefined();
    expect(await countUsers(tenant)).toBe(0);
    const good = await api.submit({ email: `ann@${tenant}.example`, name: 'Ann', password: PASSWORD, invitation: '', accept: 'true' });
    expect(good.body.status).toBe('succeeded');
    const [accepted] = await db`SELECT version FROM terms_acceptances WHERE tenant_id = ${tenant}`;
    expect(accepted).toMatchObject({ version: 1 });
  });

  it('answers a taken email exactly like a new one, creates nothing and tells the owner', async () => {
    const tenant = await newTenant();
    const email = `ann@${tenant}.example`;
    const first = await signUp(tenant, { email });
    const second = await signUp(tenant, { email: email.toUpperCase(), name: 'Mallory' });
    expect(second.res.status).toBe(first.res.status);
    expect({ ...second.res.body, id: 'x' }).toEqual({ ...first.res.body, id: 'x' });
    expect(await countUsers(tenant)).toBe(1);
    await sink.waitFor((m) => m.to.includes(email) && /Sign-up attempt/.test(m.subject));
  });

  it('offers a new link for a used one; an unknown token is 404', async () => {
    const tenant = await newTenant();
    const email = `bo@${tenant}.example`;
    await signUp(tenant, { email });
    const mail = await sink.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject));
    const unknown = await follow(tenant, 'A'.repeat(43));
    expect(unknown.res).toMatchObject({ status: 404, body: { error: { code: 'link_unknown' } } });
    expect((await follow(tenant, 'nonsense')).res.status).toBe(404);
    // Asking for a new link answers the same for any token (the workflow decides whether one is
    // due: its resend limits are covered by the registration workflow's tests).
    for (const token of [tokenIn(mail), 'A'.repeat(43), 'nonsense']) {
      const resend = await new JourneyApi(stack.url, tenant).request('POST', `/t/${tenant}/api/links/resend`, { token });
      expect(resend).toMatchObject({ status: 202, body: { status: 'requested' } });
    }
    expect((await follow(tenant, tokenIn(mail))).res.status).toBe(201);
  });
});

describe('signup with moderation', () => {
  it('tells the user the account awaits approval, mails the admins, and after approval mails a sign-in link', async () => {
    const tenant = await newTenant({ moderation: { enabled: true, notify: [`admin@${tenant0()}.example`] } });
    const email = `cy@${tenant}.example`;
    const { res } = await signUp(tenant, { email });
    expect(res.body).toMatchObject({ status: 'succeeded', notice: { code: 'awaiting_approval' } });
    await sink.waitFor((m) => m.to.includes(`admin@${tenant0()}.example`) && m.subject.includes(email));
    const user = await userRow(tenant, email);
    expect(user.status).toBe('pending');

    const handle = stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, user.id));
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'admin:test' }] });
    const approved = await sink.waitFor((m) => m.to.includes(email) && /is ready/.test(m.subject));
    expect((await userRow(tenant, email)).status).toBe('active');
    const { browser, res: followed } = await follow(tenant, tokenIn(approved));
    expect(followed.body.status).toBe('succeeded');
    expect(browser.cookies.has('tessera_session')).toBe(true);
  });
});

describe('signup with an invitation', () => {
  async function invite(tenant: string, email: string): Promise<string> {
    await createInvitation(db, stack.server.client, stack.config, { tenant, email, inviter: 'cli', ttlMs: 86_400_000 });
    const mail = await sink.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject));
    return /#invite=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
  }

  it('activates the invited account at once and signs in; the code works once and only for its address', async () => {
    const tenant = await newTenant({ moderation: { enabled: true } });
    const email = `eve@${tenant}.example`;
    const code = await invite(tenant, email);
    const wrongAddress = await signUp(tenant, { email: `other@${tenant}.example`, invitation: code });
    expect(wrongAddress.res.body.step.errors).toEqual([expect.objectContaining({ field: 'invitation', code: 'invalid_invitation' })]);
    const { api, res } = await signUp(tenant, { email, invitation: code });
    expect(res.body).toMatchObject({ status: 'succeeded' });
    expect(res.body.notice).toBeUndefined();
    const row = await userRow(tenant, email);
    expect(row.status).toBe('active');
    expect(row.email_verified_at).toBeInstanceOf(Date);
    expect(await getSession(db, tenant, api.cookies.get('tessera_session')!)).toMatchObject({ userId: row.id });
    const [invitation] = await db`SELECT status, accepted_user_id FROM invitations WHERE tenant_id = ${tenant}`;
    expect(invitation).toMatchObject({ status: 'accepted', accepted_user_id: row.id });
    const reused = await signUp(tenant, { email: `eve2@${tenant}.example`, invitation: code });
    expect(reused.res.body.step.errors).toEqual([expect.objectContaining({ field: 'invitation' })]);
  });

  it('lets an invite-only tenant take invited people only', async () => {
    const tenant = await newTenant({ inviteOnly: true });
    const uninvited = await signUp(tenant, { email: `fay@${tenant}.example` });
    // The form marks the code required, so the edge refuses an empty one (400, nothing changes).
    expect(uninvited.res.status).toBe(400);
    expect(uninvited.res.body.step.errors).toEqual([expect.objectContaining({ field: 'invitation', code: 'required' })]);
    expect(uninvited.res.body.step.fields.find((f: { name: string }) => f.name === 'invitation')).toMatchObject({ label: 'Invitation code', required: true });
    expect(await countUsers(tenant)).toBe(0);
    const email = `gus@${tenant}.example`;
    const { res } = await signUp(tenant, { email, invitation: await invite(tenant, email) });
    expect(res.body.status).toBe('succeeded');
    expect((await userRow(tenant, email)).status).toBe('active');
  });
});

describe('signup with a passkey instead of a password', () => {
  it('asks no password, and registers a passkey once the link proved the address; the passkey then signs in', async () => {
    const tenant = await newTenant();
    await saveTree(db, tenant, { ...defaultRegistrationTree, nodes: { signup: { ...defaultRegistrationTree.nodes.signup!, config: { password: false } } } });
    await saveTree(db, tenant, {
      ...defaultLinkSignInTree,
      nodes: {
        ...defaultLinkSignInTree.nodes,
        status: { type: 'account-status', next: { active: 'passkey', pending: 'failure', disabled: 'failure' } },
        passkey: { type: 'webauthn', config: { mode: 'register', userVerification: 'required' }, next: { ok: 'success', bad: 'passkey' } },
      },
    });
    const email = `hal@${tenant}.example`;
    const api = new JourneyApi(stack.url, tenant);
    const start = await api.start('registration');
    expect(start.body.step.fields.map((f: { name: string }) => f.name)).toEqual(['email', 'name', 'invitation']);
    expect((await api.submit({ email, name: 'Hal', invitation: '' })).body).toMatchObject({ status: 'succeeded', notice: { code: 'verification_sent' } });
    const [credentials] = await db`SELECT count(*)::int AS n FROM password_credentials WHERE tenant_id = ${tenant}`;
    expect(credentials!.n).toBe(0);

    const mail = await sink.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject));
    const { browser, res } = await follow(tenant, tokenIn(mail));
    expect(res.body).toMatchObject({ status: 'waiting', step: { type: 'webauthn.create', node: 'passkey' } });
    browser.journey = res.body;
    const auth = new SoftAuthenticator(stack.config.publicUrl);
    const created = auth.create(res.body.step.options);
    expect((await browser.submit({ credential: JSON.stringify(created.response) })).body.status).toBe('succeeded');

    const again = new JourneyApi(stack.url, tenant);
    const login = await again.start('login', 'passwordless');
    const assertion = auth.get(login.body.step.options, created.credential);
    const done = await again.submit({ credential: JSON.stringify(assertion) });
    expect(done.body.status).toBe('succeeded');
    expect(await getSession(db, tenant, again.cookies.get('tessera_session')!)).toMatchObject({ amr: expect.arrayContaining(['mfa']) });
  });
});

describe('forceProfileUpdate', () => {
  it('sends the first sign-in through a profile review, and only the first', async () => {
    const tenant = await newTenant({ forceProfileUpdate: true });
    await setRequiredAttributes(db, tenant, ['organization']);
    const email = `di@${tenant}.example`;
    const { res } = await signUp(tenant, { email, organization: 'GRNET' });
    expect(res.body.status).toBe('succeeded');
    const mail = await sink.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject));
    const { browser, res: followed } = await follow(tenant, tokenIn(mail));
    expect(followed.body).toMatchObject({ status: 'waiting', step: { node: 'required/profile', title: 'Review your profile' } });
    expect(followed.body.step.fields).toEqual([
      expect.objectContaining({ name: 'name', value: 'Ann Lee' }), expect.objectContaining({ name: 'organization', value: 'GRNET' }),
    ]);
    expect(browser.cookies.has('tessera_session')).toBe(false);
    browser.journey = followed.body;
    const done = await browser.submit({ name: 'Ann B. Lee', organization: 'GRNET' });
    expect(done.body.status).toBe('succeeded');
    expect(browser.cookies.has('tessera_session')).toBe(true);
    const [row] = await db`SELECT name FROM users WHERE tenant_id = ${tenant} AND email = ${email}`;
    expect(row!.name).toBe('Ann B. Lee');

    const login = new JourneyApi(stack.url, tenant);
    await login.start();
    await login.submit({ username: email });
    expect((await login.submit({ password: PASSWORD })).body.status).toBe('succeeded');
  });
});

describe('a tenant without signup', () => {
  it('refuses to start a registration', async () => {
    const tenant = await newTenant({ enabled: false });
    const res = await new JourneyApi(stack.url, tenant).start('registration');
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'registration_disabled' } } });
  });
});

/** A domain for admin addresses that no test signs up with. */
function tenant0(): string {
  return 'admins';
}
