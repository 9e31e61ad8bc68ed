// The lockout workflow's activity: end a lock whose time is up, and say so in the audit log.
// Idempotent and atomic: the lock goes and the event is written together, or neither.
import type { Db } from '../core/infra/db.ts';
import { recordAudit } from '../core/infra/audit.ts';
import { unlockKey } from '../core/accounts/throttle.ts';
import type { LockoutInput } from '../workflows/lockout-contracts.ts';

export function createLockoutActivities({ db }: { db: Db }) {
  return {
    async clearLock(input: LockoutInput): Promise<void> {
      await db.begin(async (transaction) => {
        // postgres.js types a transaction apart from its pool; it runs the same tagged queries.
        const tx = transaction as unknown as Db;
        if (!(await unlockKey(tx, input.tenant, input.keyHash, new Date(input.until)))) return;
        await recordAudit(tx, {
          tenant: input.tenant, type: 'throttle.unlocked', dedupeKey: `throttle.unlocked:${input.keyHash}:${input.until}`,
          data: { scope: input.scope, key: input.keyHash, until: new Date(input.until).toISOString() },
        });
      });
    },
  };
}

export type LockoutActivities = ReturnType<typeof createLockoutActivities>;
