// Tenant-written JavaScript (the script module) in QuickJS compiled to WebAssembly, with no way
// out: the script gets a deep-frozen copy of a JSON context and nothing else — no require,
// process, fetch, timers, modules or host functions — and returns a string.
// Rules: each evaluation gets its own QuickJS WebAssembly instance, runtime and context, dropped
// afterwards; its heap may grow by the memory limit (default 16 MB, at most 64) over QuickJS's
// fixed 16 MB base, and not a byte more; a stack limit; a time limit (default 100 ms, at most
// 1 s) enforced twice: by QuickJS's interrupt handler, and — because some built-ins loop in
// native code without checking it (a huge sparse Array#indexOf) — by running QuickJS in worker
// threads that the pool terminates and replaces when they overrun the deadline. So a script can
// neither escape, nor stall the worker's event loop, nor exhaust its memory, nor crash it.
// Fairness between tenants: each tenant has its own queue (at most PER_TENANT_QUEUE waiting), and
// free threads serve the tenants in turn; a tenant already running on PER_TENANT_THREADS threads
// yields a free one to any other tenant that waits. So one tenant's slow or looping scripts delay
// another tenant's by at most one script's time limit, never by their backlog.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

export type SandboxFailure = 'timeout' | 'memory' | 'error' | 'invalid_result' | 'crashed' | 'busy';
export type SandboxResult = { ok: true; value: string } | { ok: false; reason: SandboxFailure; message: string };
export interface SandboxJob { id: number; source: string; contextJson: string; timeoutMs: number; memoryMb: number }
/** liveRuntimes: QuickJS runtimes not yet disposed; wasmBytes: the last job's WebAssembly memory. */
export interface SandboxStats { liveRuntimes: number; wasmBytes: number }
export interface SandboxReply { id?: number; ready?: true; result?: SandboxResult; stats?: SandboxStats }

/** tenant: whose script it is, for fairness between tenants (one shared turn when unset). */
export interface ScriptRun { source: string; context: unknown; timeoutMs?: number; memoryMb?: number; tenant?: string }

export const SCRIPT_LIMITS = { sourceBytes: 10 * 1024, timeoutMs: 100, maxTimeoutMs: 1000, memoryMb: 16, maxMemoryMb: 64 } as const;
/** Past its deadline plus this, a thread is stuck in native code: it is terminated. */
const GRACE_MS = 500;
const THREADS = Math.max(1, Math.min(2, availableParallelism()));
const MAX_QUEUE = 500;
/** Half the queue: one tenant cannot make every other tenant's scripts busy. */
const PER_TENANT_QUEUE = MAX_QUEUE / 2;
const PER_TENANT_THREADS = Math.max(1, THREADS - 1);

interface Pending { job: SandboxJob; tenant: string; resolve(result: SandboxResult): void }
interface Slot { worker: Worker; ready: boolean; retired?: boolean; current?: Pending; timer?: NodeJS.Timeout; stats: SandboxStats }

const slots: Slot[] = [];
/** Waiting jobs per tenant; the Map's order is the turn order (a tenant just served goes last). */
const queues = new Map<string, Pending[]>();
const running = new Map<string, number>();
let queued = 0;
let nextId = 1;

function enqueue(pending: Pending): void {
  const list = queues.get(pending.tenant);
  if (list) list.push(pending);
  else queues.set(pending.tenant, [pending]);
  queued++;
}

/** The next job: the first tenant in turn below its thread share, else (no one else waits) the first in turn. */
function dequeue(): Pending | undefined {
  let tenant: string | undefined;
  for (const candidate of queues.keys()) {
    tenant ??= candidate;
    if ((running.get(candidate) ?? 0) < PER_TENANT_THREADS) {
      tenant = candidate;
      break;
    }
  }
  if (tenant === undefined) return undefined;
  const list = queues.get(tenant)!;
  const next = list.shift()!;
  queues.delete(tenant);
  if (list.length) queues.set(tenant, list);
  queued--;
  running.set(tenant, (running.get(tenant) ?? 0) + 1);
  return next;
}

/** Resolves a job that ran (or was meant to) on a thread, and frees its tenant's share. */
function finish(done: Pending, result: SandboxResult): void {
  const count = (running.get(done.tenant) ?? 1) - 1;
  if (count > 0) running.set(done.tenant, count);
  else running.delete(done.tenant);
  done.resolve(result);
}

