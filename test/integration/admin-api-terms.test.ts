// Terms versions through the management API (/t/{tenant}/api/admin/terms) against the real server:
// publish (current at once, audited), list newest first with acceptance counts, get one, list who
// accepted; bad input changes nothing; roles and other tenants; `tessera terms` as a client.
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { recordAcceptance } from '../../core/accounts/terms.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { adminRequest } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { tenantWithUser } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
afterAll(() => killAll());

async function setup() {
  const made = await tenantWithUser(db);
  const [admin, auditor, approver] = await Promise.all([
    createAdminToken(db, made.tenant, 'ops'), createAdminToken(db, made.tenant, 'aud', 'auditor'), createAdminToken(db, made.tenant, 'appr', 'approver'),
  ]);
  const as = (token: string) => (method: string, path: string, body?: unknown) => adminRequest(stack.url, made.tenant, token, method, path, body);
  return { ...made, api: as(admin.token), auditor: as(auditor.token), approver: as(approver.token) };
}

describe('terms', () => {
  it('publishes versions (audited), lists them newest first with acceptances, and gets one', async () => {
    const { tenant, user, api, auditor } = await setup();
    const first = await api('POST', '/terms', { url: 'https://example.com/tos/1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({ version: 1, url: 'https://example.com/tos/1', title: 'Terms of Service', createdAt: expect.any(String), acceptances: 0 });
    await recordAcceptance(db, tenant, user.id, 1);
    const second = await api('POST', '/terms', { url: 'https://example.com/tos/2', title: 'Privacy Terms' });
    expect(second.body).toMatchObject({ version: 2, title: 'Privacy Terms' });

    const list = await auditor('GET', '/terms');
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { version: number; acceptances: number }) => [t.version, t.acceptances])).toEqual([[2, 0], [1, 1]]);
    expect(list.body.next).toBeNull();
    const page1 = await auditor('GET', '/terms?limit=1');
    expect(page1.body.items.map((t: { version: number }) => t.version)).toEqual([2]);
    expect((await auditor('GET', `/terms?limit=1&cursor=${page1.body.next}`)).body).toEqual({ items: [expect.objectContaining({ version: 1 })], next: null });

    expect((await auditor('GET', '/terms/1')).body).toMatchObject({ version: 1, acceptances: 1 });
    const accepted = await auditor('GET', '/terms/1/acceptances');
    expect(accepted.body).toEqual({ items: [{ userId: user.id, acceptedAt: expect.any(String), journeyId: null }], next: null });
    expect((await auditor('GET', '/terms/2/acceptances')).body.items).toEqual([]);

    const events = (await listAudit(db, tenant, 50)).filter((e) => e.type === 'admin.terms.create');
    expect(events.map((e) => [e.actor, e.subject, e.data])).toEqual([
      ['admin:ops', '2', { version: 2, url: 'https://example.com/tos/2', title: 'Privacy Terms' }],
      ['admin:ops', '1', { version: 1, url: 'https://example.com/tos/1', title: 'Terms of Service' }],
    ]);
  });

  it('refuses bad input and unknown versions, changing nothing', async () => {
    const { tenant, api } = await setup();
    for (const body of [{ url: 'javascript:alert(1)' }, { url: 'not a url' }, { url: 'https://x.example', title: 'x'.repeat(201) },
      { url: 'https://x.example', title: 'two\nlines' }, { url: 'https://x.example', extra: true }, {}]) {
      const res = await api('POST', '/terms', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await api('POST', '/terms', { url: 'ftp://x.example' })).body.error.message).toMatch(/^body\.url: the terms URL must start with https:\/\/ or http:\/\//);
    expect((await api('GET', '/terms')).body.items).toEqual([]);
    for (const id of ['1', '0', 'abc', '99999999999', '1.5']) {
      expect((await api('GET', `/terms/${id}`)).status, id).toBe(404);
      expect((await api('GET', `/terms/${id}/acceptances`)).status, id).toBe(404);
    }
    expect((await listAudit(db, tenant, 50)).filter((e) => e.type.startsWith('admin.terms'))).toEqual([]);
  });

  it('lets an auditor read but not publish, refuses an approver, and hides the tenant from other tenants', async () => {
    const a = await setup();
    const b = await setup();
    expect((await a.auditor('POST', '/terms', { url: 'https://x.example' })).status).toBe(403);
    expect((await a.approver('GET', '/terms')).status).toBe(403);
    expect((await a.approver('POST', '/terms', { url: 'https://x.example' })).status).toBe(403);
    const other = await adminRequest(stack.url, a.tenant, (await createAdminToken(db, b.tenant, 'intruder')).token, 'GET', '/terms');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('tenant_not_found');
    expect((await a.api('GET', '/terms')).body.items).toEqual([]);
  });

  it('`tessera terms add|list` go through the operations (audited as the CLI)', async () => {
    const { tenant } = await setup();
    const env = { DATABASE_URL: inject('databaseUrl'), TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir') };
    const added = await runTessera(['terms', 'add', '--tenant', tenant, '--url', 'https://example.com/cli', '--json'], env, 120_000);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ version: 1, title: 'Terms of Service', url: 'https://example.com/cli' });
    const bad = await runTessera(['terms', 'add', '--tenant', tenant, '--url', 'javascript:alert(1)'], env, 120_000);
    expect(bad.code).toBe(2);
    const list = await runTessera(['terms', 'list', '--tenant', tenant], env, 120_000);
    expect(list.stdout).toMatch(/^VERSION\s+TITLE\s+URL\s+CREATED\n1\s+Terms of Service\s+https:\/\/example\.com\/cli/);
    expect((await listAudit(db, tenant, 50)).filter((e) => e.type === 'admin.terms.create')).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^cli/), subject: '1' })]);
  });
});
