// Moments in an account's life that journeys record: the first and later sign-ins, the profile
// review a tenant may ask for on the first one, and the clean-up of a signup abandoned before the
// registration workflow took it over.
import type { PendingQuery, Row } from 'postgres';
import type { Db } from '../infra/db.ts';

/**
 * Records a sign-in (last_login_at). `alongside`, a statement not yet run (resetThrottleStatement),
 * runs in the same statement as a data-modifying WITH: one round trip at every journey's end.
 */
export async function markSignedIn(db: Db, tenant: string, userId: string, alongside?: PendingQuery<Row[]>): Promise<void> {
  const also = alongside ? db`WITH alongside AS (${alongside}) ` : db``;
  await db`${also}UPDATE users SET last_login_at = now() WHERE tenant_id = ${tenant} AND id = ${userId}`;
}

/** True until the user has signed in once or reviewed the profile when asked. */
export async function needsProfileReview(db: Db, tenant: string, userId: string): Promise<boolean> {
  const [row] = await db`SELECT last_login_at, profile_reviewed_at FROM users WHERE tenant_id = ${tenant} AND id = ${userId}`;
  return row !== undefined && row.last_login_at === null && row.profile_reviewed_at === null;
}

export async function markProfileReviewed(db: Db, tenant: string, userId: string): Promise<void> {
  await db`UPDATE users SET profile_reviewed_at = now() WHERE tenant_id = ${tenant} AND id = ${userId} AND profile_reviewed_at IS NULL`;
}

/**
 * Deletes the account a registration journey created when that journey ended before handing it
 * to the registration workflow: still pending, created by this journey (its `registration.signup`
 * audit event), and never registered (no `registration.started` event). Safe to repeat.
 */
export async function forgetAbandonedSignup(db: Db, tenant: string, userId: string, journeyId: string): Promise<void> {
  await db.begin(async (tx) => {
    const [created] = await tx`SELECT 1 FROM audit_events WHERE tenant_id = ${tenant} AND type = 'registration.signup'
      AND subject = ${userId} AND journey_id = ${journeyId}`;
    const [started] = await tx`SELECT 1 FROM audit_events WHERE tenant_id = ${tenant} AND type = 'registration.started' AND subject = ${userId}`;
    if (!created || started) return;
    const [gone] = await tx`DELETE FROM users WHERE tenant_id = ${tenant} AND id = ${userId} AND status = 'pending' RETURNING id`;
    if (gone) {
      await tx`INSERT INTO audit_events (tenant_id, type, subject, journey_id, dedupe_key)
        VALUES (${tenant}, 'registration.abandoned', ${userId}, ${journeyId}, ${`registration-abandoned:${journeyId}`})
        ON CONFLICT DO NOTHING`;
    }
  });
}
