// A load phase: `users` virtual users each looping complete logins (a fresh browser each time)
// until the phase's time is up; logins in flight then finish. Collects throughput, per-request
// latencies, errors, and the CPU time each process used during the phase.
import { login, LoginError, STAGES, type Stage } from './login.ts';
import { Samples, nowMs, type LatencySummary } from './stats.ts';
import type { UserPool } from './seed.ts';
import { machineCpuSeconds } from './processes.ts';
import { stopping } from './cleanup.ts';

export interface Target { base: string; tenant: string; password: string; pool: UserPool }

export interface PhaseResult {
  name: string;
  concurrency: number;
  seconds: number;
  logins: number;
  loginsPerSecond: number;
  errors: number;
  errorSamples: string[];
  latency: Record<Stage | 'login', LatencySummary>;
  /** CPU seconds used per process during the phase, and per completed login (ms). */
  cpu: Record<string, { seconds: number; msPerLogin: number; utilisation: number }>;
  /** Busy cores of the whole machine during the phase, and those of processes not measured above. */
  machine: { busyCores: number; otherCores: number };
}

export async function runPhase(name: string, target: Target, concurrency: number, opts: { seconds?: number; logins?: number }, cpuMeters: Record<string, () => number>): Promise<PhaseResult> {
  const samples = Object.fromEntries([...STAGES, 'login'].map((s) => [s, new Samples()])) as Record<Stage | 'login', Samples>;
  const errorSamples: string[] = [];
  let errors = 0;
  let logins = 0;
  let started = 0;
  const cpuBefore = Object.fromEntries(Object.entries(cpuMeters).map(([k, cpu]) => [k, cpu()]));
  const machineBefore = machineCpuSeconds();
  const t0 = nowMs();
  const deadline = opts.seconds === undefined ? Infinity : t0 + opts.seconds * 1000;
  const more = () => !stopping() && nowMs() < deadline && (opts.logins === undefined || started < opts.logins);

  async function virtualUser(): Promise<void> {
    while (more()) {
      started++;
      const user = await target.pool.take();
      try {
        const timing = await login(target.base, target.tenant, user, target.password);
        for (const stage of STAGES) samples[stage].add(timing[stage]);
        samples.login.add(timing.total);
        logins++;
      } catch (err) {
        errors++;
        const message = err instanceof LoginError ? err.message : `unexpected: ${err instanceof Error ? err.stack : String(err)}`;
        if (errorSamples.length < 5) errorSamples.push(message);
      } finally {
        target.pool.give(user);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, () => virtualUser()));
  const seconds = (nowMs() - t0) / 1000;
  const cpu = Object.fromEntries(Object.entries(cpuMeters).map(([k, meter]) => {
    const used = meter() - cpuBefore[k]!;
    return [k, { seconds: used, msPerLogin: logins ? (used * 1000) / logins : NaN, utilisation: used / seconds }];
  }));
  const machineAfter = machineCpuSeconds();
  const busyCores = (machineAfter.busy - machineBefore.busy) / seconds;
  const ours = Object.values(cpu).reduce((a, c) => a + c.utilisation, 0);
  const machine = { busyCores, otherCores: Math.max(0, busyCores - ours) };
  const latency = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, s.summary()])) as PhaseResult['latency'];
  return { name, concurrency, seconds, logins, loginsPerSecond: logins / seconds, errors, errorSamples, latency, cpu, machine };
}
