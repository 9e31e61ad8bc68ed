// OIDC relying parties of a tenant (table oidc_clients). `metadata` holds the whole oidc-provider
// client metadata (core/oidc/oidc-client-metadata.ts) — client_secret included, because the provider
// compares it itself (in constant time) and uses it as the HMAC key of HS256 request objects.
// The secret is sealed at rest (core/infra/secret-columns.ts): written through storedMetadata,
// read through toClient (and the provider's adapter, openClientMetadata).
// `settings` stays empty: Tessera's properties live in `metadata`, where the provider reads them.
// Changes bump updated_at; a deleted client takes the tokens, codes and grants stored for it along.
// Every change also bumps this process's clientsGeneration(), which the provider's client cache
// (server/protocols/oidc/postgres-adapter.ts) checks, so a change is effective at once here (and
// within the cache's second on other processes).
// A client that asks for a signing algorithm the tenant has no key for yet (id_token_signed_response_alg
// ES384, PS512…) gets that key made before it is saved (core/oidc/signing-keys.ts).
// Updates: `null` removes a property; the secret stays unless rotated (rotateClientSecret), and
// goes when the client becomes public; response_types are re-derived when grant_types change
// and none are given.
import { randomBytes } from 'node:crypto';
import type { Db } from '../infra/db.ts';
import { openSecret, sealSecret, SECRET_COLUMNS } from '../infra/secret-columns.ts';
import { isBuiltinClientId } from './builtin-clients.ts';
import { buildClientMetadata, OidcClientInputError, type ClientMetadata } from './oidc-client-metadata.ts';
import { DEFAULT_SIGNING_ALGS, ensureSigningKeys, isSigningAlg, type SigningAlg } from './signing-keys.ts';

export {
  AUTH_METHODS, buildClientMetadata, ClientInput, EXTRA_CLIENT_METADATA, EXTRA_METADATA_SCHEMAS, GRANT_TYPES,
  newClientId, OidcClientInputError, responseTypesFor, TOKEN_TTL_BOUNDS, SUPPORTED_SCOPES, TokenExchangeSettings, type ClientMetadata,
} from './oidc-client-metadata.ts';

export interface OidcClient {
  clientId: string;
  metadata: ClientMetadata;
  createdAt: Date;
  updatedAt: Date;
}

/** A client_id already taken in the tenant. */
export class OidcClientConflictError extends OidcClientInputError {}

let generation = 0;
/** Bumped by every change of a client made by this process. */
export const clientsGeneration = () => generation;
const changed = <T>(value: T): T => {
  generation += 1;
  return value;
};

/** Metadata as read from oidc_clients, with its secret opened. @throws SealedValueError. */
export function openClientMetadata<T extends Record<string, any>>(tenant: string, metadata: T): T {
  if (typeof metadata.client_secret !== 'string') return metadata;
  return { ...metadata, client_secret: openSecret(SECRET_COLUMNS.clientSecret, [tenant, metadata.client_id], metadata.client_secret) };
}

/** Metadata as written to oidc_clients, with its secret sealed. */
function storedMetadata(tenant: string, metadata: ClientMetadata): ClientMetadata {
  if (typeof metadata.client_secret !== 'string') return metadata;
  return { ...metadata, client_secret: sealSecret(SECRET_COLUMNS.clientSecret, [tenant, metadata.client_id], metadata.client_secret) };
}

const toClient = (r: Record<string, any>): OidcClient => ({
  clientId: r.client_id, metadata: openClientMetadata(r.tenant_id, r.metadata), createdAt: r.created_at, updatedAt: r.updated_at,
});

/** The client without its secret: what may be shown or returned. */
export function sanitizedClient(client: OidcClient): Record<string, unknown> {
  const { client_secret: _secret, ...rest } = client.metadata;
  return { ...rest, created_at: client.createdAt, updated_at: client.updatedAt };
}

/** Metadata properties that name an algorithm the provider signs with for the client. */
const SIGNED_RESPONSE_ALGS = ['id_token_signed_response_alg'] as const;

const signingAlgsOf = (metadata: Record<string, unknown>): SigningAlg[] =>
  SIGNED_RESPONSE_ALGS.map((key) => metadata[key]).filter(isSigningAlg);

/** The signing algorithms the tenant's clients ask for beyond the default ones. */
export async function clientSigningAlgs(db: Db, tenant: string): Promise<SigningAlg[]> {
  const rows = await db`SELECT DISTINCT metadata->>'id_token_signed_response_alg' AS alg FROM oidc_clients
    WHERE tenant_id = ${tenant} AND metadata ? 'id_token_signed_response_alg'`;
  return rows.map((r) => r.alg).filter(isSigningAlg).filter((alg) => !DEFAULT_SIGNING_ALGS.includes(alg));
}

/** @throws OidcClientInputError for invalid input or a taken client_id. */
export async function createOidcClient(db: Db, tenant: string, input: unknown): Promise<OidcClient> {
  const metadata = buildClientMetadata(input);
  if (isBuiltinClientId(metadata.client_id)) throw new OidcClientConflictError(`"${metadata.client_id}" is reserved for Tessera's own console`);
  await ensureSigningKeys(db, tenant, signingAlgsOf(metadata));
  const rows = await db`INSERT INTO oidc_clients (tenant_id, client_id, metadata)
    VALUES (${tenant}, ${metadata.client_id}, ${db.json(storedMetadata(tenant, metadata) as never)})
    ON CONFLICT (tenant_id, client_id) DO NOTHING RETURNING *`;
  if (!rows[0]) throw new OidcClientConflictError(`a client "${metadata.client_id}" already exists`);
  return changed(toClient(rows[0]));
}

