// OIDC relying parties of a tenant (table oidc_clients). `metadata` holds the whole oidc-provider
// client metadata (core/oidc/oidc-client-metadata.ts) — client_secret included, because the provider
// compares it itself (in constant time) and uses it as the HMAC key of HS256 request objects.
// `settings` stays empty: Tessera's properties live in `metadata`, where the provider reads them.
// Changes bump updated_at; a deleted client takes the tokens, codes and grants stored for it along.
import type { Db } from '../infra/db.ts';
import { buildClientMetadata, OidcClientInputError, type ClientMetadata } from './oidc-client-metadata.ts';

export {
  AUTH_METHODS, buildClientMetadata, ClientInput, EXTRA_CLIENT_METADATA, EXTRA_METADATA_SCHEMAS, GRANT_TYPES,
  OidcClientInputError, responseTypesFor, SUPPORTED_SCOPES, TokenExchangeSettings, type ClientMetadata,
} from './oidc-client-metadata.ts';

export interface OidcClient {
  clientId: string;
  metadata: ClientMetadata;
  createdAt: Date;
  updatedAt: Date;
}

const toClient = (r: Record<string, any>): OidcClient => ({
  clientId: r.client_id, metadata: r.metadata, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** The client without its secret: what may be shown or returned. */
export function sanitizedClient(client: OidcClient): Record<string, unknown> {
  const { client_secret: _secret, ...rest } = client.metadata;
  return { ...rest, created_at: client.createdAt, updated_at: client.updatedAt };
}

/** @throws OidcClientInputError for invalid input or a taken client_id. */
export async function createOidcClient(db: Db, tenant: string, input: unknown): Promise<OidcClient> {
  const metadata = buildClientMetadata(input);
  const rows = await db`INSERT INTO oidc_clients (tenant_id, client_id, metadata)
    VALUES (${tenant}, ${metadata.client_id}, ${db.json(metadata as never)})
    ON CONFLICT (tenant_id, client_id) DO NOTHING RETURNING *`;
  if (!rows[0]) throw new OidcClientInputError(`a client "${metadata.client_id}" already exists`);
  return toClient(rows[0]);
}

/** Replaces what `changes` names (the secret and client_id stay). @throws OidcClientInputError. */
export async function updateOidcClient(db: Db, tenant: string, clientId: string, changes: Record<string, unknown>): Promise<OidcClient | undefined> {
  const current = await getOidcClient(db, tenant, clientId);
  if (!current) return undefined;
  const { client_id: _id, response_types: _rt, application_type: _at, backchannel_logout_session_required: _bl, ...kept } = current.metadata;
  const metadata = buildClientMetadata({ ...kept, ...changes, client_id: clientId, client_secret: current.metadata.client_secret });
  const [row] = await db`UPDATE oidc_clients SET metadata = ${db.json(metadata as never)}, updated_at = now()
    WHERE tenant_id = ${tenant} AND client_id = ${clientId} RETURNING *`;
  return row ? toClient(row) : undefined;
}

export async function getOidcClient(db: Db, tenant: string, clientId: string): Promise<OidcClient | undefined> {
  const [row] = await db`SELECT * FROM oidc_clients WHERE tenant_id = ${tenant} AND client_id = ${clientId}`;
  return row ? toClient(row) : undefined;
}

export async function listOidcClients(db: Db, tenant: string): Promise<OidcClient[]> {
  const rows = await db`SELECT * FROM oidc_clients WHERE tenant_id = ${tenant} ORDER BY created_at, client_id`;
  return rows.map(toClient);
}

/** Deletes the client and every token, code and grant the provider stored for it. */
export async function deleteOidcClient(db: Db, tenant: string, clientId: string): Promise<boolean> {
  return db.begin(async (tx) => {
    const rows = await tx`DELETE FROM oidc_clients WHERE tenant_id = ${tenant} AND client_id = ${clientId} RETURNING client_id`;
    if (rows.length === 0) return false;
    await tx`DELETE FROM oidc_payloads WHERE tenant_id = ${tenant} AND payload->>'clientId' = ${clientId}`;
    return true;
  });
}
