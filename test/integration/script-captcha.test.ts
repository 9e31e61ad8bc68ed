// The script and captcha modules through the Journey API, with real Temporal and a real database:
// a script routes by whether the user has TOTP; a looping or misbehaving script ends the node with
// its `error` outcome and a `script.failed` audit event while the worker carries on; a proof of
// work is solved headlessly, and wrong, reused, stale or malformed answers are refused.
import { describe, expect, it } from 'vitest';
import { saveTree } from '../../core/journeys/trees.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { solveChallenge, verifySolution, type PowChallenge } from '../../core/journeys/proof-of-work.ts';
import { closeSandbox } from '../../core/journeys/script-sandbox.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { routeOptionalOutcomes, validateTree } from '../../workflows/tree/validate.ts';
import { moduleCatalog } from '../../activities/registry.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ onClose: () => closeSandbox() });
const { db, config } = stack;

function scriptTree(script: Record<string, unknown>): Tree {
  return {
    name: 'login', start: 'identify',
    nodes: {
      identify: { type: 'username', next: { ok: 'password' } },
      password: { type: 'password', next: { ok: 'mfa?', bad: 'password' } },
      'mfa?': { type: 'script', config: script, next: { yes: 'otp', no: 'success', error: 'failure' } },
      otp: { type: 'totp', next: { ok: 'success', bad: 'otp', skip: 'failure' } },
    },
  };
}

async function signIn(tenant: string, login: string, password: string): Promise<JourneyApi> {
  const api = new JourneyApi(stack.url, tenant);
  expect((await api.start()).status).toBe(201);
  await api.submit({ username: login });
  expect((await api.submit({ password })).status).toBe(200);
  return api;
}

describe('script module', () => {
  it('decides by the journey context: users with TOTP get the code step, others are done', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await saveTree(db, tenant, scriptTree({ source: "return user.totp ? 'yes' : 'no'" }));
    expect((await signIn(tenant, login, password)).journey).toMatchObject({ status: 'succeeded' });
    await saveTotpSecret(db, tenant, user.id, newTotpSecret(), 0);
    expect((await signIn(tenant, login, password)).journey).toMatchObject({ status: 'waiting', step: { node: 'otp' } });
  });

  it('sees the request and the outcomes so far, and nothing else', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const source = "return outcomes.map((o) => o.node + '=' + o.outcome).join() === 'identify=ok,password=ok' && request.ip && tenant && user.status === 'active' && typeof process === 'undefined' ? 'no' : 'yes'";
    await saveTree(db, tenant, scriptTree({ source }));
    expect((await signIn(tenant, login, password)).journey).toMatchObject({ status: 'succeeded' });
  });

  it('ends a looping, throwing or off-list script with the error outcome and an audit event', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const cases = [
      { source: 'while (true) {}', timeoutMs: 50, reason: 'timeout' },
      { source: "throw new Error('nope')", reason: 'error' },
      { source: "return 'maybe'", reason: 'unknown_outcome' },
      { source: 'const a = []; for (;;) a.push(new Array(100000).fill(1))', memoryMb: 4, timeoutMs: 1000, reason: 'memory' },
    ];
    for (const { reason, ...script } of cases) {
      await saveTree(db, tenant, scriptTree(script));
      const started = Date.now();
      const api = await signIn(tenant, login, password);
      expect(api.journey).toEqual({
        id: api.journey!.id, kind: 'login', status: 'failed',
        error: { code: 'script_failed', message: 'Sign-in could not be completed. Please try again later or contact your administrator.' },
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      const [event] = (await listAudit(db, tenant)).filter((e) => e.type === 'script.failed' && e.journeyId === api.journey!.id);
      expect(event).toMatchObject({ subject: user.id, data: { node: 'mfa?', reason } });
    }
    // The worker is unharmed: the next journey runs normally.
    await saveTree(db, tenant, scriptTree({ source: "return 'no'" }));
    expect((await signIn(tenant, login, password)).journey).toMatchObject({ status: 'succeeded' });
  });

  it('sends an unrouted error outcome to failure, and is refused at import with bad limits', () => {
    const tree = scriptTree({ source: "return 'yes'" });
    delete tree.nodes['mfa?']!.next.error;
    expect(validateTree(tree, moduleCatalog).ok).toBe(true);
    expect(routeOptionalOutcomes(tree, moduleCatalog).nodes['mfa?']!.next.error).toBe('failure');
    for (const config of [{ source: 'x', timeoutMs: 5000 }, { source: 'x', memoryMb: 128 }, { source: 'x'.repeat(10_241) }, {}]) {
      const check = validateTree(scriptTree(config), moduleCatalog);
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.errors[0]).toMatchObject({ node: 'mfa?', message: expect.stringMatching(/^config: /) });
    }
    const custom = scriptTree({ source: "return 'a'", outcomes: ['a', 'b'] });
    custom.nodes['mfa?']!.next = { a: 'success', b: 'otp', error: 'failure' };
    expect(validateTree(custom, moduleCatalog).ok).toBe(true);
  });
});

describe('captcha module', () => {
  const captchaFirst = (difficulty: number): Tree => ({
    name: 'login', start: 'check',
    nodes: {
      check: { type: 'captcha', config: { difficulty }, next: { ok: 'identify', bad: 'check' } },
      identify: { type: 'username', next: { ok: 'password' } },
      password: { type: 'password', next: { ok: 'success', bad: 'password' } },
    },
  });

  it('is solved headlessly and refuses wrong, reused, stale and malformed answers', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, captchaFirst(10));
    const api = new JourneyApi(stack.url, tenant);
    const first = (await api.start()).body;
    expect(first.step).toMatchObject({
      id: 'check#1', type: 'form', fields: [{ name: 'solution', type: 'hidden', required: true }],
      options: { pow: { algorithm: 'sha256', salt: expect.stringMatching(/^[0-9a-f]{32}$/), difficulty: 10, field: 'solution' } },
    });
    const challenge = first.step.options.pow as PowChallenge;

    expect((await api.submit({})).status).toBe(400);
    expect((await api.submit({ solution: '1'.repeat(33) })).status).toBe(400);
    expect((await api.submit({ solution: '1', extra: 'x' })).status).toBe(400);

    let wrong = 0;
    while (verifySolution(challenge, String(wrong), Date.now()) !== 'wrong') wrong++;
    const refused = await api.submit({ solution: String(wrong) });
    expect(refused.body.step).toMatchObject({ id: 'check#2', errors: [{ code: 'captcha_failed' }] });
    const fresh = refused.body.step.options.pow as PowChallenge;
    expect(fresh.salt).not.toBe(challenge.salt);

    // A solution of the old challenge does not answer the new one; the old step id is stale.
    const old = solveChallenge(challenge);
    expect((await api.submit({ solution: old }, 'check#1')).status).toBe(409);
    if (verifySolution(fresh, old, Date.now()) !== 'ok') {
      expect((await api.submit({ solution: old })).body.step).toMatchObject({ id: 'check#3', errors: [{ code: 'captcha_failed' }] });
    }
    const current = api.journey!.step!.options!.pow as PowChallenge;
    const passed = await api.submit({ solution: solveChallenge(current) });
    expect(passed.body.step).toMatchObject({ node: 'identify' });
    await api.submit({ username: login });
    expect((await api.submit({ password })).body.status).toBe('succeeded');
  });
});
