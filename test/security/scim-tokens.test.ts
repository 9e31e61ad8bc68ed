// SCIM bearer tokens: only a live token of the tenant in the path opens /t/{tenant}/scim/v2.
// Missing, malformed, altered, revoked, another tenant's, and other kinds of Tessera tokens all get
// the same 401 with a SCIM error body and change nothing; a SCIM token opens nothing else (the
// management API) and cannot change a super-admin (whose reach is every tenant); only the token's
// sha256 is stored; and the token never reaches a response, the audit log, or anything the server
// writes to stdout/stderr.
import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser, getUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { logger } from '../../core/infra/logger.ts';
import { createScimToken, revokeScimToken } from '../../core/scim/scim-tokens.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { scimClient } from '../support/scim-client.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack();
const { db } = stack;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function tenantWithToken(name = 'idm') {
  const tenant = uniqueTenantId('scimsec');
  await createTenant(db, tenant);
  const { token } = await createScimToken(db, tenant, name);
  return { tenant, token };
}

const userCount = async (tenant: string) => (await db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${tenant}`)[0]!.n as number;

async function expect401(base: string, tenant: string, authorization: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/scim+json', ...(authorization !== undefined ? { authorization } : {}) };
  for (const [method, path, body] of [['GET', '/Users'], ['POST', '/Users', { schemas: [USER], userName: 'intruder' }], ['GET', '/Groups']] as const) {
    const res = await fetch(`${base}/t/${tenant}/scim/v2${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    expect(res.status, `${authorization} ${method} ${path}: ${text}`).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="scim"/);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(JSON.parse(text)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: expect.any(String) });
    const presented = authorization?.split(/\s+/)[1] ?? '';
    if (presented.length >= 8) expect(text).not.toContain(presented.slice(0, 20));
  }
}

