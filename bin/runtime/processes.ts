// The three ways to run Tessera (DESIGN.md §6): everything in one process tree (`start`), or the
// server and the worker separately against a real cluster (`server`, `worker`). Each returns a
// Lifecycle that stops what it started, in reverse order.
import type { Config } from '../../core/infra/config.ts';
import { loadCodec } from '../../core/infra/codec-keys.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { openDatabase, type DatabaseMode } from './database.ts';
import { listen } from './http-server.ts';
import { Lifecycle } from './lifecycle.ts';
import { seedDemo } from './seed.ts';
import { runningTemporalAddress } from './temporal-address.ts';
import { tracingEnabled } from '../../core/infra/tracing-state.ts';
import { logger } from '../../core/infra/logger.ts';

export interface Running { lifecycle: Lifecycle; port?: number; messages: string[] }

async function temporalFor(config: Config, life: Lifecycle, own: boolean, messages: string[]): Promise<string> {
  const running = await runningTemporalAddress(config);
  if (running) return running;
  if (!own) throw new Error('no TEMPORAL_ADDRESS and no `tessera start` running on this DATA_DIR');
  // Imported here so `tessera server` never loads the SDK's worker and testing packages (~22 MB).
  const { startEmbeddedTemporal } = await import('./embedded-temporal.ts');
  const embedded = await startEmbeddedTemporal(config, { ui: !config.production });
  life.add('temporal dev server', () => embedded.stop());
  messages.push(`Temporal dev server on ${embedded.address}${embedded.uiUrl ? ` (Web UI ${embedded.uiUrl})` : ''}`);
  return embedded.address;
}

interface Parts { server: boolean; worker: boolean; dbMode: DatabaseMode; ownTemporal: boolean }

async function run(config: Config, parts: Parts): Promise<Running> {
  const life = new Lifecycle();
  const messages: string[] = [];
  // Added first so that it runs last: spans of the shutdown itself still go out.
  if (tracingEnabled()) life.add('tracing', async () => (await import('../../core/infra/tracing.ts')).stopTracing());
  try {
    const database = await openDatabase(config, parts.dbMode);
    life.add('database', () => database.close());
    if (config.seed === 'demo') messages.push(await seedDemo(database.db, config.publicUrl));
    const address = await temporalFor(config, life, parts.ownTemporal, messages);
    const codec = await loadCodec(config);
    let port: number | undefined;
    if (parts.worker) {
      const { createWorker } = await import('./worker.ts');
      const { worker, close } = await createWorker({ config, db: database.db, codec, address });
      const running = worker.run();
      life.add('worker', async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await close();
      });
      running.catch((err) => logger.error(`[worker] stopped: ${err instanceof Error ? err.message : String(err)}`));
      messages.push(`Worker polling task queue "${config.taskQueue}" on ${address}`);
      if (!parts.server && config.workerMetricsPort !== undefined) {
        const metrics = await (await import('./worker-metrics.ts')).serveWorkerMetrics(config, database.db, config.workerMetricsPort);
        life.add('worker metrics', () => metrics.close());
        messages.push(`Worker metrics on port ${metrics.port} (/metrics)`);
      }
    }
    if (parts.server) {
      const temporal = await connectClient(address, config.temporalNamespace, codec);
      life.add('temporal client', () => temporal.connection.close());
      const http = await listen(config, database.db, temporal);
      life.add('http server', () => http.close());
      port = http.port;
      messages.push(`Tessera listening on ${config.publicUrl} (port ${port})`);
    }
    return { lifecycle: life, port, messages };
  } catch (err) {
    await life.stop();
    throw err;
  }
}

export const startAll = (config: Config) => run(config, { server: true, worker: true, dbMode: 'own', ownTemporal: true });
export const startServer = (config: Config) => run(config, { server: true, worker: false, dbMode: 'shared', ownTemporal: false });
export const startWorker = (config: Config) => run(config, { server: false, worker: true, dbMode: 'shared', ownTemporal: false });
