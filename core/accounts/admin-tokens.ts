// Bearer tokens of a tenant's admin API (the admin_tokens table). A token is 256 random bits shown
// once at creation; only its sha256 is stored, and a presented token is found by that hash (an
// index lookup, so no comparison leaks how much of a token matched). Revoked tokens stay as
// records until a new token takes their name.
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';

/** What a token may do (the admin roles, core/admin/roles.ts); tenant-admin unless limited. */
export type AdminTokenRole = 'super-admin' | 'tenant-admin' | 'approver' | 'auditor';

export interface AdminToken {
  id: string; tenant: string; name: string; role: AdminTokenRole; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null;
}

/** What `tessera admin-tokens create` prints once: the token itself is not stored anywhere. */
export interface NewAdminToken extends AdminToken { token: string }

export class AdminTokenInputError extends Error {}

const PREFIX = 'tsa_';
export const ADMIN_TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function toToken(row: Record<string, any>): AdminToken {
  return { id: row.id, tenant: row.tenant_id, name: row.name, role: row.role, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

/**
 * A new token named `name` (letters, digits, . _ -; it appears in audit events as `admin:<name>`).
 * A revoked token of that name is replaced.
 * @throws AdminTokenInputError for a malformed name or one a live token has.
 */
export async function createAdminToken(db: Db, tenant: string, name: string, role: AdminTokenRole = 'tenant-admin'): Promise<NewAdminToken> {
  if (!ADMIN_TOKEN_NAME.test(name)) throw new AdminTokenInputError('token name must be 1-63 letters, digits, dots, dashes or underscores');
  const token = newSecretToken(PREFIX);
  return db.begin(async (tx) => {
    await tx`DELETE FROM admin_tokens WHERE tenant_id = ${tenant} AND name = ${name} AND revoked_at IS NOT NULL`;
    const [row] = await tx`INSERT INTO admin_tokens (tenant_id, name, hash, role) VALUES (${tenant}, ${name}, ${sha256(token)}, ${role})
      ON CONFLICT DO NOTHING RETURNING *`;
    if (!row) throw new AdminTokenInputError(`an admin token named "${name}" already exists`);
    return { ...toToken(row), token };
  });
}

export async function listAdminTokens(db: Db, tenant: string): Promise<AdminToken[]> {
  const rows = await db`SELECT * FROM admin_tokens WHERE tenant_id = ${tenant} ORDER BY created_at, name`;
  return rows.map(toToken);
}

/** Revokes the live token named `name`; false when there is none. */
export async function revokeAdminToken(db: Db, tenant: string, name: string): Promise<boolean> {
  const rows = await db`UPDATE admin_tokens SET revoked_at = now()
    WHERE tenant_id = ${tenant} AND name = ${name} AND revoked_at IS NULL RETURNING id`;
  return rows.length > 0;
}

/** The live token a bearer presented, whatever its tenant (the caller checks); undefined otherwise. */
export async function findAdminToken(db: Db, presented: string): Promise<AdminToken | undefined> {
  if (!isSecretToken(presented, PREFIX)) return undefined;
  const [row] = await db`SELECT * FROM admin_tokens WHERE hash = ${sha256(presented)} AND revoked_at IS NULL`;
  if (!row) return undefined;
  // At most one write a minute per token, however busy the API is.
  await db`UPDATE admin_tokens SET last_used_at = now()
    WHERE tenant_id = ${row.tenant_id} AND id = ${row.id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  return toToken(row);
}
