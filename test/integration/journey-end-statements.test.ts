// A journey's end records its audit event, forgets the account's throttle failures after a success
// and marks a sign-in; the last two are one statement (markSignedIn with resetThrottleStatement
// alongside), so a login's end costs the audit statement and one more round trip.
import { afterAll, expect, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journey.ts';
import { accountKey, countFailures, recordFailure } from '../../core/accounts/throttle.ts';
import { recordAudit } from '../../core/infra/audit.ts';
import { countingDb } from '../support/counting-db.ts';
import { tenantWithUser, testConfig, testDb } from '../support/harness.ts';

const db = testDb();
afterAll(() => db.end());
const WINDOW_MS = 15 * 60_000;

async function endOf(status: string, signedIn: boolean) {
  const { tenant, user } = await tenantWithUser(db);
  const key = accountKey({ id: user.id }, undefined)!;
  await recordFailure(db, tenant, key, `failure-${status}-${signedIn}`, new Date(), WINDOW_MS);
  const counted = countingDb(db);
  const activities = createJourneyActivities({ db: counted.db, config: testConfig() });
  const journeyId = `j-${user.id}`;
  await activities.recordJourneyEnd({ tenant, journeyId, status, tree: 'login', version: 1, subject: user.id, signedIn });
  const [row] = await db`SELECT last_login_at FROM users WHERE tenant_id = ${tenant} AND id = ${user.id}`;
  const [audit] = await db`SELECT type FROM audit_events WHERE tenant_id = ${tenant} AND journey_id = ${journeyId}`;
  return { statements: counted.statements(), lastLogin: row!.last_login_at, failures: await countFailures(db, tenant, key, new Date(), WINDOW_MS), audit: audit?.type };
}

/** How many statements the end's audit event takes on its own (with or without a webhook outbox row). */
async function auditStatements(status: string): Promise<number> {
  const { tenant, user } = await tenantWithUser(db);
  const counted = countingDb(db);
  await recordAudit(counted.db, { tenant, type: `journey.${status}`, subject: user.id, journeyId: `j-audit-${user.id}`, dedupeKey: `journey-end:j-audit-${user.id}`, data: {} });
  return counted.statements();
}

it('records a sign-in and forgets the failures in one statement after the audit event', async () => {
  const end = await endOf('succeeded', true);
  expect(end).toMatchObject({ failures: 0, audit: 'journey.succeeded' });
  expect(end.lastLogin).toBeInstanceOf(Date);
  expect(end.statements).toBe((await auditStatements('succeeded')) + 1);
});

it('forgets the failures of a success without a session, and keeps them after a failure', async () => {
  const registered = await endOf('succeeded', false);
  expect(registered).toMatchObject({ failures: 0, lastLogin: null });
  expect(registered.statements).toBe((await auditStatements('succeeded')) + 1);
  const failed = await endOf('failed', false);
  expect(failed).toMatchObject({ failures: 1, lastLogin: null, audit: 'journey.failed' });
  expect(failed.statements).toBe(await auditStatements('failed'));
});
