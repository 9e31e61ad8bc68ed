// Legacy login services through the admin API (/t/{tenant}/api/admin/services) and `tessera
// services`, against the real server: the token shown once on create and never again, lookups by
// id and name, 409 for a taken name, 400 for a bad one (nothing registered), 404 for unknown ids,
// delete (the token stops being accepted), roles, and the audit events.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { findService, listServices } from '../../core/legacy/legacy-services.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack();
const { db } = stack;
afterAll(() => killAll());

let tenant: string;
let token: string;
const api = (method: string, path: string, body?: unknown, bearer = token, headers: Record<string, string> = {}) =>
  adminRequest(stack.url, tenant, bearer, method, path, body, headers);
const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

beforeAll(async () => {
  tenant = uniqueTenantId('svc');
  await createTenant(db, tenant);
  token = (await createAdminToken(db, tenant, 'ops')).token;
});

describe('the services resource', () => {
  it('registers a service (token once), reads and lists it without the token, deletes it', async () => {
    const created = await api('POST', '/services', { name: 'cyclades' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'cyclades', id: expect.any(String), token: expect.stringMatching(/^tss_/) });
    expect((await findService(db, tenant, created.body.token))?.id).toBe(created.body.id);
    const got = await api('GET', `/services/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: created.body.id, name: 'cyclades', createdAt: created.body.createdAt });
    for (const name of ['pithos', 'astakos', 'kamaki']) expect((await api('POST', '/services', { name })).status).toBe(201);
    const byName = await api('GET', '/services?name=pithos');
    expect(byName.body.items.map((s: { name: string }) => s.name)).toEqual(['pithos']);
    const first = await api('GET', '/services?limit=3');
    expect(first.body.items.map((s: { name: string }) => s.name)).toEqual(['astakos', 'cyclades', 'kamaki']);
    const second = await api('GET', `/services?limit=3&cursor=${first.body.next}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'pithos' })], next: null });
    expect(JSON.stringify([first.body, second.body, got.body])).not.toContain(created.body.token);
    const events = await listAudit(db, tenant, 100);
    expect(events).toContainEqual(expect.objectContaining({ type: 'admin.services.create', actor: 'admin:ops', subject: created.body.id, data: { name: 'cyclades' } }));
    expect(JSON.stringify(events)).not.toContain(created.body.token);

    expect((await api('DELETE', `/services/${created.body.id}`, undefined, token, { 'if-match': 'W/"stale"' })).status).toBe(412);
    expect((await api('DELETE', `/services/${created.body.id}`)).status).toBe(204);
    expect(await findService(db, tenant, created.body.token)).toBeUndefined();
    expect((await api('GET', `/services/${created.body.id}`)).status).toBe(404);
    expect((await api('DELETE', `/services/${created.body.id}`)).status).toBe(404);
    expect(await listAudit(db, tenant, 100)).toContainEqual(expect.objectContaining({
      type: 'admin.services.delete', actor: 'admin:ops', subject: created.body.id, data: { name: 'cyclades' },
    }));
  });

  it('refuses a taken or malformed name and unknown ids, changing nothing', async () => {
    await api('POST', '/services', { name: 'taken' });
    const before = await listServices(db, tenant);
    expect(await api('POST', '/services', { name: 'taken' })).toMatchObject({ status: 409, body: { error: { code: 'service_exists' } } });
    for (const body of [{ name: '-dash' }, { name: 'a b' }, { name: 'x'.repeat(64) }, {}, { name: 'ok', token: 'tss_mine' }]) {
      expect((await api('POST', '/services', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await listServices(db, tenant)).toEqual(before);
    for (const id of [randomUUID(), 'taken', 'not-a-uuid']) {
      expect(await api('GET', `/services/${id}`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect((await api('DELETE', `/services/${id}`)).status).toBe(404);
    }
  });

  it('lets an auditor read but not write; approvers and other tenants\' admins get nothing', async () => {
    const made = await api('POST', '/services', { name: 'guarded' });
    const auditor = (await createAdminToken(db, tenant, 'reader', 'auditor')).token;
    const approver = (await createAdminToken(db, tenant, 'approver', 'approver')).token;
    const other = uniqueTenantId('svc-other');
    await createTenant(db, other);
    const outsider = (await createAdminToken(db, other, 'ops')).token;
    expect((await api('GET', '/services', undefined, auditor)).status).toBe(200);
    expect((await api('GET', `/services/${made.body.id}`, undefined, auditor)).status).toBe(200);
    expect((await api('POST', '/services', { name: 'nope' }, auditor)).status).toBe(403);
    expect((await api('DELETE', `/services/${made.body.id}`, undefined, auditor)).status).toBe(403);
    expect((await api('GET', '/services', undefined, approver)).status).toBe(403);
    expect((await api('POST', '/services', { name: 'nope' }, approver)).status).toBe(403);
    expect(await api('GET', `/services/${made.body.id}`, undefined, outsider)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect(await api('DELETE', `/services/${made.body.id}`, undefined, outsider)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect((await api('GET', `/services/${made.body.id}`)).status).toBe(200);
    expect((await listServices(db, tenant)).map((s) => s.name)).not.toContain('nope');
  });
});

describe('tessera services', () => {
  it('registers, lists and unregisters through the operations (audit events by the CLI)', async () => {
    const registered = await runTessera(['services', 'register', '--tenant', tenant, '--name', 'cli-svc', '--json'], env());
    expect(registered.code, registered.stderr).toBe(0);
    const created = JSON.parse(registered.stdout);
    expect(created).toMatchObject({ name: 'cli-svc', token: expect.stringMatching(/^tss_/) });
    expect((await findService(db, tenant, created.token))?.name).toBe('cli-svc');
    const bad = await runTessera(['services', 'register', '--tenant', tenant, '--name', 'bad name'], env());
    expect(bad.code).toBe(2);
    const listed = await runTessera(['services', 'list', '--tenant', tenant, '--json'], env());
    expect(JSON.parse(listed.stdout).map((s: { name: string }) => s.name)).toContain('cli-svc');
    expect(listed.stdout).not.toContain(created.token);
    const gone = await runTessera(['services', 'unregister', '--tenant', tenant, '--name', 'cli-svc'], env());
    expect(gone.code, gone.stderr).toBe(0);
    expect(await findService(db, tenant, created.token)).toBeUndefined();
    const again = await runTessera(['services', 'unregister', '--tenant', tenant, '--name', 'cli-svc'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no service named "cli-svc"/);
    const events = (await listAudit(db, tenant, 100)).filter((e) => e.subject === created.id);
    expect(events.map((e) => e.type).sort()).toEqual(['admin.services.create', 'admin.services.delete']);
    for (const e of events) expect(e.actor).toMatch(/^cli/);
  });
});