/** The validated metadata of `current` with `changes` applied (see the header for the rules). */
function updatedMetadata(current: ClientMetadata, changes: Record<string, unknown>): ClientMetadata {
  const {
    client_id: _id, client_secret: secret, application_type: _at, backchannel_logout_session_required: _bl, ...kept
  } = current;
  const input: Record<string, unknown> = { ...kept, ...changes };
  if ('public' in changes && !('token_endpoint_auth_method' in changes)) delete input.token_endpoint_auth_method;
  if ('grant_types' in changes && !('response_types' in changes)) delete input.response_types;
  for (const [key, value] of Object.entries(input)) if (value === null || value === undefined) delete input[key];
  const method = (input.token_endpoint_auth_method as string | undefined) ?? (input.public ? 'none' : 'client_secret_basic');
  if (method.startsWith('client_secret') && secret) input.client_secret = secret;
  return buildClientMetadata({ ...input, client_id: current.client_id });
}

/** Applies `changes` (null removes a property; client_id and the secret cannot be changed here).
 * @throws OidcClientInputError. */
export async function updateOidcClient(db: Db, tenant: string, clientId: string, changes: Record<string, unknown>): Promise<OidcClient | undefined> {
  const { client_id: _id, client_secret: _secret, ...allowed } = changes;
  const current = await getOidcClient(db, tenant, clientId);
  if (!current) return undefined;
  const metadata = updatedMetadata(current.metadata, allowed);
  await ensureSigningKeys(db, tenant, signingAlgsOf(metadata));
  const [row] = await db`UPDATE oidc_clients SET metadata = ${db.json(storedMetadata(tenant, metadata) as never)}, updated_at = now()
    WHERE tenant_id = ${tenant} AND client_id = ${clientId} RETURNING *`;
  return row ? changed(toClient(row)) : undefined;
}

export type SecretRotation = { ok: true; client: OidcClient; secret: string } | { ok: false; reason: 'unknown' | 'no_secret' };

/** A new secret (256 random bits) for a client that authenticates with one; the old one stops working. */
export async function rotateClientSecret(db: Db, tenant: string, clientId: string): Promise<SecretRotation> {
  const current = await getOidcClient(db, tenant, clientId);
  if (!current) return { ok: false, reason: 'unknown' };
  if (!String(current.metadata.token_endpoint_auth_method).startsWith('client_secret')) return { ok: false, reason: 'no_secret' };
  const secret = randomBytes(32).toString('base64url');
  const sealed = sealSecret(SECRET_COLUMNS.clientSecret, [tenant, clientId], secret);
  const [row] = await db`UPDATE oidc_clients SET metadata = jsonb_set(metadata, '{client_secret}', ${db.json(sealed)}), updated_at = now()
    WHERE tenant_id = ${tenant} AND client_id = ${clientId} RETURNING *`;
  return row ? { ok: true, client: changed(toClient(row)), secret } : { ok: false, reason: 'unknown' };
}

export async function getOidcClient(db: Db, tenant: string, clientId: string): Promise<OidcClient | undefined> {
  const [row] = await db`SELECT * FROM oidc_clients WHERE tenant_id = ${tenant} AND client_id = ${clientId}`;
  return row ? toClient(row) : undefined;
}

export async function listOidcClients(db: Db, tenant: string): Promise<OidcClient[]> {
  const rows = await db`SELECT * FROM oidc_clients WHERE tenant_id = ${tenant} ORDER BY created_at, client_id`;
  return rows.map(toClient);
}

export interface ClientPageQuery {
  /** Part of the client_id or client_name, any case. */
  q?: string;
  /** Sort key of the last client of the previous page. */
  after?: string;
  limit: number;
}

/** A page of clients ordered by client_id. */
export async function listOidcClientsPage(db: Db, tenant: string, query: ClientPageQuery): Promise<OidcClient[]> {
  const like = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const rows = await db`SELECT * FROM oidc_clients WHERE tenant_id = ${tenant}
    ${like ? db`AND (client_id ILIKE ${like} OR metadata->>'client_name' ILIKE ${like})` : db``}
    ${query.after !== undefined ? db`AND client_id COLLATE "C" > ${query.after}` : db``}
    ORDER BY client_id COLLATE "C" LIMIT ${query.limit}`;
  return rows.map(toClient);
}

/** Deletes the client and every token, code and grant the provider stored for it. */
export async function deleteOidcClient(db: Db, tenant: string, clientId: string): Promise<boolean> {
  return db.begin(async (tx) => {
    const rows = await tx`DELETE FROM oidc_clients WHERE tenant_id = ${tenant} AND client_id = ${clientId} RETURNING client_id`;
    if (rows.length === 0) return false;
    await tx`DELETE FROM oidc_payloads WHERE tenant_id = ${tenant} AND payload->>'clientId' = ${clientId}`;
    return changed(true);
  });
}
