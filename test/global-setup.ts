// Starts what every test file shares: a real Temporal dev server (the installed CLI binary, never
// the SDK's download), a real database (DATABASE_URL when set, else PGlite served on a socket,
// exactly as the embedded default does), and the workflow bundle, built once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../core/infra/temporal-cli.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../core/infra/embedded-db.ts';
import { openDb } from '../core/infra/db.ts';
import { migrate } from '../core/infra/migrate.ts';
import { workflowBundle } from '../bin/runtime/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    embeddedDb: boolean;
    bundlePath: string;
    temporalCliPath: string;
    scratchDir: string;
  }
}

let env: TestWorkflowEnvironment | undefined;
let embedded: EmbeddedDb | undefined;
let scratch: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  scratch = await mkdtemp(join(tmpdir(), 'tessera-test-'));
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error(TEMPORAL_CLI_HELP);
  const [server, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } } }),
    workflowBundle(),
  ]);
  env = server;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDb(join(scratch, 'pglite'), false);
    url = embedded.url;
  }
  const db = openDb(url, { embedded: !!embedded });
  await migrate(db);
  await db.end();
  const bundlePath = join(scratch, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  project.provide('temporalAddress', env.address);
  project.provide('databaseUrl', url);
  project.provide('embeddedDb', !!embedded);
  project.provide('bundlePath', bundlePath);
  project.provide('temporalCliPath', cli);
  project.provide('scratchDir', scratch);
}

export async function teardown(): Promise<void> {
  await env?.teardown();
  await embedded?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
