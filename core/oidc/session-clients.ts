// Which relying parties a core SSO session signed in to (table session_clients), with the `sid`
// each was given: what back-channel logout notifies when the session ends. One row per session
// family and client; signing in again to the same client updates its sid and user.
import type { Db } from '../infra/db.ts';

export interface SessionClient { tenant: string; ssoId: string; clientId: string; sid: string; userId: string }

export async function recordSessionClient(db: Db, row: SessionClient): Promise<void> {
  await db`INSERT INTO session_clients (tenant_id, sso_id, client_id, sid, user_id)
    VALUES (${row.tenant}, ${row.ssoId}, ${row.clientId}, ${row.sid}, ${row.userId})
    ON CONFLICT (tenant_id, sso_id, client_id)
    DO UPDATE SET sid = excluded.sid, user_id = excluded.user_id
    WHERE session_clients.sid IS DISTINCT FROM excluded.sid OR session_clients.user_id IS DISTINCT FROM excluded.user_id`;
}

/** The clients of a session family, optionally only those the given user signed in to. */
export async function listSessionClients(db: Db, tenant: string, ssoId: string, userId?: string): Promise<SessionClient[]> {
  const rows = userId === undefined
    ? await db`SELECT * FROM session_clients WHERE tenant_id = ${tenant} AND sso_id = ${ssoId} ORDER BY client_id`
    : await db`SELECT * FROM session_clients WHERE tenant_id = ${tenant} AND sso_id = ${ssoId} AND user_id = ${userId} ORDER BY client_id`;
  return rows.map((r) => ({ tenant: r.tenant_id, ssoId: r.sso_id, clientId: r.client_id, sid: r.sid, userId: r.user_id }));
}

/** Forgets one client of a session family, but only for the sid it was notified about. */
export async function deleteSessionClient(db: Db, row: Pick<SessionClient, 'tenant' | 'ssoId' | 'clientId' | 'sid'>): Promise<void> {
  await db`DELETE FROM session_clients WHERE tenant_id = ${row.tenant} AND sso_id = ${row.ssoId}
    AND client_id = ${row.clientId} AND sid = ${row.sid}`;
}
