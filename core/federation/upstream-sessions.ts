// The upstream side of federated sessions (table upstream_sessions): what logging out at the
// upstream IdP needs (ID token + end_session_endpoint, or NameID + SessionIndex), per journey that
// signed in through it. Secrets stay here: never returned to a journey, never logged.
import type { Db } from '../infra/db.ts';
import type { UpstreamIdentity } from './federation-types.ts';

export type UpstreamSessionData = NonNullable<UpstreamIdentity['session']>;
export interface UpstreamSession { idp: string; data: UpstreamSessionData }

/** Kept as long as a core session can live (12 h) and a little more. */
const KEEP_MS = 13 * 3_600_000;

export async function saveUpstreamSession(db: Db, tenant: string, journeyId: string, idp: string, data: UpstreamSessionData, now = new Date()): Promise<void> {
  await db`INSERT INTO upstream_sessions (tenant_id, journey_id, idp, data, expires_at)
    VALUES (${tenant}, ${journeyId}, ${idp}, ${db.json(data as never)}, ${new Date(now.getTime() + KEEP_MS)})
    ON CONFLICT (tenant_id, journey_id) DO UPDATE SET idp = EXCLUDED.idp, data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`;
}

/**
 * The latest upstream session of a core session family, taken (deleted: a logout goes upstream once).
 */
export async function takeUpstreamSession(db: Db, tenant: string, ssoId: string): Promise<UpstreamSession | undefined> {
  const rows = await db`DELETE FROM upstream_sessions u WHERE u.tenant_id = ${tenant}
    AND u.journey_id IN (SELECT s.journey_id FROM sessions s WHERE s.tenant_id = ${tenant} AND s.sso_id = ${ssoId})
    RETURNING u.idp, u.data, u.created_at, u.expires_at`;
  const live = rows.filter((r) => r.expires_at.getTime() > Date.now()).sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
  return live[0] ? { idp: live[0].idp, data: live[0].data as UpstreamSessionData } : undefined;
}
