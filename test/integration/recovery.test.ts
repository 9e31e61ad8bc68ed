// Password recovery over HTTP with real Temporal, the database and a real SMTP listener: the link
// mailed by the `recovery` journey continues it in the browser that follows it (and only there),
// the new password must meet the policy and be typed twice, a reset ends the user's sessions and
// replaces the old password; links are single-use and expire; an unknown email gets the same
// answer and no mail; a tenant's tree can ask for a TOTP code between the link and the reset.
import { describe, expect, it } from 'vitest';
import { PREPARE_FLOOR_MS } from '../../activities/modules/email-link.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { saveTotpSecret, totpCode, newTotpSecret } from '../../core/accounts/totp.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { createUser } from '../../core/accounts/users.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { startSmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const sink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
const { db } = stack;

const NEW_PASSWORD = 'a brand new passphrase 42';

const tokenIn = (mail: SunkMail) => /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
const mailsTo = (address: string) => sink.messages.filter((m) => m.to.includes(address));

async function setup() {
  const made = await tenantWithUser(db);
  return { ...made, api: () => new JourneyApi(stack.url, made.tenant) };
}

/** Starts recovery in `api` and asks for `email`: the journey then waits for its link. */
async function askForLink(api: JourneyApi, email: string) {
  const start = await api.start('recovery');
  expect(start.status).toBe(201);
  expect(start.body.step).toMatchObject({ node: 'identify', fields: [expect.objectContaining({ name: 'username', label: 'Email' })] });
  const res = await api.submit({ username: email });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'waiting', step: { node: 'link', type: 'message', title: 'Check your email' } });
  return res.body.step;
}

async function follow(api: JourneyApi, token: string) {
  const res = await api.request('POST', `/t/${api.tenant}/api/links`, { token });
  if (res.status === 201) api.journey = res.body;
  return res;
}

/** Signs in with the default login tree: the session cookie, or the step it stopped at. */
async function login(api: JourneyApi, email: string, password: string) {
  await api.start('login');
  await api.submit({ username: email });
  const res = await api.submit({ password });
  return res.body.status === 'succeeded' ? { session: api.cookies.get('tessera_session')! } : { step: res.body.step };
}

