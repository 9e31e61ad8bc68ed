// A worker killed while it hands a mail to the SMTP server: the mail server stalls (it greets and
// then never answers), the worker dies with the message claimed but not taken, and the retried
// activity on a new worker must still mail the invitation — once, with the code whose hash the
// invitation row holds — instead of recording it as sent and mailing nothing.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashInvitationCode } from '../../core/registration/invitations.ts';
import { adminRequest, moderatedTenant } from '../support/admin-api.ts';
import { FaultStack } from '../support/fault-stack.ts';
import { sleep } from '../support/processes.ts';

let stack: FaultStack;
const stalled: Socket[] = [];
const stall = createServer((socket) => {
  stalled.push(socket);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write('220 stalling\r\n');
});

beforeAll(async () => {
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', () => resolve()));
  stack = await FaultStack.start({ servers: 1, workers: 1 });
}, 180_000);
afterAll(async () => {
  for (const socket of stalled) socket.destroy();
  await new Promise((resolve) => stall.close(resolve));
  await stack?.stop();
});

it('mails an invitation whose first send died with the worker, once, with the code the row expects', async () => {
  const { tenant, token } = await moderatedTenant(stack.db);
  const stallUrl = `smtp://127.0.0.1:${(stall.address() as { port: number }).port}`;
  // This tenant's mail goes through the stalling server (tenants.settings.smtp) until the crash.
  await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{smtp}', ${stack.db.json({ url: stallUrl } as never)}) WHERE id = ${tenant}`;
  const email = `ivy@${tenant}.example`;
  expect((await adminRequest(stack.serverUrl(0), tenant, token, 'POST', '/invitations', { email })).status).toBe(201);
  for (let i = 0; i < 200 && stalled.length === 0; i++) await sleep(100);
  expect(stalled.length).toBe(1);

  await stack.kill9(stack.workers[0]);
  await stack.db`UPDATE tenants SET settings = settings - 'smtp' WHERE id = ${tenant}`;
  await stack.startWorker(0);
  // The activity is retried once its 30 s start-to-close timeout has passed.
  const mail = await stack.sink.waitFor((m) => m.to.includes(email), 90_000);
  const code = /#invite=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  await sleep(1000);
  expect(stack.sink.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
  const [row] = await stack.db`SELECT code_hash FROM invitations WHERE tenant_id = ${tenant}`;
  expect(row!.code_hash).toBe(hashInvitationCode(code));
}, 150_000);
