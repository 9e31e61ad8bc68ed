// Starts the Express app on PORT and returns how to stop it.
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { createApp } from '../../server/app.ts';
import { startIdleMemoryRelease } from './idle-memory-release.ts';

export async function listen(config: Config, db: Db, temporal: Client): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(createApp({ config, db, temporal }));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const stopRelease = startIdleMemoryRelease(server, config.idleReleaseSeconds);
  return {
    server, port,
    close: () => new Promise<void>((resolve) => {
      stopRelease();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
