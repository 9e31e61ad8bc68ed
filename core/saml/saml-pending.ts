// SAML SSO requests waiting for a login journey (table saml_pending): the checked AuthnRequest (or
// IdP-initiated start) kept server-side, behind an opaque 256-bit id in the resume URL (only its
// sha256 is stored). Used at most once (an atomic UPDATE … WHERE used_at IS NULL), forgotten
// after 10 minutes.
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';

export const PENDING_TTL_MS = 10 * 60_000;

export interface PendingSso {
  spEntityId: string;
  /** The AuthnRequest's ID (absent: IdP-initiated, an unsolicited response). */
  requestId?: string;
  acsUrl: string;
  relayState?: string;
  binding: 'redirect' | 'post' | 'idp-initiated';
  forceAuthn: boolean;
  isPassive: boolean;
}

export interface StoredPending extends PendingSso { createdAt: Date }

/** Stores the request; returns the opaque id for the resume URL. */
export async function savePending(db: Db, tenant: string, request: PendingSso): Promise<string> {
  const id = newSecretToken();
  await db`DELETE FROM saml_pending WHERE tenant_id = ${tenant} AND expires_at < now()`;
  await db`INSERT INTO saml_pending (tenant_id, id_hash, request, expires_at)
    VALUES (${tenant}, ${sha256(id)}, ${db.json(request as never)}, ${new Date(Date.now() + PENDING_TTL_MS)})`;
  return id;
}

/** The live, unused request for this id, or undefined. */
export async function findPending(db: Db, tenant: string, id: string): Promise<StoredPending | undefined> {
  if (!isSecretToken(id)) return undefined;
  const [row] = await db`SELECT request, created_at FROM saml_pending
    WHERE tenant_id = ${tenant} AND id_hash = ${sha256(id)} AND used_at IS NULL AND expires_at > now()`;
  return row ? { ...(row.request as PendingSso), createdAt: row.created_at } : undefined;
}

/** Marks the request used; false when it was already used (or expired) meanwhile. */
export async function consumePending(db: Db, tenant: string, id: string): Promise<boolean> {
  const rows = await db`UPDATE saml_pending SET used_at = now()
    WHERE tenant_id = ${tenant} AND id_hash = ${sha256(id)} AND used_at IS NULL AND expires_at > now() RETURNING id_hash`;
  return rows.length > 0;
}
