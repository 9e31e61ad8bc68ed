// The printed report: machine, throughput and latency per concurrency with the targets
// next to the figures, CPU per login and resident memory per process.
import type { PhaseResult } from './load.ts';
import type { Memory } from './processes.ts';
import type { LatencySummary } from './stats.ts';

export interface Report {
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string };
  database: string;
  /** How the Temporal dev server stores workflows. */
  temporalStore: string;
  secondsPerPhase: number;
  users: number;
  hashMs: LatencySummary;
  warmup: PhaseResult;
  phases: PhaseResult[];
  /** Before the warm-up, and after the last phase. */
  memoryIdle: Record<string, Memory | undefined>;
  memory: Record<string, Memory | undefined>;
  poolWaits: number;
  loadAverage: number[];
  /** Error-looking lines from the server's and worker's output, when logins failed. */
  childErrors: string[];
}

export const TARGETS = { loginsPerSecond: 30, submitP50: 15, submitP99: 30, serverRssMb: 250 };

export function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (align[i] === 'l' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const mark = (ok: boolean) => (ok ? 'pass' : 'MISS');
const pcts = (l: LatencySummary) => `${f1(l.p50)} / ${f1(l.p95)} / ${f1(l.p99)}`;

/** What a phase's CPU table needs: CPU per login of each process, and the machine's load. */
export interface CpuPhase {
  concurrency: number;
  cpu: Record<string, { msPerLogin: number; utilisation: number }>;
  machine: { busyCores: number; otherCores: number };
}

/** CPU per login of each process per phase, the machine's load, and the CPU-bound ceiling. */
export function cpuTable(title: string, phases: CpuPhase[], cores: number): string {
  const procs = Object.keys(phases[0]?.cpu ?? {});
  const perLogin = (p: CpuPhase) => Object.values(p.cpu).reduce((a, c) => a + c.msPerLogin, 0);
  const rows = table([
    [title, ...phases.map((p) => `${p.concurrency} user${p.concurrency === 1 ? '' : 's'}`)],
    ...procs.map((name) => [name, ...phases.map((p) => `${f1(p.cpu[name]!.msPerLogin)} (${f0(p.cpu[name]!.utilisation * 100)}%)`)]),
    ['all', ...phases.map((p) => `${f1(perLogin(p))} (${f0(Object.values(p.cpu).reduce((a, c) => a + c.utilisation, 0) * 100)}%)`)],
    ['other processes (not ours)', ...phases.map((p) => `(${f0(p.machine.otherCores * 100)}%)`)],
    ['whole machine', ...phases.map((p) => `(${f0(p.machine.busyCores * 100)}%)`)],
  ], ['l', ...phases.map(() => 'r' as const)]);
  const ceiling = phases.map((p) => `${f0((cores * 1000) / perLogin(p))}/s at ${p.concurrency}`);
  return `${rows}\n(busy % is of one core; ${cores} cores = ${cores * 100}%. CPU-bound ceiling, cores / CPU per login: ${ceiling.join(', ')})`;
}

export function formatReport(r: Report): string {
  const out: string[] = [];
  const cols = r.phases.map((p) => `${p.concurrency} user${p.concurrency > 1 ? 's' : ''}`);
  out.push(`Tessera benchmark — ${new Date().toISOString()}`);
  out.push(`Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb.toFixed(1)} GB RAM, ${r.machine.platform}, Node ${r.machine.node}`);
  out.push(`Setup: Temporal dev server (${r.temporalStore}) + ${r.database} + worker + server + load generator on this machine; ${r.users} users;`);
  out.push(`       ${r.secondsPerPhase} s per phase, closed loop; one login = start + username + password + TOTP (4 HTTP requests)`);
  out.push(`Warm-up: ${r.warmup.logins} logins, ${r.warmup.errors} errors. Load average before the run: ${r.loadAverage.map((n) => n.toFixed(2)).join(' ')}`);
  const noisy = Math.max(...r.phases.map((p) => p.machine.otherCores));
  if (noisy > 0.25) out.push(`WARNING: other processes used up to ${f0(noisy * 100)}% CPU during the phases; the figures are not from a quiet machine.`);
  out.push('');

  const best = r.phases.reduce((a, b) => (b.loginsPerSecond > a.loginsPerSecond ? b : a), r.phases[0]!);
  out.push(table([
    ['Throughput', ...cols, 'target'],
    ['complete logins / s', ...r.phases.map((p) => f1(p.loginsPerSecond)), `>= ${TARGETS.loginsPerSecond}/s: ${mark(best.loginsPerSecond >= TARGETS.loginsPerSecond)} (best ${f1(best.loginsPerSecond)} at ${best.concurrency})`],
    ['logins completed', ...r.phases.map((p) => String(p.logins)), ''],
    ['errors', ...r.phases.map((p) => String(p.errors)), '0'],
  ], ['l', ...r.phases.map(() => 'r' as const), 'l']));
  out.push('');

  const submitMark = (l: LatencySummary) => `${mark(l.p50 <= TARGETS.submitP50)}/${mark(l.p99 <= TARGETS.submitP99)}`;
  out.push(table([
    ['Latency ms  p50 / p95 / p99', ...cols],
    ['start journey', ...r.phases.map((p) => pcts(p.latency.start))],
    ['username step (no hash)', ...r.phases.map((p) => pcts(p.latency.username))],
    [`  target p50<=${TARGETS.submitP50} / p99<=${TARGETS.submitP99}`, ...r.phases.map((p) => submitMark(p.latency.username))],
    ['password step (argon2)', ...r.phases.map((p) => pcts(p.latency.password))],
    ['  minus one hash (p50)', ...r.phases.map((p) => f1(p.latency.password.p50 - r.hashMs.p50))],
    ['TOTP step', ...r.phases.map((p) => pcts(p.latency.totp))],
    [`  target p50<=${TARGETS.submitP50} / p99<=${TARGETS.submitP99}`, ...r.phases.map((p) => submitMark(p.latency.totp))],
    ['whole login', ...r.phases.map((p) => pcts(p.latency.login))],
  ], ['l', ...r.phases.map(() => 'r' as const)]));
  out.push(`(one argon2id verification alone, timed before the load: p50 ${f1(r.hashMs.p50)} ms, p99 ${f1(r.hashMs.p99)} ms)`);
  out.push('');

  out.push(cpuTable('CPU ms per login (busy %)', r.phases, r.machine.cores));
  out.push('');

  out.push(table([
    ['Memory MiB', 'RSS idle', 'RSS after load', 'peak (VmHWM)', 'target'],
    ...Object.entries(r.memory).map(([name, m]) => [
      name, f0(r.memoryIdle[name]?.rssMb ?? NaN), f0(m?.rssMb ?? NaN), f0(m?.peakMb ?? NaN),
      name === 'server' && m ? `< ${TARGETS.serverRssMb}: ${mark(m.peakMb < TARGETS.serverRssMb)}` : '',
    ]),
  ], ['l', 'r', 'r', 'r', 'l']));

  const errorLines = [r.warmup, ...r.phases].flatMap((p) => p.errorSamples.map((e) => `  [${p.name}] ${e}`));
  if (errorLines.length) out.push('', 'Errors (first of each phase):', ...errorLines);
  if (r.childErrors.length) out.push('', 'Server / worker log lines about errors:', ...r.childErrors.map((l) => `  ${l}`));
  if (r.poolWaits) out.push('', `Note: virtual users waited ${r.poolWaits} times for a user whose TOTP window was fresh (raise BENCH_USERS).`);
  return out.join('\n');
}
