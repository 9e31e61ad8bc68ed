// Who may call the management API: admin tokens limited to a role, access tokens of a tenant's
// own OIDC provider for its first-party clients, role groups granted through the API and the CLI,
// and the rule that a tenant the caller has no role in does not exist for it. Also the audit log
// read back, and `/api/admin/me`.
import * as jose from 'jose';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser, setUserStatus } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { ensureSigningKeys, signJwt } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { tenantWithUser, uniqueTenantId } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack();
const REDIRECT = 'https://rp.example/cb';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const { db } = stack;
afterAll(() => killAll());

async function call(method: string, path: string, bearer?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function newTenant(prefix: string) {
  const tenant = uniqueTenantId(prefix);
  await createTenant(db, tenant);
  return tenant;
}

/** A token of each role in `tenant`. */
async function tokens(tenant: string) {
  const [admin, auditor, approver] = await Promise.all([
    createAdminToken(db, tenant, 'admin'), createAdminToken(db, tenant, 'audit', 'auditor'), createAdminToken(db, tenant, 'approve', 'approver'),
  ]);
  return { admin: admin.token, auditor: auditor.token, approver: approver.token };
}

describe('roles of admin tokens', () => {
  it('lets each role do what it may: 403 for what its role forbids, 404 in a tenant it has no role in', async () => {
    const a = await newTenant('acc');
    const b = await newTenant('acc');
    const ta = await tokens(a);
    const tb = await tokens(b);
    const user = await createUser(db, a, { email: `pat@${a}.example` });

    // tenant-admin: everything in its tenant.
    expect((await call('GET', `/t/${a}/api/admin/roles`, ta.admin)).status).toBe(200);
    expect((await call('POST', `/t/${a}/api/admin/roles`, ta.admin, { role: 'auditor', userId: user.id })).status).toBe(200);
    // auditor: reads, including the audit log, and changes nothing.
    expect((await call('GET', `/t/${a}/api/admin/roles`, ta.auditor)).status).toBe(200);
    expect((await call('GET', `/t/${a}/api/admin/audit-events`, ta.auditor)).status).toBe(200);
    expect((await call('GET', `/t/${a}/api/admin/approvals`, ta.auditor)).status).toBe(200);
    const refused = await call('POST', `/t/${a}/api/admin/roles`, ta.auditor, { role: 'approver', userId: user.id });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await call('POST', `/t/${a}/api/admin/admin-tokens`, ta.auditor, { name: 'sneaky' })).status).toBe(403);
    // approver: approvals and invitations only.
    expect((await call('GET', `/t/${a}/api/admin/approvals`, ta.approver)).status).toBe(200);
    expect((await call('GET', `/t/${a}/api/admin/invitations`, ta.approver)).status).toBe(200);
    expect((await call('GET', `/t/${a}/api/admin/roles`, ta.approver)).status).toBe(403);
    expect((await call('GET', `/t/${a}/api/admin/audit-events`, ta.approver)).status).toBe(403);
    // Another tenant's admin: this tenant does not exist for it, whatever it asks.
    for (const [method, path] of [['GET', '/roles'], ['GET', '/approvals'], ['POST', '/admin-tokens'], ['GET', '/audit-events']] as const) {
      const res = await call(method, `/t/${a}/api/admin${path}`, tb.admin, method === 'POST' ? { name: 'x' } : undefined);
      expect(res, `${method} ${path}`).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    }
    // Nothing of the refused attempts happened.
    const grants = (await call('GET', `/t/${a}/api/admin/roles`, ta.admin)).body.items;
    expect(grants).toEqual([expect.objectContaining({ role: 'auditor', userId: user.id, group: 'tessera-auditor' })]);
    expect((await call('GET', `/t/${a}/api/admin/admin-tokens`, ta.admin)).body.items.map((t: { name: string }) => t.name).sort()).toEqual(['admin', 'approve', 'audit']);
  });

  it('revokes an admin token with DELETE /admin-tokens/{name}: it stops working at once, audited', async () => {
    const a = await newTenant('del');
    const { admin, auditor } = await tokens(a);
    const doomed = (await createAdminToken(db, a, 'doomed')).token;
    expect((await call('GET', `/t/${a}/api/admin/roles`, doomed)).status).toBe(200);
    expect((await call('DELETE', `/t/${a}/api/admin/admin-tokens/doomed`, auditor)).status).toBe(403);
    expect((await call('DELETE', `/t/${a}/api/admin/admin-tokens/doomed`, admin)).status).toBe(204);
    expect((await call('GET', `/t/${a}/api/admin/roles`, doomed)).status).toBe(401);
    expect((await call('DELETE', `/t/${a}/api/admin/admin-tokens/doomed`, admin)).status).toBe(404);
    const listed = (await call('GET', `/t/${a}/api/admin/admin-tokens`, admin)).body.items as { name: string; status: string }[];
    expect(listed.filter((t) => t.status === 'active').map((t) => t.name).sort()).toEqual(['admin', 'approve', 'audit']);
    const events = (await call('GET', `/t/${a}/api/admin/audit-events?type=admin.admin-tokens.revoke`, admin)).body.items;
    expect(events).toEqual([expect.objectContaining({ actor: 'admin:admin', subject: 'doomed' })]);
    // Another tenant's admin cannot reach it.
    const b = await newTenant('del');
    const kept = (await createAdminToken(db, a, 'kept')).token;
    expect((await call('DELETE', `/t/${a}/api/admin/admin-tokens/kept`, (await tokens(b)).admin)).status).toBe(404);
    expect((await call('GET', `/t/${a}/api/admin/roles`, kept)).status).toBe(200);
  });

  it('keeps super-admin to super-admins, and lets a super-admin token reach every tenant', async () => {
    const a = await newTenant('sup');
    const b = await newTenant('sup');
    const { admin } = await tokens(a);
    const user = await createUser(db, a, { email: `root@${a}.example` });
    expect((await call('POST', `/t/${a}/api/admin/roles`, admin, { role: 'super-admin', userId: user.id })).status).toBe(403);
    expect((await call('POST', `/t/${a}/api/admin/admin-tokens`, admin, { name: 'root', role: 'super-admin' })).status).toBe(403);

    const root = (await createAdminToken(db, a, 'root', 'super-admin')).token;
    expect((await call('GET', `/t/${b}/api/admin/roles`, root)).status).toBe(200);
    const made = await call('POST', `/t/${a}/api/admin/roles`, root, { role: 'super-admin', email: `root@${a}.example` });
    expect(made).toMatchObject({ status: 200, body: { role: 'super-admin', userId: user.id, granted: true } });
    const me = await call('GET', '/api/admin/me', root);
    expect(me.body).toMatchObject({ actor: 'admin:root', superAdmin: true });
    expect(me.body.tenants.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([a, b]));
    const mine = await call('GET', '/api/admin/me', admin);
    expect(mine.body).toMatchObject({ superAdmin: false, tenants: [{ id: a, roles: ['tenant-admin'] }] });
  });

  it('lets only a super-admin change a user who holds super-admin (a tenant-admin would gain their reach)', async () => {
    const a = await newTenant('sup');
    const { admin } = await tokens(a);
    const root = (await createAdminToken(db, a, 'root', 'super-admin')).token;
    const boss = await createUser(db, a, { email: `boss@${a}.example`, username: 'boss' });
    const plain = await createUser(db, a, { email: `plain@${a}.example`, username: 'plain' });
    await grantRole(db, a, boss.id, 'super-admin');
    const writes: Array<[string, string, unknown?]> = [
      ['PATCH', `/users/${boss.id}`, { email: `mine@${a}.example` }],
      ['PUT', `/users/${boss.id}/password`, { password: 'a fresh long passphrase 42' }],
      ['POST', `/users/${boss.id}/password-reset`, {}],
      ['DELETE', `/users/${boss.id}/totp`],
      ['DELETE', `/users/${boss.id}/sessions`],
      ['DELETE', `/users/${boss.id}`],
    ];
    for (const [method, path, body] of writes) {
      const refused = await call(method, `/t/${a}/api/admin${path}`, admin, body);
      expect(refused, `${method} ${path}`).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect((await call('GET', `/t/${a}/api/admin/users/${boss.id}`, admin)).body).toMatchObject({ email: `boss@${a}.example` });
    // The same tenant-admin still manages everyone else, and a super-admin manages the super-admin.
    expect((await call('PATCH', `/t/${a}/api/admin/users/${plain.id}`, admin, { name: 'Plain' })).status).toBe(200);
    expect((await call('PATCH', `/t/${a}/api/admin/users/${boss.id}`, root, { name: 'Boss' })).status).toBe(200);
  });

  it('refuses bad input with the schema\'s message and changes nothing', async () => {
    const a = await newTenant('bad');
    const { admin } = await tokens(a);
    for (const body of [{}, { role: 'owner', email: 'x@y.z' }, { role: 'auditor' }, { role: 'auditor', email: 'x@y.z', userId: 'u' }, { role: 'auditor', email: 'x@y.z', extra: 1 }]) {
      const res = await call('POST', `/t/${a}/api/admin/roles`, admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/body/) });
    }
    expect((await call('POST', `/t/${a}/api/admin/roles`, admin, { role: 'auditor', email: 'nobody@example.com' })).status).toBe(404);
    expect((await call('DELETE', `/t/${a}/api/admin/roles/auditor/users/not-a-uuid`, admin)).status).toBe(404);
    expect((await call('GET', `/t/${a}/api/admin/audit-events?limit=0`, admin)).status).toBe(400);
    expect((await call('GET', `/t/${a}/api/admin/audit-events?cursor=bogus`, admin)).body.error.message).toMatch(/cursor/);
    const raw = await fetch(`${stack.url}/t/${a}/api/admin/roles`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, body: 'x' });
    expect(raw.status).toBe(415);
    expect((await call('GET', `/t/${a}/api/admin/roles`, admin)).body.items).toEqual([]);
  });
});

