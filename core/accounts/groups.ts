// Groups of a tenant (table groups) and their members (user_groups, which names the group: a
// rename carries the memberships along, a deletion removes them).
// Rules: names are unique per tenant; a group that carries an admin role (groups.role, see
// core/admin/roles.ts) is a role group: its role, members and existence are managed through
// roles, so changing its members or deleting it here is refused (GroupRoleError).
import type { Db } from '../infra/db.ts';
import { toUserRecord, type User } from './users.ts';

export interface Group {
  id: string;
  name: string;
  description: string;
  role: string | null;
  members: number;
  createdAt: Date;
  updatedAt: Date;
}

export class GroupConflictError extends Error {}
/** The group carries an admin role: its members change through roles only. */
export class GroupRoleError extends Error {}

const isUuidShape = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

function toGroup(row: Record<string, any>): Group {
  return {
    id: row.id, name: row.name, description: row.description, role: row.role, members: Number(row.members ?? 0),
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

const memberCount = (db: Db) => db`(SELECT count(*) FROM user_groups m WHERE m.tenant_id = g.tenant_id AND m.name = g.name) AS members`;

/** One page of groups ordered by name, optionally those whose name contains `q` (any case). */
export async function listGroups(db: Db, tenant: string, s: { q?: string; after?: string; limit: number }): Promise<Group[]> {
  const rows = await db`SELECT g.*, ${memberCount(db)} FROM groups g WHERE g.tenant_id = ${tenant}
    ${s.q ? db`AND position(${s.q.toLowerCase()} in lower(g.name)) > 0` : db``}
    ${s.after !== undefined ? db`AND g.name > ${s.after}` : db``}
    ORDER BY g.name LIMIT ${s.limit}`;
  return rows.map(toGroup);
}

export async function getGroup(db: Db, tenant: string, id: string): Promise<Group | undefined> {
  if (!isUuidShape(id)) return undefined;
  const [row] = await db`SELECT g.*, ${memberCount(db)} FROM groups g WHERE g.tenant_id = ${tenant} AND g.id = ${id}`;
  return row ? toGroup(row) : undefined;
}

export async function findGroupByName(db: Db, tenant: string, name: string): Promise<Group | undefined> {
  const [row] = await db`SELECT g.*, ${memberCount(db)} FROM groups g WHERE g.tenant_id = ${tenant} AND g.name = ${name}`;
  return row ? toGroup(row) : undefined;
}

/** @throws GroupConflictError when the name is taken. */
export async function createGroup(db: Db, tenant: string, input: { name: string; description?: string }): Promise<Group> {
  const [row] = await db`INSERT INTO groups (tenant_id, name, description) VALUES (${tenant}, ${input.name}, ${input.description ?? ''})
    ON CONFLICT DO NOTHING RETURNING *, 0 AS members`;
  if (!row) throw new GroupConflictError('a group with this name already exists');
  return toGroup(row);
}

/** Renames (memberships follow) and/or describes. @throws GroupConflictError when the new name is taken. */
export async function updateGroup(db: Db, tenant: string, id: string, c: { name?: string; description?: string }): Promise<Group | undefined> {
  const current = await getGroup(db, tenant, id);
  if (!current) return undefined;
  if (c.name !== undefined && c.name !== current.name && (await findGroupByName(db, tenant, c.name))) {
    throw new GroupConflictError('a group with this name already exists');
  }
  await db`UPDATE groups SET name = ${c.name ?? current.name}, description = ${c.description ?? current.description}, updated_at = now()
    WHERE tenant_id = ${tenant} AND id = ${id}`.catch((err) => {
    // Another admin took the name in between: the unique constraint answers.
    throw (err as { code?: string }).code === '23505' ? new GroupConflictError('a group with this name already exists') : err;
  });
  return getGroup(db, tenant, id);
}

/** @throws GroupRoleError for a role group. Returns false for an unknown group. */
export async function deleteGroup(db: Db, tenant: string, id: string): Promise<boolean> {
  const group = await getGroup(db, tenant, id);
  if (!group) return false;
  if (group.role) throw new GroupRoleError(`this group carries the ${group.role} role`);
  const rows = await db`DELETE FROM groups WHERE tenant_id = ${tenant} AND id = ${id} AND role IS NULL RETURNING id`;
  return rows.length > 0;
}

/** One page of the group's members ordered by username. */
export async function listMembers(db: Db, tenant: string, group: Group, s: { after?: string; limit: number }): Promise<User[]> {
  const rows = await db`SELECT u.* FROM user_groups m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
    WHERE m.tenant_id = ${tenant} AND m.name = ${group.name} ${s.after !== undefined ? db`AND u.username > ${s.after}` : db``}
    ORDER BY u.username LIMIT ${s.limit}`;
  return rows.map(toUserRecord);
}

/** One page of the groups the user is in, ordered by name. */
export async function listUserGroups(db: Db, tenant: string, userId: string, s: { after?: string; limit: number }): Promise<Group[]> {
  const rows = await db`SELECT g.*, ${memberCount(db)} FROM groups g
    JOIN user_groups um ON um.tenant_id = g.tenant_id AND um.name = g.name AND um.user_id = ${userId}
    WHERE g.tenant_id = ${tenant} ${s.after !== undefined ? db`AND g.name > ${s.after}` : db``}
    ORDER BY g.name LIMIT ${s.limit}`;
  return rows.map(toGroup);
}

/** Adds the user (harmless when already a member); true when they were not one. @throws GroupRoleError for a role group. */
export async function addMember(db: Db, tenant: string, group: Group, userId: string): Promise<boolean> {
  if (group.role) throw new GroupRoleError(`this group carries the ${group.role} role`);
  const rows = await db`INSERT INTO user_groups (tenant_id, user_id, name)
    SELECT ${tenant}, ${userId}, g.name FROM groups g WHERE g.tenant_id = ${tenant} AND g.id = ${group.id} AND g.role IS NULL
    ON CONFLICT DO NOTHING RETURNING user_id`;
  return rows.length > 0;
}

/** Removes the user; false when they were not a member. @throws GroupRoleError for a role group. */
export async function removeMember(db: Db, tenant: string, group: Group, userId: string): Promise<boolean> {
  if (group.role) throw new GroupRoleError(`this group carries the ${group.role} role`);
  const rows = await db`DELETE FROM user_groups m USING groups g
    WHERE g.tenant_id = m.tenant_id AND g.name = m.name AND g.role IS NULL
      AND m.tenant_id = ${tenant} AND m.user_id = ${userId} AND g.id = ${group.id} RETURNING m.user_id`;
  return rows.length > 0;
}
