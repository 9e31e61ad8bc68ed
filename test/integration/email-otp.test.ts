// email-otp against a real SMTP listener (smtp-server), real Temporal and the database: codes
// that work once, wrong and expired codes, lockout, mail sent once when prepare is retried or the
// SMTP server refuses a message, magic links over the API and in Chromium, no account
// enumeration, and the dev mailbox (/dev/mail) when no SMTP_URL is set.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { createActivities } from '../../activities/index.ts';
import { logger } from '../../core/infra/logger.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { createUser } from '../../core/accounts/users.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import type { NodeCall } from '../../core/journeys/journey-context.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.ts';
import {
  startServer, startWorker, tenantWithUser, testClient, testConfig, testDb,
  type RunningServer, type RunningWorker,
} from '../support/harness.ts';

const db = testDb();
let sink: SmtpSink;
let server: RunningServer;
let worker: RunningWorker;
let browser: Browser;
/** Tenants whose first email-otp prepare "crashes" after it ran, so that Temporal retries it. */
const crashAfterPrepare = new Set<string>();

beforeAll(async () => {
  sink = await startSmtpSink();
  const config = testConfig({ smtpUrl: sink.url });
  [server, browser] = await Promise.all([startServer(config, db), launchBrowser()]);
  const workerConfig = { ...config, publicUrl: server.url };
  const temporal = await testClient(workerConfig);
  const acts = createActivities({ db, config: workerConfig, temporal });
  const activities = {
    ...acts,
    async prepareNode(call: NodeCall) {
      const result = await acts.prepareNode(call);
      if (call.type === 'email-otp' && crashAfterPrepare.delete(call.ctx.tenant)) throw new Error('worker lost after sending');
      return result;
    },
  };
  worker = await startWorker(workerConfig, db, activities);
  afterAll(() => temporal.connection.close());
});
afterAll(async () => {
  await closeBrowser(browser);
  await server?.stop();
  await worker?.stop();
  await sink?.close();
  await db.end();
});

const otpTree = (config: Record<string, unknown> = {}): Tree => ({
  name: 'login', start: 'identify',
  nodes: {
    identify: { type: 'username', next: { ok: 'otp' } },
    otp: { type: 'email-otp', config, next: { ok: 'success', bad: 'otp', locked: 'failure', none: 'failure' } },
  },
});

async function setup(config: Record<string, unknown> = {}, tree = otpTree(config)) {
  const made = await tenantWithUser(db);
  await saveTree(db, made.tenant, tree);
  return { ...made, api: new JourneyApi(server.url, made.tenant) };
}

const mailsTo = (address: string) => sink.messages.filter((m) => m.to.includes(address));
const codeIn = (mail: SunkMail) => /sign-in code is (\d{6})/.exec(mail.text)![1]!;
const linkIn = (mail: SunkMail) => /(http:\/\/\S+\?code=\d{6})/.exec(mail.text)![1]!;

async function toCodeStep(api: JourneyApi, login: string) {
  expect((await api.start()).status).toBe(201);
  const res = await api.submit({ username: login });
  expect(res.status).toBe(200);
  expect(res.body.step).toMatchObject({ node: 'otp', type: 'form', title: 'Check your email' });
  return res;
}

async function mailRows(tenant: string) {
  return db`SELECT recipient, transport, text_body, html_body FROM mail_messages WHERE tenant_id = ${tenant}`;
}

