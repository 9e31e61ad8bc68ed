// throttle: counts failed sign-ins per account and per client address, and answers `retry`,
// `captcha` or `locked`. Placed after a failed check (`password --bad--> throttle`), it records a
// failure; with `"mode": "check"` (before the password, outcomes ok/captcha/locked) it records
// nothing and only enforces: a locked account is refused even with the right password, and a
// new journey cannot skip the captcha that the last failures earned.
// Rules: an unknown login is counted under what was typed, exactly like an account, so answers
// and messages never reveal whether an account exists; failures count over a sliding `window`
// per tenant; at `lockAfter` the account (or address) is locked for `lockFor`, and the lock ends
// by itself: a lockout workflow's durable timer removes it (no cron). While locked the node
// answers `locked` at once, with the same message for every account.
// Trade-off: anyone can lock an account by failing on purpose. So locks expire; an address is
// counted too, with its own limits (`perIp`; by default one failure below the account's lock), so
// one attacking address hits its own lock first, and a locked address adds no more failures to
// the account: only several addresses together can lock a real user out, and only for lockFor.
// Lower perIp limits stop password spraying sooner but weigh on users sharing one address (NAT).
import { z } from 'zod';
import type { LockoutInput } from '../../workflows/lockout-contracts.ts';
import { extendLockSignal, LOCKOUT_WORKFLOW, lockoutWorkflowId } from '../../workflows/lockout-contracts.ts';
import { accountKey, ipKey, lockedKeys, lockKey, recordFailure, throttleState, type ThrottleKey } from '../../core/accounts/throttle.ts';
import type { Db } from '../../core/infra/db.ts';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import { defineModule, type ModuleDeps } from './module.ts';

export const LOCKED = { code: 'temporarily_locked', message: 'Too many failed attempts. Sign-in is temporarily blocked; please try again later.' };
const MAX_DURATION = 30 * 86_400_000;

const Duration = z.string().refine((d) => isDuration(d) && parseDuration(d) >= 1000 && parseDuration(d) <= MAX_DURATION, 'a duration from 1s to 30d, such as 15m');
const Count = z.number().int().min(1).max(10_000);
const Limits = z.object({ captchaAfter: Count, lockAfter: Count }).strict();

interface Visits { visits: number }

type LimitsConfig = z.infer<typeof Limits> & { perIp?: z.infer<typeof Limits> };

/** The address's limits: `perIp`, else one failure below the account's lock. */
function ipLimits(config: LimitsConfig): z.infer<typeof Limits> {
  const ipLock = Math.max(1, config.lockAfter - 1);
  return config.perIp ?? { captchaAfter: Math.min(config.captchaAfter, ipLock), lockAfter: ipLock };
}

/**
 * What a throttle node in `check` mode answers for this login and address, recording nothing:
 * `locked` while the account or the address is locked, `captcha` once either earned one.
 * For modules that take the username and the password in one step (credentials.ts).
 */
export async function checkThrottle(db: Db, tenant: string, who: { user?: { id: string } | null; login?: string; ip?: string },
  config: LimitsConfig & { window: string }, now: Date): Promise<'ok' | 'captcha' | 'locked'> {
  const keys = [accountKey(who.user ?? undefined, who.login), ipKey(who.ip)].filter((k): k is ThrottleKey => k !== undefined);
  const state = await throttleState(db, tenant, keys, now, parseDuration(config.window));
  if (state.locked) return 'locked';
  const limits = { account: config, ip: ipLimits(config) };
  return keys.some((k, i) => state.failures[i]! >= limits[k.scope].captchaAfter) ? 'captcha' : 'ok';
}

/** Records this visit's failure for each key, one after the other; the failures each then has in the window. */
async function recordFailures(db: Db, tenant: string, keys: ThrottleKey[], event: string, now: Date, windowMs: number): Promise<number[]> {
  const counts: number[] = [];
  for (const k of keys) counts.push(await recordFailure(db, tenant, k, event, now, windowMs));
  return counts;
}

