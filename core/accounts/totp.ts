// TOTP (RFC 6238, SHA-1, 6 digits, 30 s): secrets, code checks with one step of clock drift, and
// the stored credential. A code is accepted once: the accepted counter only moves forward.
// The secret is sealed at rest (core/infra/secret-columns.ts), bound to its tenant and user.
import * as OTPAuth from 'otpauth';
import type { Db } from '../infra/db.ts';
import { openSecret, sealSecret, SECRET_COLUMNS } from '../infra/secret-columns.ts';

const PERIOD = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, issuer = 'Tessera', label = 'account'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

/** The current code; for tests and the benchmark, which play the authenticator app. */
export function totpCode(secret: string, at = Date.now()): string {
  return totp(secret).generate({ timestamp: at });
}

/** The 30-second counter the code belongs to, or undefined when it matches none near `at`. */
export function matchTotp(secret: string, code: string, at: number): number | undefined {
  const delta = totp(secret).validate({ token: code, timestamp: at, window: 1 });
  return delta === null ? undefined : Math.floor(at / 1000 / PERIOD) + delta;
}

export async function getTotpSecret(db: Db, tenant: string, userId: string): Promise<string | undefined> {
  const [row] = await db`SELECT secret FROM totp_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
  return row ? openSecret(SECRET_COLUMNS.totpSecret, [tenant, userId], row.secret) : undefined;
}

/** Stores a confirmed secret; a retry with the same secret is a no-op. */
export async function saveTotpSecret(db: Db, tenant: string, userId: string, secret: string, counter: number): Promise<void> {
  await db`INSERT INTO totp_credentials (tenant_id, user_id, secret, last_counter)
    VALUES (${tenant}, ${userId}, ${sealSecret(SECRET_COLUMNS.totpSecret, [tenant, userId], secret)}, ${counter}) ON CONFLICT (tenant_id, user_id) DO NOTHING`;
}

/** Claims `counter` for this user; false when it (or a later one) was already used. */
export async function claimTotpCounter(db: Db, tenant: string, userId: string, counter: number): Promise<boolean> {
  const rows = await db`UPDATE totp_credentials SET last_counter = ${counter}
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND last_counter < ${counter} RETURNING user_id`;
  return rows.length > 0;
}

/** When the user enrolled TOTP, or undefined when they have not. */
export async function totpEnrolledAt(db: Db, tenant: string, userId: string): Promise<Date | undefined> {
  const [row] = await db`SELECT created_at FROM totp_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
  return row?.created_at;
}

/** Removes the user's TOTP credential (they enrol again where a tree asks); false when there was none. */
export async function deleteTotp(db: Db, tenant: string, userId: string): Promise<boolean> {
  const rows = await db`DELETE FROM totp_credentials WHERE tenant_id = ${tenant} AND user_id = ${userId} RETURNING user_id`;
  return rows.length > 0;
}
