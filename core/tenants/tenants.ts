// Tenants. Creating one also stores version 1 of the default trees, in the same transaction;
// deleting one deletes everything it holds (every tenant table cascades from tenants).
import type { Db } from '../infra/db.ts';
import { defaultTrees } from '../journeys/default-trees.ts';

export interface Tenant { id: string; name: string; createdAt: Date }

export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const TENANT_ID_RULE = 'tenant id must be lower-case letters, digits and dashes (max 63)';
export const TENANT_NAME_MAX = 200;

export class TenantExistsError extends Error {}

const toTenant = (row: Record<string, any>): Tenant => ({ id: row.id, name: row.name, createdAt: row.created_at });

/** @throws TenantExistsError when the id is taken; Error when it is malformed. */
export async function createTenant(db: Db, id: string, name = id): Promise<Tenant> {
  if (!TENANT_ID.test(id)) throw new Error(TENANT_ID_RULE);
  return db.begin(async (tx) => {
    const rows = await tx`INSERT INTO tenants (id, name) VALUES (${id}, ${name})
      ON CONFLICT (id) DO NOTHING RETURNING id, name, created_at`;
    if (rows.length === 0) throw new TenantExistsError(`tenant "${id}" already exists`);
    for (const tree of defaultTrees) {
      const definition = { ...tree, version: 1 };
      await tx`INSERT INTO trees (tenant_id, name, version, definition)
        VALUES (${id}, ${tree.name}, 1, ${tx.json(definition as never)})`;
    }
    return toTenant(rows[0]!);
  });
}

export async function getTenant(db: Db, id: string): Promise<Tenant | undefined> {
  if (!TENANT_ID.test(id)) return undefined;
  const [row] = await db`SELECT id, name, created_at FROM tenants WHERE id = ${id}`;
  return row ? toTenant(row) : undefined;
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  const rows = await db`SELECT id, name, created_at FROM tenants ORDER BY id`;
  return rows.map(toTenant);
}

export interface TenantPageQuery {
  /** Only these tenants (undefined: all). */
  only?: string[];
  /** Substring of the id or the name, case-insensitive. */
  q?: string;
  after?: string;
  limit: number;
}

/** Tenants by id, after `after`. */
export async function listTenantsPage(db: Db, { only, q, after, limit }: TenantPageQuery): Promise<Tenant[]> {
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await db`SELECT id, name, created_at FROM tenants WHERE true
    ${only ? db`AND id IN ${db(only.length ? only : [''])}` : db``}
    ${like ? db`AND (id ILIKE ${like} OR name ILIKE ${like})` : db``}
    ${after ? db`AND id > ${after}` : db``}
    ORDER BY id LIMIT ${limit}`;
  return rows.map(toTenant);
}

/** Deletes the tenant and everything in it; false when there was none. */
export async function deleteTenant(db: Db, id: string): Promise<boolean> {
  if (!TENANT_ID.test(id)) return false;
  const rows = await db`DELETE FROM tenants WHERE id = ${id} RETURNING id`;
  return rows.length > 0;
}
