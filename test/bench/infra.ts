// The shared infrastructure, in the benchmark's own process: the Temporal dev server (the
// installed CLI, as test/global-setup.ts does) and the database — DATABASE_URL when set, else the
// embedded PGlite served on a loopback socket (the URL carries the embedded marker for children).
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../../core/infra/temporal-cli.ts';
import { startEmbeddedDb } from '../../core/infra/embedded-db.ts';
import { openDb, type Db } from '../../core/infra/db.ts';
import { migrate } from '../../core/infra/migrate.ts';
import { onCleanup } from './cleanup.ts';

export interface Infra {
  env: TestWorkflowEnvironment;
  temporalAddress: string;
  databaseUrl: string;
  /** 'pglite' (embedded, in this process) or 'postgres' (DATABASE_URL). */
  database: 'pglite' | 'postgres';
  db: Db;
}

export async function startInfra(tmp: string): Promise<Infra> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error(TEMPORAL_CLI_HELP);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  onCleanup('temporal dev server', () => env.teardown());
  let databaseUrl = process.env.DATABASE_URL;
  let database: Infra['database'] = 'postgres';
  if (!databaseUrl) {
    const embedded = await startEmbeddedDb(join(tmp, 'pglite'), false);
    onCleanup('pglite', () => embedded.stop());
    databaseUrl = embedded.url;
    database = 'pglite';
  }
  const db = openDb(databaseUrl);
  onCleanup('bench db pool', () => db.end({ timeout: 5 }));
  await migrate(db);
  return { env, temporalAddress: env.address, databaseUrl, database, db };
}
