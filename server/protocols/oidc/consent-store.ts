// Consent remembered per account and client: the scopes, claims and resource scopes a user
// allowed a third-party client. Kept apart from the provider's Grants, which logout revokes, so
// that a consent outlives sessions (as in Keycloak) until the user or an admin withdraws it.
// Stored in oidc_payloads under a model name of Tessera's own (no expiry), keyed
// "<accountId>:<clientId>" (account ids are UUIDs, so the first colon splits the key); the payload
// names the client too, so deleting the client (core/oidc/oidc-clients.ts) deletes its consents.
// The account console lists a user's consents and grants per client, and revoking one removes the
// consent, the provider's grants and everything issued under them (codes, refresh tokens).
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

/** An application the user allowed (a remembered consent) or that holds a live grant of theirs. */
export interface UserApplication { clientId: string; consent?: Consent; grants: number; lastGrantAt?: Date }

/** The user's consents and live provider grants, by client. */
export async function listUserApplications(db: Db, tenant: string, accountId: string): Promise<UserApplication[]> {
  const consents = await db`SELECT payload FROM oidc_payloads
    WHERE tenant_id = ${tenant} AND model = ${MODEL} AND starts_with(id, ${`${accountId}:`})`;
  const grants = await db`SELECT payload->>'clientId' AS client_id, count(*)::int AS n, max(to_timestamp((payload->>'iat')::bigint)) AS last
    FROM oidc_payloads WHERE tenant_id = ${tenant} AND model = 'Grant' AND payload->>'accountId' = ${accountId}
      AND (expires_at IS NULL OR expires_at > now()) GROUP BY 1`;
  const apps = new Map<string, UserApplication>();
  for (const row of consents) {
    const p = row.payload as Partial<Consent> & { clientId?: string };
    if (typeof p.clientId !== 'string') continue;
    apps.set(p.clientId, { clientId: p.clientId, consent: { scopes: p.scopes ?? [], claims: p.claims ?? [], resources: p.resources ?? {} }, grants: 0 });
  }
  for (const row of grants) {
    if (typeof row.client_id !== 'string') continue;
    const app = apps.get(row.client_id) ?? { clientId: row.client_id, grants: 0 };
    apps.set(row.client_id, { ...app, grants: row.n, ...(row.last ? { lastGrantAt: row.last } : {}) });
  }
  return [...apps.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
}

/**
 * Withdraws what the user gave the client: the remembered consent (the next authorization asks
 * again), the provider grants and everything issued under them (refresh and opaque access tokens,
 * codes). JWT access tokens already issued live out their short lifetime. True when anything went.
 */
export async function revokeUserApplication(db: Db, tenant: string, accountId: string, clientId: string): Promise<boolean> {
  return db.begin(async (transaction) => {
    const tx = transaction as unknown as Db;
    const consent = await tx`DELETE FROM oidc_payloads WHERE tenant_id = ${tenant} AND model = ${MODEL} AND id = ${keyOf(accountId, clientId)} RETURNING id`;
    const grants = await tx`DELETE FROM oidc_payloads WHERE tenant_id = ${tenant} AND model = 'Grant'
      AND payload->>'accountId' = ${accountId} AND payload->>'clientId' = ${clientId} RETURNING id`;
    const ids = grants.map((g) => g.id as string);
    if (ids.length > 0) await tx`DELETE FROM oidc_payloads WHERE tenant_id = ${tenant} AND grant_id IN ${tx(ids)}`;
    return consent.length + grants.length > 0;
  });
}
