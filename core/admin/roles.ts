// Admin roles. A role is held by being a member of the tenant's group that carries it (groups.role):
// `roles grant` adds the user to that group, creating it as `tessera-<role>` when the tenant has
// none. So roles show up where groups do (the `groups` claim, the console's group pages), and an
// admin who manages groups manages roles. `super-admin` reaches every tenant; the others reach the
// tenant of their group.
import type { Db } from '../infra/db.ts';

export const ROLES = ['super-admin', 'tenant-admin', 'approver', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

export interface RoleGrant { tenant: string; userId: string; role: Role; group: string; email: string | null; username: string }

const roleGroupName = (role: Role) => `tessera-${role}`;

/** The roles a user of `tenant` holds there (a super-admin's reach beyond it is the caller's rule). */
export async function rolesOfUser(db: Db, tenant: string, userId: string): Promise<Role[]> {
  const rows = await db`SELECT DISTINCT g.role FROM user_groups m
    JOIN groups g ON g.tenant_id = m.tenant_id AND g.name = m.name
    WHERE m.tenant_id = ${tenant} AND m.user_id = ${userId} AND g.role IS NOT NULL ORDER BY g.role`;
  return rows.map((r) => r.role as Role);
}

/** Adds the user to the tenant's group of `role`; true when they did not hold it yet. */
export async function grantRole(db: Db, tenant: string, userId: string, role: Role): Promise<boolean> {
  return db.begin(async (tx) => {
    await tx`INSERT INTO groups (tenant_id, name, description, role)
      VALUES (${tenant}, ${roleGroupName(role)}, ${`Members hold the ${role} role.`}, ${role})
      ON CONFLICT DO NOTHING`;
    const [group] = await tx`SELECT name FROM groups WHERE tenant_id = ${tenant} AND role = ${role}`;
    const rows = await tx`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${tenant}, ${userId}, ${group!.name})
      ON CONFLICT DO NOTHING RETURNING user_id`;
    return rows.length > 0;
  });
}

/** Removes the user from the tenant's group of `role`; true when they held it. */
export async function revokeRole(db: Db, tenant: string, userId: string, role: Role): Promise<boolean> {
  const rows = await db`DELETE FROM user_groups m USING groups g
    WHERE g.tenant_id = m.tenant_id AND g.name = m.name AND m.tenant_id = ${tenant} AND m.user_id = ${userId} AND g.role = ${role}
    RETURNING m.user_id`;
  return rows.length > 0;
}

export async function listRoleGrants(db: Db, tenant: string): Promise<RoleGrant[]> {
  const rows = await db`SELECT g.role, g.name AS group_name, u.id, u.email, u.username FROM groups g
    JOIN user_groups m ON m.tenant_id = g.tenant_id AND m.name = g.name
    JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
    WHERE g.tenant_id = ${tenant} AND g.role IS NOT NULL ORDER BY g.role, u.username`;
  return rows.map((r) => ({ tenant, userId: r.id, role: r.role, group: r.group_name, email: r.email, username: r.username }));
}
