// A tenant's rate limits (tenants.settings.rateLimits), read with defaults filled in. Rules:
// - each limit is { limit: hits, window: duration } and counts per tenant;
// - defaults are generous for people and tight enough for scripts: a browser starts a few
//   journeys a minute, a test suite or a busy office behind one address some hundreds;
// - stored settings that do not parse fall back to the defaults (never to "no limit").
import { z } from 'zod';
import type { Db } from './db.ts';
import { isDuration, parseDuration } from './duration.ts';
import type { LimitRule } from './rate-limit.ts';

export const RateLimit = z.object({
  limit: z.number().int().min(1).max(1_000_000_000),
  // A fixed window under a second counts nothing useful; over 30 days a key would outlive its purpose.
  window: z.string().refine(isDuration, 'must be a duration such as 1m or 1h')
    .refine((w) => !isDuration(w) || (parseDuration(w) >= 1000 && parseDuration(w) <= 30 * 86_400_000), 'must be between 1s and 30d'),
}).strict();

export const RateLimitSettings = z.object({
  /** Journeys started from one address (IPv6: its /64). */
  journeyStartsPerAddress: RateLimit.default({ limit: 300, window: '1m' }),
  /** Journeys started in the tenant altogether. */
  journeyStartsPerTenant: RateLimit.default({ limit: 6000, window: '1m' }),
  /** Registration journeys started from one address. */
  signupsPerAddress: RateLimit.default({ limit: 50, window: '1h' }),
  /** Registration journeys started in the tenant altogether. */
  signupsPerTenant: RateLimit.default({ limit: 2000, window: '1h' }),
  /** Mails to one recipient; past it, mail is silently not sent. */
  mailsPerRecipient: RateLimit.default({ limit: 10, window: '1h' }),
  /** Wrong device-flow user codes entered from one address; past it, no code is checked. */
  deviceCodeFailuresPerAddress: RateLimit.default({ limit: 10, window: '15m' }),
}).strict();

export type RateLimitSettings = z.infer<typeof RateLimitSettings>;

/**
 * A change to a tenant's limits (admin API, CLI): each limit named is set, `null` goes back to its
 * default, limits not named keep what they had.
 */
export const RateLimitsPatch = z.object(Object.fromEntries(
  Object.keys(RateLimitSettings.shape).map((name) => [name, RateLimit.nullable().optional()]),
) as { [K in keyof typeof RateLimitSettings.shape]: z.ZodOptional<z.ZodNullable<typeof RateLimit>> }).strict();
export type RateLimitsPatch = z.infer<typeof RateLimitsPatch>;

/**
 * The limits to store after `patch`: only those set explicitly, so a tenant that never chose a
 * limit follows the defaults when they change. Stored limits that no longer parse are dropped.
 */
export function patchedRateLimits(stored: unknown, patch: RateLimitsPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kept = stored !== null && typeof stored === 'object' ? stored as Record<string, unknown> : {};
  for (const name of Object.keys(RateLimitSettings.shape)) {
    const given = patch[name as RateLimitName];
    const value = given === undefined ? kept[name] : given;
    if (value !== null && value !== undefined && RateLimit.safeParse(value).success) out[name] = value;
  }
  return out;
}
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
