// Who is calling the management API, and what their roles let them do in a tenant.
// Rules: super-admin may do everything everywhere; tenant-admin everything in its tenant; auditor
// may read everything in its tenant (the audit log included) and change nothing; approver may
// read and decide approvals and invitations of its tenant only. A caller with no role in a tenant
// is told the tenant's resources do not exist (404), one with a role that falls short gets 403.
import type { Role } from '../../../core/admin/roles.ts';

export interface RoleGrant { role: Role; tenant: string }

export interface AdminPrincipal {
  /** Recorded as the actor of audit events and decisions: `admin:<token name>`, `user:<tenant>/<id>`, `cli:<os user>`. */
  actor: string;
  grants: RoleGrant[];
}

/** What an operation needs: which area it touches, and whether it changes anything. */
export interface Access { area: 'manage' | 'approvals' | 'audit'; write: boolean }

export type Verdict = 'allowed' | 'forbidden' | 'hidden';

export function rolesIn(principal: AdminPrincipal, tenant: string): Role[] {
  if (principal.grants.some((g) => g.role === 'super-admin')) return ['super-admin'];
  return principal.grants.filter((g) => g.tenant === tenant).map((g) => g.role);
}

export const isSuperAdmin = (principal: AdminPrincipal) => principal.grants.some((g) => g.role === 'super-admin');

function roleAllows(role: Role, access: Access): boolean {
  switch (role) {
    case 'super-admin':
    case 'tenant-admin':
      return true;
    case 'auditor':
      return !access.write;
    case 'approver':
      return access.area === 'approvals';
  }
}

export function authorize(principal: AdminPrincipal, tenant: string, access: Access): Verdict {
  const roles = rolesIn(principal, tenant);
  if (roles.length === 0) return 'hidden';
  return roles.some((role) => roleAllows(role, access)) ? 'allowed' : 'forbidden';
}

/** The tenants a caller may see at all (undefined: every tenant). */
export function visibleTenants(principal: AdminPrincipal): Set<string> | undefined {
  if (isSuperAdmin(principal)) return undefined;
  return new Set(principal.grants.map((g) => g.tenant));
}
