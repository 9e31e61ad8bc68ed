// Consent remembered per account and client: the scopes, claims and resource scopes a user
// allowed a third-party client. Kept apart from the provider's Grants, which logout revokes, so
// that a consent outlives sessions (as in Keycloak) until the user or an admin withdraws it.
// Stored in oidc_payloads under a model name of Tessera's own (no expiry), keyed
// "<accountId>:<clientId>" (account ids are UUIDs, so the first colon splits the key); the payload
// names the client too, so deleting the client (core/oidc/oidc-clients.ts) deletes its consents.
import type { Db } from '../../../core/infra/db.ts';

const MODEL = 'TesseraConsent';

export interface Consent {
  scopes: string[];
  claims: string[];
  /** Resource indicator → scopes allowed for it. */
  resources: Record<string, string[]>;
}

const EMPTY: Consent = { scopes: [], claims: [], resources: {} };

function keyOf(accountId: string, clientId: string): string {
  return `${accountId}:${clientId}`;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

export async function findConsent(db: Db, tenant: string, accountId: string, clientId: string): Promise<Consent | undefined> {
  const [row] = await db`SELECT payload FROM oidc_payloads
    WHERE tenant_id = ${tenant} AND model = ${MODEL} AND id = ${keyOf(accountId, clientId)}`;
  if (!row) return undefined;
  const { scopes, claims, resources } = { ...EMPTY, ...(row.payload as Partial<Consent>) };
  return { scopes, claims, resources };
}

/** Adds `more` to what the account allowed the client (never removes anything). */
export async function rememberConsent(db: Db, tenant: string, accountId: string, clientId: string, more: Consent): Promise<void> {
  await db.begin(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [row] = await tx`SELECT payload FROM oidc_payloads
      WHERE tenant_id = ${tenant} AND model = ${MODEL} AND id = ${keyOf(accountId, clientId)} FOR UPDATE`;
    const before: Consent = row ? { ...EMPTY, ...(row.payload as Partial<Consent>) } : EMPTY;
    const resources: Record<string, string[]> = { ...before.resources };
    for (const [indicator, scopes] of Object.entries(more.resources)) resources[indicator] = union(resources[indicator] ?? [], scopes);
    const after = { clientId, accountId, scopes: union(before.scopes, more.scopes), claims: union(before.claims, more.claims), resources };
    await tx`INSERT INTO oidc_payloads (tenant_id, model, id, payload)
      VALUES (${tenant}, ${MODEL}, ${keyOf(accountId, clientId)}, ${tx.json(after as never)})
      ON CONFLICT (tenant_id, model, id) DO UPDATE SET payload = excluded.payload`;
  });
}
