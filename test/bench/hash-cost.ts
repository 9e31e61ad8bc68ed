// What one argon2id verification costs on this machine, measured before the load: the part of
// the password step that is not Tessera's own overhead.
import type { Db } from '../../core/infra/db.ts';
import { verifyPassword } from '../../core/accounts/passwords.ts';
import { getPasswordHash } from '../../core/accounts/users.ts';
import { Samples, nowMs, type LatencySummary } from './stats.ts';

export async function hashCost(db: Db, tenant: string, password: string, rounds = 20): Promise<LatencySummary> {
  const [someone] = await db`SELECT user_id FROM password_credentials WHERE tenant_id = ${tenant} LIMIT 1`;
  const hash = someone && (await getPasswordHash(db, tenant, someone.user_id));
  if (!hash) throw new Error('no seeded password to time');
  const samples = new Samples();
  for (let i = 0; i < rounds; i++) {
    const t0 = nowMs();
    if (!(await verifyPassword(hash, password))) throw new Error('the seeded hash does not verify');
    samples.add(nowMs() - t0);
  }
  return samples.summary();
}