describe('who may call SCIM', () => {
  let captured = '';
  const restore: (() => void)[] = [];
  beforeEach(() => {
    captured = '';
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        captured += String(chunk);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => { stream.write = write; });
    }
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { captured += args.map(String).join(' '); });
      restore.push(() => spy.mockRestore());
    }
    // The server logs through pino, which writes to the file descriptor rather than
    // process.stdout, and tests run below info: read every call to the logger whatever its level.
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
      const spy = vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => { captured += args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '); }) as never);
      restore.push(() => spy.mockRestore());
    }
  });
  afterAll(() => restore.forEach((r) => r()));

  it('refuses a missing or malformed Authorization, and an altered token', async () => {
    const { tenant, token } = await tenantWithToken();
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const authorization of [
      undefined, '', 'Bearer', 'Bearer ', `Basic ${Buffer.from(`x:${token}`).toString('base64')}`, `Token ${token}`,
      'Bearer tsc_short', `Bearer ${token.slice(0, -1)}${last}`, `Bearer ${token}x`, `Bearer ${token.slice(4)}`,
      `Bearer ${createHash('sha256').update(token).digest('hex')}`, `Bearer ${token} ${token}`, `Bearer ${'a'.repeat(5000)}`,
    ]) {
      await expect401(stack.url, tenant, authorization);
    }
    expect(await userCount(tenant)).toBe(0);
    // The real token works, in any case of the scheme name.
    expect((await fetch(`${stack.url}/t/${tenant}/scim/v2/Users`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
  });

  it('refuses another tenant\'s token, and changes nothing there', async () => {
    const a = await tenantWithToken();
    const b = await tenantWithToken();
    await expect401(stack.url, b.tenant, `Bearer ${a.token}`);
    await expect401(stack.url, a.tenant, `Bearer ${b.token}`);
    expect(await userCount(a.tenant)).toBe(0);
    expect(await userCount(b.tenant)).toBe(0);
    const created = await scimClient(stack.url, a.tenant, a.token)('POST', '/Users', { schemas: [USER], userName: 'mine' });
    expect(created.status).toBe(201);
    // Tenant B's token cannot read or change tenant A's user through B's endpoint either.
    expect((await scimClient(stack.url, b.tenant, b.token)('GET', `/Users/${created.body.id}`)).status).toBe(404);
    expect((await scimClient(stack.url, b.tenant, b.token)('DELETE', `/Users/${created.body.id}`)).status).toBe(404);
    expect(await userCount(a.tenant)).toBe(1);
  });

  it('refuses a revoked token at once', async () => {
    const { tenant, token } = await tenantWithToken('old');
    expect((await scimClient(stack.url, tenant, token)('GET', '/Users')).status).toBe(200);
    await revokeScimToken(db, tenant, 'old');
    await expect401(stack.url, tenant, `Bearer ${token}`);
    // A new token of the same name is a different token: the old one stays dead.
    const { token: fresh } = await createScimToken(db, tenant, 'old');
    expect((await scimClient(stack.url, tenant, fresh)('GET', '/Users')).status).toBe(200);
    await expect401(stack.url, tenant, `Bearer ${token}`);
  });

  it('keeps SCIM and admin tokens apart', async () => {
    const { tenant, token } = await tenantWithToken();
    const { token: adminToken } = await createAdminToken(db, tenant, 'ops');
    await expect401(stack.url, tenant, `Bearer ${adminToken}`);
    expect((await adminRequest(stack.url, tenant, token, 'GET', '/users')).status).toBe(401);
    expect((await adminRequest(stack.url, tenant, token, 'POST', '/scim-tokens', { name: 'more' })).status).toBe(401);
    // Discovery says nothing about the tenant's data and is open, like API documentation.
    expect((await fetch(`${stack.url}/t/${tenant}/scim/v2/ServiceProviderConfig`)).status).toBe(200);
  });

  it('cannot change or delete a super-admin: a tenant\'s token must not lend itself every tenant\'s reach', async () => {
    const { tenant, token } = await tenantWithToken();
    const root = await createUser(db, tenant, { username: 'root', email: 'root@example.com' });
    await grantRole(db, tenant, root.id, 'super-admin');
    const scim = scimClient(stack.url, tenant, token);
    const before = await scim('GET', `/Users/${root.id}`);
    expect(before.status).toBe(200);
    for (const [method, body] of [
      ['PATCH', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'password', value: 'a brand new passphrase 7' }] }],
      ['PATCH', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'attacker@example.com' }] }],
      ['PUT', { schemas: [USER], userName: 'root', emails: [{ value: 'attacker@example.com' }] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await scim(method, `/Users/${root.id}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
    }
    expect(await getUser(db, tenant, root.id)).toMatchObject({ email: 'root@example.com', status: 'active' });
    expect((await db`SELECT count(*)::int AS n FROM password_credentials WHERE tenant_id = ${tenant} AND user_id = ${root.id}`)[0]!.n).toBe(0);
    // A tenant-admin of the same tenant is within the token's reach.
    const admin = await createUser(db, tenant, { username: 'admin', email: 'admin@example.com' });
    await grantRole(db, tenant, admin.id, 'tenant-admin');
    expect((await scim('PATCH', `/Users/${admin.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200);
  });

  it('stores only the sha256, and never writes the token to a response, the audit log or the server\'s output', async () => {
    const { tenant, token } = await tenantWithToken('azure');
    const [row] = await db`SELECT * FROM scim_tokens WHERE tenant_id = ${tenant}`;
    expect(row!.hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token.slice(4, 24));

    const scim = scimClient(stack.url, tenant, token);
    const seen: string[] = [];
    const created = await scim('POST', '/Users', { schemas: [USER], userName: 'babs', password: 'a long enough passphrase 1', emails: [{ value: 'babs@example.com' }] });
    seen.push(JSON.stringify(created));
    seen.push(JSON.stringify(await scim('PATCH', `/Users/${created.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })));
    seen.push(JSON.stringify(await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: created.body.id }] })));
    seen.push(JSON.stringify(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`)));
    seen.push(JSON.stringify(await scim('DELETE', `/Users/${created.body.id}`)));
    seen.push(JSON.stringify(await scimClient(stack.url, tenant, `${token}x`)('GET', '/Users')));
    const audit = await db`SELECT * FROM audit_events WHERE tenant_id = ${tenant}`;
    expect(audit.length).toBeGreaterThanOrEqual(4);
    expect(audit.every((e) => e.actor === 'scim:azure')).toBe(true);
    const secret = token.slice(4);
    for (const where of [JSON.stringify(audit), captured, ...seen]) {
      expect(where).not.toContain(secret);
      expect(where).not.toContain(secret.slice(0, 16));
      expect(where).not.toContain('a long enough passphrase');
    }
  });
});
