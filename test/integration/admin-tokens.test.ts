// Admin tokens: stored only as sha256, shown once by `tessera admin-tokens create`, found by hash,
// scoped to their tenant, and dead once revoked; names are unique per tenant among live tokens.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { AdminTokenInputError, createAdminToken, findAdminToken, listAdminTokens, revokeAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';

vi.setConfig({ testTimeout: 180_000 });

const db = testDb();
afterAll(async () => {
  await killAll();
  await db.end();
});

async function newTenant(): Promise<string> {
  const tenant = uniqueTenantId('tok');
  await createTenant(db, tenant);
  return tenant;
}

describe('core/admin-tokens', () => {
  it('keeps only the hash, finds a live token by it, and forgets it once revoked', async () => {
    const tenant = await newTenant();
    const created = await createAdminToken(db, tenant, 'ops');
    expect(created.token).toMatch(/^tsa_[A-Za-z0-9_-]{43}$/);
    const [row] = await db`SELECT * FROM admin_tokens WHERE tenant_id = ${tenant}`;
    expect(row!.hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(4));

    expect(await findAdminToken(db, created.token)).toMatchObject({ tenant, name: 'ops', id: created.id });
    const [used] = await db`SELECT last_used_at FROM admin_tokens WHERE tenant_id = ${tenant}`;
    expect(used!.last_used_at).toBeInstanceOf(Date);
    // One character off, a prefix, or the bare hash: nothing.
    const last = created.token.at(-1) === 'A' ? 'B' : 'A';
    for (const wrong of [created.token.slice(0, -1) + last, created.token.slice(0, 20), row!.hash, '', `${created.token} `]) {
      expect(await findAdminToken(db, wrong), wrong).toBeUndefined();
    }

    expect(await revokeAdminToken(db, tenant, 'ops')).toBe(true);
    expect(await revokeAdminToken(db, tenant, 'ops')).toBe(false);
    expect(await findAdminToken(db, created.token)).toBeUndefined();
  });

  it('refuses a malformed or live duplicate name, and reuses a revoked one', async () => {
    const tenant = await newTenant();
    await expect(createAdminToken(db, tenant, 'has space')).rejects.toBeInstanceOf(AdminTokenInputError);
    await expect(createAdminToken(db, tenant, '')).rejects.toBeInstanceOf(AdminTokenInputError);
    const first = await createAdminToken(db, tenant, 'ci');
    await expect(createAdminToken(db, tenant, 'ci')).rejects.toThrow('an admin token named "ci" already exists');
    await revokeAdminToken(db, tenant, 'ci');
    const second = await createAdminToken(db, tenant, 'ci');
    expect(await findAdminToken(db, second.token)).toMatchObject({ name: 'ci' });
    expect(await findAdminToken(db, first.token)).toBeUndefined();
    expect((await listAdminTokens(db, tenant)).map((t) => t.name)).toEqual(['ci']);
    // Another tenant may use the same name.
    expect(await createAdminToken(db, await newTenant(), 'ci')).toMatchObject({ name: 'ci' });
  });
});

describe('tessera admin-tokens', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

  it('creates (printing the token once), lists without tokens, and revokes', async () => {
    const tenant = await newTenant();
    const created = await runTessera(['admin-tokens', 'create', '--tenant', tenant, '--name', 'deploy'], env());
    expect(created.code, created.stderr).toBe(0);
    const token = /^(tsa_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(token).toBeDefined();
    expect(await findAdminToken(db, token!)).toMatchObject({ tenant, name: 'deploy' });

    const list = await runTessera(['admin-tokens', 'list', '--tenant', tenant, '--json'], env());
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'deploy', status: 'active' })]);
    expect(list.stdout).not.toContain(token!.slice(4));

    const dup = await runTessera(['admin-tokens', 'create', '--tenant', tenant, '--name', 'deploy'], env());
    expect(dup.code).not.toBe(0);
    expect(dup.stderr.trim()).toBe('tessera: an admin token named "deploy" already exists');

    const revoked = await runTessera(['admin-tokens', 'revoke', '--tenant', tenant, '--name', 'deploy'], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await findAdminToken(db, token!)).toBeUndefined();
    const again = await runTessera(['admin-tokens', 'revoke', '--tenant', tenant, '--name', 'deploy'], env());
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toBe(`tessera: no active admin token named "deploy" in tenant "${tenant}"`);

    const events = (await listAudit(db, tenant)).map((e) => [e.type, e.actor, e.data]);
    expect(events).toEqual(expect.arrayContaining([
      ['admin.admin-tokens.create', expect.stringMatching(/^cli:/), expect.objectContaining({ role: 'tenant-admin' })],
      ['admin.admin-tokens.revoke', expect.stringMatching(/^cli:/), {}],
    ]));
    expect(JSON.stringify(await listAudit(db, tenant))).not.toContain(token!.slice(4));
  });

  it('creates a token limited to a role with --role, which the token then holds', async () => {
    const tenant = await newTenant();
    const created = await runTessera(['admin-tokens', 'create', '--tenant', tenant, '--name', 'reader', '--role', 'auditor', '--json'], env());
    expect(created.code, created.stderr).toBe(0);
    const shown = JSON.parse(created.stdout);
    expect(shown).toMatchObject({ name: 'reader', role: 'auditor', status: 'active' });
    expect(await findAdminToken(db, shown.token)).toMatchObject({ tenant, name: 'reader', role: 'auditor' });
    const listed = JSON.parse((await runTessera(['admin-tokens', 'list', '--tenant', tenant, '--json'], env())).stdout);
    expect(listed).toEqual([expect.objectContaining({ name: 'reader', role: 'auditor' })]);
    expect((await listAudit(db, tenant)).find((e) => e.type === 'admin.admin-tokens.create')).toMatchObject({ data: expect.objectContaining({ role: 'auditor' }) });
    const bad = await runTessera(['admin-tokens', 'create', '--tenant', tenant, '--name', 'owner', '--role', 'owner'], env());
    expect(bad.code).toBe(2);
    expect(await findAdminToken(db, shown.token)).toBeDefined();
  });

  it('lists every token, past the first page of 200', async () => {
    const tenant = await newTenant();
    for (let i = 0; i < 205; i += 41) await Promise.all(Array.from({ length: 41 }, (_, j) => createAdminToken(db, tenant, `bulk-${i + j}`)));
    const list = await runTessera(['admin-tokens', 'list', '--tenant', tenant, '--json'], env());
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(205);
  });

  it('needs a name and an existing tenant', async () => {
    const tenant = await newTenant();
    const noName = await runTessera(['admin-tokens', 'create', '--tenant', tenant], env());
    expect(noName.code).not.toBe(0);
    expect(noName.stderr.trim()).toBe('tessera: --name is required');
    const noTenant = await runTessera(['admin-tokens', 'list', '--tenant', uniqueTenantId('none')], env());
    expect(noTenant.code).not.toBe(0);
    expect(noTenant.stderr.trim()).toMatch(/^tessera: no tenant/);
  });
});
