// BENCH_OPEN_JOURNEYS=N: memory per open journey. Opens N login journeys over the Journey API
// (a fresh browser each, username given, left waiting at the password step, as people halfway
// through a login are) and reads the RSS of every process before and after (after a settle), so
// the growth per open journey shows what the worker's bounded workflow cache
// (TESSERA_WORKER_CACHED_WORKFLOWS) saves. The journeys open in two halves with a reading between
// them: the second half's growth is what one more open journey costs once every cache in the way
// (the worker's, Temporal's) is full; the whole run's includes filling them. Then the price of
// the bound: the password step of the K oldest journeys (evicted from the worker's cache when N
// exceeds it, so rebuilt from history) against the K newest (still cached), one at a time, worker
// CPU per step; both hash a password.
import { Browser } from './login.ts';
import { memoryOf, type Memory } from './processes.ts';
import { table } from './report.ts';
import type { Target } from './load.ts';
import { nowMs } from './stats.ts';

export interface ResumeCost { journeys: number; errors: number; workerMsPerStep: number; allMsPerStep: number }

export interface OpenJourneysResult {
  opened: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  cpuMsPerJourney: Record<string, number>;
  before: Record<string, Memory | undefined>;
  /** After the first half (and a settle). */
  middle: Record<string, Memory | undefined>;
  after: Record<string, Memory | undefined>;
  /** Journeys opened in the first half. */
  firstHalf: number;
  oldest: ResumeCost;
  newest: ResumeCost;
}

interface Open { browser: Browser; steps: string }

const SETTLE_MS = 3000;
const CONCURRENCY = 8;

function memories(pids: Record<string, number>): Record<string, Memory | undefined> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, memoryOf(pid)]));
}

function cpuNow(meters: Record<string, () => number>): Record<string, number> {
  return Object.fromEntries(Object.entries(meters).map(([k, cpu]) => [k, cpu()]));
}

async function openOne(t: Target): Promise<Open> {
  const browser = new Browser(t.base);
  const api = `/t/${t.tenant}/api/journeys`;
  const start = await browser.post(api, { kind: 'login' });
  if (start.status !== 201 || start.body?.step?.id !== 'identify#1') throw new Error(`start: HTTP ${start.status} ${JSON.stringify(start.body).slice(0, 200)}`);
  const steps = `${api}/${start.body.id}/steps`;
  const user = await t.pool.take();
  try {
    const named = await browser.post(`${steps}/identify%231`, { username: user.login });
    if (named.status !== 200 || named.body?.step?.id !== 'password#1') throw new Error(`username: HTTP ${named.status} ${JSON.stringify(named.body).slice(0, 200)}`);
  } finally {
    t.pool.give(user);
  }
  return { browser, steps };
}

async function resume(t: Target, journeys: Open[], meters: Record<string, () => number>, system: string[]): Promise<ResumeCost> {
  const before = cpuNow(meters);
  let errors = 0;
  for (const j of journeys) {
    const answer = await j.browser.post(`${j.steps}/password%231`, { password: t.password }).catch(() => undefined);
    if (answer?.status !== 200 || answer.body?.step?.id !== 'otp#1') errors++;
  }
  const after = cpuNow(meters);
  const ms = (k: string) => ((after[k]! - before[k]!) * 1000) / journeys.length;
  return { journeys: journeys.length, errors, workerMsPerStep: ms('worker'), allMsPerStep: system.reduce((sum, k) => sum + ms(k), 0) };
}

export async function runOpenJourneys(t: Target, count: number, pids: Record<string, number>, meters: Record<string, () => number>,
  log: (m: string) => void): Promise<OpenJourneysResult> {
  const system = Object.keys(meters).filter((k) => k !== 'bench (load)');
  log(`open journeys: opening ${count}…`);
  const before = memories(pids);
  const cpuBefore = cpuNow(meters);
  const open: Open[] = new Array(count);
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const openUpTo = (end: number) => Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < end) {
      const n = next++;
      try {
        open[n] = await openOne(t);
      } catch (err) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(err instanceof Error ? err.message : String(err));
      }
    }
  }));
  const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const t0 = nowMs();
  await openUpTo(Math.floor(count / 2));
  const firstMs = nowMs() - t0;
  await settle();
  const middle = memories(pids);
  const firstHalf = open.filter(Boolean).length;
  const t1 = nowMs();
  await openUpTo(count);
  const seconds = (firstMs + nowMs() - t1) / 1000;
  const cpuAfter = cpuNow(meters);
  const opened = open.filter(Boolean);
  // The settle between the halves is in this CPU too (idle processes spend next to nothing).
  const cpuMsPerJourney = Object.fromEntries(Object.keys(meters).map((k) => [k, ((cpuAfter[k]! - cpuBefore[k]!) * 1000) / Math.max(1, opened.length)]));
  await settle();
  const after = memories(pids);
  const k = Math.min(50, Math.floor(opened.length / 2));
  log(`open journeys: ${opened.length} open; password step of the ${k} oldest, then the ${k} newest…`);
  const oldest = await resume(t, opened.slice(0, k), meters, system);
  const newest = await resume(t, opened.slice(opened.length - k), meters, system);
  return { opened: opened.length, errors, errorSamples, seconds, cpuMsPerJourney, before, middle, after, firstHalf, oldest, newest };
}

export function formatOpenJourneys(r: OpenJourneysResult, cached: string): string {
  const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const perJourney = (from: number, to: number, n: number) => f1(((to - from) * 1024) / Math.max(1, n));
  const rows = Object.keys(r.before).filter((k) => k !== 'bench (load)').map((name) => {
    const from = r.before[name]?.rssMb ?? NaN;
    const mid = r.middle[name]?.rssMb ?? NaN;
    const to = r.after[name]?.rssMb ?? NaN;
    return [name, f0(from), f0(mid), f0(to), perJourney(from, to, r.opened), perJourney(mid, to, r.opened - r.firstHalf), f1(r.cpuMsPerJourney[name] ?? NaN)];
  });
  const resumeLine = (label: string, c: ResumeCost) =>
    `  ${label}: worker ${f1(c.workerMsPerStep)} ms CPU per step, all processes ${f1(c.allMsPerStep)} ms (${c.journeys} steps, ${c.errors} errors)`;
  return [
    `Open journeys — ${r.opened} login journeys opened (username given, waiting at the password step) in ${f1(r.seconds)} s, ${r.errors} errors;`,
    `  worker workflow cache: TESSERA_WORKER_CACHED_WORKFLOWS=${cached}. RSS ${SETTLE_MS / 1000} s after the first ${r.firstHalf} (half) and after the last one opened;`,
    '  KiB per open journey over all of them, and over the second half only (what one more costs once the caches are full):',
    '',
    table([['process', 'RSS MiB before', 'at half', 'after', 'KiB per open journey', 'second half', 'CPU ms per opening'], ...rows], ['l', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    'Resuming (the password step; each hashes the password once):',
    resumeLine('oldest (evicted when more are open than the cache holds)', r.oldest),
    resumeLine('newest (cached)', r.newest),
    ...r.errorSamples.map((e) => `  error: ${e}`),
  ].join('\n');
}
