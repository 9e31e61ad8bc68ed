// `tessera worker` has no HTTP server of its own: with WORKER_METRICS_PORT set it serves GET
// /metrics there (same METRICS_TOKEN rule as the server's), since the journeys' ends and the
// activities are counted where they run. `tessera start` serves them on the server's port instead.
import { createServer } from 'node:http';
import express from 'express';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { metricsRoute } from '../../server/metrics-route.ts';

export async function serveWorkerMetrics(config: Config, db: Db, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsRoute(db, config.metricsToken));
  app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found', message: 'Only /metrics is served here.' } }));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
