// While no worker runs, a request that needs one is answered 503 with Retry-After within the
// answer deadline (JOURNEY_ANSWER_TIMEOUT), never held open: one `tessera server` and one
// `tessera worker` on their own Temporal and PostgreSQL, the worker killed with SIGKILL while a
// login waits for its password. Once a worker runs again, the browser's retry of the same step
// finishes the login with exactly one session, whether or not Temporal carried out the answer it
// had admitted before the 503 (the retry is then refused as finished, and gets the session).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultStack } from '../support/fault-stack.ts';
import { LoginInFlight } from '../support/fault-journeys.ts';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi, type ApiResponse } from '../support/journey-api.ts';

const ANSWER_TIMEOUT_MS = 4000;
/** What the deadline may be overrun by: the database checks before the call, a loaded machine. */
const SLACK_MS = 4000;

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start({ servers: 1, workers: 1, env: { JOURNEY_ANSWER_TIMEOUT: `${ANSWER_TIMEOUT_MS}ms` } });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function timed(call: () => Promise<ApiResponse>): Promise<{ res: ApiResponse; took: number }> {
  const began = Date.now();
  const res = await call();
  return { res, took: Date.now() - began };
}

function expectUnavailable({ res, took }: { res: ApiResponse; took: number }): void {
  // The server's log names the error a 500 came from (the error handler logs it).
  expect(res.status, `${JSON.stringify(res.body)}\n${stack.servers[0]!.proc.describe().slice(-4000)}`).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.body.error.code).toBe('temporarily_unavailable');
  expect(took).toBeGreaterThanOrEqual(ANSWER_TIMEOUT_MS - 500);
  expect(took).toBeLessThan(ANSWER_TIMEOUT_MS + SLACK_MS);
}

it('answers 503 + Retry-After while the only worker is dead, then finishes the login with one session', async () => {
  const login = await LoginInFlight.begin(stack.db, stack.serverUrl(0));
  await stack.kill9(stack.workers[0]);
  try {
    expectUnavailable(await timed(() => login.answer()));
    const { tenant } = await tenantWithUser(stack.db);
    expectUnavailable(await timed(() => new JourneyApi(stack.serverUrl(0), tenant).start()));
    expect(await login.sessions(stack.db)).toBe(0);
  } finally {
    await stack.startWorker(0);
  }
  // The browser answers the same step again, as the login page does after a 503.
  await login.finish(stack.serverUrl(0));
  expect((await login.api.get()).body.status).toBe('succeeded');
  expect(await login.sessions(stack.db)).toBe(1);
}, 240_000);
