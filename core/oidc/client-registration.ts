// Dynamic client registration (RFC 7591) and its management (RFC 7592), behind initial access
// tokens. Every registered client is made, changed and deleted by core/oidc/oidc-clients.ts, so
// core/oidc/oidc-client-metadata.ts validates it like any other.
// Rules:
// - Registering needs an initial access token (`tessera clients initial-token`): 256 random bits,
//   only its sha256 kept, valid until its expiry for its number of uses (one by default); a use is
//   taken atomically, so N parallel registrations with a one-use token make one client.
// - A registration may set only standard metadata a client may choose for itself (REGISTRABLE);
//   anything else sent is ignored (RFC 7591 §2), so Tessera's own settings (first_party,
//   permissions, claim rules, token exchange, lifetimes) stay the administrators'. The grant
//   types it may ask for exclude the password grant and token exchange. client_id and
//   client_secret are always generated.
// - Each registered client gets a registration access token (only its sha256 kept) that reads,
//   replaces (PUT: the standard metadata sent replaces the registered one; what an administrator
//   set beyond it stays) and deletes that client only.
import { z } from 'zod';
import type { Db } from '../infra/db.ts';
import { newSecretToken, sha256 } from '../infra/secret-token.ts';
import { buildClientMetadata, OidcClientInputError, type ClientMetadata } from './oidc-client-metadata.ts';
import { createOidcClient, deleteOidcClient, getOidcClient, updateOidcClient, type OidcClient } from './oidc-clients.ts';

const INITIAL_PREFIX = 'tsi_';
const REGISTRATION_PREFIX = 'tsr_';

/** Standard client metadata a registration may set. */
export const REGISTRABLE = [
  'redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'client_name',
  'scope', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'jwks', 'jwks_uri', 'id_token_signed_response_alg', 'backchannel_logout_uri',
] as const;

const REGISTRABLE_GRANTS = new Set([
  'authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code',
]);

export const InitialTokenOptions = z.object({
  ttlMs: z.number().int().min(60_000).max(365 * 86_400_000).default(86_400_000),
  uses: z.number().int().min(1).max(1000).default(1),
}).strict();

/** A registration refused for its metadata (RFC 7591 invalid_client_metadata). */
export class RegistrationMetadataError extends OidcClientInputError {}

/** A new initial access token for `tenant` (returned once; only its sha256 is kept). */
export async function createInitialAccessToken(db: Db, tenant: string, options: z.input<typeof InitialTokenOptions> = {}): Promise<{ token: string; expiresAt: Date; uses: number }> {
  const { ttlMs, uses } = InitialTokenOptions.parse(options);
  const token = newSecretToken(INITIAL_PREFIX);
  const expiresAt = new Date(Date.now() + ttlMs);
  await db`INSERT INTO oidc_initial_access_tokens (tenant_id, hash, uses_left, expires_at)
    VALUES (${tenant}, ${sha256(token)}, ${uses}, ${expiresAt})`;
  await db`DELETE FROM oidc_initial_access_tokens WHERE tenant_id = ${tenant} AND (expires_at < now() OR uses_left = 0)`;
  return { token, expiresAt, uses };
}

/** Whether the token is valid now (nothing is used up). */
export async function initialAccessTokenValid(db: Db, tenant: string, presented: string): Promise<boolean> {
  if (presented.length > 200) return false;
  const [row] = await db`SELECT 1 FROM oidc_initial_access_tokens
    WHERE tenant_id = ${tenant} AND hash = ${sha256(presented)} AND uses_left > 0 AND expires_at > now()`;
  return !!row;
}

/** Takes one use of the token; false when it is unknown, expired or used up. */
export async function useInitialAccessToken(db: Db, tenant: string, presented: string): Promise<boolean> {
  if (presented.length > 200) return false;
  const rows = await db`UPDATE oidc_initial_access_tokens SET uses_left = uses_left - 1
    WHERE tenant_id = ${tenant} AND hash = ${sha256(presented)} AND uses_left > 0 AND expires_at > now() RETURNING 1`;
  return rows.length === 1;
}

