// The embedded Temporal: `temporal server start-dev` with its SQLite file under DATA_DIR, started
// through the SDK's ephemeral-server support (which also tries the SDK's own download when no
// binary is found). The frontend address is published in DATA_DIR/runtime/temporal.json.
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../core/infra/config.ts';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../../core/infra/temporal-cli.ts';
import { ensurePrivateDir } from '../../core/infra/private-files.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';

export interface EmbeddedTemporal { address: string; uiUrl?: string; stop(): Promise<void> }

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false)).once('listening', () => probe.close(() => resolve(true)));
    probe.listen(port, '127.0.0.1');
  });
}

export async function startEmbeddedTemporal(config: Config, options: { ui?: boolean } = {}): Promise<EmbeddedTemporal> {
  const path = findTemporalCli(config.temporalCliPath);
  await ensurePrivateDir(config.dataDir);
  await ensurePrivateDir(join(config.dataDir, 'runtime'));
  const port = (await portFree(7233)) ? 7233 : undefined;
  const uiPort = options.ui && port && (await portFree(8233)) ? 8233 : undefined;
  installTemporalRuntime();
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: path ? { type: 'existing-path', path } : { type: 'cached-download' },
        dbFilename: join(config.dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
        ip: '127.0.0.1',
        ...(port ? { port } : {}),
        ...(uiPort ? { ui: true, uiPort } : {}),
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (err) {
    if (!path) throw new Error(TEMPORAL_CLI_HELP);
    throw err;
  }
  const address = env.address;
  const file = join(config.dataDir, 'runtime', 'temporal.json');
  await writeFile(file, JSON.stringify({ pid: process.pid, address }));
  return {
    address,
    ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}),
    async stop() {
      await rm(file, { force: true });
      await env.teardown();
    },
  };
}
