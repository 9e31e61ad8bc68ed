// `tessera server` + `tessera worker` as separate processes against the shared Temporal and
// database, for the observability tests: their stdout is what an operator's log pipeline reads.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { TEST_CODEC_KEYS } from './codec-key.ts';
import { freePort, spawnTessera, tempDir, waitForHealthy, type Env, type TesseraProcess } from './processes.ts';

export interface ObservedProcesses { server: TesseraProcess; worker: TesseraProcess; url: string; dataDir: string; workerMetricsPort?: number }

/** Starts both and waits until the server is healthy and the worker polls. */
export async function startObservedProcesses(env: { server?: Env; worker?: Env; both?: Env; workerMetrics?: boolean } = {}): Promise<ObservedProcesses> {
  const port = await freePort();
  const workerMetricsPort = env.workerMetrics ? await freePort() : undefined;
  const dataDir = await tempDir('tessera-obs-');
  const common: Env = {
    DATA_DIR: dataDir,
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `obs-${randomBytes(6).toString('hex')}`,
    TESSERA_CODEC_KEYS: TEST_CODEC_KEYS,
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
    ...env.both,
  };
  const worker = spawnTessera(['worker'], { ...common, ...(workerMetricsPort ? { WORKER_METRICS_PORT: String(workerMetricsPort) } : {}), ...env.worker });
  const server = spawnTessera(['server'], { ...common, ...env.server });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(server, url);
  await worker.waitForOutput(/Worker polling task queue/);
  return { server, worker, url, dataDir, workerMetricsPort };
}

/** The JSON objects a process wrote to stdout, one a line; other lines (the start-up banner) are skipped. */
export function jsonLines(p: TesseraProcess): Record<string, any>[] {
  return p.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
}

/** The lines of stdout that are not JSON: only what the CLI prints once started. */
export function plainLines(p: TesseraProcess): string[] {
  return p.stdout.split('\n').filter((line) => line.trim() && !line.startsWith('{'));
}