export const ThrottleLimits = Limits.extend({ window: Duration, perIp: Limits.optional() }).strict();

export const throttleModule = defineModule({
  type: 'throttle',
  config: Limits.extend({
    window: Duration,
    lockFor: Duration.optional(),
    perIp: Limits.optional(),
    mode: z.enum(['record', 'check']).default('record'),
  }).strict(),
  outcomes: (config) => [config.mode === 'check' ? 'ok' : 'retry', 'captcha', 'locked'],
  rememberOutcomes: [],
  async prepare({ ctx, node, config }, deps) {
    const { db } = deps;
    const now = deps.now();
    const windowMs = parseDuration(config.window);
    const limits = { account: config, ip: ipLimits(config) };
    const keys = [accountKey(ctx.user, ctx.login), ipKey(ctx.request.ip)].filter((k): k is ThrottleKey => k !== undefined);
    // A check reads locks and counts in one statement; a record needs the lock check before it writes.
    const checked = config.mode === 'check' ? await throttleState(db, ctx.tenant, keys, now, windowMs) : undefined;
    const locked = checked ? checked.locked : (await lockedKeys(db, ctx.tenant, keys)).length > 0;
    if (locked) return { kind: 'outcome', outcome: 'locked', patch: { error: LOCKED } };

    const visit = ((ctx.nodeState[node] as Visits | undefined)?.visits ?? 0) + 1;
    const event = `${ctx.journeyId}:${node}:${visit}`;
    const counts = checked ? checked.failures : await recordFailures(db, ctx.tenant, keys, event, now, windowMs);
    const patch = { nodeState: { visits: visit } satisfies Visits };

    const over = keys.filter((k, i) => config.mode === 'record' && counts[i]! >= limits[k.scope].lockAfter);
    if (over.length > 0) {
      const lockForMs = parseDuration(config.lockFor ?? config.window);
      for (const k of over) await lock(deps, ctx, k, now, lockForMs, `${event}:${k.scope}`);
      return { kind: 'outcome', outcome: 'locked', patch: { ...patch, error: LOCKED } };
    }
    const captcha = keys.some((k, i) => counts[i]! >= limits[k.scope].captchaAfter);
    return { kind: 'outcome', outcome: captcha ? 'captcha' : config.mode === 'check' ? 'ok' : 'retry', patch };
  },
});

/**
 * Starts (or extends) the lockout workflow first, then writes the lock: a lock is never in the
 * database without a timer to end it. @throws when Temporal is unreachable (the activity retries).
 */
async function lock(deps: ModuleDeps, ctx: { tenant: string; journeyId: string; user?: { id: string }; request: { ip?: string } }, k: ThrottleKey, now: Date, lockForMs: number, dedupe: string): Promise<void> {
  if (!deps.temporal) throw new Error('the throttle module needs a Temporal client to end lockouts');
  const until = now.getTime() + lockForMs;
  const input: LockoutInput = { tenant: ctx.tenant, keyHash: k.hash, scope: k.scope, until };
  await deps.temporal.workflow.signalWithStart(LOCKOUT_WORKFLOW, {
    workflowId: lockoutWorkflowId(ctx.tenant, k.hash), taskQueue: deps.config.taskQueue,
    args: [input], signal: extendLockSignal, signalArgs: [until],
  });
  await lockKey(deps.db, ctx.tenant, k, now, new Date(until));
  await deps.audit({
    tenant: ctx.tenant, type: 'throttle.locked', journeyId: ctx.journeyId, dedupeKey: `throttle.locked:${dedupe}`,
    ...(k.scope === 'account' && ctx.user ? { subject: ctx.user.id } : {}),
    data: { scope: k.scope, key: k.hash, until: new Date(until).toISOString(), ...(k.scope === 'ip' ? { ip: ctx.request.ip ?? null } : {}) },
  });
}
