// No secret or personal data in the logs, at the most verbose level: sign-ins with a password
// (a wrong one first), a TOTP code, an emailed code, and a client's secret at the token endpoint
// go through `tessera server` and `tessera worker`; then everything both wrote on stdout and
// stderr is searched for each password, code, secret, token, cookie and email address used.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser, testDb } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { jsonLines, startObservedProcesses, type ObservedProcesses } from '../support/observed-processes.ts';
import { killAll, removeDir, sleep } from '../support/processes.ts';

let db: Db;
let procs: ObservedProcesses;

beforeAll(async () => {
  db = testDb();
  procs = await startObservedProcesses({ both: { LOG_LEVEL: 'trace' } });
});
afterAll(async () => {
  await killAll();
  await removeDir(procs?.dataDir);
  await db?.end();
});

/** Everything both processes wrote. */
const output = () => [procs.server, procs.worker].map((p) => `${p.stdout}\n${p.stderr}`).join('\n');

/** Whether `value` occurs in the output as a token of its own (a 6-digit code inside a longer number is not it). */
function leaked(value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`).test(output());
}

it('never logs passwords, codes, secrets, tokens, cookies or email addresses', async () => {
  const secrets: Record<string, string> = {};

  // Password (a wrong one first) and TOTP.
  const made = await tenantWithUser(db);
  const totpSecret = newTotpSecret();
  await saveTotpSecret(db, made.tenant, made.user.id, totpSecret, 0);
  const api = new JourneyApi(procs.url, made.tenant);
  await api.start();
  await api.submit({ username: made.login });
  const wrong = `Wr0ng-${randomBytes(6).toString('hex')}`;
  expect((await api.submit({ password: wrong })).body.step.errors[0].code).toBe('invalid_credentials');
  expect((await api.submit({ password: made.password })).body.step.id).toBe('otp#1');
  const code = totpCode(totpSecret);
  expect((await api.submit({ code })).body.status).toBe('succeeded');
  Object.assign(secrets, { password: made.password, wrong, totpSecret, totpCode: code, email: made.login, session: api.cookies.get('tessera_session')! });

  // An emailed sign-in code (the dev mailbox: kept in the database, never in the log).
  const mailed = await tenantWithUser(db);
  await saveTree(db, mailed.tenant, {
    name: 'login', start: 'identify',
    nodes: {
      identify: { type: 'username', next: { ok: 'otp' } },
      otp: { type: 'email-otp', next: { ok: 'success', bad: 'otp', locked: 'failure', none: 'failure' } },
    },
  });
  const byMail = new JourneyApi(procs.url, mailed.tenant);
  await byMail.start();
  await byMail.submit({ username: mailed.login });
  let mailCode: string | undefined;
  for (let i = 0; i < 50 && !mailCode; i++, await sleep(100)) {
    const [mail] = await db`SELECT text_body FROM mail_messages WHERE tenant_id = ${mailed.tenant} ORDER BY id DESC LIMIT 1`;
    mailCode = mail ? /sign-in code is (\d{6})/.exec(mail.text_body as string)?.[1] : undefined;
  }
  expect(mailCode).toBeDefined();
  expect((await byMail.submit({ code: mailCode })).body.status).toBe('succeeded');
  Object.assign(secrets, { mailCode: mailCode!, mailedEmail: mailed.login });

  // A client's secret at the token endpoint (and a wrong one), and the access token it got.
  const client = await createOidcClient(db, made.tenant, { grant_types: ['client_credentials'] });
  const clientSecret = client.metadata.client_secret as string;
  const grant = (secret: string) => fetch(`${procs.url}/t/${made.tenant}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const granted = await grant(clientSecret);
  expect(granted.status).toBe(200);
  const wrongSecret = `wrong-${randomBytes(12).toString('hex')}`;
  expect((await grant(wrongSecret)).status).toBe(401);
  Object.assign(secrets, { clientSecret, wrongSecret, accessToken: ((await granted.json()) as { access_token: string }).access_token });

  // The processes did log these requests and activities (at trace level)…
  await sleep(500);
  const journeyIds = [api.journey!.id, byMail.journey!.id];
  for (const id of journeyIds) {
    expect(jsonLines(procs.server).some((l) => l.journeyId === id), `server lines of ${id}`).toBe(true);
    expect(jsonLines(procs.worker).some((l) => l.journeyId === id), `worker lines of ${id}`).toBe(true);
  }
  expect(jsonLines(procs.worker).some((l) => /\[mail\]/.test(l.msg ?? ''))).toBe(true);
  // …and none of what went through them.
  for (const [what, value] of Object.entries(secrets)) expect(leaked(value), what).toBe(false);
  expect(output()).not.toMatch(/@t-[0-9a-f]{10}\.example/);
});
