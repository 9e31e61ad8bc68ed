// One load phase, whatever a "login" is: `concurrency` virtual users each run `once` in a loop
// until the phase's time (or login count) is up; logins in flight then finish. Collects
// throughput, the latency of each stage, errors, and the CPU each process used during the phase.
import { Samples, nowMs, type LatencySummary } from './stats.ts';
import { machineCpuSeconds } from './processes.ts';
import { stopping } from './cleanup.ts';

export interface LoopResult<S extends string> {
  concurrency: number;
  seconds: number;
  logins: number;
  loginsPerSecond: number;
  errors: number;
  errorSamples: string[];
  latency: Record<S | 'login', LatencySummary>;
  /** CPU seconds used per process during the phase, and per completed login (ms). */
  cpu: Record<string, { seconds: number; msPerLogin: number; utilisation: number }>;
  /** Busy cores of the whole machine during the phase, and those of processes not measured above. */
  machine: { busyCores: number; otherCores: number };
}

export interface LoopOptions { seconds?: number; logins?: number; /** Stop early after this many errors. */ maxErrors?: number }

/**
 * @param once one complete login (the `n`-th started): its stage timings and `login`, the whole;
 *   it throws on anything unexpected, and `describe` turns that into an error sample.
 */
export async function closedLoop<S extends string>(
  stages: readonly S[], concurrency: number, opts: LoopOptions, cpuMeters: Record<string, () => number>,
  once: (n: number) => Promise<Record<S | 'login', number>>, describe: (err: unknown) => string,
): Promise<LoopResult<S>> {
  const samples = Object.fromEntries([...stages, 'login'].map((s) => [s, new Samples()])) as Record<S | 'login', Samples>;
  const errorSamples: string[] = [];
  let errors = 0;
  let started = 0;
  const cpuBefore = Object.fromEntries(Object.entries(cpuMeters).map(([k, cpu]) => [k, cpu()]));
  const machineBefore = machineCpuSeconds();
  const t0 = nowMs();
  const deadline = opts.seconds === undefined ? Infinity : t0 + opts.seconds * 1000;
  const more = () => !stopping() && nowMs() < deadline && (opts.logins === undefined || started < opts.logins)
    && (opts.maxErrors === undefined || errors <= opts.maxErrors);

  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (more()) {
      try {
        const timing = await once(started++);
        for (const [stage, ms] of Object.entries(timing)) samples[stage as S | 'login']?.add(ms as number);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(describe(err));
      }
    }
  }));
  const seconds = (nowMs() - t0) / 1000;
  const logins = samples.login.count;
  const cpu = Object.fromEntries(Object.entries(cpuMeters).map(([k, meter]) => {
    const used = meter() - cpuBefore[k]!;
    return [k, { seconds: used, msPerLogin: logins ? (used * 1000) / logins : NaN, utilisation: used / seconds }];
  }));
  const busyCores = (machineCpuSeconds().busy - machineBefore.busy) / seconds;
  const ours = Object.values(cpu).reduce((a, c) => a + c.utilisation, 0);
  const latency = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, (s as Samples).summary()])) as LoopResult<S>['latency'];
  return {
    concurrency, seconds, logins, loginsPerSecond: logins / seconds, errors, errorSamples, latency, cpu,
    machine: { busyCores, otherCores: Math.max(0, busyCores - ours) },
  };
}
