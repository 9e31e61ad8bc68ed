// A tenant's legacy login protocol settings (tenants.settings.legacy): the `next` URL prefixes it
// may redirect to, and how long a user token lives. Read with defaults filled in; settings edited
// by hand that do not parse fall back to the defaults (no prefix allowed: nothing is redirected),
// never to a half-applied list.
import { z } from 'zod';
import type { Db } from '../infra/db.ts';
import { isDuration, parseDuration } from '../infra/duration.ts';
import { patchOf } from '../infra/settings-patch.ts';
import { formatAllowedPrefix, parseAllowedPrefix, type AllowedPrefix } from './legacy-allowlist.ts';

const Prefix = z.string().max(2048).refine((text) => {
  try {
    parseAllowedPrefix(text);
    return true;
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL prefix without user name, query or fragment');

export const LegacySettings = z.object({
  allowedNext: z.array(Prefix).max(200).default([]),
  tokenTtl: z.string().refine(isDuration, 'must be a duration such as 12h or 30d').default('30d'),
}).strict();

export type LegacySettings = z.infer<typeof LegacySettings>;

export interface LegacyPolicy { allowedNext: AllowedPrefix[]; tokenTtlMs: number }

export class LegacySettingsError extends Error {}

export async function getLegacySettings(db: Db, tenant: string): Promise<LegacySettings> {
  const [row] = await db`SELECT settings->'legacy' AS l FROM tenants WHERE id = ${tenant}`;
  const parsed = LegacySettings.safeParse(row?.l ?? {});
  return parsed.success ? parsed.data : LegacySettings.parse({});
}

/** The settings in the form the protocol uses them. */
export async function getLegacyPolicy(db: Db, tenant: string): Promise<LegacyPolicy> {
  const settings = await getLegacySettings(db, tenant);
  return { allowedNext: settings.allowedNext.map(parseAllowedPrefix), tokenTtlMs: parseDuration(settings.tokenTtl) };
}

/** Replaces the fields given in `patch`. */
export type LegacyPatch = Partial<LegacySettings>;
export const LegacyPatch = patchOf<LegacyPatch>(LegacySettings);

/**
 * `patch` over `current`, prefixes normalized and without repeats.
 * @throws LegacySettingsError naming the first bad value.
 */
export function mergeLegacySettings(current: LegacySettings, patch: LegacyPatch): LegacySettings {
  const parsed = LegacySettings.safeParse({ ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LegacySettingsError(`${issue.path.join('.') || 'legacy'}: ${issue.message}`);
  }
  return { ...parsed.data, allowedNext: [...new Set(parsed.data.allowedNext.map((p) => formatAllowedPrefix(parseAllowedPrefix(p))))] };
}

/**
 * Replaces the fields given in `patch`; prefixes are stored normalized.
 * @throws LegacySettingsError naming the first bad value, or for an unknown tenant.
 */
export async function updateLegacySettings(db: Db, tenant: string, patch: LegacyPatch): Promise<LegacySettings> {
  const settings = mergeLegacySettings(await getLegacySettings(db, tenant), patch);
  const rows = await db`UPDATE tenants SET settings = jsonb_set(settings, '{legacy}', ${db.json(settings as never)})
    WHERE id = ${tenant} RETURNING id`;
  if (rows.length === 0) throw new LegacySettingsError(`no tenant "${tenant}"`);
  return settings;
}
