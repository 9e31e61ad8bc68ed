// `tessera idps`: upstream identity providers per tenant, from flags or a JSON file. A bad
// definition is refused with one line naming the problem and writes nothing; the client secret
// is never printed back; one tenant's IdPs are not another's.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { getIdp } from '../../core/federation/identity-providers.ts';

vi.setConfig({ testTimeout: 180_000 });

const db = testDb();
let dir: string;
let env: Env;
const tenant = uniqueTenantId('idp');
const other = uniqueTenantId('idp');

beforeAll(async () => {
  dir = await tempDir('tessera-idps-');
  env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
  await createTenant(db, tenant);
  await createTenant(db, other);
});
afterAll(async () => {
  await killAll();
  await removeDir(dir);
  await db.end();
});

async function run(args: string[]) {
  return runTessera([...args, '--json'], env);
}

describe('tessera idps', () => {
  it('adds an OIDC IdP from flags and never prints its secret', async () => {
    const res = await run(['idps', 'add', '--tenant', tenant, '--alias', 'corp', '--issuer', 'https://login.corp.example',
      '--client-id', 'tessera', '--secret', 'very-secret-value', '--display-name', 'Corp SSO']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('very-secret-value');
    const shown = JSON.parse(res.stdout);
    expect(shown).toMatchObject({ alias: 'corp', kind: 'oidc', displayName: 'Corp SSO', oidc: { clientSecret: '(set)', scopes: ['openid', 'email', 'profile'] } });
    expect((await getIdp(db, tenant, 'corp'))?.oidc?.clientSecret).toBe('very-secret-value');
    expect(await getIdp(db, other, 'corp')).toBeUndefined();
  });

  it('adds a social preset with its defaults and provisioning from --set', async () => {
    const res = await run(['idps', 'add', '--tenant', tenant, '--preset', 'github', '--client-id', 'gh', '--secret', 's3cret',
      '--set', '{"provisioning":{"jit":false,"onUnknown":"register","linkByEmail":true}}']);
    expect(res.code, res.stderr).toBe(0);
    const idp = await getIdp(db, tenant, 'github');
    expect(idp).toMatchObject({ displayName: 'GitHub', oidc: { preset: 'github' }, provisioning: { jit: false, onUnknown: 'register' } });
  });

  it('refuses a bad definition with one line and writes nothing', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ kind: 'oidc', alias: 'Bad Alias', displayName: 'x', oidc: { issuer: 'not a url', clientId: 'c', scopes: ['openid'] } }));
    const res = await run(['idps', 'add', '--tenant', tenant, '--file', file]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/alias/);
    expect(res.stderr).toMatch(/issuer/);
    const rules = await run(['idps', 'add', '--tenant', tenant, '--alias', 'rules', '--issuer', 'https://x.example', '--client-id', 'c',
      '--set', '{"claimRules":[{"rename":{"from":"email","to":"sub"}}]}']);
    expect(rules.code).not.toBe(0);
    expect(rules.stderr).toMatch(/protected claim/);
    expect(await getIdp(db, tenant, 'rules')).toBeUndefined();
  });

  it('lists, disables and deletes', async () => {
    const list = await run(['idps', 'list', '--tenant', tenant]);
    expect(JSON.parse(list.stdout).map((i: { alias: string }) => i.alias)).toEqual(['corp', 'github']);
    expect((await run(['idps', 'disable', '--tenant', tenant, '--alias', 'corp'])).code).toBe(0);
    expect((await getIdp(db, tenant, 'corp'))?.enabled).toBe(false);
    expect((await run(['idps', 'delete', '--tenant', tenant, '--alias', 'corp'])).code).toBe(0);
    expect(await getIdp(db, tenant, 'corp')).toBeUndefined();
    expect((await run(['idps', 'delete', '--tenant', other, '--alias', 'github'])).code).not.toBe(0);
  });
});
