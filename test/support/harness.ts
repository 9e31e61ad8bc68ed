// What test files build on: the shared Temporal and database from global-setup, plus an
// in-process worker and HTTP server on a task queue of the file's own.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../core/infra/config.ts';
import { openDb, type Db } from '../../core/infra/db.ts';
import { EncryptionCodec, parseCodecKeys } from '../../core/infra/codec.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, type User } from '../../core/accounts/users.ts';
import { createActivities, type Activities } from '../../activities/index.ts';
import { withJourneyChain } from '../../activities/journey-chain.ts';
import { listen } from '../../bin/runtime/http-server.ts';
import { installTemporalRuntime } from '../../bin/runtime/temporal-runtime.ts';
import { workerClass } from '../../bin/runtime/in-process-workflows.ts';
import { dataKeyringFrom, installDataKeyring } from '../../core/infra/data-keys.ts';
import { TEST_CODEC_KEYS, TEST_DATA_KEYS } from './codec-key.ts';

export const codec = new EncryptionCodec(parseCodecKeys(TEST_CODEC_KEYS));
// What a child process started with the default test environment has (test/support/processes.ts).
installDataKeyring(dataKeyringFrom(TEST_DATA_KEYS, parseCodecKeys(TEST_CODEC_KEYS)));

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ DATA_DIR: inject('scratchDir'), PORT: '0' }),
    databaseUrl: inject('databaseUrl'),
    temporalAddress: inject('temporalAddress'),
    taskQueue: `test-${randomBytes(6).toString('hex')}`,
    codecKeys: TEST_CODEC_KEYS,
    ...overrides,
  };
}

export function testDb(): Db {
  return openDb(inject('databaseUrl'), { embedded: inject('embeddedDb') });
}

export function uniqueTenantId(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface TestUser { user: User; password: string; login: string }

/** A new tenant (with the default trees) and one active user with a password. */
export async function tenantWithUser(db: Db, status: User['status'] = 'active'): Promise<{ tenant: string } & TestUser> {
  const tenant = uniqueTenantId();
  await createTenant(db, tenant);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const login = `alice@${tenant}.example`;
  const user = await createUser(db, tenant, { email: login, password, status });
  return { tenant, user, password, login };
}

export interface RunningWorker { worker: Worker; stop(): Promise<void> }

export async function startWorker(config: Config, db: Db, activities?: object): Promise<RunningWorker> {
  const temporal = await testClient(config);
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: config.temporalAddress! });
  // The same executor production runs (TESSERA_WORKFLOW_RUNTIME, in-process unless set).
  const worker = await workerClass(config.workflowRuntime).create({
    connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue,
    workflowBundle: { code: await readFile(inject('bundlePath'), 'utf8') },
    activities: withJourneyChain((activities ?? createActivities({ db, config, temporal })) as Activities), dataConverter: { payloadCodecs: [codec] },
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await temporal.connection.close();
    },
  };
}

export async function testClient(config: Config): Promise<Client> {
  return connectClient(config.temporalAddress!, config.temporalNamespace, codec);
}

export interface RunningServer { url: string; client: Client; stop(): Promise<void> }

export async function startServer(config: Config, db: Db): Promise<RunningServer> {
  const client = await testClient(config);
  const http = await listen(config, db, client);
  return {
    url: `http://127.0.0.1:${http.port}`,
    client,
    async stop() {
      await http.close();
      await client.connection.close();
    },
  };
}