describe('access tokens of a tenant\'s own OIDC provider', () => {
  async function setup() {
    const tenant = await newTenant('oidc');
    await ensureSigningKeys(db, tenant);
    const console = await createOidcClient(db, tenant, { client_name: 'Console', public: true, first_party: true, redirect_uris: ['http://localhost/cb'] });
    const thirdParty = await createOidcClient(db, tenant, { client_name: 'App', public: true, redirect_uris: ['http://localhost/cb'] });
    const user = await createUser(db, tenant, { email: `ada@${tenant}.example` });
    await grantRole(db, tenant, user.id, 'tenant-admin');
    const issuer = `${stack.config.publicUrl}/t/${tenant}`;
    const audience = `${stack.config.publicUrl}/api/admin`;
    const token = (claims: Record<string, unknown> = {}, typ = 'at+jwt') => signJwt(db, tenant, {
      iss: issuer, aud: audience, sub: user.id, client_id: console.clientId, exp: Math.floor(Date.now() / 1000) + 300, iat: Math.floor(Date.now() / 1000), ...claims,
    }, { typ });
    return { tenant, user, token, thirdParty, console };
  }

  it('accepts a first-party client\'s token for the admin API, with the user\'s role groups', async () => {
    const { tenant, user, token } = await setup();
    const res = await call('GET', `/t/${tenant}/api/admin/roles`, await token());
    expect(res.status).toBe(200);
    const me = await call('GET', '/api/admin/me', await token());
    expect(me.body).toMatchObject({ actor: `user:${tenant}/${user.id}`, tenants: [{ id: tenant, roles: ['tenant-admin'] }] });
    // The change is recorded as that user's.
    await call('POST', `/t/${tenant}/api/admin/admin-tokens`, await token(), { name: 'made-by-ada', role: 'auditor' });
    const events = await call('GET', `/t/${tenant}/api/admin/audit-events?type=admin.admin-tokens.create`, await token());
    expect(events.body.items).toEqual([expect.objectContaining({ actor: `user:${tenant}/${user.id}`, subject: 'made-by-ada' })]);
  });

  it('refuses another audience, a third-party client, an ID token, an expired token, a disabled user or a user without a role', async () => {
    const { tenant, user, token, thirdParty } = await setup();
    const cases: [string, Promise<string>][] = [
      ['another audience', token({ aud: `${stack.config.publicUrl}/t/${tenant}` })],
      ['a third-party client', token({ client_id: thirdParty.clientId })],
      ['an ID token', token({}, 'JWT')],
      ['an expired token', token({ exp: Math.floor(Date.now() / 1000) - 60 })],
      ['another issuer', token({ iss: `${stack.config.publicUrl}/t/elsewhere` })],
    ];
    for (const [what, presented] of cases) {
      const res = await call('GET', `/t/${tenant}/api/admin/roles`, await presented);
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/invalid_token/);
    }
    const other = await createUser(db, tenant, { email: `eve@${tenant}.example` });
    expect((await call('GET', `/t/${tenant}/api/admin/roles`, await token({ sub: other.id }))).status).toBe(404);
    await setUserStatus(db, tenant, user.id, 'disabled');
    expect((await call('GET', `/t/${tenant}/api/admin/roles`, await token())).status).toBe(401);
  });
});

