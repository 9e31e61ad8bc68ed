// The terms and profile modules through the Journey API, with terms versions and required profile
// attributes set by the `tessera` CLI run as a separate process against the same database.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { moduleCatalog } from '../../activities/registry.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { addTerms, TermsInputError } from '../../core/accounts/terms.ts';
import { termsCommand } from '../../bin/commands/terms.ts';
import { setRequiredAttributes } from '../../core/accounts/profile.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { validateTree } from '../../workflows/tree/validate.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { startServer, startWorker, tenantWithUser, testConfig, testDb, type RunningServer, type RunningWorker } from '../support/harness.ts';

const db = testDb();
const config = testConfig();
let server: RunningServer;
let worker: RunningWorker;
let dir: string;
let env: Env;

beforeAll(async () => {
  dir = await tempDir('tessera-terms-');
  env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
  [worker, server] = await Promise.all([startWorker(config, db), startServer(config, db)]);
});
afterAll(async () => {
  await killAll();
  await removeDir(dir);
  await server?.stop();
  await worker?.stop();
  await db.end();
});

async function cli(args: string[]): Promise<string> {
  const res = await runTessera(args, env);
  expect(res.code, `tessera ${args.join(' ')}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

async function cliRefused(args: string[]): Promise<string> {
  const res = await runTessera(args, env);
  expect(res.code, `tessera ${args.join(' ')} should fail`).not.toBe(0);
  expect(res.stderr.trim().split('\n')).toHaveLength(1);
  return res.stderr.trim();
}

const tree = (node: Tree['nodes'][string]): Tree => ({
  name: 'login', start: 'identify',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'extra', bad: 'failure' } },
    extra: node,
  },
});
const termsNode = { type: 'terms', next: { ok: 'success', declined: 'failure' } };
const profileNode = (config?: Record<string, unknown>) => ({ type: 'profile', ...(config ? { config } : {}), next: { ok: 'success' } });

/** Signs in up to the node after the password; returns the response there. */
async function afterPassword(tenant: string, login: string, password: string) {
  const api = new JourneyApi(server.url, tenant);
  expect((await api.start()).status).toBe(201);
  await api.submit({ username: login });
  return { api, res: await api.submit({ password }) };
}

describe('terms', () => {
  it('asks on first login, not on the second, and again after `terms add`', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await saveTree(db, tenant, tree(termsNode));
    expect((await afterPassword(tenant, login, password)).res.body.status).toBe('succeeded');

    const added = JSON.parse(await cli(['terms', 'add', '--tenant', tenant, '--url', 'https://example.com/tos/1', '--json']));
    expect(added).toMatchObject({ version: 1, title: 'Terms of Service', url: 'https://example.com/tos/1' });
    const first = await afterPassword(tenant, login, password);
    expect(first.res.body.step).toMatchObject({
      node: 'extra', type: 'form',
      fields: [{ name: 'accept', type: 'checkbox', required: true, label: 'I accept the Terms of Service (https://example.com/tos/1)' }],
    });
    expect((await first.api.submit({ accept: false })).status).toBe(400);
    expect((await first.api.submit({})).status).toBe(400);
    expect(await db`SELECT 1 FROM terms_acceptances WHERE tenant_id = ${tenant}`).toHaveLength(0);
    expect((await first.api.submit({ accept: true })).body.status).toBe('succeeded');
    expect(await db`SELECT version FROM terms_acceptances WHERE tenant_id = ${tenant} AND user_id = ${user.id}`).toEqual([{ version: 1 }]);

    expect((await afterPassword(tenant, login, password)).res.body.status).toBe('succeeded');

    await cli(['terms', 'add', '--tenant', tenant, '--url', 'https://example.com/tos/2', '--title', 'Privacy Terms']);
    const again = await afterPassword(tenant, login, password);
    expect(again.res.body.step.fields[0].label).toBe('I accept the Privacy Terms (https://example.com/tos/2)');
    expect((await again.api.submit({ accept: true })).body.status).toBe('succeeded');

    const list = JSON.parse(await cli(['terms', 'list', '--tenant', tenant, '--json']));
    expect(list.map((t: { version: number; title: string }) => [t.version, t.title])).toEqual([[1, 'Terms of Service'], [2, 'Privacy Terms']]);
  });

  it('keeps each tenant\'s terms to itself', async () => {
    const a = await tenantWithUser(db);
    const b = await tenantWithUser(db);
    await addTerms(db, a.tenant, 'https://a.example/tos');
    await saveTree(db, b.tenant, tree(termsNode));
    expect((await afterPassword(b.tenant, b.login, b.password)).res.body.status).toBe('succeeded');
  });

  it('refuses bad terms on the command line and changes nothing', async () => {
    const { tenant } = await tenantWithUser(db);
    expect(await cliRefused(['terms', 'add', '--tenant', tenant, '--url', 'javascript:alert(1)'])).toMatch(/https:\/\/ or http:\/\//);
    await expect(termsCommand(db, 'add', [], { tenant })).rejects.toThrow(/usage: tessera terms add/);
    await expect(addTerms(db, tenant, 'https://x.example', 'x'.repeat(201))).rejects.toThrow(TermsInputError);
    await expect(addTerms(db, tenant, 'not a url')).rejects.toThrow(/is not a URL/);
    await expect(termsCommand(db, 'add', [], { tenant: 'no-such-tenant', url: 'https://x.example' })).rejects.toThrow(/no tenant/);
    expect(await db`SELECT 1 FROM terms_versions WHERE tenant_id = ${tenant}`).toHaveLength(0);
  });
});

describe('profile', () => {
  it('asks for the missing required attributes, saves them, and does not ask again', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await saveTree(db, tenant, tree(profileNode()));
    expect(JSON.parse(await cli(['settings', 'profile', '--tenant', tenant, '--required', 'name,phone', '--json']))).toEqual({ tenant, required: ['name', 'phone'] });
    const first = await afterPassword(tenant, login, password);
    expect(first.res.body.step).toMatchObject({
      title: 'Complete your profile',
      fields: [
        { name: 'name', type: 'text', label: 'Full name', required: true, autocomplete: 'name', maxLength: 200 },
        { name: 'phone', type: 'text', label: 'Phone number', required: true, autocomplete: 'tel', maxLength: 200 },
      ],
    });
    expect((await first.api.submit({ name: 'Alice', phone: 'x'.repeat(201) })).status).toBe(400);
    expect((await first.api.submit({ name: 'Alice', phone: '1', email: 'evil@example.com' })).status).toBe(400);
    expect((await first.api.submit({ name: '  Alice Liddell ', phone: '+1 555\n0100' })).body.status).toBe('succeeded');
    const [row] = await db`SELECT name, email, attributes FROM users WHERE tenant_id = ${tenant} AND id = ${user.id}`;
    expect(row).toEqual({ name: 'Alice Liddell', email: login, attributes: { phone: '+1 555 0100' } });

    expect((await afterPassword(tenant, login, password)).res.body.status).toBe('succeeded');
  });

  it('asks only for what is missing, and nothing when nothing is', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, tree(profileNode()));
    expect((await afterPassword(tenant, login, password)).res.body.status).toBe('succeeded');

    await db`UPDATE users SET name = 'Bob' WHERE tenant_id = ${tenant}`;
    await setRequiredAttributes(db, tenant, ['name', 'team']);
    const step = (await afterPassword(tenant, login, password)).res.body.step;
    expect(step.fields.map((f: { name: string; label: string }) => [f.name, f.label])).toEqual([['team', 'Team']]);
  });

  it('lets the node choose its own fields instead of the tenant\'s', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await setRequiredAttributes(db, tenant, ['name']);
    await saveTree(db, tenant, tree(profileNode({ fields: ['company_size'] })));
    const { api, res } = await afterPassword(tenant, login, password);
    expect(res.body.step.fields.map((f: { name: string }) => f.name)).toEqual(['company_size']);
    expect((await api.submit({ company_size: '10' })).body.status).toBe('succeeded');
  });

  it('refuses bad attribute keys in settings and in trees', async () => {
    const { tenant } = await tenantWithUser(db);
    expect(await cliRefused(['settings', 'profile', '--tenant', tenant, '--required', 'name,Bad-Key'])).toMatch(/"Bad-Key" is not a valid attribute key/);
    await expect(setRequiredAttributes(db, tenant, ['email'])).rejects.toThrow(/"email" cannot be collected/);
    await expect(setRequiredAttributes(db, tenant, ['a', 'a'])).rejects.toThrow(/must not repeat/);
    const [row] = await db`SELECT settings FROM tenants WHERE id = ${tenant}`;
    expect(row?.settings).toEqual({});
    const check = validateTree(tree(profileNode({ fields: ['ok', '1bad'] })), moduleCatalog);
    expect(check.ok).toBe(false);
    expect(JSON.stringify(check)).toMatch(/extra.*1bad/);
  });
});