/** The registrable part of `body`. @throws RegistrationMetadataError. */
function registrable(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RegistrationMetadataError('the body must be a JSON object of client metadata');
  const picked = Object.fromEntries(REGISTRABLE.filter((key) => key in body).map((key) => [key, (body as Record<string, unknown>)[key]]));
  const grants = picked.grant_types;
  if (Array.isArray(grants)) {
    const refused = grants.filter((g) => !REGISTRABLE_GRANTS.has(g as string));
    if (refused.length) throw new RegistrationMetadataError(`grant_types ${refused.join(', ').slice(0, 200)} cannot be registered dynamically`);
  }
  return picked;
}

/** Checks a registration's metadata without saving anything. @throws RegistrationMetadataError, OidcClientInputError. */
export function validateRegistration(body: unknown): void {
  buildClientMetadata(registrable(body));
}

export interface Registration { client: OidcClient; registrationAccessToken?: string }

/** Registers a client. @throws RegistrationMetadataError, OidcClientInputError (invalid metadata). */
export async function registerClient(db: Db, tenant: string, body: unknown): Promise<Required<Registration>> {
  const client = await createOidcClient(db, tenant, registrable(body));
  const registrationAccessToken = newSecretToken(REGISTRATION_PREFIX);
  try {
    await db`INSERT INTO oidc_client_registrations (tenant_id, client_id, token_hash)
      VALUES (${tenant}, ${client.clientId}, ${sha256(registrationAccessToken)})`;
  } catch (err) {
    await deleteOidcClient(db, tenant, client.clientId);
    throw err;
  }
  return { client, registrationAccessToken };
}

/** The client `presented` is the registration access token of, or undefined. */
export async function registeredClient(db: Db, tenant: string, clientId: string, presented: string): Promise<OidcClient | undefined> {
  if (presented.length > 200 || clientId.length > 200) return undefined;
  const [row] = await db`SELECT 1 FROM oidc_client_registrations
    WHERE tenant_id = ${tenant} AND client_id = ${clientId} AND token_hash = ${sha256(presented)}`;
  return row ? getOidcClient(db, tenant, clientId) : undefined;
}

/**
 * RFC 7592 update: the registrable metadata of `body` replaces the client's (absent ones are
 * removed); `client_id` must be the client's and a `client_secret`, if sent, its current one.
 * @throws RegistrationMetadataError, OidcClientInputError.
 */
export async function replaceRegistration(db: Db, tenant: string, client: OidcClient, body: unknown): Promise<OidcClient> {
  const sent = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (sent.client_id !== client.clientId) throw new RegistrationMetadataError('client_id must be the registered client_id');
  if (sent.client_secret !== undefined && sent.client_secret !== client.metadata.client_secret) {
    throw new RegistrationMetadataError('client_secret must be the current secret, or absent');
  }
  const picked = registrable(body);
  const changes = Object.fromEntries(REGISTRABLE.map((key) => [key, picked[key] ?? null]));
  const updated = await updateOidcClient(db, tenant, client.clientId, changes);
  if (!updated) throw new RegistrationMetadataError('the client no longer exists');
  return updated;
}

export const deleteRegistration = (db: Db, tenant: string, clientId: string) => deleteOidcClient(db, tenant, clientId);

const STANDARD_OUT = new Set<string>([...REGISTRABLE, 'client_id', 'client_secret', 'application_type', 'backchannel_logout_session_required']);

/** The RFC 7591 representation of a client: its standard metadata (secret included). */
export function registrationResponse(client: OidcClient): Record<string, unknown> {
  const metadata: ClientMetadata = client.metadata;
  const standard = Object.fromEntries(Object.entries(metadata).filter(([key]) => STANDARD_OUT.has(key)));
  return {
    ...standard,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(metadata.client_secret ? { client_secret_expires_at: 0 } : {}),
  };
}
