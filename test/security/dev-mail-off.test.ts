// The dev mailbox (/dev/mail) shows sign-in codes and links: it is off unless explicitly enabled
// with TESSERA_DEV_MAIL=1, whatever NODE_ENV or the demo seed say.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../core/infra/config.ts';
import { startServer, testConfig, testDb, type RunningServer } from '../support/harness.ts';

const db = testDb();
let plain: RunningServer;
let enabled: RunningServer;

beforeAll(async () => {
  // NODE_ENV unset (not production), no TESSERA_DEV_MAIL: what a deployment that forgot NODE_ENV runs.
  const env = { DATA_DIR: '/tmp/unused', PORT: '0' };
  [plain, enabled] = await Promise.all([
    startServer(testConfig({ devMail: loadConfig(env).devMail }), db),
    startServer(testConfig({ devMail: loadConfig({ ...env, TESSERA_DEV_MAIL: '1' }).devMail }), db),
  ]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), enabled?.stop()]);
  await db.end();
});

it('is off without TESSERA_DEV_MAIL, even outside production', async () => {
  expect((await fetch(`${plain.url}/dev/mail`)).status).toBe(404);
});

it('is on with TESSERA_DEV_MAIL=1', async () => {
  expect((await fetch(`${enabled.url}/dev/mail`)).status).toBe(200);
});

it('is read from the environment: only TESSERA_DEV_MAIL=1 turns it on, not NODE_ENV or the demo seed', () => {
  const env = { DATA_DIR: '/tmp/unused' };
  expect(loadConfig(env).devMail).toBe(false);
  expect(loadConfig({ ...env, TESSERA_DEV_MAIL: '1' }).devMail).toBe(true);
  expect(loadConfig({ ...env, NODE_ENV: 'development' }).devMail).toBe(false);
  expect(loadConfig({ ...env, TESSERA_SEED: 'demo' }).devMail).toBe(false);
  expect(loadConfig({ ...env, TESSERA_SEED: 'demo', NODE_ENV: 'development' }).devMail).toBe(false);
  expect(loadConfig({ ...env, TESSERA_SEED: 'demo', TESSERA_DEV_MAIL: '1' }).devMail).toBe(true);
  expect(loadConfig({ ...env, TESSERA_SEED: 'demo', TESSERA_DEV_MAIL: '0' }).devMail).toBe(false);
  expect(loadConfig({ ...env, TESSERA_SEED: 'demo', NODE_ENV: 'production' }).devMail).toBe(false);
  expect(() => loadConfig({ ...env, TESSERA_DEV_MAIL: 'yes please' })).toThrow(/TESSERA_DEV_MAIL/);
});
