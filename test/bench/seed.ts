// The benchmark's tenant and users. One user is created the normal way (argon2 hash); the others
// get the same hash through plain SQL, which is fast enough for thousands. Every user has its
// own TOTP secret. A TOTP code is accepted once per user per 30-second counter, so the pool
// hands out users least-recently-used first and never one already used in the current counter.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../core/infra/db.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, getPasswordHash } from '../../core/accounts/users.ts';
import { newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { dataKeyringFrom, installDataKeyring } from '../../core/infra/data-keys.ts';
import { sealSecret, SECRET_COLUMNS } from '../../core/infra/secret-columns.ts';

/** The data key of the benchmark's Tessera processes (TESSERA_DATA_KEYS), which seeding seals with too. */
export const BENCH_DATA_KEYS = `bench:${randomBytes(32).toString('base64')}`;

export interface BenchUser { login: string; secret: string; lastCounter: number }

export interface Seeded { tenant: string; password: string; users: BenchUser[] }

const BATCH = 500;

export async function seed(db: Db, count: number): Promise<Seeded> {
  const tenant = `bench-${randomBytes(4).toString('hex')}`;
  installDataKeyring(dataKeyringFrom(BENCH_DATA_KEYS, []));
  await createTenant(db, tenant);
  // The benchmark is one address starting thousands of journeys a minute: lift the rate limits.
  const unlimited = { limit: 1_000_000_000, window: '1m' };
  await db`UPDATE tenants SET settings = jsonb_set(settings, '{rateLimits}', ${db.json({ journeyStartsPerAddress: unlimited, journeyStartsPerTenant: unlimited } as never)})
    WHERE id = ${tenant}`;
  const password = `bench-pw-${randomBytes(6).toString('hex')}`;
  const loginOf = (i: number) => `user${String(i).padStart(5, '0')}@${tenant}.example`;
  const first = await createUser(db, tenant, { email: loginOf(0), password });
  const hash = (await getPasswordHash(db, tenant, first.id))!;
  const users: BenchUser[] = [{ login: loginOf(0), secret: newTotpSecret(), lastCounter: 0 }];
  await saveTotpSecret(db, tenant, first.id, users[0]!.secret, 0);
  for (let start = 1; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => ({
      login: loginOf(start + k), secret: newTotpSecret(), lastCounter: 0,
    }));
    await db.begin(async (tx) => {
      const rows = await tx`INSERT INTO users ${tx(batch.map((u) => ({ tenant_id: tenant, username: u.login, email: u.login, status: 'active' })))}
        RETURNING id, username`;
      const idOf = new Map(rows.map((r) => [r.username as string, r.id as string]));
      await tx`INSERT INTO password_credentials ${tx(batch.map((u) => ({ tenant_id: tenant, user_id: idOf.get(u.login)!, hash })))}`;
      await tx`INSERT INTO totp_credentials ${tx(batch.map((u) => ({ tenant_id: tenant, user_id: idOf.get(u.login)!,
        secret: sealSecret(SECRET_COLUMNS.totpSecret, [tenant, idOf.get(u.login)!], u.secret), last_counter: 0 })))}`;
    });
    users.push(...batch);
  }
  return { tenant, password, users };
}

/** Removes the tenant and everything under it (sessions, users, audit) from a shared database. */
export async function unseed(db: Db, tenant: string): Promise<void> {
  await db`DELETE FROM tenants WHERE id = ${tenant}`;
}

export const totpCounter = (at = Date.now()) => Math.floor(at / 30_000);

/** Users least-recently-used first; one is lent only when its last code is from an older counter. */
export class UserPool {
  readonly #queue: BenchUser[];
  /** How often a borrower had to wait for a fresh 30-second window (pool too small). */
  waits = 0;

  constructor(users: BenchUser[]) {
    this.#queue = [...users];
  }

  async take(): Promise<BenchUser> {
    for (;;) {
      const user = this.#queue.shift();
      if (user && user.lastCounter < totpCounter()) return user;
      if (user) this.#queue.unshift(user);
      this.waits++;
      await new Promise((resolve) => setTimeout(resolve, user ? 30_000 - (Date.now() % 30_000) + 5 : 50));
    }
  }

  give(user: BenchUser): void {
    this.#queue.push(user);
  }
}
