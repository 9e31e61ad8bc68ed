// Logouts in flight through the browser (table logout_relays): for a SAML single logout, the SPs of
// an ended session still to visit, the hop awaiting its LogoutResponse, and where it ends — the SP
// whose LogoutRequest started it, or the address a logout started elsewhere (OIDC, the login UI)
// goes on to; for a logout at an upstream IdP, where the browser goes once the upstream sends it back. The browser holds a random token per hop (RelayState / state); the row
// is consumed when the hop's answer comes back, so a token works once, and expires after RELAY_TTL_MS.
import type { Db } from '../infra/db.ts';
import { newSecretToken, sha256 } from '../infra/secret-token.ts';

export const RELAY_TTL_MS = 10 * 60_000;

export interface RelayHop { entityId: string; nameId: string; nameIdFormat: string; sessionIndex: string }
export interface LogoutRelay {
  pending: RelayHop[];
  /** The SP the browser was sent to, and the ID of the LogoutRequest it carried. */
  awaiting?: { entityId: string; requestId: string };
  /** Where the logout ends: the SP whose LogoutRequest started it, or where the browser goes on to. */
  origin: SpOrigin | { next: string };
  /** Some SP could not be reached or did not confirm: the final status says PartialLogout. */
  partial: boolean;
  /** The session family whose logout at the upstream IdP comes after the last SP, before the end. */
  upstreamOf?: string;
}

/** The SP whose LogoutRequest started the logout: it gets the final LogoutResponse. */
export interface SpOrigin { entityId: string; requestId: string; relayState?: string }

/** Stores the relay for its next hop; returns the token the browser carries. */
export async function saveRelay(db: Db, tenant: string, relay: LogoutRelay, now = new Date()): Promise<string> {
  const token = newSecretToken();
  await db`INSERT INTO logout_relays (tenant_id, id_hash, relay, expires_at)
    VALUES (${tenant}, ${sha256(token)}, ${db.json(relay as never)}, ${new Date(now.getTime() + RELAY_TTL_MS)})`;
  return token;
}

/** The relay of this token, consumed (a token works once); undefined when unknown or expired. */
export async function takeRelay(db: Db, tenant: string, token: string): Promise<LogoutRelay | undefined> {
  const [row] = await db`DELETE FROM logout_relays WHERE tenant_id = ${tenant} AND id_hash = ${sha256(token)}
    AND relay -> 'pending' IS NOT NULL RETURNING relay, expires_at`;
  if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
  return row.relay as LogoutRelay;
}

/** A logout at an upstream IdP in flight: which IdP, and where the browser goes when it comes back. */
export interface UpstreamReturn { upstream: { idp: string; requestId?: string; next: string } }

export async function saveUpstreamReturn(db: Db, tenant: string, back: UpstreamReturn, now = new Date()): Promise<string> {
  const token = newSecretToken();
  await db`INSERT INTO logout_relays (tenant_id, id_hash, relay, expires_at)
    VALUES (${tenant}, ${sha256(token)}, ${db.json(back as never)}, ${new Date(now.getTime() + RELAY_TTL_MS)})`;
  return token;
}

/** The upstream return of this token for this IdP, consumed; undefined when unknown, expired or another kind. */
export async function takeUpstreamReturn(db: Db, tenant: string, token: string, idp: string): Promise<UpstreamReturn['upstream'] | undefined> {
  const [row] = await db`DELETE FROM logout_relays WHERE tenant_id = ${tenant} AND id_hash = ${sha256(token)}
    AND relay -> 'upstream' ->> 'idp' = ${idp} RETURNING relay, expires_at`;
  if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
  return (row.relay as UpstreamReturn).upstream;
}