describe('email-otp', () => {
  it('mails a six-digit code that signs the user in, with AMR otp', async () => {
    const { tenant, login, api } = await setup();
    const step = await toCodeStep(api, login);
    expect(step.body.step.fields).toEqual([expect.objectContaining({ name: 'code', type: 'otp', required: true, autocomplete: 'one-time-code' })]);
    const mail = await sink.waitFor((m) => m.to.includes(login));
    expect(mail.from).toBe('no-reply@localhost');
    expect(mail.subject).toBe(`Your sign-in code for ${tenant}`);
    expect(mail.html).toContain(`<strong>${codeIn(mail)}</strong>`);
    const done = await api.submit({ code: codeIn(mail) });
    expect(done.body.status).toBe('succeeded');
    const session = await getSession(db, tenant, api.cookies.get('tessera_session')!);
    expect(session?.amr).toEqual(['otp']);
    // Bodies of mail sent over SMTP are not kept: they hold the code.
    expect(await mailRows(tenant)).toEqual([{ recipient: login, transport: 'smtp', text_body: null, html_body: null }]);
  });

  it('answers a wrong code with the same step and an error, without mailing again', async () => {
    const { login, api } = await setup();
    await toCodeStep(api, login);
    const mail = await sink.waitFor((m) => m.to.includes(login));
    const wrong = codeIn(mail) === '000000' ? '111111' : '000000';
    const again = await api.submit({ code: wrong });
    expect(again.body.step).toMatchObject({ id: 'otp#2', node: 'otp', errors: [{ field: 'code', code: 'invalid_code' }] });
    expect((await api.submit({ code: codeIn(mail) })).body.status).toBe('succeeded');
    expect(mailsTo(login)).toHaveLength(1);
  });

  it('refuses an expired code and mails a fresh one', async () => {
    const { login, api } = await setup({ lifetime: '1s' });
    const first = await toCodeStep(api, login);
    expect(first.body.step.description).toMatch(/expires in 1 second/);
    const old = codeIn(await sink.waitFor((m) => m.to.includes(login)));
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api.submit({ code: old });
    expect(expired.body.step).toMatchObject({ node: 'otp', errors: [{ field: 'code', code: 'expired_code' }] });
    const fresh = await sink.waitFor((m) => m.to.includes(login) && codeIn(m) !== old);
    expect(mailsTo(login)).toHaveLength(2);
    expect((await api.submit({ code: codeIn(fresh) })).body.status).toBe('succeeded');
  });

  it('locks after maxAttempts wrong codes, and the right code no longer helps', async () => {
    const { tenant, login, api } = await setup({ maxAttempts: 3 });
    await toCodeStep(api, login);
    const code = codeIn(await sink.waitFor((m) => m.to.includes(login)));
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await api.submit({ code: wrong })).body.status).toBe('waiting');
    expect((await api.submit({ code: wrong })).body.status).toBe('waiting');
    const locked = await api.submit({ code: wrong });
    expect(locked.body).toMatchObject({ status: 'failed', error: { code: 'otp_locked' } });
    expect((await api.submit({ code }, 'otp#4')).status).not.toBe(200);
    const [event] = await db`SELECT data FROM audit_events WHERE tenant_id = ${tenant} AND type = 'login.otp_locked'`;
    expect(event?.data).toMatchObject({ node: 'otp', attempts: 3, knownAccount: true });
    expect(JSON.stringify(await db`SELECT data FROM audit_events WHERE tenant_id = ${tenant}`)).not.toContain(code);
  });

  it('takes a code once: a later visit of the node mails a new code and refuses the used one', async () => {
    const tree: Tree = {
      name: 'login', start: 'identify',
      nodes: {
        identify: { type: 'username', next: { ok: 'otp' } },
        otp: { type: 'email-otp', next: { ok: 'more', bad: 'otp', locked: 'failure', none: 'failure' } },
        more: { type: 'choice', config: { options: [{ value: 'again', label: 'Again' }, { value: 'done', label: 'Done' }] }, next: { again: 'otp', done: 'success' } },
      },
    };
    const { login, api } = await setup({}, tree);
    await toCodeStep(api, login);
    const used = codeIn(await sink.waitFor((m) => m.to.includes(login)));
    expect((await api.submit({ code: used })).body.step.node).toBe('more');
    expect((await api.submit({ choice: 'again' })).body.step.node).toBe('otp');
    const second = codeIn(await sink.waitFor((m) => m.to.includes(login) && codeIn(m) !== used));
    expect((await api.submit({ code: used })).body.step.errors).toEqual([expect.objectContaining({ code: 'invalid_code' })]);
    expect((await api.submit({ code: second })).body.step.node).toBe('more');
    expect((await api.submit({ choice: 'done' })).body.status).toBe('succeeded');
    expect(mailsTo(login)).toHaveLength(2);
  });

  it('keeps only a salted hash of the code in the journey; a repeated prepare keeps the mailed one', async () => {
    const { tenant, login, user } = await tenantWithUser(db);
    const acts = createActivities({ db, config: testConfig({ smtpUrl: sink.url }) });
    const call: NodeCall = {
      ctx: {
        journeyId: `direct-${tenant}`, tenant, kind: 'login', request: {}, login, amr: [], outcomes: [], nodeState: {},
        user: { id: user.id, username: user.username, status: 'active' },
      },
      node: 'otp', tree: 'login', type: 'email-otp', config: {}, attempt: 1,
    };
    const first = await acts.prepareNode(call);
    const repeated = await acts.prepareNode(call);
    const code = codeIn(await sink.waitFor((m) => m.to.includes(login)));
    expect(mailsTo(login)).toHaveLength(1);
    const state = first.patch?.nodeState as Record<string, unknown>;
    expect(repeated.patch?.nodeState).toEqual(state);
    expect(Object.keys(state).sort()).toEqual(['attempts', 'hash', 'issuedAt', 'salt']);
    expect(JSON.stringify(first)).not.toContain(code);
    const withState = { ...call, ctx: { ...call.ctx, nodeState: { otp: state } } };
    expect(await acts.verifyNode(withState, { code })).toMatchObject({ outcome: 'ok', patch: { amr: ['otp'], nodeState: null } });
  });

  it('mails once when prepare is retried after sending, and the mailed code works', async () => {
    const { tenant, login, api } = await setup();
    crashAfterPrepare.add(tenant);
    await toCodeStep(api, login);
    expect(crashAfterPrepare.has(tenant)).toBe(false);
    const mail = await sink.waitFor((m) => m.to.includes(login));
    expect((await api.submit({ code: codeIn(mail) })).body.status).toBe('succeeded');
    expect(mailsTo(login)).toHaveLength(1);
    expect(await mailRows(tenant)).toHaveLength(1);
  });

  it('sends again when the SMTP server refused the first try, and only once', async () => {
    const { login, api } = await setup();
    sink.refuseNext(1);
    await toCodeStep(api, login);
    const mail = await sink.waitFor((m) => m.to.includes(login));
    expect(mailsTo(login)).toHaveLength(1);
    expect((await api.submit({ code: codeIn(mail) })).body.status).toBe('succeeded');
  });

  it('mails a magic link to this journey that carries the code', async () => {
    const { tenant, login, api } = await setup({ magicLink: true });
    const step = await toCodeStep(api, login);
    expect(step.body.step.description).toMatch(/code and a sign-in link/);
    const mail = await sink.waitFor((m) => m.to.includes(login));
    expect(mail.subject).toBe(`Sign in to ${tenant}`);
    expect(mail.text).toMatch(/works only in the browser where you started/);
    const link = new URL(linkIn(mail));
    expect(`${link.origin}${link.pathname}`).toBe(`${server.url}/t/${tenant}/ui/journey/${api.journey!.id}`);
    expect(link.searchParams.get('code')).toBe(codeIn(mail));
    expect(mail.html).toContain(`href="${link.href.replace(/&/g, '&amp;')}"`);
    expect((await api.submit({ code: link.searchParams.get('code') })).body.status).toBe('succeeded');
  });

  it('signs in by opening the magic link in the browser that started, not in another', async () => {
    const { login, tenant } = await setup({ magicLink: true });
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/t/${tenant}/ui/login`);
    await page.getByLabel('Username or email').fill(login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const link = linkIn(await sink.waitFor((m) => m.to.includes(login)));

    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await other.goto(link);
    await other.getByRole('heading', { name: /not valid in this browser/ }).waitFor({ timeout: 15_000 });
    expect(other.url()).not.toContain('code=');
    await stranger.close();

    await page.goto(link);
    await page.getByRole('heading', { name: /signed in/i }).waitFor();
    expect(page.url()).not.toContain('code=');
    expect((await context.cookies()).some((c) => c.name === 'tessera_session')).toBe(true);
    await context.close();
  });

  it('shows an unknown account the same step, mails nothing, and never accepts a code', async () => {
    const { tenant, login, api } = await setup();
    const known = (await toCodeStep(api, login)).body.step;
    const ghost = `nobody@${tenant}.example`;
    const other = new JourneyApi(server.url, tenant);
    const unknown = (await toCodeStep(other, ghost)).body.step;
    expect({ ...unknown, description: unknown.description.replace(ghost, 'X') }).toEqual({ ...known, description: known.description.replace(login, 'X') });
    // prepare mails before it returns the step: had it mailed, the row would be there.
    expect((await mailRows(tenant)).map((r) => r.recipient)).toEqual([login]);
    for (const code of ['123456', '000000', '999999']) {
      const res = await other.submit({ code });
      expect(res.body.step).toMatchObject({ node: 'otp', errors: [{ field: 'code', code: 'invalid_code' }] });
    }
    expect(mailsTo(ghost)).toHaveLength(0);
  });

  it('ends with none when the account has no email address', async () => {
    const { tenant: made } = await tenantWithUser(db);
    await createUser(db, made, { username: 'no-mail-user' });
    await saveTree(db, made, otpTree());
    const api = new JourneyApi(server.url, made);
    await api.start();
    const res = await api.submit({ username: 'no-mail-user' });
    expect(res.body.status).toBe('failed');
    expect(await mailRows(made)).toHaveLength(0);
  });
});

describe('dev mailbox', () => {
  let devServer: RunningServer;
  let devWorker: RunningWorker;
  let prodServer: RunningServer;

  beforeAll(async () => {
    const config = testConfig({ devMail: true });
    [devServer, devWorker, prodServer] = await Promise.all([
      startServer(config, db), startWorker(config, db), startServer(testConfig({ production: true, devMail: false }), db),
    ]);
  });
  afterAll(async () => {
    await Promise.all([devServer?.stop(), prodServer?.stop()]);
    await devWorker?.stop();
  });

  it('keeps mail in the database, logs only the envelope, and lists it at /dev/mail', async () => {
    const made = await tenantWithUser(db);
    await saveTree(db, made.tenant, otpTree());
    const log = vi.spyOn(logger, 'info');
    const api = new JourneyApi(devServer.url, made.tenant);
    await api.start();
    await api.submit({ username: made.login });
    const res = await fetch(`${devServer.url}/dev/mail?tenant=${made.tenant}`);
    expect(res.status).toBe(200);
    const { messages } = await res.json() as { messages: { to: string; subject: string; text: string; html: string }[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: made.login, subject: `Your sign-in code for ${made.tenant}` });
    const code = /sign-in code is (\d{6})/.exec(messages[0]!.text)![1]!;
    const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[mail]'));
    log.mockRestore();
    expect(lines).toContain(`[mail] to=${made.login} subject=Your sign-in code for ${made.tenant}`);
    expect(lines.join('\n')).not.toContain(code);
    expect((await api.submit({ code })).body.status).toBe('succeeded');

    const html = await fetch(`${devServer.url}/dev/mail?tenant=${made.tenant}`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain(code);
    expect((await fetch(`${devServer.url}/dev/mail?limit=0`)).status).toBe(400);
    expect((await fetch(`${devServer.url}/dev/mail?tenant=../x`)).status).toBe(400);
  });

  it('does not exist unless enabled', async () => {
    const res = await fetch(`${prodServer.url}/dev/mail`);
    expect(res.status).toBe(404);
  });
});
