// Stored WebAuthn credentials. Every query names the tenant. Rules: a credential id belongs to one
// user of a tenant; the signature counter only moves forward (0 → 0 allowed, for authenticators
// that keep no counter), and is written only after the assertion was verified.
import type { Db } from '../infra/db.ts';

export interface StoredCredential {
  tenant: string;
  id: string;
  userId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  aaguid: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** A name the user gave it (account console), or null. */
  name: string | null;
}

export type NewCredential = Omit<StoredCredential, 'createdAt' | 'lastUsedAt' | 'name'>;

/** A passkey name: one line of 1 to 64 characters. */
export const PASSKEY_NAME = /^[^\p{Cc}]{1,64}$/u;

function toCredential(row: Record<string, any>): StoredCredential {
  return {
    tenant: row.tenant_id, id: row.credential_id, userId: row.user_id, publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter), transports: row.transports, deviceType: row.device_type, backedUp: row.backed_up,
    aaguid: row.aaguid, createdAt: row.created_at, lastUsedAt: row.last_used_at, name: row.name ?? null,
  };
}

export async function listCredentials(db: Db, tenant: string, userId: string): Promise<StoredCredential[]> {
  const rows = await db`SELECT * FROM webauthn_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId} ORDER BY created_at`;
  return rows.map(toCredential);
}

export async function findCredential(db: Db, tenant: string, credentialId: string): Promise<StoredCredential | undefined> {
  const [row] = await db`SELECT * FROM webauthn_credentials WHERE tenant_id = ${tenant} AND credential_id = ${credentialId}`;
  return row ? toCredential(row) : undefined;
}

/**
 * Stores a new credential. True when it is stored for this user (also when a retried call finds
 * the row it wrote); false when the id is already another user's, or the same id with another key.
 */
export async function saveCredential(db: Db, c: NewCredential): Promise<boolean> {
  const inserted = await db`INSERT INTO webauthn_credentials
      (tenant_id, credential_id, user_id, public_key, counter, transports, device_type, backed_up, aaguid)
    VALUES (${c.tenant}, ${c.id}, ${c.userId}, ${Buffer.from(c.publicKey)}, ${c.counter}, ${c.transports},
            ${c.deviceType}, ${c.backedUp}, ${c.aaguid})
    ON CONFLICT (tenant_id, credential_id) DO NOTHING RETURNING credential_id`;
  if (inserted.length > 0) return true;
  const existing = await findCredential(db, c.tenant, c.id);
  return existing !== undefined && existing.userId === c.userId && Buffer.from(existing.publicKey).equals(Buffer.from(c.publicKey));
}

/**
 * Records a verified use: the new counter, backup state and time. False when the counter did not
 * move forward (a cloned authenticator, or a replay); a retry of the same verification (same
 * challenge, same counter) counts as success.
 */
export async function recordCredentialUse(
  db: Db, tenant: string, credentialId: string, use: { counter: number; backedUp: boolean; challenge: string; at: Date },
): Promise<boolean> {
  const rows = await db`UPDATE webauthn_credentials
    SET counter = ${use.counter}, backed_up = ${use.backedUp}, last_used_at = ${use.at}, last_challenge = ${use.challenge}
    WHERE tenant_id = ${tenant} AND credential_id = ${credentialId}
      AND (counter < ${use.counter} OR (counter = 0 AND ${use.counter} = 0)
           OR (last_challenge = ${use.challenge} AND counter = ${use.counter}))
    RETURNING credential_id`;
  return rows.length > 0;
}

/** Removes one of the user's credentials; false when the user has none with this id. */
export async function deleteCredential(db: Db, tenant: string, userId: string, credentialId: string): Promise<boolean> {
  const rows = await db`DELETE FROM webauthn_credentials
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND credential_id = ${credentialId} RETURNING credential_id`;
  return rows.length > 0;
}

/** Names one of the user's credentials; false when the user has none with this id. */
export async function renameCredential(db: Db, tenant: string, userId: string, credentialId: string, name: string): Promise<boolean> {
  const rows = await db`UPDATE webauthn_credentials SET name = ${name}
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND credential_id = ${credentialId} RETURNING credential_id`;
  return rows.length > 0;
}
