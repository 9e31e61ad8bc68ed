// Trees through the management API: list, latest, versions (newest first, paginated), one version,
// import as a new version (validated; errors name the node; nothing stored when refused; If-Match),
// the diff of two versions, role checks, the audit event of an import, and the CLI's `trees
// versions` and `trees diff` built on the same operations.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { getTree } from '../../core/journeys/trees.ts';
import { adminTenant, auditEvents, type Api } from '../support/admin-roles.ts';
import { killAll, removeDir, runTessera, tempDir } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
let tenant: string;
let api: Api;
let dir: string;
let login: any;
afterAll(async () => {
  await killAll();
  await removeDir(dir);
});

beforeAll(async () => {
  ({ tenant, api } = await adminTenant(db, () => stack.url, 'trees'));
  dir = await tempDir('tessera-trees-api-');
  login = (await getTree(db, tenant, 'login'))!.tree;
});

/** The default login tree with `change` applied to a copy (no name, no version: the path names it). */
function variant(change: (tree: any) => void): any {
  const { name: _n, version: _v, ...tree } = structuredClone(login);
  change(tree);
  return tree;
}

async function versionsOf(name: string): Promise<number[]> {
  return (await api('GET', `/trees/${name}/versions?limit=200`)).body.items.map((v: { version: number }) => v.version);
}

describe('reading trees', () => {
  it('lists the latest version of each tree by name, paginated', async () => {
    const all = await api('GET', '/trees');
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    const names = all.body.items.map((t: { name: string }) => t.name);
    expect(names).toEqual([...names].sort());
    expect(all.body.items.find((t: { name: string }) => t.name === 'login')).toEqual({
      name: 'login', version: 1, versions: 1, start: 'identify', nodes: Object.keys(login.nodes).length,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const first = await api('GET', '/trees?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await api('GET', `/trees?limit=200&cursor=${first.body.next}`);
    expect([...first.body.items, ...second.body.items].map((t: { name: string }) => t.name)).toEqual(names);
    expect((await api('GET', '/trees?cursor=nonsense')).status).toBe(400);
  });

  it('answers the latest definition with an ETag, and 404 for an unknown tree or version', async () => {
    const res = await api('GET', '/trees/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^W\//);
    expect(res.body).toMatchObject({ name: 'login', version: 1, tree: { ...login, version: 1 } });
    expect((await api('GET', '/trees/login/versions/1')).body.tree).toEqual(res.body.tree);
    for (const path of ['/trees/nope', '/trees/nope/versions', '/trees/login/versions/99', '/trees/login/versions/abc', '/trees/login/versions/99999999999', '/trees/login/diff?from=99']) {
      expect((await api('GET', path)).body.error?.code, path).toBe('not_found');
    }
  });
});

describe('importing a version', () => {
  it('stores a valid tree as the next version, the name filled in from the path; an audit event names the caller', async () => {
    const res = await api('POST', '/trees/login/versions', variant((t) => { t.nodes.otp.config = { enroll: true }; }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'login', version: 2, tree: { name: 'login', version: 2, nodes: { otp: { config: { enroll: true } } } } });
    expect((await getTree(db, tenant, 'login'))?.version).toBe(2);
    expect(await auditEvents(db, tenant, 'admin.trees.import')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: 'login', data: { name: 'login', version: 2 } }),
    ]);
  });

  it('refuses an invalid tree with errors naming the node, and stores nothing', async () => {
    const before = await versionsOf('login');
    const unrouted = await api('POST', '/trees/login/versions', variant((t) => { delete t.nodes.password.next.bad; t.nodes.orphan = { type: 'username', next: { ok: 'success' } }; }));
    expect(unrouted.status).toBe(400);
    expect(unrouted.body.error.code).toBe('invalid_tree');
    expect(unrouted.body.error.message).toMatch(/node "password": outcome "bad" is not routed/);
    expect(unrouted.body.errors).toEqual(expect.arrayContaining([{ node: 'password', message: 'outcome "bad" is not routed' }]));
    const unknownType = await api('POST', '/trees/login/versions', variant((t) => { t.nodes.identify.type = 'fingerprint'; }));
    expect(unknownType.body.errors).toEqual([{ node: 'identify', message: 'unknown module type "fingerprint"' }]);
    const mismatch = await api('POST', '/trees/login/versions', { ...variant(() => {}), name: 'other' });
    expect(mismatch).toMatchObject({ status: 400, body: { error: { code: 'name_mismatch' } } });
    const shape = await api('POST', '/trees/login/versions', { ...variant(() => {}), nodes: 'none' });
    expect(shape).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/body\.nodes/) } } });
    const extra = await api('POST', '/trees/login/versions', { ...variant(() => {}), owner: 'me' });
    expect(extra.status).toBe(400);
    const badName = await api('POST', '/trees/Bad_Name/versions', variant(() => {}));
    expect(badName.body.errors).toEqual([{ message: 'name must be lower-case letters, digits and dashes' }]);
    expect(await versionsOf('login')).toEqual(before);
  });

  it('honours If-Match: an import based on a stale version is refused with 412', async () => {
    const etag = (await api('GET', '/trees/login')).headers.get('etag')!;
    const fresh = await api('POST', '/trees/login/versions', variant((t) => { t.nodes.otp.config = { enroll: false }; }), { 'if-match': etag });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('etag')).toBe((await api('GET', '/trees/login')).headers.get('etag'));
    const stale = await api('POST', '/trees/login/versions', variant(() => {}), { 'if-match': etag });
    expect(stale).toMatchObject({ status: 412, body: { error: { code: 'precondition_failed' } } });
    expect(await versionsOf('login')).toEqual([3, 2, 1]);
  });

  it('creates a new tree as its version 1', async () => {
    const res = await api('POST', '/trees/second-factor/versions', { name: 'second-factor', start: 'otp', nodes: { otp: { type: 'totp', next: { ok: 'success', bad: 'failure', skip: 'failure' } } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.version).toBe(1);
  });
});

