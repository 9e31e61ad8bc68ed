// Federated round trips in flight (table federation_states), keyed by the sha256 of the opaque
// state the browser carries to the upstream and back. Rules: the callback is recorded once, only
// before expiry, and only for the tenant and IdP that started it; the journey takes the row
// (deletes it) when it judges the answer, so a state works once.
import type { Db } from '../infra/db.ts';

export interface FederationState { journeyId: string; idp: string; kept: Record<string, string>; params?: Record<string, string> }

export async function saveFederationState(db: Db, s: { tenant: string; hash: string; journeyId: string; idp: string; kept: Record<string, string>; url: string; expiresAt: Date }): Promise<void> {
  await db`INSERT INTO federation_states (tenant_id, state_hash, journey_id, idp, kept, redirect_url, expires_at)
    VALUES (${s.tenant}, ${s.hash}, ${s.journeyId}, ${s.idp}, ${db.json(s.kept as never)}, ${s.url}, ${s.expiresAt})
    ON CONFLICT DO NOTHING`;
  // Round trips never finished (the user went away) are cleared as new ones start.
  await db`DELETE FROM federation_states WHERE tenant_id = ${s.tenant} AND expires_at < now() - interval '1 hour'`;
}

/** Where the journey's latest unanswered round trip to `idp` sends the browser. */
export async function upstreamRedirect(db: Db, tenant: string, idp: string, journeyId: string): Promise<string | undefined> {
  const [row] = await db`SELECT redirect_url FROM federation_states WHERE tenant_id = ${tenant} AND journey_id = ${journeyId}
    AND idp = ${idp} AND params IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 1`;
  return row?.redirect_url;
}

/**
 * Records the callback's parameters; returns the journey waiting for them, or undefined when the
 * state is unknown (another tenant's, another IdP's, expired, or already answered).
 */
export async function recordFederationCallback(db: Db, tenant: string, idp: string, hash: string, params: Record<string, string>): Promise<string | undefined> {
  const [row] = await db`UPDATE federation_states SET params = ${db.json(params as never)}
    WHERE tenant_id = ${tenant} AND state_hash = ${hash} AND idp = ${idp} AND params IS NULL AND expires_at > now()
    RETURNING journey_id`;
  return row?.journey_id;
}

/** The journey a recorded callback belongs to (for the resume after a SAML POST). */
export async function answeredJourney(db: Db, tenant: string, idp: string, hash: string): Promise<string | undefined> {
  const [row] = await db`SELECT journey_id FROM federation_states WHERE tenant_id = ${tenant} AND state_hash = ${hash}
    AND idp = ${idp} AND params IS NOT NULL AND expires_at > now()`;
  return row?.journey_id;
}

/** Takes the answered round trip (single use). */
export async function takeFederationState(db: Db, tenant: string, hash: string): Promise<FederationState | undefined> {
  const [row] = await db`DELETE FROM federation_states WHERE tenant_id = ${tenant} AND state_hash = ${hash}
    AND params IS NOT NULL RETURNING journey_id, idp, kept, params`;
  return row ? { journeyId: row.journey_id, idp: row.idp, kept: row.kept, params: row.params } : undefined;
}
