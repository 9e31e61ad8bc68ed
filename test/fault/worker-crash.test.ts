// A crash between two steps loses nothing: kill -9 the worker (a real `tessera worker` process)
// while a login waits at the TOTP step, start another one, and finish the login; then do the
// same with the HTTP server.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { startServer, tenantWithUser, testConfig, testDb } from '../support/harness.ts';

const CLI = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const db = testDb();
const config = testConfig();
const children: ChildProcess[] = [];

function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: config.temporalAddress, TEMPORAL_TASK_QUEUE: config.taskQueue,
      TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir'), TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 90_000);
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes('Worker polling')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}): ${output}`));
    });
  });
}

afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await db.end();
});

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

it('finishes a login after the worker is killed between the password and the TOTP step', async () => {
  const { tenant, login, password, user } = await tenantWithUser(db);
  const secret = newTotpSecret();
  await saveTotpSecret(db, tenant, user.id, secret, 0);
  const first = await spawnWorker();
  let server = await startServer(config, db);
  try {
    const api = new JourneyApi(server.url, tenant);
    // Submits reach the worker only once it polls: the first start waits for it.
    expect((await api.start()).status).toBe(201);
    await api.submit({ username: login });
    const atOtp = await api.submit({ password });
    expect(atOtp.body.step.id).toBe('otp#1');

    await killHard(first);
    await spawnWorker();
    const after = await api.get();
    expect(after.body.step.id).toBe('otp#1');

    // The server is stateless: a new server process (here: instance) serves the same journey.
    await server.stop();
    server = await startServer(config, db);
    const api2 = new JourneyApi(server.url, tenant);
    for (const [k, v] of api.cookies) api2.cookies.set(k, v);
    api2.journey = api.journey;
    const done = await api2.submit({ code: totpCode(secret) });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('succeeded');
    expect(api2.cookies.has('tessera_session')).toBe(true);
  } finally {
    await server.stop();
  }
}, 180_000);