describe('password recovery', () => {
  it('resets the password in the browser that follows the link, ending the old sessions', async () => {
    const { tenant, login: email, password, user, api } = await setup();
    const before = await login(api(), email, password);
    expect(await getSession(db, tenant, before.session!)).toBeDefined();

    const first = api();
    await askForLink(first, email);
    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toBe(`Reset your password for ${tenant}`);
    expect(mail.text).toMatch(/expires in 30 minutes/);
    const token = tokenIn(mail);

    const second = api();
    const followed = await follow(second, token);
    expect(followed.status).toBe(201);
    expect(followed.body).toMatchObject({ id: first.journey!.id, status: 'waiting', step: { node: 'reset', title: 'Choose a new password' } });
    expect(followed.body.step.fields.filter((f: { type: string }) => f.type === 'password'))
      .toEqual([expect.objectContaining({ name: 'password', autocomplete: 'new-password' }), expect.objectContaining({ name: 'confirm', autocomplete: 'new-password' })]);
    expect([...second.cookies.keys()].some((name) => name.includes('tessera_jb'))).toBe(true);
    // The journey moved: the browser that asked for the link no longer reads or drives it.
    expect((await first.get()).status).toBe(404);
    expect((await first.submit({ password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 'reset#1')).status).toBe(404);

    const breached = await second.submit({ password: 'password1', confirm: 'password1' });
    expect(breached.body).toMatchObject({ status: 'waiting', step: { node: 'reset', errors: [{ field: 'password', code: 'weak_password' }] } });
    const mismatch = await second.submit({ password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}.` });
    expect(mismatch.body.step.errors).toEqual([expect.objectContaining({ field: 'confirm', code: 'password_mismatch' })]);
    const tooLong = await second.submit({ password: 'x'.repeat(257), confirm: 'x'.repeat(257) });
    expect(tooLong.status).toBe(400);

    const done = await second.submit({ password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.body.status).toBe('succeeded');
    const session = await getSession(db, tenant, second.cookies.get('tessera_session')!);
    expect(session).toMatchObject({ userId: user.id, amr: ['otp'] });

    expect(await getSession(db, tenant, before.session!)).toBeUndefined();
    expect((await login(api(), email, password)).step?.errors).toEqual([expect.objectContaining({ code: 'invalid_credentials' })]);
    expect((await login(api(), email, NEW_PASSWORD)).session).toBeDefined();

    const again = await follow(api(), token);
    expect(again.status).toBe(410);
    expect(again.body).toMatchObject({ error: { code: 'link_used' } });

    const [event] = await db`SELECT subject, data FROM audit_events WHERE tenant_id = ${tenant} AND type = 'password.reset'`;
    expect(event).toMatchObject({ subject: user.id, data: { node: 'reset', sessionsRevoked: 1 } });
    expect(JSON.stringify(await db`SELECT data FROM audit_events WHERE tenant_id = ${tenant}`)).not.toContain(NEW_PASSWORD);
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('answers an unknown email exactly like a known one, no sooner, and mails nothing', async () => {
    const { tenant, login: email, api } = await setup();
    const known = await askForLink(api(), email);
    const ghost = `nobody@${tenant}.example`;
    const other = api();
    await other.start('recovery');
    const started = performance.now();
    const res = await other.submit({ username: ghost });
    expect(performance.now() - started).toBeGreaterThanOrEqual(PREPARE_FLOOR_MS);
    const unknown = res.body.step;
    expect({ ...unknown, description: unknown.description.replace(ghost, 'X') })
      .toEqual({ ...known, description: known.description.replace(email, 'X') });
    // prepare mails before it returns the step: had it mailed, the row would be there.
    const rows = await db`SELECT recipient FROM mail_messages WHERE tenant_id = ${tenant}`;
    expect(rows.map((r) => r.recipient)).toEqual([email]);
    expect(mailsTo(ghost)).toHaveLength(0);
    expect(await db`SELECT user_id FROM link_tokens WHERE tenant_id = ${tenant}`).toHaveLength(1);
  });

  it('mails nothing to an account without an email address, with the same answer', async () => {
    const { tenant, login: email, api } = await setup();
    await createUser(db, tenant, { username: 'no-mail-user', password: 'a long enough password' });
    const known = await askForLink(api(), email);
    const step = await askForLink(api(), 'no-mail-user');
    expect(step).toEqual({ ...known, description: known.description.replace(email, 'no-mail-user') });
    expect(await db`SELECT 1 FROM mail_messages WHERE tenant_id = ${tenant}`).toHaveLength(1);
  });

  it('refuses an expired link and leaves the journey waiting', async () => {
    const { tenant, login: email, api } = await setup();
    const first = api();
    await askForLink(first, email);
    const token = tokenIn(await sink.waitFor((m) => m.to.includes(email)));
    await db`UPDATE link_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = ${tenant}`;
    const res = await follow(api(), token);
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ error: { code: 'link_expired' } });
    expect((await first.get()).body).toMatchObject({ status: 'waiting', step: { node: 'link' } });
  });

  it('refuses a token that was never issued', async () => {
    const { api } = await setup();
    const res = await follow(api(), 'A'.repeat(43));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'link_unknown' } });
  });

  it('asks for the TOTP code between the link and the reset when the tenant’s tree says so', async () => {
    const { tenant, login: email, user, api } = await setup();
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, user.id, secret, 0);
    const tree: Tree = {
      name: 'recovery', start: 'identify', acr: 'urn:tessera:acr:password',
      nodes: {
        identify: { type: 'username', config: { label: 'Email' }, next: { ok: 'link' } },
        link: { type: 'email-link', config: { lifetime: '1h' }, next: { ok: 'otp', bad: 'failure' } },
        otp: { type: 'totp', next: { ok: 'status', bad: 'failure', skip: 'status' } },
        status: { type: 'account-status', next: { active: 'reset', pending: 'failure', disabled: 'failure' } },
        reset: { type: 'new-password', next: { ok: 'success', retry: 'reset' } },
      },
    };
    await saveTree(db, tenant, tree);
    await askForLink(api(), email);
    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.text).toMatch(/expires in 1 hour/);
    const second = api();
    const followed = await follow(second, tokenIn(mail));
    expect(followed.body.step).toMatchObject({ node: 'otp', title: 'Two-step verification' });
    const reset = await second.submit({ code: totpCode(secret) });
    expect(reset.body.step).toMatchObject({ node: 'reset' });
    expect((await second.submit({ password: NEW_PASSWORD, confirm: NEW_PASSWORD })).body.status).toBe('succeeded');
    // The new password is taken; the login tree then asks for the user's TOTP code as before.
    expect((await login(api(), email, NEW_PASSWORD)).step).toMatchObject({ node: 'otp' });
  });

  it('never lets a tree set a password without proving who the user is', async () => {
    const { tenant, login: email, password, api } = await setup();
    await saveTree(db, tenant, {
      name: 'recovery', start: 'identify',
      nodes: {
        identify: { type: 'username', next: { ok: 'reset' } },
        reset: { type: 'new-password', next: { ok: 'success', retry: 'reset' } },
      },
    });
    const attacker = api();
    await attacker.start('recovery');
    const res = await attacker.submit({ username: email });
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'reset_not_allowed' } });
    expect((await login(api(), email, password)).session).toBeDefined();
  });
});
