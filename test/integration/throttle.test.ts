// Throttling over HTTP with real Temporal and a real database: brute force on a password reaches
// the captcha, then a lock; a locked account is refused even with the right password; the lock
// ends by itself (a lockout workflow's durable timer, no cron), at the later end when set again;
// a single attacking address is locked before the account it attacks; unknown accounts behave
// exactly like known ones.
import { describe, expect, it } from 'vitest';
import { saveTree } from '../../core/journeys/trees.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { accountKey, ipBucket, ipKey, lockedKeys, lockKey, recordFailure, throttleState } from '../../core/accounts/throttle.ts';
import { solveChallenge } from '../../core/journeys/proof-of-work.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { validateTree } from '../../workflows/tree/validate.ts';
import { extendLockSignal, LOCKOUT_WORKFLOW, lockoutWorkflowId } from '../../workflows/lockout-contracts.ts';
import { moduleCatalog } from '../../activities/registry.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

// The server believes X-Forwarded-For, so each test client can speak from an address of its own.
const stack = useStack({ config: { trustProxy: true } });
const { db, config } = stack;

/** A Journey API client whose requests come from `ip`. */
class ApiFrom extends JourneyApi {
  readonly ip: string;
  constructor(tenant: string, ip: string) {
    super(stack.url, tenant);
    this.ip = ip;
  }

