// What SCIM reads: users and groups with what their representations need (memberships, members,
// the externalId), one at a time or in batches for lists; and the externalId, which only SCIM
// writes (the user and group themselves change through the management operations).
// Rules: groups that carry an admin role (tessera-* role groups) are not SCIM's: they are neither
// listed, found, shown among a user's groups, nor changed; every query names the tenant.
import { getGroup, type Group } from '../accounts/groups.ts';
import { getUser, searchUsers, type User } from '../accounts/users.ts';
import type { Db } from '../infra/db.ts';
import type { GroupView } from './group-mapper.ts';
import type { UserView } from './user-mapper.ts';

export type ScimResourceType = 'User' | 'Group';
const BATCH = 500;

async function externalIds(db: Db, tenant: string, type: ScimResourceType, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db`SELECT resource_id, external_id FROM scim_external_ids
    WHERE tenant_id = ${tenant} AND resource_type = ${type} AND resource_id IN ${db(ids)}`;
  return new Map(rows.map((r) => [String(r.resource_id), String(r.external_id)]));
}

/** Sets (or with null clears) the externalId of a user or group. */
export async function setExternalId(db: Db, tenant: string, type: ScimResourceType, id: string, externalId: string | null): Promise<void> {
  if (externalId === null) {
    await db`DELETE FROM scim_external_ids WHERE tenant_id = ${tenant} AND resource_type = ${type} AND resource_id = ${id}`;
    return;
  }
  await db`INSERT INTO scim_external_ids (tenant_id, resource_type, resource_id, external_id) VALUES (${tenant}, ${type}, ${id}, ${externalId})
    ON CONFLICT (tenant_id, resource_type, resource_id) DO UPDATE SET external_id = EXCLUDED.external_id`;
}

