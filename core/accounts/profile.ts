// Profile attributes: which ones a tenant requires (tenants.settings.profile.required) and the
// user's values. `name` lives in users.name; every other key in users.attributes.
// Rules: keys are lower-case identifiers (at most 32 characters, at most 20 of them) and never
// name an account field that has its own flow (email, username, ...); values are at most 200
// characters of one line.
import { z } from 'zod';
import type { Db } from '../infra/db.ts';

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,31}$/;
export const ATTRIBUTE_MAX = 200;
export const MAX_REQUIRED = 20;
const RESERVED = new Set(['email', 'username', 'id', 'status', 'password', 'tenant']);

export class ProfileInputError extends Error {}

/** The problem with a list of attribute keys, or undefined when it is fine. */
export function attributeKeysProblem(keys: string[]): string | undefined {
  if (keys.length > MAX_REQUIRED) return `at most ${MAX_REQUIRED} attributes`;
  for (const key of keys) {
    if (!ATTRIBUTE_KEY.test(key)) return `"${key.slice(0, 40)}" is not a valid attribute key (lower-case letters, digits and _, starting with a letter, max 32)`;
    if (RESERVED.has(key)) return `"${key}" cannot be collected as a profile attribute`;
  }
  if (new Set(keys).size !== keys.length) return 'attribute keys must not repeat';
  return undefined;
}

/** tenants.settings.profile as the management API shows and takes it. */
export const ProfileSettings = z.object({
  required: z.array(z.string().max(64)).max(MAX_REQUIRED * 2)
    .superRefine((keys, ctx) => {
      const problem = attributeKeysProblem(keys);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('Attributes every user must have (the profile node asks for the missing ones).'),
}).strict();
export type ProfileSettings = z.infer<typeof ProfileSettings>;

export async function getRequiredAttributes(db: Db, tenant: string): Promise<string[]> {
  const [row] = await db`SELECT settings->'profile'->'required' AS required FROM tenants WHERE id = ${tenant}`;
  const list: unknown = row?.required;
  // Settings may be edited by hand: keep only what would have been accepted.
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string' && ATTRIBUTE_KEY.test(k) && !RESERVED.has(k)) : [];
}

/** @throws ProfileInputError for bad keys or an unknown tenant. */
export async function setRequiredAttributes(db: Db, tenant: string, keys: string[]): Promise<string[]> {
  const problem = attributeKeysProblem(keys);
  if (problem) throw new ProfileInputError(problem);
  const rows = await db`UPDATE tenants
    SET settings = jsonb_set(settings || jsonb_build_object('profile', coalesce(settings->'profile', '{}'::jsonb)),
                             '{profile,required}', ${db.json(keys)})
    WHERE id = ${tenant} RETURNING id`;
  if (rows.length === 0) throw new ProfileInputError(`there is no tenant "${tenant}"`);
  return keys;
}

/** The user's current values of `keys` (missing ones absent). */
export async function getAttributes(db: Db, tenant: string, userId: string, keys: string[]): Promise<Record<string, string>> {
  const [row] = await db`SELECT name, attributes FROM users WHERE tenant_id = ${tenant} AND id = ${userId}`;
  const values: Record<string, string> = {};
  if (!row) return values;
  for (const key of keys) {
    const value: unknown = key === 'name' ? row.name : row.attributes?.[key];
    if (typeof value === 'string' && value.trim()) values[key] = value;
  }
  return values;
}

/** @throws ProfileInputError for a bad key or value; nothing is written then. */
export async function saveAttributes(db: Db, tenant: string, userId: string, values: Record<string, string>): Promise<void> {
  const problem = attributeKeysProblem(Object.keys(values));
  if (problem) throw new ProfileInputError(problem);
  const clean: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (!value || value.length > ATTRIBUTE_MAX || /[\r\n\0]/.test(value)) throw new ProfileInputError(`${key} must be one line of 1 to ${ATTRIBUTE_MAX} characters`);
    clean[key] = value;
  }
  const { name, ...attributes } = clean;
  await db`UPDATE users SET name = coalesce(${name ?? null}, name), attributes = attributes || ${db.json(attributes)},
    updated_at = now() WHERE tenant_id = ${tenant} AND id = ${userId}`;
}
