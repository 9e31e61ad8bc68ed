// A tenant's rate limits (tenants.settings.rateLimits), read with defaults filled in. Rules:
// - each limit is { limit: hits, window: duration } and counts per tenant;
// - defaults are generous for people and tight enough for scripts: a browser starts a few
//   journeys a minute, a test suite or a busy office behind one address some hundreds;
// - stored settings that do not parse fall back to the defaults (never to "no limit").
import { z } from 'zod';
import type { Db } from './db.ts';
import { isDuration, parseDuration } from './duration.ts';
import type { LimitRule } from './rate-limit.ts';

const Limit = z.object({
  limit: z.number().int().min(1).max(1_000_000_000),
  window: z.string().refine(isDuration, 'must be a duration such as 1m or 1h'),
}).strict();

export const RateLimitSettings = z.object({
  /** Journeys started from one address (IPv6: its /64). */
  journeyStartsPerAddress: Limit.default({ limit: 300, window: '1m' }),
  /** Journeys started in the tenant altogether. */
  journeyStartsPerTenant: Limit.default({ limit: 6000, window: '1m' }),
  /** Registration journeys started from one address. */
  signupsPerAddress: Limit.default({ limit: 50, window: '1h' }),
  /** Registration journeys started in the tenant altogether. */
  signupsPerTenant: Limit.default({ limit: 2000, window: '1h' }),
  /** Mails to one recipient; past it, mail is silently not sent. */
  mailsPerRecipient: Limit.default({ limit: 10, window: '1h' }),
  /** Wrong device-flow user codes entered from one address; past it, no code is checked. */
  deviceCodeFailuresPerAddress: Limit.default({ limit: 10, window: '15m' }),
}).strict();

export type RateLimitSettings = z.infer<typeof RateLimitSettings>;
export type RateLimitName = keyof RateLimitSettings;

export const DEFAULT_RATE_LIMITS: RateLimitSettings = RateLimitSettings.parse({});

export async function getRateLimits(db: Db, tenant: string): Promise<RateLimitSettings> {
  const [row] = await db`SELECT settings->'rateLimits' AS r FROM tenants WHERE id = ${tenant}`;
  const parsed = RateLimitSettings.safeParse(row?.r ?? {});
  return parsed.success ? parsed.data : DEFAULT_RATE_LIMITS;
}

export function ruleOf(settings: RateLimitSettings, name: RateLimitName): LimitRule {
  const { limit, window } = settings[name];
  return { limit, windowMs: parseDuration(window) };
}