async function groupsOfUsers(db: Db, tenant: string, userIds: string[]): Promise<Map<string, { id: string; name: string }[]>> {
  const byUser = new Map<string, { id: string; name: string }[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db`SELECT m.user_id, g.id, g.name FROM user_groups m JOIN groups g ON g.tenant_id = m.tenant_id AND g.name = m.name
    WHERE m.tenant_id = ${tenant} AND g.role IS NULL AND m.user_id IN ${db(userIds)} ORDER BY g.name`;
  for (const r of rows) {
    const list = byUser.get(String(r.user_id)) ?? [];
    list.push({ id: String(r.id), name: String(r.name) });
    byUser.set(String(r.user_id), list);
  }
  return byUser;
}

async function userViews(db: Db, tenant: string, users: User[]): Promise<UserView[]> {
  const ids = users.map((u) => u.id);
  const [groups, external] = await Promise.all([groupsOfUsers(db, tenant, ids), externalIds(db, tenant, 'User', ids)]);
  return users.map((user) => ({ user, groups: groups.get(user.id) ?? [], ...(external.has(user.id) ? { externalId: external.get(user.id)! } : {}) }));
}

export async function loadUserView(db: Db, tenant: string, id: string): Promise<UserView | undefined> {
  const user = await getUser(db, tenant, id);
  return user ? (await userViews(db, tenant, [user]))[0] : undefined;
}

/** What a list may be narrowed to before filtering: a userName (any case) or an externalId. */
export interface Narrowing { name?: string; externalId?: string }

async function* narrowed(db: Db, tenant: string, type: ScimResourceType, n: Narrowing): AsyncGenerator<string[]> {
  if (n.externalId !== undefined) {
    const rows = await db`SELECT resource_id FROM scim_external_ids WHERE tenant_id = ${tenant} AND resource_type = ${type} AND external_id = ${n.externalId}`;
    yield rows.map((r) => String(r.resource_id));
  } else if (type === 'User') {
    const rows = await db`SELECT id FROM users WHERE tenant_id = ${tenant} AND lower(username) = ${n.name!.toLowerCase()}`;
    yield rows.map((r) => String(r.id));
  } else {
    const rows = await db`SELECT id FROM groups WHERE tenant_id = ${tenant} AND lower(name) = ${n.name!.toLowerCase()}`;
    yield rows.map((r) => String(r.id));
  }
}

/** Every user of the tenant by username (or only the narrowed candidates), a batch at a time. */
export async function* scanUsers(db: Db, tenant: string, narrowing?: Narrowing): AsyncGenerator<UserView[]> {
  if (narrowing && (narrowing.name !== undefined || narrowing.externalId !== undefined)) {
    for await (const ids of narrowed(db, tenant, 'User', narrowing)) {
      const views = await Promise.all(ids.map((id) => loadUserView(db, tenant, id)));
      yield views.filter((v): v is UserView => v !== undefined);
    }
    return;
  }
  let after: string | undefined;
  for (;;) {
    const users = await searchUsers(db, tenant, { after, limit: BATCH });
    if (users.length === 0) return;
    yield await userViews(db, tenant, users);
    if (users.length < BATCH) return;
    after = users[users.length - 1]!.username;
  }
}

async function membersOf(db: Db, tenant: string, names: string[]): Promise<Map<string, { id: string; username: string }[]>> {
  const byGroup = new Map<string, { id: string; username: string }[]>();
  if (names.length === 0) return byGroup;
  const rows = await db`SELECT m.name, u.id, u.username FROM user_groups m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
    WHERE m.tenant_id = ${tenant} AND m.name IN ${db(names)} ORDER BY u.username`;
  for (const r of rows) {
    const list = byGroup.get(String(r.name)) ?? [];
    list.push({ id: String(r.id), username: String(r.username) });
    byGroup.set(String(r.name), list);
  }
  return byGroup;
}

async function groupViews(db: Db, tenant: string, groups: Group[]): Promise<GroupView[]> {
  const [members, external] = await Promise.all([
    membersOf(db, tenant, groups.map((g) => g.name)), externalIds(db, tenant, 'Group', groups.map((g) => g.id)),
  ]);
  return groups.map((group) => ({ group, members: members.get(group.name) ?? [], ...(external.has(group.id) ? { externalId: external.get(group.id)! } : {}) }));
}

/** A group SCIM may see (not a role group), or undefined. */
export async function loadGroupView(db: Db, tenant: string, id: string): Promise<GroupView | undefined> {
  const group = await getGroup(db, tenant, id);
  if (!group || group.role) return undefined;
  return (await groupViews(db, tenant, [group]))[0];
}

/** Every group SCIM may see, by name (or only the narrowed candidates), a batch at a time. */
export async function* scanGroups(db: Db, tenant: string, narrowing?: Narrowing): AsyncGenerator<GroupView[]> {
  if (narrowing && (narrowing.name !== undefined || narrowing.externalId !== undefined)) {
    for await (const ids of narrowed(db, tenant, 'Group', narrowing)) {
      const views = await Promise.all(ids.map((id) => loadGroupView(db, tenant, id)));
      yield views.filter((v): v is GroupView => v !== undefined);
    }
    return;
  }
  let after: string | undefined;
  for (;;) {
    const rows = await db`SELECT g.*, 0 AS members FROM groups g WHERE g.tenant_id = ${tenant} AND g.role IS NULL
      ${after !== undefined ? db`AND g.name > ${after}` : db``} ORDER BY g.name LIMIT ${BATCH}`;
    if (rows.length === 0) return;
    const groups: Group[] = rows.map((r) => ({
      id: r.id, name: r.name, description: r.description, role: r.role, members: 0, createdAt: r.created_at, updatedAt: r.updated_at,
    }));
    yield await groupViews(db, tenant, groups);
    if (rows.length < BATCH) return;
    after = groups[groups.length - 1]!.name;
  }
}

/** Whether another user of the tenant has `username` in any case (SCIM's userName is case-insensitive, RFC 7643 §4.1.1). */
export async function userNameTaken(db: Db, tenant: string, username: string, exceptId?: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM users WHERE tenant_id = ${tenant} AND lower(username) = ${username.toLowerCase()}
    ${exceptId ? db`AND id <> ${exceptId}` : db``} LIMIT 1`;
  return rows.length > 0;
}
