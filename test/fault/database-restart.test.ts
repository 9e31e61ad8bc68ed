// PostgreSQL goes away mid-journeys (an immediate shutdown of a cluster of its own, as in a crash,
// then a start with crash recovery) under a `tessera server` and a `tessera worker`. While it is
// down, the Journey API answers 503 with Retry-After within seconds — a start and an answer alike,
// neither a hang on the workflow nor a 500 — and once it is back every journey continues and each
// side effect happened once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultStack } from '../support/fault-stack.ts';
import { FederatedLoginInFlight, InvitationInFlight, LoginInFlight, LogoutFanOutInFlight, SignupAwaitingApproval } from '../support/fault-journeys.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { sleep } from '../support/processes.ts';

let stack: FaultStack;
const SIGNUP_MAILS = ['Your T account awaits approval', 'Your T account is ready'];

beforeAll(async () => {
  stack = await FaultStack.start({ servers: 1, workers: 1 });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function timed<T>(call: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const began = Date.now();
  const res = await call();
  return { res, ms: Date.now() - began };
}

it('answers 503 with Retry-After while PostgreSQL is down, and every journey continues once it is back', async () => {
  const base = stack.serverUrl(0);
  const [login, signup, invitation, logout, federated] = await Promise.all([
    LoginInFlight.begin(stack.db, base),
    SignupAwaitingApproval.begin(stack.db, base, stack.sink),
    InvitationInFlight.begin(stack.db, base, stack.sink),
    LogoutFanOutInFlight.begin(stack.db, base),
    FederatedLoginInFlight.begin(stack.db, base),
  ]);
  // The login's tenant is in the server's tenant cache now: its answer below reaches the journey
  // route itself rather than failing on the tenant lookup.
  await stack.pg.crash();
  try {
    const start = await timed(() => new JourneyApi(base, login.tenant).start());
    const submit = await timed(() => login.api.submit({ password: 'not-the-password' }));
    for (const { res, ms } of [start, submit]) {
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body.error.code).toBe('temporarily_unavailable');
      expect(ms).toBeLessThan(5000);
    }
    // What a browser loads meanwhile: the login page and an OIDC authorization request get a
    // clear answer (the page itself, or 503 + Retry-After), never a 500 page.
    for (const path of [`/t/${login.tenant}/ui/login`, `/t/${login.tenant}/oidc/auth?client_id=x&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fa.example%2Fcb`]) {
      const page = await fetch(`${base}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual', signal: AbortSignal.timeout(5000) });
      const text = await page.text();
      expect(page.status, `${path}: ${text}`).not.toBe(500);
      if (page.status === 503) {
        expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      }
    }
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ down: ['database'] });
  } finally {
    await stack.pg.restart();
  }
  logout.release();
  // The refused answer changed nothing: the login still waits for its password.
  await sleep(500);
  await Promise.all([login.finish(base), signup.approve(stack.db, base, stack.sink), invitation.accept(base)]);
  expect(await login.sessions(stack.db)).toBe(1);
  expect(await signup.counts(stack.db, stack.sink)).toEqual({ adminMails: 1, userMails: SIGNUP_MAILS, accounts: 1 });
  expect(await invitation.counts(stack.db, stack.sink)).toEqual({ mails: 1, accounts: 1, accepted: 1 });
  expect(await logout.delivered(stack.db)).toEqual({ notifications: 1, recorded: 1 });
  await federated.finish();
  expect(await federated.counts(stack.db)).toEqual({ accounts: 1, sessions: 1 });
}, 240_000);
