// Groups through the management API against the real server and database: create, search and
// page, rename with If-Match (members follow), delete (memberships go), members listed, added and
// removed; role groups are read-only here (409 role_group: roles are granted through /roles);
// role checks; every change an audit event naming the caller; and the `tessera groups` verbs.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser, type User } from '../../core/accounts/users.ts';
import { grantRole, rolesOfUser } from '../../core/admin/roles.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
afterAll(() => killAll());

async function setup() {
  const tenant = uniqueTenantId('grp');
  await createTenant(db, tenant);
  const { token } = await createAdminToken(db, tenant, 'ops');
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer = token) =>
    adminRequest(stack.url, tenant, bearer, method, path, body, headers);
  const newUser = (local: string): Promise<User> => createUser(db, tenant, { email: `${local}@${tenant}.example` });
  return { tenant, api, newUser };
}

async function auditOf(tenant: string, type: string) {
  return (await listAudit(db, tenant, 500)).filter((e) => e.type === type);
}

async function memberNames(tenant: string, groupName: string): Promise<string[]> {
  const rows = await db`SELECT u.username FROM user_groups m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
    WHERE m.tenant_id = ${tenant} AND m.name = ${groupName} ORDER BY u.username`;
  return rows.map((r) => r.username as string);
}

describe('groups', () => {
  it('creates, searches and pages groups, and refuses bad, reserved or taken names', async () => {
    const { tenant, api } = await setup();
    const created = await api('POST', '/groups', { name: 'Sales EU', description: 'Sellers in Europe' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), name: 'Sales EU', description: 'Sellers in Europe', role: null, members: 0,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    await api('POST', '/groups', { name: 'Sales US' });
    await api('POST', '/groups', { name: 'Support' });
    const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((g) => g.name);
    expect(names(await api('GET', '/groups?q=sales'))).toEqual(['Sales EU', 'Sales US']);
    const first = await api('GET', '/groups?limit=2');
    expect(names(first)).toEqual(['Sales EU', 'Sales US']);
    const second = await api('GET', `/groups?limit=2&cursor=${first.body.next}`);
    expect(second.body).toMatchObject({ next: null });
    expect(names(second)).toEqual(['Support']);

    const refusals: [unknown, number, string][] = [
      [{ name: 'Sales EU' }, 409, 'group_exists'],
      [{ name: '' }, 400, 'invalid_request'],
      [{ name: 'x'.repeat(201) }, 400, 'invalid_request'],
      [{ name: 'tab\there' }, 400, 'invalid_request'],
      [{ name: 'tessera-auditor' }, 400, 'invalid_request'],
      [{ name: 'admins', role: 'tenant-admin' }, 400, 'invalid_request'],
      [{ name: 'long', description: 'x'.repeat(1001) }, 400, 'invalid_request'],
      [{}, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await api('POST', '/groups', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code, JSON.stringify(body)).toBe(code);
    }
    expect((await api('GET', '/groups')).body.items).toHaveLength(3);
    expect(await auditOf(tenant, 'admin.groups.create')).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'admin:ops', subject: created.body.id, data: { name: 'Sales EU' } }),
    ]));
    expect(await auditOf(tenant, 'admin.groups.create')).toHaveLength(3);
  });

  it('renames with If-Match (members follow), lists, adds and removes members, and deletes with the memberships', async () => {
    const { tenant, api, newUser } = await setup();
    const group = (await api('POST', '/groups', { name: 'team' })).body;
    const [ann, bob] = [await newUser('ann'), await newUser('bob')];
    expect(await api('PUT', `/groups/${group.id}/members/${bob.id}`)).toMatchObject({ status: 204 });
    expect(await api('PUT', `/groups/${group.id}/members/${ann.id}`)).toMatchObject({ status: 204 });
    expect(await api('PUT', `/groups/${group.id}/members/${ann.id}`)).toMatchObject({ status: 204 });
    const members = await api('GET', `/groups/${group.id}/members?limit=1`);
    expect(members.body.items).toEqual([expect.objectContaining({ id: ann.id, email: ann.email, status: 'active' })]);
    expect((await api('GET', `/groups/${group.id}/members?cursor=${members.body.next}`)).body).toEqual({
      items: [expect.objectContaining({ id: bob.id })], next: null,
    });

    const read = await api('GET', `/groups/${group.id}`);
    expect(read.body).toMatchObject({ name: 'team', members: 2 });
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^W\//);
    const renamed = await api('PATCH', `/groups/${group.id}`, { name: 'crew', description: 'The crew' }, { 'if-match': etag });
    expect(renamed).toMatchObject({ status: 200, body: { id: group.id, name: 'crew', description: 'The crew', members: 2 } });
    expect(await memberNames(tenant, 'crew')).toEqual([ann.username, bob.username]);
    expect(await api('PATCH', `/groups/${group.id}`, { name: 'stale' }, { 'if-match': etag })).toMatchObject({ status: 412 });
    expect(await api('DELETE', `/groups/${group.id}`, undefined, { 'if-match': etag })).toMatchObject({ status: 412 });
    await api('POST', '/groups', { name: 'other' });
    for (const [body, status] of [[{ name: 'other' }, 409], [{ role: 'auditor' }, 400], [{ name: 'tessera-x' }, 400], [{ members: [] }, 400]] as const) {
      expect((await api('PATCH', `/groups/${group.id}`, body)).status, JSON.stringify(body)).toBe(status);
    }
    expect((await api('GET', `/groups/${group.id}`)).body).toMatchObject({ name: 'crew', role: null });

    expect(await api('DELETE', `/groups/${group.id}/members/${bob.id}`)).toMatchObject({ status: 204 });
    expect(await api('DELETE', `/groups/${group.id}/members/${bob.id}`)).toMatchObject({ status: 404 });
    expect(await memberNames(tenant, 'crew')).toEqual([ann.username]);

    const current = (await api('GET', `/groups/${group.id}`)).headers.get('etag')!;
    expect(await api('DELETE', `/groups/${group.id}`, undefined, { 'if-match': current })).toMatchObject({ status: 204 });
    expect(await api('GET', `/groups/${group.id}`)).toMatchObject({ status: 404 });
    expect(await memberNames(tenant, 'crew')).toEqual([]);

    expect(await auditOf(tenant, 'admin.groups.update')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: group.id, data: { changed: ['description', 'name'], from: 'team', to: 'crew' } }),
    ]);
    expect(await auditOf(tenant, 'admin.groups.add-member')).toHaveLength(3);
    expect(await auditOf(tenant, 'admin.groups.remove-member')).toEqual([expect.objectContaining({ subject: group.id, data: { user: bob.id } })]);
    expect(await auditOf(tenant, 'admin.groups.delete')).toEqual([expect.objectContaining({ subject: group.id, data: { name: 'crew', members: 1 } })]);
  });

  it('keeps role groups for /roles: no member changes, no deletion, and their role is shown', async () => {
    const { tenant, api, newUser } = await setup();
    const [admin, ann] = [await newUser('admin'), await newUser('ann')];
    await grantRole(db, tenant, admin.id, 'auditor');
    const [row] = await db`SELECT id FROM groups WHERE tenant_id = ${tenant} AND role = 'auditor'`;
    const id = row!.id as string;
    expect((await api('GET', `/groups/${id}`)).body).toMatchObject({ role: 'auditor', members: 1 });
    expect(await api('PUT', `/groups/${id}/members/${ann.id}`)).toMatchObject({ status: 409, body: { error: { code: 'role_group' } } });
    expect(await api('DELETE', `/groups/${id}/members/${admin.id}`)).toMatchObject({ status: 409, body: { error: { code: 'role_group' } } });
    expect(await api('DELETE', `/groups/${id}`)).toMatchObject({ status: 409, body: { error: { code: 'role_group' } } });
    expect(await api('PATCH', `/groups/${id}`, { role: 'tenant-admin' })).toMatchObject({ status: 400 });
    expect(await rolesOfUser(db, tenant, admin.id)).toEqual(['auditor']);
    expect(await rolesOfUser(db, tenant, ann.id)).toEqual([]);
    expect((await api('GET', `/groups/${id}`)).body).toMatchObject({ role: 'auditor', members: 1 });
  });

  it('answers 404 for unknown or malformed group and user ids', async () => {
    const { api, newUser } = await setup();
    const group = (await api('POST', '/groups', { name: 'real' })).body;
    const ann = await newUser('ann');
    for (const id of [randomUUID(), 'not-a-uuid']) {
      for (const [method, path, body] of [
        ['GET', `/groups/${id}`], ['PATCH', `/groups/${id}`, { description: 'x' }], ['DELETE', `/groups/${id}`],
        ['GET', `/groups/${id}/members`], ['PUT', `/groups/${id}/members/${ann.id}`], ['DELETE', `/groups/${id}/members/${ann.id}`],
        ['PUT', `/groups/${group.id}/members/${id}`], ['DELETE', `/groups/${group.id}/members/${id}`],
      ] as [string, string, unknown?][]) {
        const res = await api(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
    }
  });

  it('lets an auditor read but not change, an approver nothing, and hides the tenant from another tenant\'s admin', async () => {
    const { tenant, api, newUser } = await setup();
    const group = (await api('POST', '/groups', { name: 'real' })).body;
    const ann = await newUser('ann');
    const auditor = (await createAdminToken(db, tenant, 'reader', 'auditor')).token;
    const approver = (await createAdminToken(db, tenant, 'decider', 'approver')).token;
    const stranger = uniqueTenantId('grp');
    await createTenant(db, stranger);
    const foreign = (await createAdminToken(db, stranger, 'ops')).token;
    for (const path of ['/groups', `/groups/${group.id}`, `/groups/${group.id}/members`]) {
      expect((await api('GET', path, undefined, undefined, auditor)).status, path).toBe(200);
      expect((await api('GET', path, undefined, undefined, approver)).status, path).toBe(403);
      expect(await api('GET', path, undefined, undefined, foreign)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    }
    const writes: [string, string, unknown?][] = [
      ['POST', '/groups', { name: 'new' }], ['PATCH', `/groups/${group.id}`, { name: 'renamed' }], ['DELETE', `/groups/${group.id}`],
      ['PUT', `/groups/${group.id}/members/${ann.id}`], ['DELETE', `/groups/${group.id}/members/${ann.id}`],
    ];
    for (const [method, path, body] of writes) {
      expect((await api(method, path, body, undefined, auditor)).status, `auditor ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, undefined, approver)).status, `approver ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, undefined, foreign)).status, `foreign ${method} ${path}`).toBe(404);
    }
    expect((await api('GET', '/groups')).body.items).toEqual([expect.objectContaining({ name: 'real', members: 0 })]);
    expect(await auditOf(tenant, 'admin.groups.create')).toHaveLength(1);
  });
});

