// Per-tenant signing keys (table signing_keys): one active key per algorithm signs; rotated keys
// stay published (retired) until `publish_until`, so what they signed keeps verifying.
// Rules:
// - A tenant gets ES256, RS256, PS256 and EdDSA keys on first use, exactly once even when several
//   processes ask at the same moment (the tenant row is locked while checking).
// - ES384, ES512, PS384, PS512, RS384 and RS512 keys are made on demand: when a client of the tenant
//   asks for that algorithm (core/oidc/oidc-clients.ts, and the provider build for clients saved
//   before), the same way and exactly once. From then on they are published, and rotated with the
//   others (a rotation renews every algorithm the tenant has an active key for).
// - The provider's JWKS lists active keys first: oidc-provider signs with the FIRST key of the
//   wanted alg (lib/helpers/keystore.js selectForSign filters the configured keys in order, then
//   a stable sort on a score that is equal for all our keys, since each carries `alg` and `use`),
//   so a retired key is published and verifies but never signs.
// - Private keys are stored as JWK sealed at rest (core/infra/secret-columns.ts), bound to their
//   tenant and kid.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { TransactionSql } from 'postgres';
import type { Db } from '../infra/db.ts';
import { openJson, sealJson, SECRET_COLUMNS } from '../infra/secret-columns.ts';

/** Every algorithm a tenant may sign with (and that Tessera accepts when verifying its own tokens). */
export const SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'ES384', 'ES512', 'PS384', 'PS512', 'RS384', 'RS512'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
/** The algorithms every tenant has keys for from the start. */
export const DEFAULT_SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'PS256', 'EdDSA'];

export const isSigningAlg = (value: unknown): value is SigningAlg => (SIGNING_ALGS as readonly unknown[]).includes(value);

/** Longer than any signed token we issue lives (ID tokens and JWT access tokens: at most 1 h),
 * with room for relying parties that cache the JWKS for a day. */
export const DEFAULT_KEY_GRACE_MS = 24 * 3_600_000;

export interface SigningKeyInfo {
  kid: string; alg: string; status: 'active' | 'retired'; createdAt: Date; publishUntil: Date | null;
}

const generate = promisify(generateKeyPair) as (type: string, options: object) => Promise<{ privateKey: KeyObject }>;

async function newKey(alg: SigningAlg): Promise<JWK & { kid: string }> {
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as string];
  const { privateKey } = curve ? await generate('ec', { namedCurve: curve })
    : alg === 'EdDSA' ? await generate('ed25519', {})
    : await generate('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' };
}

let rotations = 0;
/** Bumped by every rotation (or new key) this process makes: the provider cache then checks the keys at once. */
export const keysGeneration = () => rotations;

const newKeySet = (algs: readonly SigningAlg[]) => Promise.all(algs.map(newKey));

async function activeAlgs(db: Db | TransactionSql, tenant: string): Promise<Set<string>> {
  const rows = await db`SELECT DISTINCT alg FROM signing_keys WHERE tenant_id = ${tenant} AND status = 'active'`;
  return new Set(rows.map((r) => r.alg as string));
}

async function insertKeys(tx: TransactionSql, tenant: string, keys: (JWK & { kid: string })[]): Promise<void> {
  for (const key of keys) {
    await tx`INSERT INTO signing_keys (tenant_id, kid, alg, private_jwk, status)
      VALUES (${tenant}, ${key.kid}, ${key.alg!}, ${tx.json(sealJson(SECRET_COLUMNS.signingKey, [tenant, key.kid], key))}, 'active')`;
  }
}

/** Creates the tenant's keys for `algs` (default: the default set) that it has no active key for.
 * @throws Error when the tenant does not exist. */
export async function ensureSigningKeys(db: Db, tenant: string, algs: readonly SigningAlg[] = DEFAULT_SIGNING_ALGS): Promise<void> {
  const have = await activeAlgs(db, tenant);
  const missing = [...new Set(algs)].filter((alg) => !have.has(alg));
  if (missing.length === 0) return;
  // Generated outside the transaction (RSA takes a while); dropped if another process won.
  const keys = await newKeySet(missing);
  const added = await db.begin(async (tx) => {
    const [owner] = await tx`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`;
    if (!owner) throw new Error(`no tenant "${tenant}"`);
    const now = await activeAlgs(tx, tenant);
    const fresh = keys.filter((key) => !now.has(key.alg!));
    await insertKeys(tx, tenant, fresh);
    return fresh.length;
  });
  if (added) rotations += 1;
}

/** New active keys for every algorithm the tenant signs with; the previous ones are published for `graceMs` more.
 * @throws Error when the tenant does not exist or graceMs is negative. */
