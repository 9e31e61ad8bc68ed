// Two `tessera server` and two `tessera worker` processes on one Temporal (a separate
// `temporal server start-dev`, standing for a cluster) and one PostgreSQL. Journeys are left in
// the middle, a part is killed with SIGKILL, and afterwards every journey ends as its user expects
// and every side effect (mails, accounts, sessions) happened exactly once. While Temporal is down,
// requests are answered 503 with Retry-After at once, and while no worker runs within the answer
// deadline: never a hang and never a 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultStack } from '../support/fault-stack.ts';
import { FederatedLoginInFlight, InvitationInFlight, LoginInFlight, LogoutFanOutInFlight, onServer, SignupAwaitingApproval } from '../support/fault-journeys.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';

let stack: FaultStack;
/** What a moderated signup mails its user, each once: the receipt, then the approval. */
const SIGNUP_MAILS = ['Your T account awaits approval', 'Your T account is ready'];

beforeAll(async () => {
  stack = await FaultStack.start({ servers: 2, workers: 2 });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

/** One of each journey, waiting in the middle. */
async function journeysInFlight(base: string) {
  const [login, signup, invitation, logout, federated] = await Promise.all([
    LoginInFlight.begin(stack.db, base),
    SignupAwaitingApproval.begin(stack.db, base, stack.sink),
    InvitationInFlight.begin(stack.db, base, stack.sink),
    LogoutFanOutInFlight.begin(stack.db, stack.env.PUBLIC_URL!),
    FederatedLoginInFlight.begin(stack.db, stack.env.PUBLIC_URL!),
  ]);
  return { login, signup, invitation, logout, federated };
}

/** Finishes each journey at `base` and checks that every side effect happened exactly once. */
async function finishAndCount(journeys: Awaited<ReturnType<typeof journeysInFlight>>, base: string): Promise<void> {
  const { login, signup, invitation, logout, federated } = journeys;
  logout.release();
  await Promise.all([login.finish(base), signup.approve(stack.db, base, stack.sink), invitation.accept(base)]);
  expect(await logout.delivered(stack.db)).toEqual({ notifications: 1, recorded: 1 });
  await federated.finish();
  expect(await federated.counts(stack.db)).toEqual({ accounts: 1, sessions: 1 });
  expect(await login.sessions(stack.db)).toBe(1);
  expect(await signup.counts(stack.db, stack.sink)).toEqual({ adminMails: 1, userMails: SIGNUP_MAILS, accounts: 1 });
  expect(await invitation.counts(stack.db, stack.sink)).toEqual({ mails: 1, accounts: 1, accepted: 1 });
}

it('finishes a login whose steps alternate between the servers after the first one is killed', async () => {
  const { tenant, login, password, user } = await tenantWithUser(stack.db);
  const a = new JourneyApi(stack.serverUrl(0), tenant);
  expect((await a.start()).status).toBe(201);
  const b = onServer(a, stack.serverUrl(1));
  expect((await b.submit({ username: login })).status).toBe(200);
  await stack.kill9(stack.servers[0]);
  try {
    const done = await b.submit({ password });
    expect(done.body.status).toBe('succeeded');
    const [row] = await stack.db`SELECT count(*)::int AS n FROM sessions WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    expect(row!.n).toBe(1);
  } finally {
    await stack.startServer(0);
  }
}, 120_000);

// Both workers: with one left, it would take over every journey, and a journey whose workflow
// the killed one held might not be touched at all. With none, the next answer must wait for a
// worker, and is answered 503 within the answer deadline (JOURNEY_ANSWER_TIMEOUT, 20 s by default).
it('loses nothing when every worker is killed with journeys in the middle', async () => {
  const journeys = await journeysInFlight(stack.serverUrl(0));
  await Promise.all([stack.kill9(stack.workers[0]), stack.kill9(stack.workers[1])]);
  let restarted = false;
  try {
    const began = Date.now();
    const res = await journeys.login.answer(stack.serverUrl(1));
    const took = Date.now() - began;
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.error.code).toBe('temporarily_unavailable');
    expect(took).toBeLessThan(20_000 + 5000);

    await stack.startWorker(0);
    restarted = true;
    await finishAndCount(journeys, stack.serverUrl(1));
  } finally {
    await Promise.all([restarted ? undefined : stack.startWorker(0), stack.startWorker(1)]);
  }
}, 330_000);

it('loses nothing when a server is killed with journeys in the middle', async () => {
  const journeys = await journeysInFlight(stack.serverUrl(1));
  await stack.kill9(stack.servers[1]);
  try {
    await finishAndCount(journeys, stack.serverUrl(0));
  } finally {
    await stack.startServer(1);
  }
}, 240_000);

it('answers 503 with Retry-After while Temporal is down, and loses nothing once it is back', async () => {
  const journeys = await journeysInFlight(stack.serverUrl(0));
  await stack.temporal.kill9();

  const { tenant } = await tenantWithUser(stack.db);
  const api = new JourneyApi(stack.serverUrl(1), tenant);
  for (const call of [() => api.start(), () => onServer(journeys.login.api, stack.serverUrl(0)).submit({ password: 'whatever' })]) {
    const began = Date.now();
    const res = await call();
    const took = Date.now() - began;
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.error.code).toBe('temporarily_unavailable');
    expect(took).toBeLessThan(5000);
  }
  // Operators see the outage: the servers count the Temporal calls that failed.
  const metrics = await (await fetch(`${stack.serverUrl(1)}/metrics`)).text();
  const failed = [...metrics.matchAll(/^tessera_temporal_client_errors_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  expect(failed, metrics.split('\n').filter((l) => l.includes('temporal_client')).join('\n')).toBeGreaterThan(0);

  await stack.temporal.restart();
  await finishAndCount(journeys, stack.serverUrl(1));
}, 270_000);
