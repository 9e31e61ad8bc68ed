// A tenant's registration policy (tenants.settings.registration): who may sign up and how an
// account becomes active, password rules, invitations. Read with defaults filled in; settings
// edited by hand that do not parse fall back to the defaults rather than half-applying.
import { z } from 'zod';
import type { Db } from '../infra/db.ts';
import { isDuration, parseDuration } from '../infra/duration.ts';
import { mergeOneLevel, patchOf, type SettingsPatch } from '../infra/settings-patch.ts';

const Duration = z.string().refine(isDuration, 'must be a duration such as 30m, 12h or 7d');

/** A regular expression source that compiles and is not absurdly long. */
const Pattern = z.string().min(1).max(300).refine((source) => {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

export const RegistrationSettings = z.object({
  /** Whether the `registration` journey may be started at all. */
  enabled: z.boolean().default(true),
  /** Only people holding a valid invitation may sign up. */
  inviteOnly: z.boolean().default(false),
  /** Emails matching one of these (case-insensitive) only need to verify their address. */
  autoVerify: z.array(Pattern).max(50).default([]),
  moderation: z.object({
    enabled: z.boolean().default(false),
    /** Admins mailed about each account awaiting approval. */
    notify: z.array(z.string().email().max(254)).max(20).default([]),
    reminderAfter: Duration.default('2d'),
    deadline: Duration.default('7d'),
  }).strict().default({ enabled: false, notify: [], reminderAfter: '2d', deadline: '7d' }),
  /** How long a verification link stays valid (a new one can always be asked for). */
  verificationTtl: Duration.default('24h'),
  /** How long the sign-in link mailed on approval stays valid. */
  signInLinkTtl: Duration.default('7d'),
  /** Send users through the profile step (all fields, to review) on their first sign-in. */
  forceProfileUpdate: z.boolean().default(false),
  password: z.object({
    minLength: z.number().int().min(8).max(128).default(8),
    /** Refuse passwords on the bundled list of the most common breached passwords. */
    breachedCheck: z.boolean().default(true),
  }).strict().default({ minLength: 8, breachedCheck: true }),
  invitations: z.object({
    ttl: Duration.default('7d'),
    /** Whether signed-in users may invite others, and how many invitations each may send. */
    usersMayInvite: z.boolean().default(false),
    quota: z.number().int().min(0).max(1000).default(5),
  }).strict().default({ ttl: '7d', usersMayInvite: false, quota: 5 }),
}).strict();

export type RegistrationSettings = z.infer<typeof RegistrationSettings>;

export const DEFAULT_REGISTRATION: RegistrationSettings = RegistrationSettings.parse({});

/** A partial update: the fields given replace, nested objects merge one level deep. */
export type RegistrationPatch = SettingsPatch<RegistrationSettings>;
export const RegistrationPatch = patchOf<RegistrationPatch>(RegistrationSettings);

export class SettingsInputError extends Error {}

export async function getRegistrationSettings(db: Db, tenant: string): Promise<RegistrationSettings> {
  const [row] = await db`SELECT settings->'registration' AS r FROM tenants WHERE id = ${tenant}`;
  const parsed = RegistrationSettings.safeParse(row?.r ?? {});
  return parsed.success ? parsed.data : DEFAULT_REGISTRATION;
}

/**
 * `patch` (a partial settings object; nested objects merge one level deep) over `current`.
 * @throws SettingsInputError naming the first bad field.
 */
export function mergeRegistrationSettings(current: RegistrationSettings, patch: Record<string, unknown>): RegistrationSettings {
  const parsed = RegistrationSettings.safeParse(mergeOneLevel(current, patch));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsInputError(`${issue.path.join('.') || 'registration'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Merges `patch` into the tenant's settings and stores the result.
 * @throws SettingsInputError naming the first bad field, or for an unknown tenant.
 */
export async function updateRegistrationSettings(db: Db, tenant: string, patch: Record<string, unknown>): Promise<RegistrationSettings> {
  const settings = mergeRegistrationSettings(await getRegistrationSettings(db, tenant), patch);
  const rows = await db`UPDATE tenants SET settings = jsonb_set(settings, '{registration}', ${db.json(settings as never)})
    WHERE id = ${tenant} RETURNING id`;
  if (rows.length === 0) throw new SettingsInputError(`no tenant "${tenant}"`);
  return settings;
}

export type ActivationPolicy = 'invited' | 'verify' | 'moderation';

/**
 * How a new account becomes active: a valid invitation activates at once; an email matching an
 * auto-verify pattern only needs verifying; otherwise moderation when it is on, else verification.
 */
export function activationPolicy(settings: RegistrationSettings, email: string, invited: boolean): ActivationPolicy {
  if (invited) return 'invited';
  if (settings.autoVerify.some((source) => new RegExp(source, 'i').test(email))) return 'verify';
  return settings.moderation.enabled ? 'moderation' : 'verify';
}

export function durationMs(text: string): number {
  return parseDuration(text);
}
