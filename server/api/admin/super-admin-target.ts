// A tenant-admin manages its tenant's users, but a super-admin who happens to live in that tenant
// reaches every tenant: setting their password, changing the email that receives their reset links,
// removing their factors or deleting them would lend the tenant-admin that reach. So writes to a
// user who holds super-admin are for super-admins only (roles.grant/revoke already keep the role
// itself for them).
import { rolesOfUser } from '../../../core/admin/roles.ts';
import type { Db } from '../../../core/infra/db.ts';
import { HttpError } from '../../http-error.ts';
import type { Operation } from './operation.ts';
import { isSuperAdmin, type AdminPrincipal } from './principal.ts';
import { isUuid } from './schemas.ts';

/** @throws HttpError 403 when a caller below super-admin writes to a super-admin user. */
export async function checkSuperAdminTarget(db: Db, op: Operation, principal: AdminPrincipal, tenant: string, params: unknown): Promise<void> {
  if (op.method === 'GET' || !op.path.startsWith('/users/{id}') || isSuperAdmin(principal)) return;
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !isUuid(id)) return; // the operation answers 404 for it
  if ((await rolesOfUser(db, tenant, id)).includes('super-admin')) {
    throw new HttpError(403, 'forbidden', 'This user is a super-admin: only a super-admin may change them.');
  }
}
