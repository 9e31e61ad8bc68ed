// The shared infrastructure, in the benchmark's own process: the Temporal dev server (the
// installed CLI, on a SQLite file as `tessera start` runs it) and the database — DATABASE_URL when set, else the
// embedded PGlite served on a loopback socket by a child process of its own, whose CPU is measured
// apart (the URL carries the embedded marker for children).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../../core/infra/temporal-cli.ts';
import { devServerStorageArgs } from '../../core/infra/temporal-dev-server-settings.ts';
import { openDb, type Db } from '../../core/infra/db.ts';
import { migrate } from '../../core/infra/migrate.ts';
import { mallocEnvAdditions } from '../../bin/runtime/malloc-settings.ts';
import { onCleanup } from './cleanup.ts';

export interface Infra {
  env: TestWorkflowEnvironment;
  temporalAddress: string;
  databaseUrl: string;
  /** 'pglite' (embedded, in this process) or 'postgres' (DATABASE_URL). */
  database: 'pglite' | 'postgres';
  db: Db;
  /** The process serving PGlite (undefined with DATABASE_URL). */
  dbPid?: number;
  /** How the dev server stores workflows, for the report. */
  temporalStore: string;
}

const PGLITE_PROCESS = fileURLToPath(new URL('./pglite-process.ts', import.meta.url));

/** Starts test/bench/pglite-process.ts on `dir`; its URL once it serves. */
async function startPgliteProcess(dir: string): Promise<{ url: string; pid: number }> {
  // BENCH_DATABASE_NODE_OPTIONS, like the server's and the worker's, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeOptions = process.env.BENCH_DATABASE_NODE_OPTIONS;
  // The embedded database runs inside `tessera start`, which sets glibc's allocator this way
  // (bin/runtime/malloc-settings.ts; TESSERA_MALLOC_TUNING=0 turns it off here too).
  const malloc = mallocEnvAdditions({ argv: [process.execPath, PGLITE_PROCESS, 'start'], env: process.env, platform: process.platform });
  const child = spawn(process.execPath, [PGLITE_PROCESS, dir], {
    env: { ...process.env, ...malloc, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  onCleanup('pglite', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const { url } = JSON.parse(line) as { url: string };
    lines.close();
    return { url, pid: child.pid! };
  }
  throw new Error(`the PGlite process exited (${child.exitCode}) before serving`);
}

export async function startInfra(tmp: string): Promise<Infra> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error(TEMPORAL_CLI_HELP);
  // As `tessera start` runs it: a SQLite file in WAL mode. BENCH_TEMPORAL_DB=memory: the dev
  // server's in-memory store (what the bench ran before); BENCH_TEMPORAL_ARGS: more dev-server
  // arguments, space-separated.
  const inMemory = process.env.BENCH_TEMPORAL_DB === 'memory';
  const dbFilename = inMemory ? undefined : join(tmp, 'temporal.db');
  const extraArgs = [
    ...(inMemory ? [] : devServerStorageArgs()),
    ...(process.env.BENCH_TEMPORAL_ARGS ?? '').split(/\s+/).filter(Boolean),
  ];
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' }, dbFilename, extraArgs },
  });
  onCleanup('temporal dev server', () => env.teardown());
  let databaseUrl = process.env.DATABASE_URL;
  let database: Infra['database'] = 'postgres';
  let dbPid: number | undefined;
  if (!databaseUrl) {
    const embedded = await startPgliteProcess(join(tmp, 'pglite'));
    databaseUrl = embedded.url;
    dbPid = embedded.pid;
    database = 'pglite';
  }
  const db = openDb(databaseUrl);
  onCleanup('bench db pool', () => db.end({ timeout: 5 }));
  await migrate(db);
  const temporalStore = inMemory ? 'in memory' : 'SQLite file, as tessera start runs it';
  return { env, temporalAddress: env.address, databaseUrl, database, db, dbPid, temporalStore };
}
