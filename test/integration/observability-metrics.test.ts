// GET /metrics as Prometheus scrapes it from `tessera server` and `tessera worker` (its own port,
// WORKER_METRICS_PORT): journeys counted by status across both processes, step latency, token
// grants by type, database and process gauges, and the METRICS_TOKEN rule.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { createUser } from '../../core/accounts/users.ts';
import { tenantWithUser, testDb, type TestUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { startObservedProcesses, type ObservedProcesses } from '../support/observed-processes.ts';
import { killAll, removeDir, sleep } from '../support/processes.ts';
import { declaredMetrics, sampleValue } from '../support/prometheus-text.ts';

const TOKEN = randomBytes(24).toString('base64url');
let db: Db;
let procs: ObservedProcesses;
let made: { tenant: string } & TestUser;

beforeAll(async () => {
  db = testDb();
  made = await tenantWithUser(db);
  procs = await startObservedProcesses({ both: { METRICS_TOKEN: TOKEN, JOURNEY_IDLE_TIMEOUT: '3s' }, workerMetrics: true });
});
afterAll(async () => {
  await killAll();
  await removeDir(procs?.dataDir);
  await db?.end();
});

async function scrape(base: string, authorization = `Bearer ${TOKEN}`): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const serverMetrics = () => scrape(procs.url);
const workerMetrics = () => scrape(`http://127.0.0.1:${procs.workerMetricsPort}`);

/** Journeys of the tenant with `status`, summed over both processes (as a dashboard sums them). */
async function journeys(status: string): Promise<number> {
  const labels = { tenant: made.tenant, kind: 'login', tree: 'login', status };
  return sampleValue(await serverMetrics(), 'tessera_journeys_total', labels) + sampleValue(await workerMetrics(), 'tessera_journeys_total', labels);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function logIn(user: TestUser, tenant = made.tenant): Promise<string> {
  const api = new JourneyApi(procs.url, tenant);
  expect((await api.start()).status).toBe(201);
  await api.submit({ username: user.login });
  return (await api.submit({ password: user.password })).body.status as string;
}

describe('GET /metrics', () => {
  it('refuses a missing or wrong token with 401, on the server and on the worker', async () => {
    for (const base of [procs.url, `http://127.0.0.1:${procs.workerMetricsPort}`]) {
      for (const authorization of ['', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
        const res = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status, `${base} ${authorization}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        expect(await res.text()).not.toContain('tessera_');
      }
    }
  });

  it('counts journeys started, succeeded, failed and expired across server and worker', async () => {
    const statuses = ['started', 'succeeded', 'failed', 'expired'];
    const before = Object.fromEntries(await Promise.all(statuses.map(async (s) => [s, await journeys(s)] as const)));
    const stepsBefore = sampleValue(await serverMetrics(), 'tessera_journey_step_duration_seconds_count', { operation: 'submit', outcome: 'ok' });
    expect(await logIn(made)).toBe('succeeded');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const disabled = await createUser(db, made.tenant, { email: `off@${made.tenant}.example`, password, status: 'disabled' });
    expect(await logIn({ user: disabled, password, login: disabled.email! })).toBe('failed');
    // An idle journey expires after JOURNEY_IDLE_TIMEOUT (3s).
    expect((await new JourneyApi(procs.url, made.tenant).start()).status).toBe(201);
    // Another tenant's journey counts for that tenant only.
    const other = await tenantWithUser(db);
    expect(await logIn(other, other.tenant)).toBe('succeeded');

    await until(async () => (await journeys('expired')) === before.expired! + 1, 'an expired journey', 30_000);
    const after = Object.fromEntries(await Promise.all(statuses.map(async (s) => [s, await journeys(s)] as const)));
    expect(after).toEqual({ started: before.started! + 3, succeeded: before.succeeded! + 1, failed: before.failed! + 1, expired: before.expired! + 1 });
    // The server counts the starts, the worker the ends.
    expect(sampleValue(await workerMetrics(), 'tessera_journeys_total', { tenant: made.tenant, status: 'started' })).toBe(0);
    expect(sampleValue(await serverMetrics(), 'tessera_journeys_total', { tenant: made.tenant, status: 'succeeded' })).toBe(0);
    expect(sampleValue(await workerMetrics(), 'tessera_journeys_total', { tenant: other.tenant, status: 'succeeded' })).toBe(1);
    // Six submitted steps (two per login) answered; the activities that ran them were timed.
    expect(sampleValue(await serverMetrics(), 'tessera_journey_step_duration_seconds_count', { operation: 'submit', outcome: 'ok' })).toBe(stepsBefore + 6);
    expect(sampleValue(await workerMetrics(), 'tessera_activity_duration_seconds_count', { activity: 'recordJourneyEnd', outcome: 'ok' })).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('counts token grants by grant type and outcome', async () => {
    const client = await createOidcClient(db, made.tenant, { grant_types: ['client_credentials'] });
    const secret = client.metadata.client_secret as string;
    const grant = (password: string, grantType = 'client_credentials') => fetch(`${procs.url}/t/${made.tenant}/oidc/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${password}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: grantType }),
    });
    const count = async (grantType: string, outcome: string) => sampleValue(await serverMetrics(), 'tessera_token_grants_total', { tenant: made.tenant, grant_type: grantType, outcome });
    expect((await grant(secret)).status).toBe(200);
    expect((await grant(secret)).status).toBe(200);
    expect((await grant('wrong-secret')).status).toBe(401);
    // A grant type nobody knows is counted, under "other": a client cannot add label values.
    expect((await grant(secret, `made-up-${randomBytes(4).toString('hex')}`)).status).toBe(400);
    expect(await count('client_credentials', 'success')).toBe(2);
    expect(await count('client_credentials', 'error')).toBe(1);
    expect(await count('other', 'error')).toBe(1);
    expect(await serverMetrics()).not.toContain('made-up-');
  });

  it('exposes database, Temporal client and process metrics', async () => {
    for (const text of [await serverMetrics(), await workerMetrics()]) {
      const names = declaredMetrics(text);
      for (const name of ['tessera_db_pool_max', 'tessera_db_connections', 'tessera_temporal_client_errors_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
        expect(names, name).toContain(name);
      }
      expect(sampleValue(text, 'tessera_db_pool_max')).toBeGreaterThan(0);
      expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
      // PostgreSQL sees the scrape's own query at least (PGlite has no pg_stat_activity to speak of).
      if (!inject('embeddedDb')) expect(sampleValue(text, 'tessera_db_connections', { state: 'active' })).toBeGreaterThanOrEqual(1);
    }
  });
});
