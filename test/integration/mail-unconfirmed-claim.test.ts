// A mail whose first attempt died while the SMTP server had not yet taken it (a worker killed
// mid-send) leaves its dedupe key claimed but unconfirmed. The retry must mail its own message,
// once, and report that message's meta (a fresh code or link in it is the one that counts), so
// nothing is lost: a registration receipt, a sign-in link, an email code. A confirmed claim still
// mails nothing more, and the dead attempt failing late does not free a key the retry now holds.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { createMailer, MailError, type Mailer } from '../../core/infra/mail.ts';
import { consumeLink, sendLink } from '../../core/journeys/link-tokens.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { sleep } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';

let db: Db;
let sink: SmtpSink;
let tenant: string;
/** An SMTP server that greets and then never answers: a send to it hangs with its key claimed. */
const stalled: Socket[] = [];
const stall = createServer((socket) => {
  stalled.push(socket);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write('220 stalling\r\n');
});
let dying: Mailer;
let retrying: Mailer;

beforeAll(async () => {
  db = testDb();
  sink = await startSmtpSink();
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', () => resolve()));
  dying = createMailer({ db, smtpUrl: `smtp://127.0.0.1:${(stall.address() as { port: number }).port}`, log: () => {} });
  retrying = createMailer({ db, smtpUrl: sink.url, log: () => {} });
  tenant = uniqueTenantId('mail');
  await createTenant(db, tenant);
});
afterAll(async () => {
  dying?.close();
  retrying?.close();
  for (const socket of stalled) socket.destroy();
  await new Promise((resolve) => stall.close(resolve));
  await sink?.close();
  await db?.end();
});

/**
 * Starts `send` against the stalling server and returns once its key is claimed and the send
 * hangs (wrapped: an async function returning the promise itself would wait for it).
 */
async function sendThatHangs<T>(send: () => Promise<T>): Promise<{ pending: Promise<unknown> }> {
  const before = stalled.length;
  const pending = send().catch((err: unknown) => err);
  for (let i = 0; i < 100 && stalled.length === before; i++) await sleep(50);
  expect(stalled.length).toBe(before + 1);
  return { pending };
}

/** The dead attempt's connection drops: its send fails the way a refused one does. */
async function dropStalled({ pending }: { pending: Promise<unknown> }): Promise<void> {
  stalled.at(-1)!.destroy();
  expect(await pending).toBeInstanceOf(MailError);
}

async function claim(key: string) {
  const rows = await db`SELECT meta FROM mail_messages WHERE tenant_id = ${tenant} AND dedupe_key = ${key}`;
  return rows.map((r) => r.meta as Record<string, unknown>);
}

it('mails a message whose first attempt died before the server took it, once, and reports the retry’s meta', async () => {
  const to = `receipt@${tenant}.example`;
  const request = { tenant, to, template: 'registration-pending' as const, vars: { tenant, name: 'Sam' }, dedupeKey: `receipt:${to}` };
  const first = await sendThatHangs(() => dying.send({ ...request, meta: { n: 1 } }));

  const retried = await retrying.send({ ...request, meta: { n: 2 } });
  expect(retried).toEqual({ sent: true, meta: { n: 2 } });
  await sink.waitFor((m) => m.to.includes(to), 10_000);
  expect(await claim(request.dedupeKey)).toEqual([{ n: 2 }]);

  // The dead attempt failing afterwards leaves the retry's claim alone.
  await dropStalled(first);
  expect(await claim(request.dedupeKey)).toEqual([{ n: 2 }]);
  // Once confirmed, the key mails nothing more and answers with what went out.
  expect(await retrying.send({ ...request, meta: { n: 3 } })).toEqual({ sent: false, meta: { n: 2 } });
  await sleep(300);
  expect(sink.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
});

it('mails a working sign-in link when the first attempt to mail one died mid-send', async () => {
  const to = `link@${tenant}.example`;
  const request = { tenant, to, purpose: 'sign-in' as const, template: 'registration-approved' as const, vars: { name: 'Sam' }, ttlMs: 3_600_000, dedupeKey: `sign-in:${to}` };
  const first = await sendThatHangs(() => sendLink(db, dying, 'http://tessera.test', request));

  await sendLink(db, retrying, 'http://tessera.test', request);
  const mail = await sink.waitFor((m) => m.to.includes(to), 10_000);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  expect(token, mail.text).toBeDefined();
  await dropStalled(first);
  expect(await consumeLink(db, tenant, token!)).toMatchObject({ ok: true, purpose: 'sign-in' });
});
