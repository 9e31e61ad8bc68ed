// Users and their password credentials. Every function takes the tenant and every query names it.
// Rules: emails are stored lower-case and unique per tenant, usernames unique per tenant (a clash
// is a UserConflictError, nothing written); a user who is no longer active has no live session
// (disabling or leaving `active` revokes them in the same transaction); a changed email is
// unverified until said otherwise.
import type { Db } from '../infra/db.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { attributeKeysProblem, ATTRIBUTE_MAX } from './profile.ts';

export type UserStatus = 'pending' | 'active' | 'disabled';

export interface User {
  id: string;
  tenant: string;
  username: string;
  email: string | null;
  name: string | null;
  status: UserStatus;
  emailVerified: boolean;
  /** Profile attributes (users.attributes): string values only. */
  attributes: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export class UserInputError extends Error {}
/** The username or email is another user's. */
export class UserConflictError extends UserInputError {}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Whether `email` (trimmed, any case) has the shape users' emails must have. */
export const isEmailAddress = (email: string) => EMAIL.test(email.trim().toLowerCase());
const USERNAME = /^[^\s]{1,254}$/;
const isUuidShape = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export function stringValues(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function toUser(row: Record<string, any>): User {
  return {
    id: row.id, tenant: row.tenant_id, username: row.username, email: row.email,
    name: row.name, status: row.status, emailVerified: row.email_verified_at != null, attributes: stringValues(row.attributes),
    createdAt: row.created_at, updatedAt: row.updated_at, lastLoginAt: row.last_login_at ?? null,
  };
}

/** A row of `users` as a User (for queries elsewhere that select users). */
export const toUserRecord = toUser;

export interface NewUser {
  username?: string;
  email?: string;
  name?: string;
  password?: string;
  status?: UserStatus;
  emailVerified?: boolean;
  attributes?: Record<string, string>;
}

/** @throws UserInputError for a malformed email, weak password or a taken username/email. */
export async function createUser(db: Db, tenant: string, input: NewUser): Promise<User> {
  const username = (input.username ?? input.email ?? '').trim();
  const email = input.email?.trim().toLowerCase() ?? null;
  if (email !== null && !EMAIL.test(email)) throw new UserInputError('email is not a valid address');
  if (!USERNAME.test(username)) throw new UserInputError('a username or email is required (no spaces)');
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new UserInputError(problem);
  }
  const attributes = cleanAttributes(input.attributes ?? {});
  const hash = input.password === undefined ? undefined : await hashPassword(input.password);
  return db.begin(async (tx) => {
    const rows = await tx`INSERT INTO users (tenant_id, username, email, name, status, attributes, email_verified_at)
      VALUES (${tenant}, ${username}, ${email}, ${input.name ?? null}, ${input.status ?? 'active'}, ${tx.json(attributes)},
              ${input.emailVerified && email ? new Date() : null})
      ON CONFLICT DO NOTHING RETURNING *`;
    if (rows.length === 0) throw new UserConflictError('a user with this username or email already exists');
    const user = toUser(rows[0]!);
    if (hash) await tx`INSERT INTO password_credentials (tenant_id, user_id, hash) VALUES (${tenant}, ${user.id}, ${hash})`;
    return user;
  });
}

/** Finds a user by username, or by email case-insensitively. */
export async function findUserByLogin(db: Db, tenant: string, login: string): Promise<User | undefined> {
  const [row] = await db`SELECT * FROM users WHERE tenant_id = ${tenant}
    AND (username = ${login} OR lower(email) = lower(${login})) ORDER BY (username = ${login}) DESC LIMIT 1`;
  return row ? toUser(row) : undefined;
}

/** Whether another user of the tenant than `exceptId` has `email` (any case). */
export async function emailTakenByOther(db: Db, tenant: string, email: string, exceptId: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM users WHERE tenant_id = ${tenant} AND lower(email) = ${email.trim().toLowerCase()} AND id <> ${exceptId}`;
  return rows.length > 0;
}

export async function getUser(db: Db, tenant: string, id: string): Promise<User | undefined> {
  if (!isUuidShape(id)) return undefined;
  const [row] = await db`SELECT * FROM users WHERE tenant_id = ${tenant} AND id = ${id}`;
  return row ? toUser(row) : undefined;
}

export async function listUsers(db: Db, tenant: string, limit = 1000): Promise<User[]> {
  const rows = await db`SELECT * FROM users WHERE tenant_id = ${tenant} ORDER BY created_at, username LIMIT ${limit}`;
  return rows.map(toUser);
}

/** Changes the status; ending a user's sessions when disabling. Returns the updated user. */
export async function setUserStatus(db: Db, tenant: string, id: string, status: UserStatus): Promise<User | undefined> {
  return db.begin(async (tx) => {
    const [row] = await tx`UPDATE users SET status = ${status}, updated_at = now()
      WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *`;
    if (row && status === 'disabled') {
      await tx`UPDATE sessions SET revoked_at = now() WHERE tenant_id = ${tenant} AND user_id = ${id} AND revoked_at IS NULL`;
    }
    return row ? toUser(row) : undefined;
  });
}

export async function getPasswordHash(db: Db, tenant: string, userId: string): Promise<string | undefined> {
  const [row] = await db`SELECT hash FROM password_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
  return row?.hash;
}

/**
 * Replaces (or adds) the user's password and ends every session of the user in one transaction:
 * whoever knew the old password may hold one. Returns how many sessions ended. Idempotent apart
 * from the new hash's salt.
 * @throws UserInputError when the password is outside the base length limits.
 */
export async function setPassword(
  db: Db, tenant: string, userId: string, password: string, { endSessions = true } = {},
): Promise<{ sessionsRevoked: number }> {
  const problem = passwordProblem(password);
  if (problem) throw new UserInputError(problem);
  const hash = await hashPassword(password);
  return db.begin(async (tx) => {
    await tx`INSERT INTO password_credentials (tenant_id, user_id, hash) VALUES (${tenant}, ${userId}, ${hash})
      ON CONFLICT (tenant_id, user_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = now()`;
    if (!endSessions) return { sessionsRevoked: 0 };
    const revoked = await tx`UPDATE sessions SET revoked_at = now()
      WHERE tenant_id = ${tenant} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id_hash`;
    return { sessionsRevoked: revoked.length };
  });
}

/** When the user's password was last set, or undefined when they have none. */
export async function passwordSetAt(db: Db, tenant: string, userId: string): Promise<Date | undefined> {
  const [row] = await db`SELECT updated_at FROM password_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
  return row?.updated_at;
}

/** @throws UserInputError for a bad key or value (profile.ts rules). */
function cleanAttributes<T extends string | null>(values: Record<string, T>): Record<string, T> {
  const problem = attributeKeysProblem(Object.keys(values));
  if (problem) throw new UserInputError(problem);
  const clean: Record<string, T> = {};
  for (const [key, raw] of Object.entries(values)) {
    if (raw === null) {
      clean[key] = raw;
      continue;
    }
    const value = raw.trim();
    if (!value || value.length > ATTRIBUTE_MAX || /[\r\n\0]/.test(value)) throw new UserInputError(`${key} must be one line of 1 to ${ATTRIBUTE_MAX} characters`);
    clean[key] = value as T;
  }
  return clean;
}

export interface UserSearch {
  /** Substring of the username, email or name, any case. */
  q?: string;
  status?: UserStatus;
  /** Members of this group only (by id or name). */
  group?: string;
  /** The username the previous page ended with. */
  after?: string;
  limit: number;
}

/** One page of users ordered by username (unique per tenant, so a stable key for the next page). */
export async function searchUsers(db: Db, tenant: string, s: UserSearch): Promise<User[]> {
  const q = s.q?.toLowerCase();
  const group = s.group;
  const rows = await db`SELECT u.* FROM users u WHERE u.tenant_id = ${tenant}
    ${q ? db`AND (position(${q} in lower(u.username)) > 0 OR position(${q} in lower(coalesce(u.email, ''))) > 0
              OR position(${q} in lower(coalesce(u.name, ''))) > 0)` : db``}
    ${s.status ? db`AND u.status = ${s.status}` : db``}
    ${group ? db`AND EXISTS (SELECT 1 FROM user_groups m JOIN groups g ON g.tenant_id = m.tenant_id AND g.name = m.name
                  WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id
                    AND ${isUuidShape(group) ? db`(g.id = ${group} OR g.name = ${group})` : db`g.name = ${group}`})` : db``}
    ${s.after !== undefined ? db`AND u.username > ${s.after}` : db``}
    ORDER BY u.username LIMIT ${s.limit}`;
  return rows.map(toUser);
}

export interface UserChanges {
  username?: string;
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
  status?: UserStatus;
  /** Merged into the stored attributes; null removes a key. */
  attributes?: Record<string, string | null>;
}

/**
 * Applies the changes in one transaction; a new email is unverified unless `emailVerified` says
 * otherwise; leaving `active` revokes the user's sessions. Returns undefined for an unknown user.
 * @throws UserInputError for a malformed value, UserConflictError for a taken username or email.
 */
export async function updateUser(db: Db, tenant: string, id: string, c: UserChanges): Promise<User | undefined> {
  const username = c.username?.trim();
  if (username !== undefined && !USERNAME.test(username)) throw new UserInputError('username must be 1-254 characters without spaces');
  const email = c.email === undefined ? undefined : c.email === null ? null : c.email.trim().toLowerCase();
  if (email && !EMAIL.test(email)) throw new UserInputError('email is not a valid address');
  const attributes = c.attributes ? cleanAttributes(c.attributes) : {};
  return db.begin(async (tx) => {
    const [before] = await tx`SELECT * FROM users WHERE tenant_id = ${tenant} AND id = ${id} FOR UPDATE`;
    if (!before) return undefined;
    const newUsername = username ?? before.username;
    const newEmail: string | null = email === undefined ? before.email : email;
    const verified = c.emailVerified ?? (newEmail === before.email && before.email_verified_at !== null);
    const verifiedAt = newEmail === null || !verified ? null : newEmail === before.email ? before.email_verified_at ?? new Date() : new Date();
    const clash = await tx`SELECT 1 FROM users WHERE tenant_id = ${tenant} AND id <> ${id}
      AND (username = ${newUsername} ${newEmail === null ? tx`` : tx`OR lower(email) = ${newEmail}`})`;
    if (clash.length > 0) throw new UserConflictError('a user with this username or email already exists');
    const merged: Record<string, unknown> = { ...before.attributes };
    for (const [key, value] of Object.entries(attributes)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const [row] = await tx`UPDATE users SET username = ${newUsername}, email = ${newEmail}, email_verified_at = ${verifiedAt},
        name = ${c.name === undefined ? before.name : c.name}, status = ${c.status ?? before.status},
        attributes = ${tx.json(merged as Record<string, string>)}, updated_at = now()
      WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *`;
    if (row!.status !== 'active' && before.status === 'active') {
      await tx`UPDATE sessions SET revoked_at = now() WHERE tenant_id = ${tenant} AND user_id = ${id} AND revoked_at IS NULL`;
    }
    return toUser(row!);
  }).catch((err: unknown) => {
    // Another change took the username or email in between: the unique constraint answers.
    throw (err as { code?: string }).code === '23505' ? new UserConflictError('a user with this username or email already exists') : err;
  });
}

/** Deletes the user and everything that hangs off them (credentials, sessions, links, groups…). */
export async function deleteUser(db: Db, tenant: string, id: string): Promise<boolean> {
  const rows = await db`DELETE FROM users WHERE tenant_id = ${tenant} AND id = ${id} RETURNING id`;
  return rows.length > 0;
}
