// The system under test: `tessera server` and `tessera worker` as two child processes sharing the
// benchmark's Temporal and database, started and ready (server healthy, worker polling), plus
// what measures their CPU use and memory.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Infra } from './infra.ts';
import { freePort } from './ports.ts';
import { childPids, cpuSecondsOf, cpuSecondsOfAll, spawnTessera, waitHealthy, type Child } from './processes.ts';
import { BENCH_DATA_KEYS } from './seed.ts';

export interface Tessera {
  base: string;
  server: Child;
  worker: Child;
  /** Processes whose memory is reported, by name. */
  pids: Record<string, number>;
  /** CPU seconds used so far, per process (or group of processes), by name. */
  cpuMeters: Record<string, () => number>;
  /** The payload codec keys both processes use (TESSERA_CODEC_KEYS). */
  codecKeys: string;
  taskQueue: string;
  /** Lines the server and worker logged that look like errors (for the report). */
  errorLog(): string[];
}

const TASK_QUEUE = 'bench';

export async function startTessera(infra: Infra, tmp: string): Promise<Tessera> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: infra.databaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, PORT: String(port),
    PUBLIC_URL: base, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATA_DIR: join(tmp, 'data'), NODE_ENV: 'production',
    // Both processes must share the payload codec key.
    TESSERA_CODEC_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    TESSERA_DATA_KEYS: BENCH_DATA_KEYS,
  };
  const worker = spawnTessera('worker', env);
  const server = spawnTessera('server', env);
  await waitHealthy(base, server);
  await waitForPoller(infra, worker);

  const pids: Record<string, number> = { server: server.pid, worker: worker.pid };
  const temporalPid = childPids(process.pid, 'temporal')[0];
  if (temporalPid) pids.temporal = temporalPid;
  if (infra.dbPid) pids.database = infra.dbPid;
  pids['bench (load)'] = process.pid;
  const cpuMeters: Record<string, () => number> = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, () => cpuSecondsOf(pid)]));
  if (infra.database === 'postgres' && /@(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(infra.databaseUrl)) {
    cpuMeters.postgres = () => cpuSecondsOfAll('postgres');
  }
  const errorLog = () => [server, worker].flatMap((child) => {
    const lines = child.output().split('\n').filter((line) => /error|failed/i.test(line));
    return [...new Set(lines)].slice(0, 5).map((line) => `[${child.name}] ${line.trim().slice(0, 300)}`);
  });
  return { base, server, worker, pids, cpuMeters, errorLog, codecKeys: env.TESSERA_CODEC_KEYS, taskQueue: TASK_QUEUE };
}

/** Waits until the worker polls the task queue (it bundles the workflow code first). */
async function waitForPoller(infra: Infra, worker: Child): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (worker.process.exitCode !== null) throw new Error(`worker exited with ${worker.process.exitCode}:\n${worker.output()}`);
    const answer = await infra.env.client.workflowService.describeTaskQueue({
      namespace: 'default', taskQueue: { name: TASK_QUEUE }, taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    if (answer.pollers?.length) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the worker did not poll task queue "${TASK_QUEUE}" within 120 s:\n${worker.output()}`);
}