describe('versions and diffs', () => {
  it('lists versions newest first, a page at a time', async () => {
    const first = await api('GET', '/trees/login/versions?limit=2');
    expect(first.body.items).toEqual([
      { version: 3, start: 'identify', nodes: Object.keys(login.nodes).length, createdAt: expect.any(String), inFlight: 0 },
      expect.objectContaining({ version: 2 }),
    ]);
    const rest = await api('GET', `/trees/login/versions?limit=2&cursor=${first.body.next}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ version: 1 })], next: null, inFlightComplete: true });
  });

  it('diffs two versions, by default the latest against the one before', async () => {
    const diff = await api('GET', '/trees/login/diff?from=1&to=2');
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      name: 'login', from: 1, to: 2, start: null, acr: null, added: [], removed: [],
      changed: [{ node: 'otp', fields: [{ field: 'config.enroll', from: false, to: true }] }],
    });
    const latest = await api('GET', '/trees/login/diff');
    expect(latest.body).toMatchObject({ from: 2, to: 3, changed: [{ node: 'otp', fields: [{ field: 'config.enroll', from: true, to: false }] }] });
    expect((await api('GET', '/trees/login/diff?from=x')).status).toBe(400);
  });
});

describe('who may', () => {
  it('lets an auditor read but not import, an approver nothing, and hides the tenant from another tenant\'s admin', async () => {
    expect((await api('GET', '/trees/login/versions', undefined, undefined, 'audit')).status).toBe(200);
    expect((await api('GET', '/trees/login/diff', undefined, undefined, 'audit')).status).toBe(200);
    expect((await api('POST', '/trees/login/versions', variant(() => {}), undefined, 'audit')).status).toBe(403);
    expect((await api('GET', '/trees', undefined, undefined, 'appr')).status).toBe(403);
    expect((await api('POST', '/trees/login/versions', variant(() => {}), undefined, 'appr')).status).toBe(403);
    const stranger = await api('GET', '/trees/login', undefined, undefined, 'stranger');
    expect(stranger).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect((await api('POST', '/trees/login/versions', variant(() => {}), undefined, 'stranger')).status).toBe(404);
    expect(await versionsOf('login')).toEqual([3, 2, 1]);
  });
});

describe('tessera trees versions | diff', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') });

  it('lists the versions and shows a diff, as JSON and as text', async () => {
    const versions = await runTessera(['trees', 'versions', 'login', '--tenant', tenant, '--json'], env());
    expect(versions.code, versions.stderr).toBe(0);
    expect(JSON.parse(versions.stdout).map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const diff = await runTessera(['trees', 'diff', 'login', '--tenant', tenant, '--from', '1', '--to', '2', '--json'], env());
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout).changed).toEqual([{ node: 'otp', fields: [{ field: 'config.enroll', from: false, to: true }] }]);
    const text = await runTessera(['trees', 'diff', 'login', '--tenant', tenant, '--from', '1', '--to', '2'], env());
    expect(text.stdout).toContain('~ otp.config.enroll: false → true');
    const missing = await runTessera(['trees', 'diff', 'login', '--tenant', tenant, '--from', '9'], env());
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe(`tessera: no tree "login" in tenant "${tenant}"`);
    const bad = await runTessera(['trees', 'diff', 'login', '--tenant', tenant, '--from', 'one'], env());
    expect(bad.code).toBe(2);
  });

  it('records an import from the CLI as an audit event of the CLI user', async () => {
    const file = join(dir, 'mfa.json');
    await (await import('node:fs/promises')).writeFile(file, JSON.stringify({ name: 'second-factor', start: 'otp', nodes: { otp: { type: 'totp', next: { ok: 'success', bad: 'otp', skip: 'failure' } } } }));
    const res = await runTessera(['trees', 'import', file, '--tenant', tenant, '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ name: 'second-factor', version: 2 });
    const events = await auditEvents(db, tenant, 'admin.trees.import');
    expect(events.at(-1)).toMatchObject({ actor: expect.stringMatching(/^cli/), subject: 'second-factor', data: { version: 2 } });
  });
});
