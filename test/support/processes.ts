// Runs `node bin/tessera.js …` as a user does: child processes with their own environment,
// output collected, waited on by output or /healthz, and always killed at the end. Each child
// leads its own process group, so a kill also reaches what it spawned (the Temporal dev server).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATA_KEYS } from './codec-key.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'bin', 'tessera.js');

/** Variables a child must not inherit from the test run unless a test sets them. */
const TESSERA_VARS = [
  'PORT', 'PUBLIC_URL', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE',
  'DATA_DIR', 'SMTP_URL', 'TESSERA_SEED', 'JOURNEY_IDLE_TIMEOUT', 'JOURNEY_ANSWER_TIMEOUT', 'TESSERA_CODEC_KEYS', 'TESSERA_DATA_KEYS', 'NODE_ENV',
];

export type Env = Record<string, string | undefined>;

/** The test run's environment without any Tessera setting, plus `vars` (undefined deletes). */
export function childEnv(vars: Env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TESSERA_VARS) delete env[name];
  // Children share the test process's data key: secrets one seals, the other opens.
  env.TESSERA_DATA_KEYS = TEST_DATA_KEYS;
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

const live = new Set<TesseraProcess>();

export class TesseraProcess {
  readonly child: ChildProcess;
  readonly args: string[];
  readonly exited: Promise<Exit>;
  #stdout = '';
  #stderr = '';
  #exit?: Exit;
  readonly #listeners = new Set<() => void>();

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.args = args;
    this.child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { this.#stdout += chunk; this.#notify(); });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { this.#stderr += chunk; this.#notify(); });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#exit = { code, signal };
        live.delete(this);
        this.#notify();
        resolve(this.#exit);
      });
      this.child.once('error', (err) => {
        this.#stderr += `spawn error: ${err.message}\n`;
      });
    });
  }

  get pid(): number { return this.child.pid!; }
  get stdout(): string { return this.#stdout; }
  get stderr(): string { return this.#stderr; }
  get exit(): Exit | undefined { return this.#exit; }

  /** Everything the process printed, for failure messages. */
  describe(): string {
    return `tessera ${this.args.join(' ')} (pid ${this.child.pid}, exit ${JSON.stringify(this.#exit ?? 'running')})\n--- stdout\n${this.#stdout}\n--- stderr\n${this.#stderr}`;
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Resolves once stdout+stderr match `pattern`; rejects when the process exits first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = (this.#stdout + this.#stderr).match(pattern);
        if (match) return done(() => resolve(match));
        if (this.#exit) return done(() => reject(new Error(`exited before printing ${pattern}\n${this.describe()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}\n${this.describe()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        settle();
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Sends `signal` to the tessera process itself (not its group), like `kill -INT <pid>`. */
  signal(signal: NodeJS.Signals): void {
    if (!this.#exit) this.child.kill(signal);
  }

  /** Resolves with the exit, or undefined when it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs); });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while any process of this child's group (the child or what it spawned) is alive. */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** Stops the whole group: SIGTERM, then SIGKILL after `graceMs`. Never throws. */
  async kill(graceMs = 5000): Promise<void> {
    killGroup(this.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.groupAlive() && Date.now() < deadline) await sleep(100);
    killGroup(this.pid, 'SIGKILL');
    await this.waitForExit(2000);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// A test runner that dies without its hooks must still not leave servers behind.
process.once('exit', () => {
  for (const p of live) killGroup(p.child.pid, 'SIGKILL');
});

export function spawnTessera(args: string[], env: Env): TesseraProcess {
  const p = new TesseraProcess(args, childEnv(env));
  started.add(p);
  return p;
}

const started = new Set<TesseraProcess>();

/**
 * Kills every child still running (for afterEach/afterAll); with `report`, first prints what each
 * child started since the last call printed, so that a failed test shows the processes' side.
 */
export async function killAll(report = false): Promise<void> {
  if (report) for (const p of started) console.error(p.describe());
  started.clear();
  await Promise.all([...live].map((p) => p.kill()));
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs one CLI command to completion. */
export async function runTessera(args: string[], env: Env, timeoutMs = 60_000): Promise<RunResult> {
  const p = spawnTessera(args, env);
  const exit = await p.waitForExit(timeoutMs);
  if (!exit) {
    await p.kill(0);
    throw new Error(`timed out after ${timeoutMs} ms\n${p.describe()}`);
  }
  return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port that was free a moment ago (PORT=0 cannot be discovered from outside). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections at host:port. */
export function portOpen(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** Polls GET /healthz until 200; fails early if the process exits. Returns the last body. */
export async function waitForHealthy(p: TesseraProcess, baseUrl: string, timeoutMs = 120_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (p.exit) throw new Error(`exited before /healthz answered\n${p.describe()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
      const body = await res.text();
      if (res.status === 200) return JSON.parse(body);
      last = `${res.status} ${body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`/healthz not 200 within ${timeoutMs} ms (last: ${last})\n${p.describe()}`);
}

/** A fresh directory under the system temp dir; remove it with removeDir. */
export function tempDir(prefix = 'tessera-proc-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
