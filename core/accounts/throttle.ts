// Failure counters and lockouts for the throttle module, per tenant, keyed by account and by
// client address. Keys are stored hashed. Failures are rows (one per journey, node and visit, so
// a retried activity counts once) counted over a sliding window; a lock is a row that only the
// lockout workflow removes, when its durable timer fires (workflows/lockout.ts).
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { PendingQuery, Row } from 'postgres';
import type { Db } from '../infra/db.ts';

export type ThrottleScope = 'account' | 'ip';
export interface ThrottleKey { scope: ThrottleScope; hash: string }

const CLEANUP_BATCH = 200;

function key(scope: ThrottleScope, name: string): ThrottleKey {
  return { scope, hash: createHash('sha256').update(name).digest('hex') };
}

/** The account's key: its id when the account exists, else the login as typed (normalized). */
export function accountKey(user: { id: string } | undefined, login: string | undefined): ThrottleKey | undefined {
  if (user) return key('account', `account:${user.id}`);
  const typed = login?.trim().toLowerCase();
  return typed ? key('account', `login:${typed}`) : undefined;
}

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64, the block one subscriber usually holds. */
export function ipBucket(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1').replace(/%.*$/, '');
  if (!isIPv6(address)) return address;
  const hex = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head = '', tail = ''] = hex.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = hex.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g || '0', 16).toString(16)).join(':')}::/64`;
}

export function ipKey(ip: string | undefined): ThrottleKey | undefined {
  return ip ? key('ip', `ip:${ipBucket(ip)}`) : undefined;
}

/** Records one failure (once per eventId) and returns the failures within the window. */
export async function recordFailure(db: Db, tenant: string, k: ThrottleKey, eventId: string, now: Date, windowMs: number): Promise<number> {
  const expires = new Date(now.getTime() + windowMs);
  await db`INSERT INTO throttle_failures (tenant_id, key_hash, event_id, at, expires_at)
    VALUES (${tenant}, ${k.hash}, ${eventId}, ${now}, ${expires}) ON CONFLICT DO NOTHING`;
  // Keys never seen again would keep their rows forever: every write sweeps a few expired ones.
  await db`DELETE FROM throttle_failures WHERE ctid IN (SELECT ctid FROM throttle_failures
    WHERE tenant_id = ${tenant} AND expires_at < ${now} LIMIT ${CLEANUP_BATCH})`;
  return countFailures(db, tenant, k, now, windowMs);
}

export async function countFailures(db: Db, tenant: string, k: ThrottleKey, now: Date, windowMs: number): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS n FROM throttle_failures
    WHERE tenant_id = ${tenant} AND key_hash = ${k.hash} AND at > ${new Date(now.getTime() - windowMs)}`;
  return row!.n as number;
}

/**
 * Whether any of `keys` is locked now, and the failures of each (in the order of `keys`) within the
 * window: what lockedKeys and countFailures answer, read together in one statement (a check
 * before every password asks both).
 */
export async function throttleState(db: Db, tenant: string, keys: ThrottleKey[], now: Date, windowMs: number): Promise<{ locked: boolean; failures: number[] }> {
  if (keys.length === 0) return { locked: false, failures: [] };
  const rows = await db`SELECT k.hash,
      EXISTS (SELECT 1 FROM throttle_locks l WHERE l.tenant_id = ${tenant} AND l.key_hash = k.hash) AS locked,
      (SELECT count(*)::int FROM throttle_failures f
        WHERE f.tenant_id = ${tenant} AND f.key_hash = k.hash AND f.at > ${new Date(now.getTime() - windowMs)}) AS failures
    FROM unnest(${db.array(keys.map((k) => k.hash))}::text[]) AS k(hash)`;
  const byHash = new Map(rows.map((r) => [r.hash as string, r]));
  return {
    locked: rows.some((r) => r.locked === true),
    failures: keys.map((k) => Number(byHash.get(k.hash)?.failures ?? 0)),
  };
}

/** The keys among `keys` that are locked now. */
export async function lockedKeys(db: Db, tenant: string, keys: ThrottleKey[]): Promise<ThrottleKey[]> {
  if (keys.length === 0) return [];
  const rows = await db`SELECT key_hash FROM throttle_locks WHERE tenant_id = ${tenant} AND key_hash IN ${db(keys.map((k) => k.hash))}`;
  const locked = new Set(rows.map((r) => r.key_hash as string));
  return keys.filter((k) => locked.has(k.hash));
}

/** Locks a key until `until` (a later lock wins) and forgets its failures: they led here. */
export async function lockKey(db: Db, tenant: string, k: ThrottleKey, now: Date, until: Date): Promise<void> {
  await db.begin(async (tx) => {
    await tx`INSERT INTO throttle_locks (tenant_id, key_hash, scope, locked_at, locked_until)
      VALUES (${tenant}, ${k.hash}, ${k.scope}, ${now}, ${until})
      ON CONFLICT (tenant_id, key_hash) DO UPDATE SET locked_until = GREATEST(throttle_locks.locked_until, EXCLUDED.locked_until)`;
    await tx`DELETE FROM throttle_failures WHERE tenant_id = ${tenant} AND key_hash = ${k.hash}`;
  });
}

/** Ends a lock that runs no later than `until`; false when there was none (or a later one). */
export async function unlockKey(db: Db, tenant: string, keyHash: string, until: Date): Promise<boolean> {
  const rows = await db`DELETE FROM throttle_locks
    WHERE tenant_id = ${tenant} AND key_hash = ${keyHash} AND locked_until <= ${until} RETURNING key_hash`;
  return rows.length > 0;
}

/** Forgets an account's failures; for a successful sign-in (called when a journey succeeds). */
export async function resetThrottle(db: Db, tenant: string, userId: string): Promise<void> {
  await resetThrottleStatement(db, tenant, userId);
}

/** resetThrottle's statement, not yet run: to run inside another (markSignedIn's). */
export function resetThrottleStatement(db: Db, tenant: string, userId: string): PendingQuery<Row[]> {
  return db`DELETE FROM throttle_failures WHERE tenant_id = ${tenant} AND key_hash = ${accountKey({ id: userId }, undefined)!.hash}`;
}