function failAllWaiting(result: SandboxResult): void {
  for (const list of queues.values()) for (const waiting of list) waiting.resolve(result);
  queues.clear();
  queued = 0;
}

function retire(slot: Slot, result: SandboxResult): void {
  if (slot.retired) return;
  slot.retired = true;
  const index = slots.indexOf(slot);
  if (index >= 0) slots.splice(index, 1);
  clearTimeout(slot.timer);
  const current = slot.current;
  slot.current = undefined;
  void slot.worker.terminate();
  if (current) finish(current, result);
  // A thread that dies before it is ready would die again: fail what waits instead of looping.
  else if (!slot.ready && !slots.some((s) => s.ready)) failAllWaiting(result);
  pump();
}

function spawn(): Slot {
  const worker = new Worker(new URL('./script-sandbox-thread.ts', import.meta.url));
  worker.unref();
  const slot: Slot = { worker, ready: false, stats: { liveRuntimes: 0, wasmBytes: 0 } };
  const crashed = (message: string): SandboxResult => ({ ok: false, reason: 'crashed', message });
  worker.on('message', (reply: SandboxReply) => {
    if (reply.ready) slot.ready = true;
    if (reply.stats) slot.stats = reply.stats;
    if (reply.result && slot.current?.job.id === reply.id) {
      clearTimeout(slot.timer);
      const done = slot.current!;
      slot.current = undefined;
      finish(done, reply.result);
    }
    pump();
  });
  worker.on('error', (err) => retire(slot, crashed(`the sandbox failed: ${err.message}`.slice(0, 300))));
  worker.on('exit', () => retire(slot, crashed('the sandbox exited')));
  slots.push(slot);
  return slot;
}

function pump(): void {
  while (queued > 0) {
    const slot = slots.find((s) => s.ready && !s.current) ?? (slots.length < THREADS ? spawn() : undefined);
    if (!slot?.ready) return;
    const next = dequeue()!;
    slot.current = next;
    slot.timer = setTimeout(() => retire(slot, { ok: false, reason: 'timeout', message: 'the script ran past its time limit' }), next.job.timeoutMs + GRACE_MS);
    slot.worker.postMessage(next.job);
  }
}

/** Runs a script body; never throws: every failure is a result, with a reason and a message. */
export function runScript(run: ScriptRun): Promise<SandboxResult> {
  const timeoutMs = Math.min(Math.max(1, Math.floor(run.timeoutMs ?? SCRIPT_LIMITS.timeoutMs)), SCRIPT_LIMITS.maxTimeoutMs);
  const memoryMb = Math.min(Math.max(1, Math.floor(run.memoryMb ?? SCRIPT_LIMITS.memoryMb)), SCRIPT_LIMITS.maxMemoryMb);
  if (Buffer.byteLength(run.source) > SCRIPT_LIMITS.sourceBytes) {
    return Promise.resolve({ ok: false, reason: 'error', message: `the script is longer than ${SCRIPT_LIMITS.sourceBytes} bytes` });
  }
  const tenant = run.tenant ?? '';
  if (queued >= MAX_QUEUE || (queues.get(tenant)?.length ?? 0) >= PER_TENANT_QUEUE) {
    return Promise.resolve({ ok: false, reason: 'busy', message: 'too many scripts waiting' });
  }
  const job: SandboxJob = { id: nextId++, source: run.source, contextJson: JSON.stringify(run.context ?? null), timeoutMs, memoryMb };
  return new Promise((resolve) => {
    enqueue({ job, tenant, resolve });
    pump();
  });
}

/** What the threads reported after their last evaluation: live runtimes must be 0 between jobs. */
export function sandboxStats(): { threads: number } & SandboxStats {
  return slots.reduce((sum, s) => ({
    threads: sum.threads + 1, liveRuntimes: sum.liveRuntimes + s.stats.liveRuntimes, wasmBytes: sum.wasmBytes + s.stats.wasmBytes,
  }), { threads: 0, liveRuntimes: 0, wasmBytes: 0 });
}

/** Stops every sandbox thread (tests, shutdown); a later runScript starts new ones. */
export async function closeSandbox(): Promise<void> {
  for (const slot of [...slots]) retire(slot, { ok: false, reason: 'crashed', message: 'the sandbox was closed' });
}