export async function rotateSigningKeys(db: Db, tenant: string, graceMs = DEFAULT_KEY_GRACE_MS): Promise<SigningKeyInfo[]> {
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('grace must be a non-negative duration');
  const algs = new Set<SigningAlg>([...DEFAULT_SIGNING_ALGS, ...[...await activeAlgs(db, tenant)].filter(isSigningAlg)]);
  const keys = await newKeySet([...algs]);
  await db.begin(async (tx) => {
    const [owner] = await tx`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`;
    if (!owner) throw new Error(`no tenant "${tenant}"`);
    const until = new Date(Date.now() + graceMs);
    await tx`UPDATE signing_keys SET status = 'retired', retired_at = now(), publish_until = ${until}
      WHERE tenant_id = ${tenant} AND status = 'active'`;
    // Keys no longer published are of no use to anyone: forget them.
    await tx`DELETE FROM signing_keys WHERE tenant_id = ${tenant} AND status = 'retired' AND publish_until < now()`;
    await insertKeys(tx, tenant, keys);
  });
  rotations += 1;
  return listSigningKeys(db, tenant);
}

export async function listSigningKeys(db: Db, tenant: string): Promise<SigningKeyInfo[]> {
  const rows = await db`SELECT kid, alg, status, created_at, publish_until FROM signing_keys
    WHERE tenant_id = ${tenant} ORDER BY status = 'active' DESC, created_at DESC, alg`;
  return rows.map((r) => ({ kid: r.kid, alg: r.alg, status: r.status, createdAt: r.created_at, publishUntil: r.publish_until }));
}

/** A page of keys, newest first (active keys are the newest), after the key `after` names. The
 * sort key keeps created_at's microseconds (a rotation's keys share one instant). */
export async function listSigningKeysPage(db: Db, tenant: string, query: { after?: { at: string; kid: string }; limit: number }): Promise<(SigningKeyInfo & { createdAtMicros: string })[]> {
  const at = () => db`(extract(epoch FROM created_at) * 1000000)::bigint`;
  const rows = await db`SELECT kid, alg, status, created_at, publish_until, ${at()}::text AS at FROM signing_keys
    WHERE tenant_id = ${tenant}
    ${query.after ? db`AND (${at()}, kid COLLATE "C") < (${query.after.at}::bigint, ${query.after.kid})` : db``}
    ORDER BY ${at()} DESC, kid COLLATE "C" DESC LIMIT ${query.limit}`;
  return rows.map((r) => ({ kid: r.kid, alg: r.alg, status: r.status, createdAt: r.created_at, publishUntil: r.publish_until, createdAtMicros: r.at }));
}

/** The private JWKS for oidc-provider's `jwks`: active keys first, then still-published retired ones. */
export async function providerJwks(db: Db, tenant: string): Promise<{ keys: JWK[] }> {
  const rows = await db`SELECT kid, private_jwk FROM signing_keys
    WHERE tenant_id = ${tenant} AND (status = 'active' OR publish_until > now())
    ORDER BY status = 'active' DESC, created_at DESC, alg`;
  return { keys: rows.map((r) => ({ ...privateJwk(tenant, r), use: 'sig' })) };
}

/** Changes whenever the published key set changes (a rotation, or a retired key expiring). */
export async function keysVersion(db: Db, tenant: string): Promise<string> {
  const [row] = await db`SELECT count(*)::int AS n, max(created_at) AS latest FROM signing_keys
    WHERE tenant_id = ${tenant} AND (status = 'active' OR publish_until > now())`;
  return `${row?.n ?? 0}:${row?.latest ? new Date(row.latest).getTime() : 0}`;
}

const privateJwk = (tenant: string, row: Record<string, any>): JWK =>
  openJson<JWK>(SECRET_COLUMNS.signingKey, [tenant, row.kid], row.private_jwk);

const imported = new Map<string, CryptoKey | Uint8Array>();

/** Signs `payload` with the tenant's active key of `alg` (default ES256); sets iat if absent.
 * @throws Error when the tenant has no active key of that algorithm. */
export async function signJwt(db: Db, tenant: string, payload: JWTPayload, options: { typ: string; alg?: SigningAlg }): Promise<string> {
  const alg = options.alg ?? 'ES256';
  const [row] = await db`SELECT kid, private_jwk FROM signing_keys
    WHERE tenant_id = ${tenant} AND status = 'active' AND alg = ${alg} ORDER BY created_at DESC LIMIT 1`;
  if (!row) throw new Error(`tenant "${tenant}" has no active ${alg} signing key`);
  const cacheKey = `${tenant}/${row.kid}`;
  let key = imported.get(cacheKey);
  if (!key) {
    key = await importJWK(privateJwk(tenant, row), alg);
    if (imported.size > 1000) imported.clear();
    imported.set(cacheKey, key);
  }
  const jwt = new SignJWT(payload).setProtectedHeader({ alg, kid: row.kid, typ: options.typ });
  if (payload.iat === undefined) jwt.setIssuedAt();
  return jwt.sign(key);
}
