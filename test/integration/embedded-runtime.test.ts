// The runtime as a user runs it: `tessera start` (embedded PGlite + embedded Temporal) in a fresh
// DATA_DIR, stopped and started again, administered by the CLI while it runs; and `tessera server`
// + `tessera worker` as separate processes against a shared Temporal and database.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { DEMO_USER } from '../../bin/runtime/seed.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { tenantWithUser, testDb } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import {
  freePort, killAll, portOpen, removeDir, runTessera, spawnTessera, tempDir, waitForHealthy, type Env, type TesseraProcess,
} from '../support/processes.ts';

const dirs: string[] = [];

afterEach(async (ctx) => {
  await killAll(ctx.task.result?.state === 'fail');
  await Promise.all(dirs.splice(0).map(removeDir));
});

async function dataDir(): Promise<string> {
  const dir = await tempDir('tessera-runtime-');
  dirs.push(dir);
  return dir;
}

/** The environment of the embedded default: no DATABASE_URL, no TEMPORAL_ADDRESS. */
function embeddedEnv(dir: string, port: number, extra: Env = {}): Env {
  return { DATA_DIR: dir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, TEMPORAL_CLI_PATH: inject('temporalCliPath'), ...extra };
}

async function startAll(dir: string, port: number, extra: Env = {}): Promise<{ proc: TesseraProcess; url: string; health: unknown }> {
  const proc = spawnTessera(['start'], embeddedEnv(dir, port, extra));
  const url = `http://127.0.0.1:${port}`;
  const health = await waitForHealthy(proc, url);
  await proc.waitForOutput(/Tessera listening on/);
  return { proc, url, health };
}

async function identify(api: JourneyApi, login: string): Promise<void> {
  const started = await api.start();
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  expect(api.journey!.step!.id).toBe('identify#1');
  const res = await api.submit({ username: login });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.step.id).toBe('password#1');
}

async function logIn(api: JourneyApi, login: string, password: string): Promise<void> {
  await identify(api, login);
  const res = await api.submit({ password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.status).toBe('succeeded');
  expect(api.cookies.has('tessera_session')).toBe(true);
}

async function temporalAddressOf(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'runtime', 'temporal.json'), 'utf8')) as { address: string }).address;
}

describe('tessera start (embedded PGlite + Temporal)', () => {
  it('seeds the demo tenant, reports healthy and lets the demo user log in', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const { proc, url, health } = await startAll(dir, port, { TESSERA_SEED: 'demo' });
    expect(health).toEqual({ status: 'ok' });
    expect(proc.stdout).toContain(`Log in at http://127.0.0.1:${port}/t/demo/ui/login`);
    expect(proc.stdout).toContain(`as ${DEMO_USER.email} with password ${DEMO_USER.password}`);
    expect(proc.stdout).toMatch(/Temporal dev server on 127\.0\.0\.1:\d+/);
    await logIn(new JourneyApi(url, 'demo'), DEMO_USER.email, DEMO_USER.password);
  }, 180_000);

  it('stops on SIGINT and continues a journey where it was after a restart', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const first = await startAll(dir, port, { TESSERA_SEED: 'demo' });
    const api = new JourneyApi(first.url, 'demo');
    await identify(api, DEMO_USER.email);
    const journeyId = api.journey!.id;
    const temporal = await temporalAddressOf(dir);
    expect(await portOpen(temporal)).toBe(true);

    first.proc.signal('SIGINT');
    const exit = await first.proc.waitForExit(15_000);
    expect(exit, first.proc.describe()).toEqual({ code: 0, signal: null });
    expect(await portOpen(temporal)).toBe(false);
    await vi.waitFor(() => expect(first.proc.groupAlive(), 'a process of the stopped instance is still running').toBe(false), { timeout: 3000 });

    await startAll(dir, port, { TESSERA_SEED: 'demo' });
    const resumed = await api.get();
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body).toMatchObject({ id: journeyId, status: 'waiting', step: { id: 'password#1' } });
    const done = await api.submit({ password: DEMO_USER.password });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ id: journeyId, status: 'succeeded' });
  }, 240_000);

  it('is administered by the CLI while it runs, and refuses a second instance on the same DATA_DIR', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const { url } = await startAll(dir, port);
    const env = { DATA_DIR: dir, TEMPORAL_CLI_PATH: inject('temporalCliPath') };

    const tenant = await runTessera(['tenants', 'create', 'acme', '--name', 'Acme'], env);
    expect(tenant.code, tenant.stderr).toBe(0);
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const user = await runTessera(['users', 'create', '--tenant', 'acme', '--email', 'a@acme.test', '--password', password, '--json'], env);
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'a@acme.test', status: 'active' });
    const list = await runTessera(['users', 'list', '--tenant', 'acme', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const users = JSON.parse(list.stdout) as { email: string }[];
    expect(users.map((u) => u.email)).toEqual(['a@acme.test']);

    await logIn(new JourneyApi(url, 'acme'), 'a@acme.test', password);

    const second = await runTessera(['start'], embeddedEnv(dir, await freePort()), 90_000);
    expect(second.code).not.toBe(0);
    const lines = second.stderr.trim().split('\n');
    expect(lines, second.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^tessera: another Tessera is already running on /);
    expect(await fetch(`${url}/healthz`).then((r) => r.status)).toBe(200);
  }, 180_000);
});

describe('tessera server + tessera worker (separate processes, shared Temporal and database)', () => {
  it('serves a login that the separate worker runs', async () => {
    const db = testDb();
    try {
      const { tenant, login, password } = await tenantWithUser(db);
      const port = await freePort();
      const env: Env = {
        DATA_DIR: await dataDir(),
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `runtime-${randomBytes(6).toString('hex')}`,
        TESSERA_CODEC_KEYS: TEST_CODEC_KEYS,
        TEMPORAL_CLI_PATH: inject('temporalCliPath'),
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
      };
      const worker = spawnTessera(['worker'], env);
      const server = spawnTessera(['server'], env);
      const url = `http://127.0.0.1:${port}`;
      expect(await waitForHealthy(server, url)).toEqual({ status: 'ok' });
      await worker.waitForOutput(/Worker polling task queue/);
      await logIn(new JourneyApi(url, tenant), login, password);
      expect(server.exit).toBeUndefined();
      expect(worker.exit).toBeUndefined();
    } finally {
      await db.end();
    }
  }, 180_000);
});
