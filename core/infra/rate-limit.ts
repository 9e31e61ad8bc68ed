// Durable rate-limit counters in PostgreSQL, shared by every replica: fixed windows, one upsert
// per hit. Rules:
// - a key is hashed ("<limit>:<subject>"), so addresses and emails counted are not stored;
// - windows are aligned on the database clock (every replica agrees on them);
// - every hit counts, allowed or not (hammering does not reopen the window early);
// - rows of past windows are deleted in the background, a batch on about 1 in 200 hits, never
//   awaited by the request that triggered it;
// - a tenant's limits come from tenants.settings.rateLimits, with defaults (rate-limit-settings.ts).
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';
import { logger } from './logger.ts';

export interface LimitRule { limit: number; windowMs: number }

export interface LimitResult { allowed: boolean; hits: number; retryAfterS: number }

const SWEEP_EVERY = 200;
const SWEEP_BATCH = 1000;
let hitsSeen = 0;

function sweepSometimes(db: Db): void {
  if (++hitsSeen % SWEEP_EVERY !== 0) return;
  db`DELETE FROM rate_limit_hits WHERE (tenant_id, key_hash, window_start) IN (
       SELECT tenant_id, key_hash, window_start FROM rate_limit_hits WHERE expires_at < now() ORDER BY expires_at LIMIT ${SWEEP_BATCH})`
    .catch((err: { code?: string }) => logger.error(`[rate-limit] sweeping old windows failed (${err.code ?? 'error'})`));
}

export function limitKey(limit: string, subject: string): string {
  return createHash('sha256').update(`${limit}:${subject}`).digest('hex');
}

/** Counts one hit of `key` in its current window; `allowed` while the window's hits stay within the rule. */
export async function hit(db: Db, tenant: string, key: string, rule: LimitRule): Promise<LimitResult> {
  const [result] = await hitInOrder(db, tenant, [{ key, rule }]);
  return result!;
}

/**
 * Counts hits of several keys in order in ONE statement, each only while every one before it
 * stayed within its rule (what counting them one by one and stopping at the first refusal does).
 * Answers the results of the hits counted: shorter than `hits` when one was refused.
 */
export async function hitInOrder(db: Db, tenant: string, hits: { key: string; rule: LimitRule }[]): Promise<LimitResult[]> {
  if (hits.length === 0) return [];
  // One upsert per hit, each a CTE whose row exists only when the previous CTE's hits were within
  // its limit (no row before it: the comparison is NULL, so nothing is inserted).
  const steps = hits.map(({ key, rule }, i) => {
    const seconds = Math.max(1, Math.round(rule.windowMs / 1000));
    const name = db(`h${i}`);
    const gate = i === 0 ? db`` : db`WHERE (SELECT hits FROM ${db(`h${i - 1}`)}) <= ${hits[i - 1]!.rule.limit}`;
    return db`${name} AS (INSERT INTO rate_limit_hits AS r (tenant_id, key_hash, window_start, hits, expires_at)
      SELECT ${tenant}, ${key}, w.start, 1, w.start + ${seconds}::float8 * interval '1 second'
        FROM (SELECT to_timestamp(floor(extract(epoch FROM now()) / ${seconds}::float8) * ${seconds}::float8) AS start) w ${gate}
      ON CONFLICT (tenant_id, key_hash, window_start) DO UPDATE SET hits = r.hits + 1
      RETURNING r.hits, greatest(1, ceil(extract(epoch FROM r.expires_at - now())))::int AS retry_after)`;
  });
  const ctes = steps.slice(1).reduce((all, step) => db`${all}, ${step}`, steps[0]!);
  const selects = hits.map((_, i) => db`SELECT ${i}::int AS i, hits, retry_after FROM ${db(`h${i}`)}`)
    .reduce((all, select) => db`${all} UNION ALL ${select}`);
  const rows = await db`WITH ${ctes} ${selects} ORDER BY i`;
  for (let i = 0; i < rows.length; i++) sweepSometimes(db);
  return rows.map((row) => {
    const counted = Number(row.hits);
    return { allowed: counted <= hits[Number(row.i)]!.rule.limit, hits: counted, retryAfterS: Number(row.retry_after) };
  });
}

/** The hits `key` has in its current window, counting none; `allowed` while they are below the rule's limit. */
export async function peek(db: Db, tenant: string, key: string, rule: LimitRule): Promise<LimitResult> {
  const seconds = Math.max(1, Math.round(rule.windowMs / 1000));
  const [row] = await db`SELECT r.hits, greatest(1, ceil(extract(epoch FROM r.expires_at - now())))::int AS retry_after
    FROM rate_limit_hits r
    WHERE r.tenant_id = ${tenant} AND r.key_hash = ${key}
      AND r.window_start = to_timestamp(floor(extract(epoch FROM now()) / ${seconds}::float8) * ${seconds}::float8)`;
  const hits = row ? Number(row.hits) : 0;
  return { allowed: hits < rule.limit, hits, retryAfterS: row ? Number(row.retry_after) : 0 };
}