describe('the audit log', () => {
  it('is queried by type (exact or prefix), subject, time range and pages with a cursor', async () => {
    const tenant = await newTenant('aud');
    const { admin } = await tokens(tenant);
    const users = await Promise.all([1, 2, 3].map((n) => createUser(db, tenant, { email: `u${n}@${tenant}.example` })));
    const before = new Date().toISOString();
    for (const u of users) await call('POST', `/t/${tenant}/api/admin/roles`, admin, { role: 'approver', userId: u.id });
    await call('DELETE', `/t/${tenant}/api/admin/roles/approver/users/${users[0]!.id}`, admin);
    const q = async (query: string) => (await call('GET', `/t/${tenant}/api/admin/audit-events?${query}`, admin)).body;

    expect((await q('type=admin.roles.grant')).items).toHaveLength(3);
    expect((await q('type=admin.roles.')).items.map((e: { type: string }) => e.type)).toEqual(['admin.roles.revoke', 'admin.roles.grant', 'admin.roles.grant', 'admin.roles.grant']);
    expect((await q(`subject=${users[0]!.id}`)).items.map((e: { type: string }) => e.type)).toEqual(['admin.roles.revoke', 'admin.roles.grant']);
    expect((await q(`type=admin.roles.*&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);
    expect((await q(`type=admin.roles.*&from=${encodeURIComponent(before)}`)).items).toHaveLength(4);
    expect((await q('type=admin.roles.grant')).items[0]).toMatchObject({ actor: 'admin:admin', data: { role: 'approver' } });

    const first = await q('type=admin.roles.*&limit=3');
    expect(first.items).toHaveLength(3);
    const second = await q(`type=admin.roles.*&limit=3&cursor=${first.next}`);
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(new Set([...first.items, ...second.items].map((e: { id: string }) => e.id)).size).toBe(4);
  });

  it('is queried by client (admin changes, token exchanges, journeys it started) and by journey id', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const { admin } = await tokens(tenant);
    const q = async (query: string) => (await call('GET', `/t/${tenant}/api/admin/audit-events?${query}`, admin)).body.items as
      { type: string; journeyId: string | null; data: Record<string, unknown> }[];
    const ci = await jose.generateKeyPair('ES256', { extractable: true });
    const ciPublic = { ...await jose.exportJWK(ci.publicKey), kid: 'ci-1', alg: 'ES256' };
    const external = { issuer: 'https://ci.example.org', subject: 'repo:acme', jwks: { keys: [ciPublic] } };
    const secrets: Record<string, string> = {};
    for (const body of [
      { client_id: 'web', redirect_uris: [REDIRECT], first_party: true },
      { client_id: 'api-reports', grant_types: ['client_credentials'] },
      { client_id: 'deployer', grant_types: [EXCHANGE], token_exchange: { audiences: ['api-reports'], external: [external] } },
    ]) {
      const made = await call('POST', `/t/${tenant}/api/admin/clients`, admin, body);
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      secrets[body.client_id] = made.body.client_secret;
    }
    expect((await call('PATCH', `/t/${tenant}/api/admin/clients/web`, admin, { client_name: 'Web' })).status).toBe(200);

    // A token exchange by deployer (an external CI token for a service token).
    const now = Math.floor(Date.now() / 1000);
    const ciToken = await new jose.SignJWT({ iss: external.issuer, sub: external.subject, aud: 'deployer', iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'ES256', kid: 'ci-1' }).sign(ci.privateKey);
    const exchanged = await fetch(`${stack.url}/t/${tenant}/oidc/token`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from(`deployer:${secrets.deployer}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: EXCHANGE, subject_token: ciToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', audience: 'api-reports',
      }),
    });
    expect(exchanged.status, await exchanged.clone().text()).toBe(200);

    // A sign-in that web started: its journey's end names web.
    const browser = new OidcBrowser(stack.url, tenant);
    const authorize = `${stack.url}/t/${tenant}/oidc/auth?${new URLSearchParams({
      client_id: 'web', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`;
    const started = await browser.follow(authorize);
    if (started.kind !== 'journey') throw new Error(`expected a journey, got ${started.kind}`);
    expect((await browser.completeJourney({ username: login, password })).kind).toBe('callback');

    await vi.waitFor(async () => expect((await q('client=web')).map((e) => e.type)).toEqual(['journey.succeeded', 'admin.clients.update', 'admin.clients.create']), { timeout: 10_000 });
    expect((await q('client=web'))[0]).toMatchObject({ journeyId: started.id, data: { client: 'web' } });
    expect((await q('client=deployer')).map((e) => e.type)).toEqual(['token.exchanged', 'admin.clients.create']);
    expect((await q('client=api-reports')).map((e) => e.type)).toEqual(['admin.clients.create']);
    expect(await q('client=nobody')).toEqual([]);

    const ofJourney = await q(`journeyId=${encodeURIComponent(started.id)}`);
    expect(ofJourney.length).toBeGreaterThan(0);
    expect(ofJourney.every((e) => e.journeyId === started.id)).toBe(true);
    expect(ofJourney.map((e) => e.type)).toContain('journey.succeeded');
    expect(await q('journeyId=no-such-journey')).toEqual([]);
  });
});

