// The sanitized forms of users and groups the management API answers with (never a credential),
// the look-ups every user or group operation starts with (unknown or malformed id → 404), and the
// tenant's password policy as an answer (400 weak_password).
import { z } from 'zod';
import { getGroup, type Group } from '../../../../core/accounts/groups.ts';
import { getUser, type User } from '../../../../core/accounts/users.ts';
import type { Db } from '../../../../core/infra/db.ts';
import { newPasswordProblem } from '../../../../core/registration/password-policy.ts';
import { getRegistrationSettings } from '../../../../core/registration/registration-settings.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { Timestamp } from '../schemas.ts';

export const UserStatus = z.enum(['active', 'disabled', 'pending']);

export const UserJson = z.object({
  id: z.uuid(), username: z.string(), email: z.string().nullable(), emailVerified: z.boolean(), name: z.string().nullable(),
  status: UserStatus, attributes: z.record(z.string(), z.string()).describe('Profile attributes.'),
  createdAt: Timestamp, updatedAt: Timestamp, lastLoginAt: Timestamp.nullable(),
});

export const userJson = (u: User) => ({
  id: u.id, username: u.username, email: u.email, emailVerified: u.emailVerified, name: u.name, status: u.status,
  attributes: u.attributes, createdAt: u.createdAt, updatedAt: u.updatedAt, lastLoginAt: u.lastLoginAt,
});

export const GroupJson = z.object({
  id: z.uuid(), name: z.string(), description: z.string(),
  role: z.string().nullable().describe('The admin role members hold (a role group: members change through /roles), or null.'),
  members: z.number().int(), createdAt: Timestamp, updatedAt: Timestamp,
});

export const groupJson = (g: Group) => ({
  id: g.id, name: g.name, description: g.description, role: g.role, members: g.members, createdAt: g.createdAt, updatedAt: g.updatedAt,
});

/** @throws HttpError 404 for an unknown or malformed id. */
export async function userOr404(db: Db, tenant: string, id: string): Promise<User> {
  const user = await getUser(db, tenant, id);
  if (!user) throw notFound('No such user.');
  return user;
}

/** @throws HttpError 404 for an unknown or malformed id. */
export async function groupOr404(db: Db, tenant: string, id: string): Promise<Group> {
  const group = await getGroup(db, tenant, id);
  if (!group) throw notFound('No such group.');
  return group;
}

/** A page cursor holding the last name (users: username; groups: name). */
export const NameCursor = z.object({ after: z.string() });

/** @throws HttpError 400 weak_password when the tenant's policy refuses the password. */
export async function checkPasswordPolicy(db: Db, tenant: string, password: string, email?: string | null): Promise<void> {
  const rules = (await getRegistrationSettings(db, tenant)).password;
  const problem = newPasswordProblem(password, rules, email ?? undefined);
  if (problem) throw new HttpError(400, 'weak_password', `password: ${problem}`);
}
