// "Why was I denied?": an admin reads a journey's decisions through the management API — a real
// login on the real worker, then its timeline rebuilt from Temporal history — and finds a user's
// recent journeys. Nothing typed appears; other tenants and approvers are kept out.
import { describe, expect, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack();

async function call(path: string, token: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() as any };
}

describe('journey timelines', () => {
  it('shows a failed password, the retry and the success in order, by node, and lists the user\'s journeys', async () => {
    const { tenant, user, login, password } = await tenantWithUser(stack.db);
    const admin = (await createAdminToken(stack.db, tenant, 'ops')).token;
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: login });
    expect((await api.submit({ password: 'not-my-password' })).body.step.errors[0].code).toBe('invalid_credentials');
    expect((await api.submit({ password })).body.status).toBe('succeeded');
    const id = api.journey!.id;

    const running = await vi.waitFor(async () => {
      const res = await call(`/t/${tenant}/api/admin/journeys/${id}`, admin);
      expect(res.body.running).toBe(false);
      return res;
    }, { timeout: 20_000 });
    expect(running.status).toBe(200);
    const t = running.body;
    expect(t).toMatchObject({ id, kind: 'login', tree: 'login', version: 1, status: 'succeeded' });
    const nodes = t.entries.filter((e: { event: string }) => e.event === 'node').map((e: { node: string; outcome: string }) => `${e.node}:${e.outcome}`);
    expect(nodes).toEqual(['identify:ok', 'guard:ok', 'password:bad', 'password-failed:retry', 'password:ok', 'status:active', 'otp:skip', 'end:success']);
    expect(t.entries.find((e: { node?: string; errors?: string[] }) => e.node === 'password' && e.errors)).toMatchObject({ module: 'password', errors: ['invalid_credentials'] });
    expect(JSON.stringify(t)).not.toContain('not-my-password');
    expect(JSON.stringify(t)).not.toContain(password);

    const list = await vi.waitFor(async () => {
      const res = await call(`/t/${tenant}/api/admin/journeys?subject=${user.id}`, admin);
      expect(res.body.items.length).toBe(1);
      return res;
    }, { timeout: 20_000 });
    expect(list.body.items[0]).toMatchObject({ id, status: 'succeeded', tree: 'login', version: 1, subject: user.id, error: null });
  });

  it('is a journey of this tenant only, for admins and auditors, and 404 for anything else', async () => {
    const a = await tenantWithUser(stack.db);
    const b = await tenantWithUser(stack.db);
    const api = new JourneyApi(stack.url, a.tenant);
    await api.start();
    const id = api.journey!.id;
    const [adminB, approverA, auditorA] = await Promise.all([
      createAdminToken(stack.db, b.tenant, 'ops'), createAdminToken(stack.db, a.tenant, 'appr', 'approver'), createAdminToken(stack.db, a.tenant, 'aud', 'auditor'),
    ]);
    // The journey is running: its timeline so far.
    const seen = await call(`/t/${a.tenant}/api/admin/journeys/${id}`, auditorA.token);
    expect(seen).toMatchObject({ status: 200, body: { running: true, entries: expect.arrayContaining([expect.objectContaining({ event: 'step', node: 'identify' })]) } });
    // Asked in the other tenant with its own admin: not a journey of that tenant.
    expect((await call(`/t/${b.tenant}/api/admin/journeys/${id}`, adminB.token)).status).toBe(404);
    expect((await call(`/t/${a.tenant}/api/admin/journeys/${id}`, approverA.token)).status).toBe(403);
    for (const bogus of ['nope', 'x'.repeat(40), 'registration:whatever']) {
      expect((await call(`/t/${a.tenant}/api/admin/journeys/${encodeURIComponent(bogus)}`, auditorA.token)).status, bogus).toBe(404);
    }
  });

  it('counts the journeys in flight on each version of a tree', async () => {
    const { tenant } = await tenantWithUser(stack.db);
    const admin = (await createAdminToken(stack.db, tenant, 'ops')).token;
    const start = async () => { const api = new JourneyApi(stack.url, tenant); expect((await api.start()).status).toBe(201); };
    await start();
    await start();
    const tree = (await fetch(`${stack.url}/t/${tenant}/api/admin/trees/login`, { headers: { authorization: `Bearer ${admin}` } }).then((r) => r.json()) as any).tree;
    const { name: _n, version: _v, ...definition } = tree;
    const imported = await fetch(`${stack.url}/t/${tenant}/api/admin/trees/login/versions`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...definition, acr: 'urn:tessera:acr:v2' }),
    });
    expect(imported.status).toBe(201);
    await start();
    await vi.waitFor(async () => {
      const res = await call(`/t/${tenant}/api/admin/trees/login/versions`, admin);
      expect(res.body.items.map((v: { version: number; inFlight: number }) => [v.version, v.inFlight])).toEqual([[2, 1], [1, 2]]);
      expect(res.body.inFlightComplete).toBe(true);
    }, { timeout: 20_000, interval: 500 });
  });
});
