// The logs as an operator's pipeline reads them: `tessera server` and `tessera worker` write JSON
// on stdout, one object a line, and every line written for a request or an activity of a journey
// names the tenant, the journey and (for requests) the request id, which the response echoes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { tenantWithUser, testDb, type TestUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { jsonLines, plainLines, startObservedProcesses, type ObservedProcesses } from '../support/observed-processes.ts';
import { killAll, removeDir, sleep } from '../support/processes.ts';

let db: Db;
let procs: ObservedProcesses;
let made: { tenant: string } & TestUser;

beforeAll(async () => {
  db = testDb();
  made = await tenantWithUser(db);
  procs = await startObservedProcesses({ worker: { LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await killAll();
  await removeDir(procs?.dataDir);
  await db?.end();
});

/** Waits until `p`'s JSON lines hold one matching `match`. */
async function lineOf(lines: () => Record<string, any>[], match: (l: Record<string, any>) => boolean): Promise<Record<string, any>> {
  for (let i = 0; i < 50; i++) {
    const found = lines().find(match);
    if (found) return found;
    await sleep(100);
  }
  throw new Error('no such log line');
}

describe('JSON logs of server and worker', () => {
  it('name tenant, journey and request on the lines of a login, in both processes', async () => {
    const api = new JourneyApi(procs.url, made.tenant);
    expect((await api.start()).status).toBe(201);
    const journeyId = api.journey!.id;
    expect((await api.submit({ username: made.login })).status).toBe(200);
    const done = await api.submit({ password: made.password });
    expect(done.body.status).toBe('succeeded');
    const requestId = done.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const submitted = await lineOf(() => jsonLines(procs.server), (l) => l.requestId === requestId);
    expect(submitted).toMatchObject({ level: 'info', msg: 'request', method: 'POST', status: 200, tenant: made.tenant, journeyId, pid: procs.server.pid });
    expect(submitted.path).toBe(`/t/${made.tenant}/api/journeys/${journeyId}/steps/password%231`);
    expect(typeof submitted.time).toBe('string');

    // The worker's lines of the same journey: each activity it ran, with the journey and tenant.
    const activity = await lineOf(() => jsonLines(procs.worker), (l) => l.msg === 'activity' && l.journeyId === journeyId && l.activity === 'recordJourneyEnd');
    expect(activity).toMatchObject({ level: 'debug', tenant: made.tenant, outcome: 'ok' });
    expect(jsonLines(procs.worker).filter((l) => l.journeyId === journeyId).map((l) => l.activity)).toContain('advanceJourney');

    // Nothing else on stdout but the one-time start-up lines of the CLI.
    for (const p of [procs.server, procs.worker]) {
      for (const line of plainLines(p)) expect(line).toMatch(/^(Tessera listening on|Worker polling task queue)/);
    }
  });

  it('keeps a sane X-Request-Id and replaces any other', async () => {
    const given = 'edge-proxy.7f3a:42';
    const kept = await fetch(`${procs.url}/t/${made.tenant}/api/journeys`, { method: 'POST', headers: { 'x-request-id': given, 'content-type': 'application/json' }, body: '{"kind":"login"}' });
    expect(kept.status).toBe(201);
    expect(kept.headers.get('x-request-id')).toBe(given);
    const line = await lineOf(() => jsonLines(procs.server), (l) => l.requestId === given);
    expect(line).toMatchObject({ tenant: made.tenant, status: 201, journeyId: ((await kept.json()) as { id: string }).id });

    for (const bad of ['a'.repeat(129), 'has space', '<script>', '']) {
      const res = await fetch(`${procs.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('logs an unknown tenant\'s request without inventing a tenant, and never the query string', async () => {
    const res = await fetch(`${procs.url}/t/no-such-tenant/api/journeys?code=123456&token=abc`, { headers: { 'x-request-id': 'unknown-tenant-1' } });
    expect(res.status).toBe(404);
    const line = await lineOf(() => jsonLines(procs.server), (l) => l.requestId === 'unknown-tenant-1');
    expect(line.tenant).toBeUndefined();
    expect(line.path).toBe('/t/no-such-tenant/api/journeys');
    expect(procs.server.stdout).not.toContain('123456');
  });

  it('serves /metrics without a token when METRICS_TOKEN is unset (a scraper on a private network)', async () => {
    const res = await fetch(`${procs.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE tessera_journeys_total counter');
  });
});
