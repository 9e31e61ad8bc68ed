// User permissions through groups (table group_permissions): a group carries, per API audience,
// `VERB::path-regex` entries under a claim name; a user's access token for that audience carries,
// per claim, the union of the entries of the user's groups (server/protocols/oidc/account.ts).
// Rules:
// - Entries are checked with the resource guard's own parser (guard/permissions.ts): an entry the
//   guard would ignore is refused here, naming it.
// - The claim is `permissions` unless named: a letter then letters, digits or `_`, at most 64, and
//   never a claim with a meaning of its own in a token (sub, aud, scope, act…).
// - Setting an empty list removes the entry; a group deleted takes its permissions along.
// - A token carries at most MAX_PER_CLAIM entries per claim (the first ones, sorted), so that a
//   user in many groups cannot make tokens grow without bound.
import { z } from 'zod';
import { parsePermission } from '../../guard/permissions.ts';
import type { Db } from '../infra/db.ts';

export const DEFAULT_CLAIM = 'permissions';
const MAX_PER_CLAIM = 200;
const RESERVED = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope', 'act', 'may_act', 'cnf', 'azp',
  'auth_time', 'acr', 'amr', 'sid', 'nonce', 'at_hash', 'c_hash', 's_hash', 'typ', 'gty', 'roles', 'groups', 'entitlements',
]);

export const PermissionEntry = z.string().min(1).max(1000).refine((value) => parsePermission(value) !== null,
  'must look like VERB::path-regex (e.g. GET::/api/items/[0-9]+ or GET|PUT::devices/.*), each part a regex that compiles on its own');

export const GroupPermissionInput = z.object({
  audience: z.string().min(1).max(500).describe('The API: a resource indicator (https URL) or the client_id of a resource server.'),
  claim: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/).refine((c) => !RESERVED.has(c), 'is a reserved token claim').optional()
    .describe(`The claim that carries the entries in access tokens for the audience; "${DEFAULT_CLAIM}" when absent.`),
  permissions: z.array(PermissionEntry).max(200).describe('VERB::path-regex entries; an empty list removes them.'),
}).strict();
export type GroupPermissionInput = z.input<typeof GroupPermissionInput>;

export interface GroupPermission { audience: string; claim: string; permissions: string[]; updatedAt: Date }

export class GroupPermissionInputError extends Error {}

/** Sets (or, with an empty list, removes) a group's entries for an audience and claim.
 * @returns false when the tenant has no such group. @throws GroupPermissionInputError. */
export async function setGroupPermissions(db: Db, tenant: string, group: string, input: unknown): Promise<boolean> {
  const parsed = GroupPermissionInput.safeParse(input);
  if (!parsed.success) throw new GroupPermissionInputError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; '));
  const { audience, claim = DEFAULT_CLAIM, permissions } = parsed.data;
  const [row] = await db`SELECT id FROM groups WHERE tenant_id = ${tenant} AND name = ${group}`;
  if (!row) return false;
  if (permissions.length === 0) {
    await db`DELETE FROM group_permissions WHERE tenant_id = ${tenant} AND group_id = ${row.id} AND audience = ${audience} AND claim = ${claim}`;
    return true;
  }
  const unique = [...new Set(permissions)];
  await db`INSERT INTO group_permissions (tenant_id, group_id, audience, claim, permissions)
    VALUES (${tenant}, ${row.id}, ${audience}, ${claim}, ${unique})
    ON CONFLICT (tenant_id, group_id, audience, claim) DO UPDATE SET permissions = excluded.permissions, updated_at = now()`;
  return true;
}

/** The group's entries, by audience and claim; undefined when the tenant has no such group. */
export async function listGroupPermissions(db: Db, tenant: string, group: string): Promise<GroupPermission[] | undefined> {
  const [found] = await db`SELECT id FROM groups WHERE tenant_id = ${tenant} AND name = ${group}`;
  if (!found) return undefined;
  const rows = await db`SELECT audience, claim, permissions, updated_at FROM group_permissions
    WHERE tenant_id = ${tenant} AND group_id = ${found.id} ORDER BY audience, claim`;
  return rows.map((r) => ({ audience: r.audience, claim: r.claim, permissions: r.permissions, updatedAt: r.updated_at }));
}

/** Per claim, what the user's groups allow at `audience` (empty when nothing). */
export async function userPermissionClaims(db: Db, tenant: string, userId: string, audience: string): Promise<Record<string, string[]>> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return {};
  const rows = await db`SELECT gp.claim, gp.permissions FROM group_permissions gp
    JOIN groups g ON g.tenant_id = gp.tenant_id AND g.id = gp.group_id
    JOIN user_groups ug ON ug.tenant_id = g.tenant_id AND ug.name = g.name
    WHERE gp.tenant_id = ${tenant} AND gp.audience = ${audience} AND ug.user_id = ${userId}`;
  const claims: Record<string, Set<string>> = {};
  for (const row of rows) for (const entry of row.permissions as string[]) (claims[row.claim] ??= new Set()).add(entry);
  return Object.fromEntries(Object.entries(claims).map(([claim, set]) => [claim, [...set].sort().slice(0, MAX_PER_CLAIM)]));
}