describe('tessera roles', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

  it('lists and revokes roles past the first page of 200', async () => {
    const tenant = await newTenant('clp');
    for (let i = 0; i < 205; i += 41) {
      await Promise.all(Array.from({ length: 41 }, async (_, j) => {
        const user = await createUser(db, tenant, { email: `u${String(i + j).padStart(3, '0')}@${tenant}.example` });
        await grantRole(db, tenant, user.id, 'auditor');
      }));
    }
    const listed = async () => JSON.parse((await runTessera(['roles', 'list', '--tenant', tenant, '--role', 'auditor', '--json'], env())).stdout) as { email: string }[];
    const all = await listed();
    expect(all).toHaveLength(205);
    const last = all.at(-1)!.email;
    const revoked = await runTessera(['roles', 'revoke', '--tenant', tenant, '--email', last, '--role', 'auditor'], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await listed();
    expect(after).toHaveLength(204);
    expect(after.map((g) => g.email)).not.toContain(last);
  });

  it('grants, lists and revokes a role, each an audit event naming the CLI', async () => {
    const tenant = await newTenant('clr');
    await createUser(db, tenant, { email: `sam@${tenant}.example` });
    const granted = await runTessera(['roles', 'grant', '--tenant', tenant, '--email', `sam@${tenant}.example`, '--role', 'approver', '--json'], env());
    expect(granted.code, granted.stderr).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ role: 'approver', granted: true });
    const list = await runTessera(['roles', 'list', '--tenant', tenant], env());
    expect(list.stdout).toMatch(new RegExp(`approver\\s+sam@${tenant}\\.example`));
    const revoked = await runTessera(['roles', 'revoke', '--tenant', tenant, '--email', `sam@${tenant}.example`, '--role', 'approver'], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await runTessera(['roles', 'revoke', '--tenant', tenant, '--email', `sam@${tenant}.example`, '--role', 'approver'], env());
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await runTessera(['roles', 'grant', '--tenant', tenant, '--email', `sam@${tenant}.example`, '--role', 'owner'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/role/);

    const audit = await runTessera(['audit', 'list', '--tenant', tenant, '--type', 'admin.roles.*', '--json'], env());
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout).map((e: { type: string; actor: string }) => [e.type, e.actor.startsWith('cli:')])).toEqual([
      ['admin.roles.revoke', true], ['admin.roles.grant', true],
    ]);
    // The API's other filters: actor, a time range (from inclusive, to exclusive), and bad input refused.
    const events = JSON.parse(audit.stdout) as { at: string; actor: string }[];
    const byActor = await runTessera(['audit', 'list', '--tenant', tenant, '--type', 'admin.roles.*', '--actor', events[0]!.actor, '--json'], env());
    expect(JSON.parse(byActor.stdout)).toHaveLength(2);
    const nobody = await runTessera(['audit', 'list', '--tenant', tenant, '--type', 'admin.roles.*', '--actor', 'admin:nobody', '--json'], env());
    expect(JSON.parse(nobody.stdout)).toEqual([]);
    const later = await runTessera(['audit', 'list', '--tenant', tenant, '--type', 'admin.roles.*', '--from', new Date(Date.parse(events[0]!.at) + 1).toISOString(), '--json'], env());
    expect(JSON.parse(later.stdout)).toEqual([]);
    const before = await runTessera(['audit', 'list', '--tenant', tenant, '--type', 'admin.roles.*', '--to', events[0]!.at, '--json'], env());
    expect(JSON.parse(before.stdout).map((e: { type: string }) => e.type)).toEqual(events[0]!.at === events[1]!.at ? [] : ['admin.roles.grant']);
    const badRange = await runTessera(['audit', 'list', '--tenant', tenant, '--from', 'yesterday'], env());
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toMatch(/from/);
  });
});
