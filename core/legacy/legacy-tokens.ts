// User tokens of the legacy login protocol (legacy_user_tokens): what `/login` hands to `next` and
// services check with /account/v1.0/authenticate. 256 random bits; only the sha256 is stored and
// a presented token is found by it. Each token records the SSO session family (sso_id) it was
// issued from, so ending that session (`force`, logout) revokes the tokens it gave out.
// A token answers only while it is unrevoked, unexpired and its user active.
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';

export const DEFAULT_TOKEN_TTL_MS = 30 * 86_400_000;

/** A token reused when it has less than this left would die soon after the service got it. */
const REUSE_MIN_LEFT_MS = 3_600_000;
const PREFIX = 'tsu_';

export interface IssuedToken { token: string; expiresAt: Date }

/** What authenticate answers about a token's user. */
export interface TokenUser { uuid: string; email: string | null; name: string | null; groups: string[] }

export function isUserTokenShape(text: string): boolean {
  return isSecretToken(text, PREFIX);
}

export async function issueUserToken(db: Db, tenant: string, userId: string, ssoId: string, ttlMs = DEFAULT_TOKEN_TTL_MS): Promise<IssuedToken> {
  const token = newSecretToken(PREFIX);
  const expiresAt = new Date(Date.now() + ttlMs);
  await db`INSERT INTO legacy_user_tokens (tenant_id, hash, user_id, sso_id, expires_at)
    VALUES (${tenant}, ${sha256(token)}, ${userId}, ${ssoId}, ${expiresAt})`;
  return { token, expiresAt };
}

/**
 * Whether `token` is a live token of this user issued from this SSO session family, with enough
 * life left to hand out again.
 */
export async function isReusable(db: Db, tenant: string, token: string, userId: string, ssoId: string): Promise<boolean> {
  if (!isSecretToken(token, PREFIX)) return false;
  const rows = await db`SELECT 1 FROM legacy_user_tokens
    WHERE tenant_id = ${tenant} AND hash = ${sha256(token)} AND user_id = ${userId} AND sso_id = ${ssoId}
      AND revoked_at IS NULL AND expires_at > ${new Date(Date.now() + REUSE_MIN_LEFT_MS)}`;
  return rows.length > 0;
}

/** Revokes every live token issued from this SSO session family (of one user, when given). */
export async function revokeTokensOfSession(db: Db, tenant: string, ssoId: string, userId?: string): Promise<number> {
  const rows = userId
    ? await db`UPDATE legacy_user_tokens SET revoked_at = now()
        WHERE tenant_id = ${tenant} AND user_id = ${userId} AND sso_id = ${ssoId} AND revoked_at IS NULL RETURNING hash`
    : await db`UPDATE legacy_user_tokens SET revoked_at = now()
        WHERE tenant_id = ${tenant} AND sso_id = ${ssoId} AND revoked_at IS NULL RETURNING hash`;
  return rows.length;
}

/** The active user a live token belongs to, with their groups; undefined for any other token. */
export async function authenticateUserToken(db: Db, tenant: string, presented: string): Promise<TokenUser | undefined> {
  if (!isSecretToken(presented, PREFIX)) return undefined;
  const [row] = await db`SELECT u.id, u.email, u.name,
      COALESCE((SELECT array_agg(g.name ORDER BY g.name) FROM user_groups g
                WHERE g.tenant_id = u.tenant_id AND g.user_id = u.id), '{}') AS groups
    FROM legacy_user_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
    WHERE t.tenant_id = ${tenant} AND t.hash = ${sha256(presented)} AND t.revoked_at IS NULL
      AND t.expires_at > now() AND u.status = 'active'`;
  return row ? { uuid: row.id, email: row.email, name: row.name, groups: row.groups } : undefined;
}
