// Users and their password credentials. Every function takes the tenant and every query names it.
import type { Db } from '../infra/db.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export type UserStatus = 'pending' | 'active' | 'disabled';

export interface User {
  id: string;
  tenant: string;
  username: string;
  email: string | null;
  name: string | null;
  status: UserStatus;
  createdAt: Date;
}

export class UserInputError extends Error {}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const USERNAME = /^[^\s]{1,254}$/;

function toUser(row: Record<string, any>): User {
  return {
    id: row.id, tenant: row.tenant_id, username: row.username, email: row.email,
    name: row.name, status: row.status, createdAt: row.created_at,
  };
}

export interface NewUser {
  username?: string;
  email?: string;
  name?: string;
  password?: string;
  status?: UserStatus;
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
  const hash = input.password === undefined ? undefined : await hashPassword(input.password);
  return db.begin(async (tx) => {
    const rows = await tx`INSERT INTO users (tenant_id, username, email, name, status)
      VALUES (${tenant}, ${username}, ${email}, ${input.name ?? null}, ${input.status ?? 'active'})
      ON CONFLICT DO NOTHING RETURNING *`;
    if (rows.length === 0) throw new UserInputError('a user with this username or email already exists');
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

export async function getUser(db: Db, tenant: string, id: string): Promise<User | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
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
export async function setPassword(db: Db, tenant: string, userId: string, password: string): Promise<{ sessionsRevoked: number }> {
  const problem = passwordProblem(password);
  if (problem) throw new UserInputError(problem);
  const hash = await hashPassword(password);
  return db.begin(async (tx) => {
    await tx`INSERT INTO password_credentials (tenant_id, user_id, hash) VALUES (${tenant}, ${userId}, ${hash})
      ON CONFLICT (tenant_id, user_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = now()`;
    const revoked = await tx`UPDATE sessions SET revoked_at = now()
      WHERE tenant_id = ${tenant} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id_hash`;
    return { sessionsRevoked: revoked.length };
  });
}
