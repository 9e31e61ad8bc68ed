// The data side of signing up: the pending account, created once per registration journey.
// Rules: the account, its password and the `registration.signup` audit event are written in one
// transaction, so a retried activity finds the account its first attempt created (by the event's
// journey id) instead of mistaking it for someone else's; an email already in use creates nothing.
import type { Db } from '../infra/db.ts';
import { hashPassword } from '../accounts/passwords.ts';

export const EMAIL = /^[^\s@<>",;]{1,64}@[^\s@<>",;.][^\s@<>",;]{0,253}\.[^\s@<>",;]{1,63}$/;

export interface SignupAccount {
  tenant: string; journeyId: string; email: string; name: string;
  /** Absent when the account signs in with a passkey registered after verification. */
  password?: string;
}

export type SignupResult = { created: true; userId: string } | { created: false };

/** The account this journey created earlier, if any. */
async function createdBy(db: Db, tenant: string, journeyId: string): Promise<string | undefined> {
  const [row] = await db`SELECT subject FROM audit_events WHERE tenant_id = ${tenant} AND type = 'registration.signup'
    AND journey_id = ${journeyId} LIMIT 1`;
  return row?.subject ?? undefined;
}

export async function emailInUse(db: Db, tenant: string, email: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM users WHERE tenant_id = ${tenant} AND (lower(email) = lower(${email}) OR username = ${email}) LIMIT 1`;
  return rows.length > 0;
}

/**
 * Creates the pending account, or finds the one this journey already created. `created: false`
 * when the email (or the same username) belongs to another account. The password is hashed
 * either way, so both answers take the same time.
 */
export async function createPendingAccount(db: Db, a: SignupAccount): Promise<SignupResult> {
  const earlier = await createdBy(db, a.tenant, a.journeyId);
  const hash = a.password === undefined ? undefined : await hashPassword(a.password);
  if (earlier) return { created: true, userId: earlier };
  return db.begin(async (tx) => {
    const [user] = await tx`INSERT INTO users (tenant_id, username, email, name, status)
      VALUES (${a.tenant}, ${a.email}, ${a.email}, ${a.name}, 'pending') ON CONFLICT DO NOTHING RETURNING id`;
    if (!user) return { created: false } as const;
    if (hash) await tx`INSERT INTO password_credentials (tenant_id, user_id, hash) VALUES (${a.tenant}, ${user.id}, ${hash})`;
    await tx`INSERT INTO audit_events (tenant_id, type, subject, journey_id, dedupe_key, data)
      VALUES (${a.tenant}, 'registration.signup', ${user.id}, ${a.journeyId}, ${`registration-signup:${a.journeyId}`}, '{}')`;
    return { created: true, userId: user.id as string } as const;
  });
}

/** An invited account is active at once, its email counted as verified (the invitation went there). */
export async function activateInvited(db: Db, tenant: string, userId: string): Promise<void> {
  await db`UPDATE users SET status = 'active', email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
    WHERE tenant_id = ${tenant} AND id = ${userId} AND status = 'pending'`;
}
