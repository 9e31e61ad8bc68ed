// A load phase of password + TOTP logins (a fresh browser each time, users taken from the pool so
// no two virtual users sign in as the same user at once), measured by closed-loop.ts.
import { login, LoginError, STAGES, type Stage } from './login.ts';
import type { UserPool } from './seed.ts';
import { closedLoop, type LoopResult } from './closed-loop.ts';

export interface Target { base: string; tenant: string; password: string; pool: UserPool }

export interface PhaseResult extends LoopResult<Stage> { name: string }

export async function runPhase(name: string, target: Target, concurrency: number, opts: { seconds?: number; logins?: number }, cpuMeters: Record<string, () => number>): Promise<PhaseResult> {
  const result = await closedLoop(STAGES, concurrency, opts, cpuMeters, async () => {
    const user = await target.pool.take();
    try {
      const { total, ...stages } = await login(target.base, target.tenant, user, target.password);
      return { ...stages, login: total };
    } finally {
      target.pool.give(user);
    }
  }, (err) => (err instanceof LoginError ? err.message : `unexpected: ${err instanceof Error ? err.stack : String(err)}`));
  return { name, ...result };
}
