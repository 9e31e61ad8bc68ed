// Bearer tokens of a tenant's SCIM endpoint (the scim_tokens table). A token is 256 random bits
// shown once at creation; only its sha256 is stored. A presented token is found by that hash (an
// index lookup) and the stored hash is then compared in constant time, so no comparison leaks how
// much of a token matched. A token works for its own tenant only; revoked tokens stay as records
// until a new token takes their name.
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';

export interface ScimToken { id: string; tenant: string; name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }
export interface NewScimToken extends ScimToken { token: string }

export class ScimTokenInputError extends Error {}

export const SCIM_TOKEN_PREFIX = 'tsc_';
export const SCIM_TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function toToken(row: Record<string, any>): ScimToken {
  return { id: row.id, tenant: row.tenant_id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

/** @throws ScimTokenInputError for a malformed name or one a live token of the tenant has. */
export async function createScimToken(db: Db, tenant: string, name: string): Promise<NewScimToken> {
  if (!SCIM_TOKEN_NAME.test(name)) throw new ScimTokenInputError('token name must be 1-63 letters, digits, dots, dashes or underscores');
  const token = newSecretToken(SCIM_TOKEN_PREFIX);
  const [row] = await db`INSERT INTO scim_tokens (tenant_id, name, hash) VALUES (${tenant}, ${name}, ${sha256(token)})
    ON CONFLICT DO NOTHING RETURNING *`;
  if (!row) throw new ScimTokenInputError(`a SCIM token named "${name}" already exists`);
  return { ...toToken(row), token };
}

/** Every token of the tenant, live and revoked, by name. */
export async function listScimTokens(db: Db, tenant: string): Promise<ScimToken[]> {
  const rows = await db`SELECT * FROM scim_tokens WHERE tenant_id = ${tenant} ORDER BY name, created_at`;
  return rows.map(toToken);
}

/** Revokes the live token named `name`; false when there is none. */
export async function revokeScimToken(db: Db, tenant: string, name: string): Promise<boolean> {
  const rows = await db`UPDATE scim_tokens SET revoked_at = now()
    WHERE tenant_id = ${tenant} AND name = ${name} AND revoked_at IS NULL RETURNING id`;
  return rows.length > 0;
}

/** The live token of `tenant` a bearer presented; undefined for anything else (another tenant's included). */
export async function findScimToken(db: Db, tenant: string, presented: string): Promise<ScimToken | undefined> {
  if (!isSecretToken(presented, SCIM_TOKEN_PREFIX)) return undefined;
  const hash = sha256(presented);
  const [row] = await db`SELECT * FROM scim_tokens WHERE hash = ${hash} AND revoked_at IS NULL`;
  if (!row || row.tenant_id !== tenant) return undefined;
  if (!timingSafeEqual(Buffer.from(String(row.hash), 'utf8'), Buffer.from(hash, 'utf8'))) return undefined;
  // At most one write a minute per token, however busy the endpoint is.
  await db`UPDATE scim_tokens SET last_used_at = now()
    WHERE tenant_id = ${tenant} AND id = ${row.id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  return toToken(row);
}
