// Other systems' logins run beside Tessera's OIDC login in the same run, interleaved level by
// level (Tessera at 1 user, then each other system at 1 user, then 8, …) so that a busy machine
// weighs on all of them alike. Each names the processes that make up the system under test: its
// CPU per login is the sum over those, never the load generator's.
import type { LoopResult } from './closed-loop.ts';
import { table } from './report.ts';

export interface Contender {
  name: string;
  /** Runs `concurrency` virtual users for the phase; `logins` for a warm-up. */
  phase(concurrency: number, opts: { seconds?: number; logins?: number }): Promise<LoopResult<string>>;
  /** Meter names (keys of a phase's `cpu`) that belong to the system under test. */
  system: string[];
  /** Its warm-up, already run. */
  warmup?: LoopResult<string>;
}

export interface ContenderResult { name: string; system: string[]; warmup?: LoopResult<string>; phases: LoopResult<string>[] }

/** CPU ms per login summed over the system's processes. */
export function systemMs(r: { system: string[] }, p: LoopResult<string>): number {
  return r.system.reduce((a, name) => a + (p.cpu[name]?.msPerLogin ?? NaN), 0);
}

/** One table: per system and level, throughput, p50 / p95, CPU per login, and each over the last system's. */
export function formatSideBySide(title: string, results: ContenderResult[]): string {
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
  const levels = [...new Set(results.flatMap((r) => r.phases.map((p) => p.concurrency)))];
  const anchor = results[results.length - 1]!;
  const at = (r: ContenderResult, c: number) => r.phases.find((p) => p.concurrency === c);
  const rows: string[][] = [['', ...levels.map((c) => `${c} user${c === 1 ? '' : 's'}`)]];
  for (const r of results) {
    rows.push([`${r.name}: logins / s`, ...levels.map((c) => f1(at(r, c)?.loginsPerSecond ?? NaN))]);
    rows.push(['  login ms p50 / p95', ...levels.map((c) => { const p = at(r, c); return p ? `${f1(p.latency.login!.p50)} / ${f1(p.latency.login!.p95)}` : '-'; })]);
    rows.push([`  CPU ms per login (${r.system.join(' + ')})`, ...levels.map((c) => { const p = at(r, c); return p ? f1(systemMs(r, p)) : '-'; })]);
    const load = (p: LoopResult<string> | undefined) => p?.cpu[Object.keys(p.cpu).find((k) => k.startsWith('bench'))!]?.msPerLogin ?? NaN;
    rows.push(['  load generator CPU ms per login (not counted)', ...levels.map((c) => f1(load(at(r, c))))]);
    rows.push(['  errors; other processes\' cores', ...levels.map((c) => { const p = at(r, c); return p ? `${p.errors}; ${f2(p.machine.otherCores)}` : '-'; })]);
    if (r !== anchor) {
      rows.push([`  CPU per login / ${anchor.name}'s`, ...levels.map((c) => { const p = at(r, c); const q = at(anchor, c); return p && q ? `${f2(systemMs(r, p) / systemMs(anchor, q))}×` : '-'; })]);
      rows.push([`  logins per CPU-second / ${anchor.name}'s`, ...levels.map((c) => { const p = at(r, c); const q = at(anchor, c); return p && q ? `${f2(systemMs(anchor, q) / systemMs(r, p))}×` : '-'; })]);
    }
  }
  const warm = results.map((r) => `${r.name} ${r.warmup?.logins ?? 0} (${r.warmup?.errors ?? 0} errors)`).join(', ');
  const errors = results.flatMap((r) => [r.warmup, ...r.phases].flatMap((p) => (p?.errorSamples ?? []).map((e) => `  [${r.name}, ${p === r.warmup ? 'warm-up' : `${p!.concurrency} users`}] ${e}`)));
  return [title, `Warm-up logins: ${warm}.`, '', table(rows, ['l', ...levels.map(() => 'r' as const)]),
    ...(errors.length ? ['', 'Errors (first of each phase):', ...errors] : [])].join('\n');
}
