// The core SSO session: a random 256-bit cookie value, stored only as its sha256. One session per
// finished journey (unique journey_id), so a retried request never creates a second one.
import type { Db } from '../infra/db.ts';
import { newSecretToken, sha256 } from '../infra/secret-token.ts';

export const SESSION_TTL_MS = 12 * 3_600_000;

export interface Session {
  /** The public id (never the cookie or its hash). */
  id: string;
  tenant: string;
  userId: string;
  journeyId: string;
  ssoId: string;
  acr: string | null;
  amr: string[];
  authTime: Date;
  expiresAt: Date;
}

export { sha256 };

export interface NewSession {
  tenant: string; userId: string; journeyId: string; ssoId: string; acr: string; amr: string[]; authTime: Date;
  /** The browser's User-Agent (cut to 300 characters), for people to recognise the session. */
  userAgent?: string;
}

/** Returns the cookie value, or undefined when this journey already produced a session. */
export async function createSession(db: Db, s: NewSession, ttlMs = SESSION_TTL_MS): Promise<string | undefined> {
  const token = newSecretToken();
  const rows = await db`INSERT INTO sessions (tenant_id, id_hash, user_id, journey_id, sso_id, acr, amr, auth_time, expires_at, user_agent)
    VALUES (${s.tenant}, ${sha256(token)}, ${s.userId}, ${s.journeyId}, ${s.ssoId}, ${s.acr}, ${s.amr}, ${s.authTime},
            ${new Date(Date.now() + ttlMs)}, ${s.userAgent?.slice(0, 300) ?? null})
    ON CONFLICT (tenant_id, journey_id) DO NOTHING RETURNING id_hash`;
  return rows.length > 0 ? token : undefined;
}

/** The live session for this cookie value, if it is neither revoked nor expired. */
export async function getSession(db: Db, tenant: string, token: string): Promise<Session | undefined> {
  const [row] = await db`SELECT s.* FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
    WHERE s.tenant_id = ${tenant} AND s.id_hash = ${sha256(token)} AND s.revoked_at IS NULL
      AND s.expires_at > now() AND u.status = 'active'`;
  if (!row) return undefined;
  return {
    id: row.id, tenant: row.tenant_id, userId: row.user_id, journeyId: row.journey_id, ssoId: row.sso_id, acr: row.acr,
    amr: row.amr, authTime: row.auth_time, expiresAt: row.expires_at,
  };
}

export async function revokeSession(db: Db, tenant: string, token: string): Promise<void> {
  await db`UPDATE sessions SET revoked_at = now() WHERE tenant_id = ${tenant} AND id_hash = ${sha256(token)} AND revoked_at IS NULL`;
}

/** A live session as admins see it: its public id (never the cookie or its hash) and how it was made. */
export interface SessionRecord {
  id: string;
  ssoId: string;
  acr: string | null;
  amr: string[];
  authTime: Date;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** The browser that signed in, as it named itself; null for sessions older than this column. */
  userAgent: string | null;
}

/** Where the previous page of sessions ended: creation time as PostgreSQL writes it (microseconds) and id. */
export interface SessionCursor { at: string; id: string }

function toRecord(row: Record<string, any>): SessionRecord & { cursor: SessionCursor } {
  return {
    id: row.id, ssoId: row.sso_id, acr: row.acr, amr: row.amr, authTime: row.auth_time, createdAt: row.created_at,
    lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, userAgent: row.user_agent ?? null, cursor: { at: row.created_key, id: row.id },
  };
}

/** The user's live sessions (neither revoked nor expired), newest first. */
export async function listUserSessions(
  db: Db, tenant: string, userId: string, page: { after?: SessionCursor; limit: number },
): Promise<(SessionRecord & { cursor: SessionCursor })[]> {
  const rows = await db`SELECT *, created_at::text AS created_key FROM sessions
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
      ${page.after ? db`AND (created_at, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC LIMIT ${page.limit}`;
  return rows.map(toRecord);
}

/** One live session of the user by its public id (`id` must be a uuid). */
export async function getUserSession(db: Db, tenant: string, userId: string, id: string): Promise<SessionRecord | undefined> {
  const [row] = await db`SELECT *, created_at::text AS created_key FROM sessions
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND id = ${id} AND revoked_at IS NULL AND expires_at > now()`;
  return row ? toRecord(row) : undefined;
}

/** The SSO session families the user's live sessions belong to. */
export async function liveSessionFamilies(db: Db, tenant: string, userId: string): Promise<string[]> {
  const rows = await db`SELECT DISTINCT sso_id FROM sessions
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > now() ORDER BY sso_id`;
  return rows.map((r) => r.sso_id as string);
}

/** Revokes the user's live sessions, or only the one with public id `id`; returns how many ended. */
export async function revokeUserSessions(db: Db, tenant: string, userId: string, id?: string): Promise<number> {
  const rows = await db`UPDATE sessions SET revoked_at = now()
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND revoked_at IS NULL ${id ? db`AND id = ${id}` : db``}
    RETURNING id`;
  return rows.length;
}