describe('tessera groups', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir') });
  const cli = async (args: string[]) => {
    const res = await runTessera(args, env());
    return { ...res, json: () => JSON.parse(res.stdout) };
  };

  it('creates, lists, shows, updates, manages members and deletes, each audited as the CLI', async () => {
    const { tenant, newUser } = await setup();
    const ann = await newUser('ann');
    const created = await cli(['groups', 'create', '--tenant', tenant, '--name', 'ops', '--description', 'Operators', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const group = created.json();
    expect(group).toMatchObject({ name: 'ops', description: 'Operators', role: null, members: 0 });

    const added = await cli(['groups', 'add-member', '--tenant', tenant, '--group', 'ops', '--user', ann.email!]);
    expect(added.code, added.stderr).toBe(0);
    expect((await cli(['groups', 'members', '--tenant', tenant, '--group', group.id, '--json'])).json()).toEqual([expect.objectContaining({ id: ann.id })]);
    expect((await cli(['groups', 'list', '--tenant', tenant, '--json'])).json()).toEqual([expect.objectContaining({ name: 'ops', members: 1 })]);

    const renamed = await cli(['groups', 'update', '--tenant', tenant, '--group', 'ops', '--name', 'operators', '--json']);
    expect(renamed.json()).toMatchObject({ id: group.id, name: 'operators', members: 1 });
    expect((await cli(['groups', 'show', '--tenant', tenant, '--group', 'operators'])).stdout).toMatch(/^name: operators$/m);
    const reserved = await cli(['groups', 'create', '--tenant', tenant, '--name', 'tessera-admins']);
    expect(reserved.code).toBe(2);
    const unknown = await cli(['groups', 'show', '--tenant', tenant, '--group', 'nothing']);
    expect(unknown.stderr.trim()).toBe(`tessera: no such group in tenant "${tenant}"`);

    expect((await cli(['groups', 'remove-member', '--tenant', tenant, '--group', 'operators', '--user', ann.id])).code).toBe(0);
    const again = await cli(['groups', 'remove-member', '--tenant', tenant, '--group', 'operators', '--email', ann.email!]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('tessera: the user is not a member of this group');
    expect((await cli(['groups', 'delete', '--tenant', tenant, '--group', 'operators'])).code).toBe(0);
    expect((await cli(['groups', 'list', '--tenant', tenant, '--json'])).json()).toEqual([]);

    const events = (await listAudit(db, tenant, 100)).filter((e) => e.type.startsWith('admin.groups.'));
    expect(events.map((e) => e.type).sort()).toEqual([
      'admin.groups.add-member', 'admin.groups.create', 'admin.groups.delete', 'admin.groups.remove-member', 'admin.groups.update',
    ]);
    for (const e of events) expect(e.actor).toMatch(/^cli:/);
  });
});
