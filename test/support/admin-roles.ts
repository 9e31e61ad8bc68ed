// A tenant for admin API tests with a token per role (tenant-admin "ops", auditor "audit",
// approver "appr") and a tenant-admin token of another tenant, plus `api(...)` calls as each.
import type { Db } from '../../core/infra/db.ts';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest, type AdminResponse } from './admin-api.ts';
import { uniqueTenantId } from './harness.ts';

export type Caller = 'ops' | 'audit' | 'appr' | 'stranger';
export type Api = (method: string, path: string, body?: unknown, headers?: Record<string, string>, as?: Caller) => Promise<AdminResponse>;

export async function adminTenant(db: Db, base: () => string, prefix: string): Promise<{ tenant: string; api: Api }> {
  const tenant = uniqueTenantId(prefix);
  const other = uniqueTenantId(prefix);
  await createTenant(db, tenant);
  await createTenant(db, other);
  const tokens: Record<Caller, string> = {
    ops: (await createAdminToken(db, tenant, 'ops')).token,
    audit: (await createAdminToken(db, tenant, 'audit', 'auditor')).token,
    appr: (await createAdminToken(db, tenant, 'appr', 'approver')).token,
    stranger: (await createAdminToken(db, other, 'ops')).token,
  };
  const api: Api = (method, path, body, headers, as = 'ops') => adminRequest(base(), tenant, tokens[as], method, path, body, headers);
  return { tenant, api };
}

/** The tenant's audit events of `type`, oldest first. */
export async function auditEvents(db: Db, tenant: string, type: string) {
  return (await listAudit(db, tenant, 500)).filter((e) => e.type === type).reverse();
}
