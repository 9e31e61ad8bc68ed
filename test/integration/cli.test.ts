// The `tessera` CLI as separate processes with no instance running: against the shared test
// database (DATABASE_URL), and once against the PGlite files of an idle DATA_DIR.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { defaultLoginTree } from '../../core/journeys/default-trees.ts';

// Each command is a fresh Node process (~1 s on an idle 2-core machine, several under load).
// Commands that touch the database run one at a time: the PGlite socket server interleaves the
// extended-protocol messages of concurrent connections (electric-sql/pglite#1046).
vi.setConfig({ testTimeout: 180_000 });

let dir: string;
let env: Env;

beforeAll(async () => {
  dir = await tempDir('tessera-cli-');
  env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
});
afterAll(async () => {
  await killAll();
  await removeDir(dir);
});

/** Runs a command that must succeed; returns its stdout. */
async function ok(args: string[], extra: Env = {}): Promise<string> {
  const res = await runTessera(args, { ...env, ...extra });
  expect(res.code, `tessera ${args.join(' ')}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

async function json<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

/** Runs a command that must fail with one line on stderr; returns that line. */
async function refused(args: string[]): Promise<string> {
  const res = await runTessera(args, env);
  expect(res.code, `tessera ${args.join(' ')} should fail\n${res.stdout}`).not.toBe(0);
  const lines = res.stderr.trim().split('\n');
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tessera: /);
  return lines[0]!;
}

async function treeFile(content: unknown): Promise<string> {
  const path = join(dir, `tree-${randomBytes(4).toString('hex')}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('usage', () => {
  it('prints help and exits 0', async () => {
    const outputs = await Promise.all([['--help'], ['help'], []].map((args) => ok(args)));
    for (const out of outputs) expect(out).toMatch(/^Usage: tessera <command>/);
  });

  it('exits non-zero with one line for an unknown command, verb or flag', async () => {
    expect(await refused(['bogus'])).toMatch(/unknown command "bogus"/);
    expect(await refused(['tenants', 'destroy'])).toMatch(/unknown command "tenants destroy"/);
    expect(await refused(['tenants', 'list', '--no-such-flag'])).toMatch(/no-such-flag/);
    expect(await refused(['users', 'list'])).toMatch(/--tenant is required/);
  });
});

describe('tenants', () => {
  it('creates and lists tenants, and refuses a duplicate or malformed id', async () => {
    const id = uniqueTenantId('cli');
    expect(await json(['tenants', 'create', id, '--name', 'CLI Test'])).toMatchObject({ id, name: 'CLI Test' });
    const list = await json<{ id: string; name: string }[]>(['tenants', 'list']);
    expect(list).toContainEqual(expect.objectContaining({ id, name: 'CLI Test' }));
    expect(await ok(['tenants', 'list'])).toMatch(new RegExp(`^${id}\\s+CLI Test`, 'm'));
    expect(await refused(['tenants', 'create', id])).toBe(`tessera: tenant "${id}" already exists`);
    expect(await refused(['tenants', 'create', 'Not_Valid'])).toMatch(/tenant id must be/);
  });
});

describe('users', () => {
  let tenant: string;
  beforeAll(async () => {
    tenant = uniqueTenantId('cli');
    await ok(['tenants', 'create', tenant]);
  });

  it('creates, lists, shows, deactivates and activates a user', async () => {
    const created = await json(['users', 'create', '--tenant', tenant, '--email', 'Bob@Example.test', '--password', 'long-enough-pw', '--name', 'Bob']);
    expect(created).toMatchObject({ email: 'bob@example.test', name: 'Bob', status: 'active' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);

    const list = await json<{ id: string }[]>(['users', 'list', '--tenant', tenant]);
    expect(list.map((u) => u.id)).toEqual([created.id]);
    expect(await json(['users', 'show', '--tenant', tenant, '--email', 'bob@example.test'])).toMatchObject({ id: created.id, totp: 'none' });
    expect(await json(['users', 'show', '--tenant', tenant, '--id', created.id])).toMatchObject({ email: 'bob@example.test' });

    expect(await json(['users', 'deactivate', '--tenant', tenant, '--email', 'bob@example.test'])).toMatchObject({ id: created.id, status: 'disabled' });
    expect(await json(['users', 'show', '--tenant', tenant, 'bob@example.test'])).toMatchObject({ status: 'disabled' });
    expect(await json(['users', 'activate', '--tenant', tenant, '--id', created.id])).toMatchObject({ status: 'active' });
    expect(await json(['users', 'show', '--tenant', tenant, '--id', created.id])).toMatchObject({ status: 'active' });
  });

  it('refuses a weak password, a duplicate email, an unknown tenant or user, and changes nothing', async () => {
    const before = await json<unknown[]>(['users', 'list', '--tenant', tenant]);
    await ok(['users', 'create', '--tenant', tenant, '--email', 'dup@example.test', '--password', 'long-enough-pw']);
    expect(await refused(['users', 'create', '--tenant', tenant, '--email', 'weak@example.test', '--password', 'short'])).toMatch(/at least 8 characters/);
    expect(await refused(['users', 'create', '--tenant', tenant, '--email', 'DUP@example.test', '--password', 'another-long-pw'])).toMatch(/already exists/);
    expect(await refused(['users', 'create', '--tenant', uniqueTenantId('none'), '--email', 'x@example.test', '--password', 'long-enough-pw'])).toMatch(/no tenant/);
    expect(await refused(['users', 'show', '--tenant', tenant, '--email', 'nobody@example.test'])).toMatch(/no such user/);
    const after = await json<{ email: string }[]>(['users', 'list', '--tenant', tenant]);
    expect(after).toHaveLength(before.length + 1);
    expect(after.map((u) => u.email)).not.toContain('weak@example.test');
  });
});

describe('trees', () => {
  let tenant: string;
  let original: any;
  let listed: { name: string; version: number }[] = [];
  beforeAll(async () => {
    tenant = uniqueTenantId('cli');
    await ok(['tenants', 'create', tenant]);
    original = JSON.parse(await ok(['trees', 'export', 'login', '--tenant', tenant]));
  });

  /** The default login tree with `change` applied to a copy. */
  function variant(change: (tree: any) => void): any {
    const tree = structuredClone(original);
    delete tree.version;
    change(tree);
    return tree;
  }

  it('lists and exports the default login tree as version 1', async () => {
    const list = await json<{ name: string }[]>(['trees', 'list', '--tenant', tenant]);
    expect(list.filter((t) => t.name === 'login')).toEqual([expect.objectContaining({ name: 'login', version: 1, start: 'identify', nodes: Object.keys(defaultLoginTree.nodes).length })]);
    expect(original).toMatchObject({ name: 'login', version: 1, start: 'identify', nodes: { identify: { type: 'username' }, password: { type: 'password' } } });
  });

  it('imports a modified tree as version 2 and keeps version 1', async () => {
    const modified = variant((t) => { t.nodes.otp.config = { enroll: true }; });
    expect(await json(['trees', 'import', await treeFile(modified), '--tenant', tenant])).toEqual({ name: 'login', version: 2 });
    listed = await json(['trees', 'list', '--tenant', tenant]);
    expect(listed.filter((t) => t.name === 'login')).toEqual([expect.objectContaining({ name: 'login', version: 2 })]);
    expect(JSON.parse(await ok(['trees', 'export', 'login', '--tenant', tenant]))).toEqual({ ...modified, version: 2 });
    expect(JSON.parse(await ok(['trees', 'export', 'login', '--tenant', tenant, '--version', '1']))).toEqual(original);
    expect(await refused(['trees', 'export', 'login', '--tenant', tenant, '--version', '9'])).toMatch(/no tree "login" version 9/);
  });

  it.each([
    ['an unrouted outcome', (t: any) => { delete t.nodes.password.next.bad; }, /node "password": outcome "bad" is not routed/],
    ['an unreachable node', (t: any) => { t.nodes.orphan = { type: 'username', next: { ok: 'success' } }; }, /node "orphan": node is unreachable/],
    ['an unknown module type', (t: any) => { t.nodes.identify.type = 'fingerprint'; }, /node "identify": unknown module type "fingerprint"/],
    ['a config the module refuses', (t: any) => { t.nodes.otp.config = { enroll: 'yes' }; }, /node "otp": config: enroll/],
    ['a next pointing to an unknown node', (t: any) => { t.nodes.password.next.ok = 'nowhere'; }, /node "password": outcome "ok" goes to unknown node "nowhere"/],
  ])('refuses a tree with %s, naming the node', async (_what, change, message) => {
    const line = await refused(['trees', 'import', await treeFile(variant(change)), '--tenant', tenant]);
    expect(line).toMatch(/tree refused/);
    expect(line).toMatch(message);
  });

  it('refuses a malformed JSON file and a missing file', async () => {
    expect(await refused(['trees', 'import', await treeFile('{"name": "login", "nodes": '), '--tenant', tenant])).toMatch(/is not valid JSON/);
    expect(await refused(['trees', 'import', join(dir, 'missing.json'), '--tenant', tenant])).toMatch(/cannot read .*missing\.json/);
  });

  it('stored nothing for the refused imports', async () => {
    expect(await json(['trees', 'list', '--tenant', tenant])).toEqual(listed);
  });
});

describe('against the PGlite files of a DATA_DIR with nothing running', () => {
  it('creates a tenant that a second process then lists', async () => {
    const dataDir = join(dir, 'idle');
    const idle = { DATABASE_URL: undefined, DATA_DIR: dataDir };
    const id = uniqueTenantId('pglite');
    expect(JSON.parse(await ok(['tenants', 'create', id, '--json'], idle))).toMatchObject({ id });
    const list = JSON.parse(await ok(['tenants', 'list', '--json'], idle)) as { id: string }[];
    expect(list.map((t) => t.id)).toEqual([id]);
  });
});
