// Who a SAML SP was told the user is, and when: persistent NameIDs (a stable random value per
// tenant, SP and user, which reveals nothing of the user id; table saml_persistent_ids) and the
// SPs each core SSO session family signed in to, with the NameID and SessionIndex given (table
// saml_session_sps), so that a logout can name them.
import { randomBytes } from 'node:crypto';
import type { Db } from '../infra/db.ts';

/** The user's persistent NameID at this SP, created on first use (idempotent under races). */
export async function persistentNameId(db: Db, tenant: string, entityId: string, userId: string): Promise<string> {
  const fresh = randomBytes(24).toString('base64url');
  await db`INSERT INTO saml_persistent_ids (tenant_id, entity_id, user_id, name_id)
    VALUES (${tenant}, ${entityId}, ${userId}, ${fresh}) ON CONFLICT (tenant_id, entity_id, user_id) DO NOTHING`;
  const [row] = await db`SELECT name_id FROM saml_persistent_ids
    WHERE tenant_id = ${tenant} AND entity_id = ${entityId} AND user_id = ${userId}`;
  return row!.name_id;
}

export interface SessionSp { entityId: string; userId: string; nameId: string; nameIdFormat: string; sessionIndex: string }

export async function recordSessionSp(db: Db, tenant: string, ssoId: string, s: SessionSp): Promise<void> {
  await db`INSERT INTO saml_session_sps (tenant_id, sso_id, entity_id, user_id, name_id, name_id_format, session_index)
    VALUES (${tenant}, ${ssoId}, ${s.entityId}, ${s.userId}, ${s.nameId}, ${s.nameIdFormat}, ${s.sessionIndex})
    ON CONFLICT (tenant_id, sso_id, entity_id) DO UPDATE SET user_id = EXCLUDED.user_id, name_id = EXCLUDED.name_id,
      name_id_format = EXCLUDED.name_id_format, session_index = EXCLUDED.session_index, created_at = now()`;
}

export async function sessionSps(db: Db, tenant: string, ssoId: string): Promise<SessionSp[]> {
  const rows = await db`SELECT * FROM saml_session_sps WHERE tenant_id = ${tenant} AND sso_id = ${ssoId} ORDER BY created_at`;
  return rows.map((r) => ({ entityId: r.entity_id, userId: r.user_id, nameId: r.name_id, nameIdFormat: r.name_id_format, sessionIndex: r.session_index }));
}

export async function forgetSessionSps(db: Db, tenant: string, ssoId: string): Promise<void> {
  await db`DELETE FROM saml_session_sps WHERE tenant_id = ${tenant} AND sso_id = ${ssoId}`;
}

/** The session family's SPs, forgotten in the same step (a second logout does not visit them again). */
export async function takeSessionSps(db: Db, tenant: string, ssoId: string): Promise<SessionSp[]> {
  const rows = await db`DELETE FROM saml_session_sps WHERE tenant_id = ${tenant} AND sso_id = ${ssoId} RETURNING *`;
  return [...rows].sort((x, y) => x.created_at.getTime() - y.created_at.getTime())
    .map((r) => ({ entityId: r.entity_id, userId: r.user_id, nameId: r.name_id, nameIdFormat: r.name_id_format, sessionIndex: r.session_index }));
}
