// Tenants. Creating one also stores version 1 of the default trees, in the same transaction.
import type { Db } from '../infra/db.ts';
import { defaultTrees } from '../journeys/default-trees.ts';

export interface Tenant { id: string; name: string; createdAt: Date }

export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class TenantExistsError extends Error {}

/** @throws TenantExistsError when the id is taken; Error when it is malformed. */
export async function createTenant(db: Db, id: string, name = id): Promise<Tenant> {
  if (!TENANT_ID.test(id)) throw new Error('tenant id must be lower-case letters, digits and dashes (max 63)');
  return db.begin(async (tx) => {
    const rows = await tx`INSERT INTO tenants (id, name) VALUES (${id}, ${name})
      ON CONFLICT (id) DO NOTHING RETURNING id, name, created_at`;
    if (rows.length === 0) throw new TenantExistsError(`tenant "${id}" already exists`);
    for (const tree of defaultTrees) {
      const definition = { ...tree, version: 1 };
      await tx`INSERT INTO trees (tenant_id, name, version, definition)
        VALUES (${id}, ${tree.name}, 1, ${tx.json(definition as never)})`;
    }
    return { id: rows[0]!.id, name: rows[0]!.name, createdAt: rows[0]!.created_at };
  });
}

export async function getTenant(db: Db, id: string): Promise<Tenant | undefined> {
  if (!TENANT_ID.test(id)) return undefined;
  const [row] = await db`SELECT id, name, created_at FROM tenants WHERE id = ${id}`;
  return row ? { id: row.id, name: row.name, createdAt: row.created_at } : undefined;
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  const rows = await db`SELECT id, name, created_at FROM tenants ORDER BY id`;
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
}