  override request(...args: Parameters<JourneyApi['request']>) {
    // JourneyApi calls the global fetch before its first await: swap it for exactly that call.
    const real = globalThis.fetch;
    globalThis.fetch = (input, init) => real(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': this.ip } });
    try {
      return super.request(...args);
    } finally {
      globalThis.fetch = real;
    }
  }
}

type Limits = { captchaAfter: number; lockAfter: number; perIp?: { captchaAfter: number; lockAfter: number } };

function throttledTree(limits: Limits): Tree {
  const throttle = { ...limits, window: '15m', lockFor: '3s' };
  return {
    name: 'login', start: 'identify',
    nodes: {
      identify: { type: 'username', next: { ok: 'guard' } },
      guard: { type: 'throttle', config: { ...throttle, mode: 'check' }, next: { ok: 'password', captcha: 'captcha', locked: 'failure' } },
      password: { type: 'password', next: { ok: 'success', bad: 'count' } },
      count: { type: 'throttle', config: throttle, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
      captcha: { type: 'captcha', config: { difficulty: 8 }, next: { ok: 'password', bad: 'captcha' } },
    },
  };
}

/** What a client can observe of a journey: where it is, the errors shown, how it ended. */
function seen(api: JourneyApi): string {
  const j = api.journey!;
  if (j.status !== 'waiting') return `${j.status}:${j.error?.code}:${j.error?.message}`;
  return `${j.step!.node}:${j.step!.type}:${(j.step!.errors ?? []).map((e) => e.code).join(',')}`;
}

async function begin(api: JourneyApi, login: string): Promise<string[]> {
  expect((await api.start()).status).toBe(201);
  expect((await api.submit({ username: login })).status).toBe(200);
  return [seen(api)];
}

/** Answers the current step: a wrong password, or the proof of work. */
async function answer(api: JourneyApi, password = 'not-the-password'): Promise<string> {
  const step = api.journey!.step!;
  const res = step.node === 'captcha'
    ? await api.submit({ solution: solveChallenge(step.options!.pow as { salt: string; difficulty: number }) })
    : await api.submit({ password });
  expect(res.status).toBe(200);
  return seen(api);
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const LOCKED = 'failed:temporarily_locked:Too many failed attempts. Sign-in is temporarily blocked; please try again later.';

describe('throttle', () => {
  it('brute force reaches the captcha, then a lock that refuses even the right password and ends by itself', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await saveTree(db, tenant, throttledTree({ captchaAfter: 2, lockAfter: 4, perIp: { captchaAfter: 50, lockAfter: 100 } }));
    const attacker = new ApiFrom(tenant, '203.0.113.10');
    const trail = await begin(attacker, login);
    for (let i = 0; i < 7 && attacker.journey!.status === 'waiting'; i++) trail.push(await answer(attacker));
    expect(trail).toEqual([
      'password:form:',
      'password:form:invalid_credentials', // 1 failure: retry
      'captcha:form:invalid_credentials', // 2: captcha
      'password:form:',
      'captcha:form:invalid_credentials', // 3: captcha again
      'password:form:',
      LOCKED, // 4: locked
    ]);

    // The real user, from elsewhere, with the right password: refused before the password step.
    const owner = new ApiFrom(tenant, '198.51.100.20');
    expect(await begin(owner, login)).toEqual([LOCKED]);
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'throttle.locked')).toEqual([
      expect.objectContaining({ subject: user.id, data: expect.objectContaining({ scope: 'account' }) }),
    ]);

    // A lockout workflow's durable timer ends the lock, after lockFor (3 s); nothing else does.
    const lockout = stack.server.client.workflow.getHandle(lockoutWorkflowId(tenant, accountKey(user, undefined)!.hash));
    expect((await lockout.describe()).type).toBe('lockoutWorkflow');
    await until(async () => ((await lockout.describe()).status.name === 'COMPLETED' ? true : undefined));
    const audit = await listAudit(db, tenant);
    const lockedAt = audit.find((e) => e.type === 'throttle.locked')!.at.getTime();
    const unlockedAt = audit.find((e) => e.type === 'throttle.unlocked')!.at.getTime();
    expect(unlockedAt - lockedAt).toBeGreaterThanOrEqual(2900);
    expect(await db`SELECT 1 FROM throttle_locks WHERE tenant_id = ${tenant}`).toHaveLength(0);

    const again = new ApiFrom(tenant, '198.51.100.20');
    expect(await begin(again, login)).toEqual(['password:form:']);
    expect(await answer(again, password)).toMatch(/^succeeded/);
  });

  it('treats an unknown account exactly like a known one', async () => {
    const { tenant, login } = await tenantWithUser(db);
    await saveTree(db, tenant, throttledTree({ captchaAfter: 2, lockAfter: 3, perIp: { captchaAfter: 50, lockAfter: 100 } }));
    const run = async (who: string, ip: string) => {
      const api = new ApiFrom(tenant, ip);
      const trail = await begin(api, who);
      while (api.journey!.status === 'waiting' && trail.length < 10) trail.push(await answer(api));
      trail.push(...await begin(new ApiFrom(tenant, '192.0.2.99'), who));
      return trail;
    };
    const known = await run(login, '203.0.113.21');
    const unknown = await run(`nobody@${tenant}.example`, '203.0.113.22');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe(LOCKED);
    expect(known.at(-2)).toBe(LOCKED);
  });

  it('locks a single attacking address before the account, and counts spraying across accounts', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, throttledTree({ captchaAfter: 10, lockAfter: 20, perIp: { captchaAfter: 2, lockAfter: 3 } }));
    const attacker = new ApiFrom(tenant, '203.0.113.30');
    await begin(attacker, 'someone-else@example.com');
    expect(await answer(attacker)).toBe('password:form:invalid_credentials');
    // A second account from the same address: the address's count goes on.
    await begin(attacker, login);
    expect(await answer(attacker)).toBe('captcha:form:invalid_credentials');
    await answer(attacker);
    expect(await answer(attacker)).toBe(LOCKED);
    expect(await begin(new ApiFrom(tenant, '203.0.113.30'), 'third@example.com')).toEqual([LOCKED]);

    // The attacked account is not locked: its owner signs in from another address.
    const owner = new ApiFrom(tenant, '198.51.100.31');
    expect(await begin(owner, login)).toEqual(['password:form:']);
    expect(await answer(owner, password)).toMatch(/^succeeded/);
    const locked = (await listAudit(db, tenant)).filter((e) => e.type === 'throttle.locked');
    expect(locked).toEqual([expect.objectContaining({ data: expect.objectContaining({ scope: 'ip', ip: '203.0.113.30' }) })]);
  });

  it('keeps a lock that was set again while its timer ran until the later end', async () => {
    const { tenant } = await tenantWithUser(db);
    const key = accountKey(undefined, 'victim@example.com')!;
    const started = Date.now();
    const lockUntil = async (until: number) => {
      await stack.server.client.workflow.signalWithStart(LOCKOUT_WORKFLOW, {
        workflowId: lockoutWorkflowId(tenant, key.hash), taskQueue: config.taskQueue,
        args: [{ tenant, keyHash: key.hash, scope: key.scope, until }], signal: extendLockSignal, signalArgs: [until],
      });
      await lockKey(db, tenant, key, new Date(), new Date(until));
    };
    await lockUntil(started + 1500);
    await lockUntil(started + 4000);
    await stack.server.client.workflow.getHandle(lockoutWorkflowId(tenant, key.hash)).result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(await lockedKeys(db, tenant, [key])).toEqual([]);
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'throttle.unlocked')).toHaveLength(1);
  });

  it('counts an IPv6 /64 as one address', () => {
    expect(ipBucket('2001:db8:1:2::1')).toBe(ipBucket('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(ipBucket('2001:db8:1:2::1')).not.toBe(ipBucket('2001:db8:1:3::1'));
    expect(ipKey('::ffff:192.0.2.1')).toEqual(ipKey('192.0.2.1'));
  });

  it('records a failure once per visit, however often the activity is retried', async () => {
    const { tenant } = await tenantWithUser(db);
    const key = accountKey(undefined, 'Someone@Example.com ')!;
    expect(key).toEqual(accountKey(undefined, 'someone@example.com'));
    const now = new Date();
    expect(await recordFailure(db, tenant, key, 'j1:count:1', now, 60_000)).toBe(1);
    expect(await recordFailure(db, tenant, key, 'j1:count:1', now, 60_000)).toBe(1);
    expect(await recordFailure(db, tenant, key, 'j1:count:2', now, 60_000)).toBe(2);
    // Failures outside the window do not count.
    expect(await recordFailure(db, tenant, key, 'j2:count:1', new Date(now.getTime() + 61_000), 60_000)).toBe(1);
    // The stored keys are hashes, never what was typed.
    expect(JSON.stringify(await db`SELECT * FROM throttle_failures WHERE tenant_id = ${tenant}`)).not.toMatch(/someone/i);
  });

  it('reads locks and the failures of each key in the window together, as a check does', async () => {
    const { tenant } = await tenantWithUser(db);
    const account = accountKey(undefined, 'state@example.com')!;
    const address = ipKey('198.51.100.7')!;
    const now = new Date();
    expect(await throttleState(db, tenant, [], now, 60_000)).toEqual({ locked: false, failures: [] });
    expect(await throttleState(db, tenant, [account, address], now, 60_000)).toEqual({ locked: false, failures: [0, 0] });
    await recordFailure(db, tenant, address, 'js:1', new Date(now.getTime() - 120_000), 60_000);
    await recordFailure(db, tenant, address, 'js:2', now, 60_000);
    await recordFailure(db, tenant, address, 'js:3', now, 60_000);
    await recordFailure(db, tenant, account, 'js:4', now, 60_000);
    // In the order of the keys asked; the failure two minutes old is outside the window.
    expect(await throttleState(db, tenant, [address, account], new Date(now.getTime() + 1), 60_000)).toEqual({ locked: false, failures: [2, 1] });
    await lockKey(db, tenant, address, now, new Date(now.getTime() + 60_000));
    expect((await throttleState(db, tenant, [account, address], now, 60_000)).locked).toBe(true);
    expect((await throttleState(db, tenant, [account], now, 60_000)).locked).toBe(false);
  });

  it('refuses bad throttle configs at import, naming the node', () => {
    const bad = (config: Record<string, unknown>) => {
      const tree = throttledTree({ captchaAfter: 2, lockAfter: 4 });
      tree.nodes.count!.config = { captchaAfter: 2, lockAfter: 4, window: '15m', ...config };
      const check = validateTree(tree, moduleCatalog);
      return check.ok ? [] : check.errors;
    };
    expect(bad({})).toEqual([]);
    for (const config of [{ window: '500ms' }, { lockFor: '0s' }, { window: '31d' }, { lockAfter: 0 }, { captchaAfter: 1.5 }, { perIp: { lockAfter: 3 } }, { extra: 1 }]) {
      expect(bad(config)).toEqual(expect.arrayContaining([expect.objectContaining({ node: 'count', message: expect.stringMatching(/^config: /) })]));
    }
  });
});
