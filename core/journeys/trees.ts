// Stored trees. Saving makes a new version; old versions stay, so journeys started on them can
// still be explained later. Validation happens before this layer (workflows/tree/validate.ts).
import type { Db } from '../infra/db.ts';
import { lateDefaultTrees } from './default-trees.ts';
import { innerTreeNames } from './journey-policy.ts';
import type { Tree } from './tree-types.ts';

export interface StoredTree { name: string; version: number; tree: Tree; createdAt: Date }

function toStored(row: Record<string, any>): StoredTree {
  return { name: row.name, version: row.version, tree: { ...row.definition, version: row.version }, createdAt: row.created_at };
}

/** Stores `tree` as the next version of its name; returns that version. */
export async function saveTree(db: Db, tenant: string, tree: Tree): Promise<StoredTree> {
  return db.begin(async (tx) => {
    // Serialize concurrent saves of one tenant so two imports never race for the same version.
    await tx`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`;
    const [{ next }] = await tx`SELECT coalesce(max(version), 0) + 1 AS next FROM trees
      WHERE tenant_id = ${tenant} AND name = ${tree.name}` as unknown as [{ next: number }];
    const definition = { ...tree, version: next };
    const [row] = await tx`INSERT INTO trees (tenant_id, name, version, definition)
      VALUES (${tenant}, ${tree.name}, ${next}, ${tx.json(definition as never)}) RETURNING *`;
    return toStored(row!);
  });
}

export async function getTree(db: Db, tenant: string, name: string, version?: number): Promise<StoredTree | undefined> {
  const [row] = version === undefined
    ? await db`SELECT * FROM trees WHERE tenant_id = ${tenant} AND name = ${name} ORDER BY version DESC LIMIT 1`
    : await db`SELECT * FROM trees WHERE tenant_id = ${tenant} AND name = ${name} AND version = ${version}`;
  return row ? toStored(row) : undefined;
}

export async function treeExists(db: Db, tenant: string, name: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM trees WHERE tenant_id = ${tenant} AND name = ${name} LIMIT 1`;
  return rows.length > 0;
}

/** The latest version of each tree of the tenant. */
export async function listTrees(db: Db, tenant: string): Promise<StoredTree[]> {
  const rows = await db`SELECT DISTINCT ON (name) * FROM trees WHERE tenant_id = ${tenant} ORDER BY name, version DESC`;
  return rows.map(toStored);
}

export interface TreeSummary { name: string; version: number; versions: number; start: string; nodes: number; createdAt: Date; updatedAt: Date }

/** One page of the tenant's trees by name (after `after`): the latest version of each, with counts. */
export async function listTreeSummaries(db: Db, tenant: string, opts: { after?: string; limit: number }): Promise<TreeSummary[]> {
  const rows = await db`SELECT t.name, t.version, t.definition->>'start' AS start,
      (SELECT count(*)::int FROM jsonb_object_keys(t.definition->'nodes')) AS nodes,
      c.versions, c.created_at, t.created_at AS updated_at
    FROM (SELECT DISTINCT ON (name) * FROM trees WHERE tenant_id = ${tenant} AND name > ${opts.after ?? ''} ORDER BY name, version DESC) t
    JOIN (SELECT name, count(*)::int AS versions, min(created_at) AS created_at FROM trees WHERE tenant_id = ${tenant} GROUP BY name) c
      USING (name)
    ORDER BY t.name LIMIT ${opts.limit}`;
  return rows.map((r) => ({
    name: r.name, version: r.version, versions: r.versions, start: r.start, nodes: r.nodes, createdAt: r.created_at, updatedAt: r.updated_at,
  }));
}

export interface TreeVersionSummary { version: number; start: string; nodes: number; createdAt: Date }

/** One page of a tree's versions, newest first (below `before`). */
export async function listTreeVersions(db: Db, tenant: string, name: string, opts: { before?: number; limit: number }): Promise<TreeVersionSummary[]> {
  const rows = await db`SELECT version, definition->>'start' AS start,
      (SELECT count(*)::int FROM jsonb_object_keys(definition->'nodes')) AS nodes, created_at
    FROM trees WHERE tenant_id = ${tenant} AND name = ${name} AND version < ${opts.before ?? 2 ** 31 - 1}
    ORDER BY version DESC LIMIT ${opts.limit}`;
  return rows.map((r) => ({ version: r.version, start: r.start, nodes: r.nodes, createdAt: r.created_at }));
}

/**
 * True when the tenant has the tree; a default tree added to Tessera after the tenant was
 * created (registration, recovery, link-sign-in, login-mfa, the account-* trees) is stored as its
 * version 1 on first use, with the default trees it runs (account-step-up for the account trees).
 */
export async function ensureDefaultTree(db: Db, tenant: string, name: string, depth = 0): Promise<boolean> {
  const late = lateDefaultTrees.find((t) => t.name === name);
  if (!(await treeExists(db, tenant, name))) {
    if (!late) return false;
    await db`INSERT INTO trees (tenant_id, name, version, definition)
      VALUES (${tenant}, ${name}, 1, ${db.json({ ...late, version: 1 } as never)}) ON CONFLICT DO NOTHING`;
  }
  if (late && depth < 3) for (const inner of innerTreeNames(late)) await ensureDefaultTree(db, tenant, inner, depth + 1);
  return true;
}
