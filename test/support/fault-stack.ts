// A deployment to break on purpose: a Temporal dev server of its own (`temporal server start-dev`
// with a SQLite file, so it keeps its workflows through kill -9 and restart), a PostgreSQL of its
// own (initdb + pg_ctl on a port and data directory under /tmp, so restarting it disturbs no other
// test), N `tessera server` and M `tessera worker` processes, and an SMTP sink counting mails.
// Every part can be killed with SIGKILL and started again on the same port and files.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { openDb, type Db } from '../../core/infra/db.ts';
import { migrate } from '../../core/infra/migrate.ts';
import { TEST_CODEC_KEYS } from './codec-key.ts';
import { freePort, portOpen, removeDir, sleep, spawnTessera, tempDir, waitForHealthy, type Env, type TesseraProcess } from './processes.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { devServerStorageArgs } from '../../core/infra/temporal-dev-server-settings.ts';

const run = promisify(execFile);

let pgBinDir: string | undefined;

/**
 * A PostgreSQL server program (initdb, pg_ctl, createdb): in `pg_config --bindir`, else in the
 * newest /usr/lib/postgresql/N/bin (Debian's layout, where pg_config may be missing or belong to
 * a client-only package).
 */
function pgProgram(name: string): string {
  pgBinDir ??= findPgBinDir();
  return join(pgBinDir, name);
}

function findPgBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // no pg_config on PATH
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server programs not found (neither `pg_config --bindir` nor /usr/lib/postgresql/*/bin has pg_ctl)');
  return join(root, newest, 'bin');
}

// A test run that dies without its hooks must not leave a dev server or a cluster behind.
const liveTemporal = new Set<ChildProcess>();
const liveClusters = new Set<string>();
process.once('exit', () => {
  for (const child of liveTemporal) killGroup(child);
  for (const data of liveClusters) {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', pgProgram('pg_ctl'), '-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // not running
    }
  }
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await sleep(200);
  }
}

function killGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function killGroupAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('close', resolve));
  killGroup(child);
  await exited;
}

/** `temporal server start-dev` on its own port with its own SQLite file. */
export class TemporalDevServer {
  readonly address: string;
  readonly #dbFile: string;
  #child?: ChildProcess;
  #log = '';

  private constructor(port: number, dbFile: string) {
    this.address = `127.0.0.1:${port}`;
    this.#dbFile = dbFile;
  }

  static async start(dir: string): Promise<TemporalDevServer> {
    const server = new TemporalDevServer(await freePort(), join(dir, 'temporal.db'));
    await server.restart();
    return server;
  }

  async restart(): Promise<void> {
    const port = this.address.split(':')[1]!;
    this.#child = spawn(inject('temporalCliPath'), [
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', port, '--headless', '--db-filename', this.#dbFile,
      '--http-port', String(await freePort()), '--metrics-port', String(await freePort()), '--log-level', 'error',
      // As `tessera start` runs it (WAL): the kill -9 tests then cover that setting.
      ...devServerStorageArgs(),
    ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = this.#child;
    liveTemporal.add(child);
    child.once('close', () => liveTemporal.delete(child));
    this.#child.stdout!.on('data', (d) => (this.#log += d));
    this.#child.stderr!.on('data', (d) => (this.#log += d));
    await waitFor(`temporal dev server on ${this.address}\n${this.#log}`, () => portOpen(this.address), 60_000);
  }

  /** SIGKILL, as a crash or an OOM kill does; the SQLite file stays. */
  async kill9(): Promise<void> {
    await killGroupAndWait(this.#child);
  }

  stop(): Promise<void> {
    return this.kill9();
  }
}

/** A PostgreSQL cluster of its own (trust auth on 127.0.0.1), run as the postgres OS user. */
export class OwnPostgres {
  readonly port: number;
  readonly dir: string;
  readonly url: string;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
    this.url = `postgres://postgres@127.0.0.1:${port}/tessera`;
  }

  static async start(): Promise<OwnPostgres> {
    const dir = await tempDir('tessera-fault-pg-');
    await chmod(dir, 0o755);
    const pg = new OwnPostgres(await freePort(), dir);
    const data = join(dir, 'data');
    await mkdir(data);
    const { uid, gid } = await pgUser();
    await chown(data, uid, gid);
    await pg.#asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    liveClusters.add(data);
    await pg.restart();
    await pg.#asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', 'tessera']);
    return pg;
  }

  async #asPostgres(command: string, args: string[]): Promise<string> {
    const { stdout } = await run('runuser', ['-u', 'postgres', '--', pgProgram(command), ...args], { timeout: 60_000 });
    return stdout;
  }

  get #data(): string {
    return join(this.dir, 'data');
  }

  /** Starts the cluster (again); returns once it accepts connections. */
  async restart(): Promise<void> {
    await this.#asPostgres('pg_ctl', [
      '-D', this.#data, '-l', join(this.dir, 'data', 'log'), '-w', '-t', '60',
      '-o', `-p ${this.port} -k ${this.#data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start',
    ]);
  }

  /** An immediate shutdown: every backend dies at once, as in a crash; recovery runs on start. */
  async crash(): Promise<void> {
    await this.#asPostgres('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']);
  }

  async stop(): Promise<void> {
    await this.#asPostgres('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    liveClusters.delete(this.#data);
    await removeDir(this.dir);
  }
}

async function pgUser(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export interface FaultNode { proc: TesseraProcess; url?: string }

export interface FaultStackOptions { servers: number; workers: number; env?: Env }

export class FaultStack {
  readonly temporal: TemporalDevServer;
  readonly pg: OwnPostgres;
  readonly sink: SmtpSink;
  readonly db: Db;
  readonly dir: string;
  readonly servers: FaultNode[] = [];
  readonly workers: FaultNode[] = [];
  readonly ports: number[] = [];
  readonly env: Env;

  private constructor(parts: { temporal: TemporalDevServer; pg: OwnPostgres; sink: SmtpSink; db: Db; dir: string; env: Env }) {
    this.temporal = parts.temporal;
    this.pg = parts.pg;
    this.sink = parts.sink;
    this.db = parts.db;
    this.dir = parts.dir;
    this.env = parts.env;
  }

  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const dir = await tempDir('tessera-fault-');
    const parts = await Promise.allSettled([TemporalDevServer.start(dir), OwnPostgres.start(), startSmtpSink()]);
    const failed = parts.find((p) => p.status === 'rejected');
    if (failed) {
      await Promise.all(parts.map((p) => (p.status === 'fulfilled' ? ('close' in p.value ? p.value.close() : p.value.stop()).catch(() => {}) : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const [temporal, pg, sink] = parts.map((p) => (p as PromiseFulfilledResult<unknown>).value) as [TemporalDevServer, OwnPostgres, SmtpSink];
    const db = openDb(pg.url);
    await migrate(db);
    const ports = await Promise.all(Array.from({ length: options.servers }, () => freePort()));
    const env: Env = {
      DATA_DIR: dir, DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'fault',
      TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, TEMPORAL_CLI_PATH: inject('temporalCliPath'), SMTP_URL: sink.url,
      // One public origin for every replica, as behind a load balancer.
      PUBLIC_URL: `http://127.0.0.1:${ports[0]}`, ...options.env,
    };
    const stack = new FaultStack({ temporal, pg, sink, db, dir, env });
    stack.ports.push(...ports);
    try {
      await Promise.all([
        ...ports.map((_, i) => stack.startServer(i)),
        ...Array.from({ length: options.workers }, (_, i) => stack.startWorker(i)),
      ]);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  serverUrl(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  /** Starts server i (again) on its port; resolves once /healthz says ok. */
  async startServer(i: number): Promise<void> {
    const proc = spawnTessera(['server'], { ...this.env, PORT: String(this.ports[i]) });
    this.servers[i] = { proc, url: this.serverUrl(i) };
    await waitForHealthy(proc, this.serverUrl(i), 90_000);
  }

  /** Starts worker i (again); resolves once it polls. */
  async startWorker(i: number): Promise<void> {
    const proc = spawnTessera(['worker'], this.env);
    this.workers[i] = { proc };
    await proc.waitForOutput(/Worker polling task queue/, 120_000);
  }

  async kill9(node: FaultNode | undefined): Promise<void> {
    if (!node) return;
    node.proc.signal('SIGKILL');
    await node.proc.exited;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers, ...this.workers].map((n) => n?.proc.kill(1000)));
    await this.db.end({ timeout: 2 }).catch(() => {});
    await Promise.all([this.temporal.stop(), this.pg.stop(), this.sink.close()]);
    await removeDir(this.dir);
  }
}
