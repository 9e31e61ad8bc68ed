// Links between upstream accounts (an IdP's stable subject) and local users. At most one link per
// user and IdP, and one user per upstream subject (primary key): linking twice is harmless, and
// linking a subject already linked to someone else is refused.
import { createHash } from 'node:crypto';
import type { Db } from '../infra/db.ts';

export interface FederatedIdentity {
  idp: string; subject: string; userId: string; email: string | null; createdAt: Date; lastLoginAt: Date | null;
}

export async function findLinkedUser(db: Db, tenant: string, idp: string, subject: string): Promise<string | undefined> {
  const [row] = await db`UPDATE federated_identities SET last_login_at = now()
    WHERE tenant_id = ${tenant} AND idp = ${idp} AND subject = ${subject} RETURNING user_id`;
  return row?.user_id;
}

/** Links, or confirms an existing identical link. False when the subject or the user is linked otherwise. */
export async function linkIdentity(db: Db, tenant: string, idp: string, subject: string, userId: string, email?: string): Promise<boolean> {
  await db`INSERT INTO federated_identities (tenant_id, idp, subject, user_id, email, last_login_at)
    VALUES (${tenant}, ${idp}, ${subject}, ${userId}, ${email ?? null}, now()) ON CONFLICT DO NOTHING`;
  const [row] = await db`SELECT user_id FROM federated_identities WHERE tenant_id = ${tenant} AND idp = ${idp} AND subject = ${subject}`;
  return row?.user_id === userId;
}

export async function listUserLinks(db: Db, tenant: string, userId: string): Promise<FederatedIdentity[]> {
  const rows = await db`SELECT * FROM federated_identities WHERE tenant_id = ${tenant} AND user_id = ${userId} ORDER BY idp`;
  return rows.map((r) => ({
    idp: r.idp, subject: r.subject, userId: r.user_id, email: r.email, createdAt: r.created_at, lastLoginAt: r.last_login_at,
  }));
}

export async function unlinkIdentity(db: Db, tenant: string, idp: string, userId: string): Promise<boolean> {
  const rows = await db`DELETE FROM federated_identities WHERE tenant_id = ${tenant} AND idp = ${idp} AND user_id = ${userId} RETURNING subject`;
  return rows.length > 0;
}

export interface NewFederatedUser {
  tenant: string; idp: string; subject: string; status: 'active' | 'pending';
  email?: string; emailVerified: boolean; name?: string; profile: Record<string, string>;
}

/**
 * Creates the account an upstream account vouches for, linked to it, in one transaction (a retry
 * finds the link). Username: the email, else a name derived from the IdP and subject. Returns
 * undefined when the email or username is taken (nothing written).
 */
export async function createFederatedUser(db: Db, u: NewFederatedUser): Promise<string | undefined> {
  const username = u.email ?? `${u.idp}-${createHash('sha256').update(u.subject).digest('hex').slice(0, 20)}`;
  return db.begin(async (tx) => {
    const [user] = await tx`INSERT INTO users (tenant_id, username, email, name, status, attributes, email_verified_at)
      VALUES (${u.tenant}, ${username}, ${u.email ?? null}, ${u.name ?? null}, ${u.status}, ${tx.json(u.profile)},
              ${u.emailVerified ? new Date() : null})
      ON CONFLICT DO NOTHING RETURNING id`;
    if (!user) return undefined;
    await tx`INSERT INTO federated_identities (tenant_id, idp, subject, user_id, email, last_login_at)
      VALUES (${u.tenant}, ${u.idp}, ${u.subject}, ${user.id}, ${u.email ?? null}, now())`;
    return user.id as string;
  });
}

/**
 * Adds the mapped groups an upstream says the user belongs to (groups are never removed here).
 * Never a group that carries an admin role, nor a name kept for one (`tessera-…`): what an
 * upstream asserts must not make anyone an admin here — roles are granted only by admins.
 */
export async function addUserGroups(db: Db, tenant: string, userId: string, groups: string[]): Promise<void> {
  for (const name of groups) {
    if (name.toLowerCase().startsWith('tessera-')) continue;
    await db`INSERT INTO user_groups (tenant_id, user_id, name)
      SELECT ${tenant}, ${userId}, ${name}
      WHERE NOT EXISTS (SELECT 1 FROM groups WHERE tenant_id = ${tenant} AND name = ${name} AND role IS NOT NULL)
      ON CONFLICT DO NOTHING`;
  }
}
