// The server and the worker as two child processes (`tessera server`, `tessera worker`), as in
// production; plus what /proc says about any process: resident memory and CPU time used.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onCleanup, stopping } from './cleanup.ts';

const TESSERA = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Children being stopped on purpose: their exit is not reported as a crash. */
const expectedExits = new Set<ChildProcess>();

export interface Child { name: string; pid: number; process: ChildProcess; output(): string }

/** Starts `node bin/tessera.js <command>`; its output is kept (last lines) for error reports. */
export function spawnTessera(command: 'server' | 'worker', env: Record<string, string>): Child {
  // BENCH_SERVER_NODE_OPTIONS / BENCH_WORKER_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeOptions = process.env[`BENCH_${command.toUpperCase()}_NODE_OPTIONS`];
  const child = spawn(process.execPath, [TESSERA, command], {
    cwd: ROOT, env: { ...process.env, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${command}] ${chunk}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!expectedExits.has(child) && !stopping()) console.error(`[bench] ${command} exited unexpectedly (${signal ?? code}):\n${lines.slice(-20).join('\n')}`);
  });
  if (!child.pid) throw new Error(`could not start tessera ${command}`);
  onCleanup(command, () => stop(child));
  return { name: command, pid: child.pid, process: child, output: () => lines.join('\n') };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  expectedExits.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls GET /healthz until it answers 200. @throws after `timeoutMs` or when the child dies. */
export async function waitHealthy(base: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with ${child.process.exitCode}:\n${child.output()}`);
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${base}/healthz did not answer 200 within ${timeoutMs} ms (last: ${last})\n${child.output()}`);
}

export interface Memory { rssMb: number; peakMb: number }

/** VmRSS (resident now) and VmHWM (peak resident) of a process, in MiB. */
export function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The fields of /proc/<pid>/stat after the command name, so that fields[0] is field 3 (state). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used so far (0 when it is gone). */
export function cpuSecondsOf(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : 0; // utime, stime (fields 14, 15)
}

/**
 * CPU seconds of every process named `comm` (e.g. all PostgreSQL backends), including the
 * children they have reaped, so backends that exit during a phase still count.
 */
export function cpuSecondsOfAll(comm: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    const f = statFields(entry);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // + cutime, cstime
  }
  return ticks / TICKS_PER_SECOND;
}

/** Pids of the direct children of `pid` whose command line contains `match`. */
export function childPids(pid: number, match: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(entry)?.[1]) !== pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(match)) found.push(Number(entry));
    } catch {
      // the process went away meanwhile
    }
  }
  return found;
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
}

/** CPU seconds of `root` and every process below it (children, grandchildren, …) now alive. */
export function treeCpuSeconds(root: number): number {
  const parentOf = new Map<number, number>();
  const ticksOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (!f) continue;
    parentOf.set(Number(entry), Number(f[1]));
    ticksOf.set(Number(entry), Number(f[11]) + Number(f[12]));
  }
  let ticks = 0;
  for (const [pid, own] of ticksOf) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === root) {
        ticks += own;
        break;
      }
    }
  }
  return ticks / TICKS_PER_SECOND;
}
