// JWT access tokens (RFC 9068, `typ: at+jwt`) issued by a tenant's provider, as Tessera itself
// checks them (introspection, revocation, token exchange, the admin API), and their revocation
// list (table revoked_access_tokens).
// Rules:
// - A token is this tenant's when its signature verifies against the tenant's published keys with
//   one of the signing algorithms (never `none` or HMAC), `typ` is `at+jwt` (an ID token or a
//   logout token is not an access token), `iss` is the tenant's issuer, and it has `exp`, `sub`
//   and `client_id`; `exp` and `nbf` are enforced (no clock tolerance). Keys are only ever the
//   tenant's: headers naming others (`jku`, `x5u`, `jwk`) are never followed, an unknown `crit`
//   header is refused, and an unsigned token claiming `at+jwt` is inactive (not another type).
// - Such tokens are not stored, so revoking one records its revocation key — its `jti`, or the
//   sha256 of the token when it has none — until its `exp`: a revoked token is inactive for every
//   check that goes through verifyAccessTokenJwt, on every replica (the list is in PostgreSQL).
// - Rows past their expiry are of no use (the token no longer verifies): each revocation deletes
//   those of the tenant.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Db } from '../infra/db.ts';
import { sha256 } from '../infra/secret-token.ts';
import { providerJwks, SIGNING_ALGS } from './signing-keys.ts';

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** A compact JWS, or an unsecured JWT (`alg: none`, empty signature) pretending to be one. */
const JWT_SHAPED = /^[\w-]+\.[\w-]+\.[\w-]*$/;
const MAX_TOKEN_LENGTH = 16_384;

export interface VerifiedAccessToken {
  payload: JWTPayload & { sub: string; exp: number; client_id: string };
  /** What the revocation list keys this token by. */
  revocationKey: string;
}

/**
 * Whether `value` is a compact JWT whose header says `typ: at+jwt` (nothing is verified): one
 * without a signature (`alg: none`) counts, so that it is answered inactive like any forgery.
 */
export function looksLikeAccessTokenJwt(value: string): boolean {
  if (value.length > MAX_TOKEN_LENGTH || !JWT_SHAPED.test(value)) return false;
  try {
    return decodeProtectedHeader(value).typ?.toLowerCase() === 'at+jwt';
  } catch {
    return false;
  }
}

/** The tenant's published keys without their private members. */
export async function publishedKeys(db: Db, tenant: string): Promise<{ keys: JWK[] }> {
  const { keys } = await providerJwks(db, tenant);
  return { keys: keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name))) as JWK) };
}

const revocationKeyOf = (payload: JWTPayload, value: string) =>
  typeof payload.jti === 'string' && payload.jti.length > 0 && payload.jti.length <= 200 ? payload.jti : `sha256:${sha256(value)}`;

/**
 * The token's payload when it is a valid JWT access token of `tenant` (see the header), or
 * undefined. Revoked tokens are undefined too unless `includeRevoked` (revocation itself).
 */
export async function verifyAccessTokenJwt(
  db: Db, tenant: string, issuer: string, value: string,
  options: { audience?: string; includeRevoked?: boolean } = {},
): Promise<VerifiedAccessToken | undefined> {
  if (value.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(value)) return undefined;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(value, createLocalJWKSet(await publishedKeys(db, tenant)), {
      issuer, typ: 'at+jwt', algorithms: [...SIGNING_ALGS], requiredClaims: ['exp', 'sub', 'client_id'],
      ...(options.audience ? { audience: options.audience } : {}),
    }));
  } catch {
    return undefined;
  }
  if (typeof payload.client_id !== 'string') return undefined;
  const revocationKey = revocationKeyOf(payload, value);
  if (!options.includeRevoked && await isAccessTokenRevoked(db, tenant, revocationKey)) return undefined;
  return { payload: payload as VerifiedAccessToken['payload'], revocationKey };
}

export async function isAccessTokenRevoked(db: Db, tenant: string, revocationKey: string): Promise<boolean> {
  const [row] = await db`SELECT 1 FROM revoked_access_tokens WHERE tenant_id = ${tenant} AND jti = ${revocationKey}`;
  return !!row;
}

/** Puts a verified token on the revocation list until it expires (idempotent). */
export async function revokeAccessTokenJwt(db: Db, tenant: string, token: VerifiedAccessToken): Promise<void> {
  const expiresAt = new Date(token.payload.exp * 1000);
  await db`INSERT INTO revoked_access_tokens (tenant_id, jti, client_id, expires_at)
    VALUES (${tenant}, ${token.revocationKey}, ${token.payload.client_id}, ${expiresAt})
    ON CONFLICT (tenant_id, jti) DO NOTHING`;
  await db`DELETE FROM revoked_access_tokens WHERE tenant_id = ${tenant} AND expires_at < now()`;
}
