// Tenants through the management API (global scope, /api/admin/tenants) against the real server,
// Temporal and database: create (super-admin only, audited in the new tenant), list (only the
// tenants the caller may see), get, PATCH of partial settings (checked whole, 412 on a stale
// If-Match), delete (super-admin only, never the caller's own tenant); the SMTP URL never answered
// or audited, and each tenant's mail through its own SMTP server; the login page's branding; and
// the `tessera tenants|settings` commands as clients of the same operations.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createTenant, getTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { bodyOf } from '../support/response-body.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const defaultSink: SmtpSink = await startSmtpSink();
const ownSink: SmtpSink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: defaultSink.url }, onClose: () => Promise.all([defaultSink.close(), ownSink.close()]) });
const { db } = stack;
afterAll(() => killAll());

interface Res { status: number; body: any; headers: Headers }

async function global(token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const all: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}/api/admin${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await bodyOf(res), headers: res.headers };
}

const audit = async (tenant: string, type: string) => (await listAudit(db, tenant, 200)).filter((e) => e.type === type);

let home: string;
let root: string;
beforeAll(async () => {
  home = uniqueTenantId('home');
  await createTenant(db, home);
  root = (await createAdminToken(db, home, 'root', 'super-admin')).token;
});

/** A tenant with one token of each role, named after the role. */
async function tenantWithRoles() {
  const tenant = uniqueTenantId('ten');
  await createTenant(db, tenant, 'Acme Corp');
  const [admin, auditor, approver] = await Promise.all([
    createAdminToken(db, tenant, 'ops', 'tenant-admin'), createAdminToken(db, tenant, 'aud', 'auditor'), createAdminToken(db, tenant, 'appr', 'approver'),
  ]);
  return { tenant, admin: admin.token, auditor: auditor.token, approver: approver.token };
}

describe('POST /api/admin/tenants', () => {
  it('creates a tenant with its settings (super-admin), audited in the new tenant', async () => {
    const id = uniqueTenantId('new');
    const res = await global(root, 'POST', '/tenants', { id, name: 'New Co', settings: { branding: { colors: { primary: '#112233' } }, registration: { inviteOnly: true } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      id, name: 'New Co',
      settings: {
        branding: { logoUrl: null, colors: { primary: '#112233', background: null, text: null } },
        registration: { inviteOnly: true, enabled: true, password: { minLength: 8, breachedCheck: true } },
        profile: { required: [] }, legacy: { allowedNext: [], tokenTtl: '30d' }, smtp: { configured: false, host: null, from: null },
      },
    });
    expect(await audit(id, 'admin.tenants.create')).toEqual([expect.objectContaining({ actor: 'admin:root', subject: id })]);
    expect((await global(root, 'POST', '/tenants', { id })).body.error).toMatchObject({ code: 'tenant_exists' });
  });

  it('refuses bad input, and anyone but a super-admin, creating nothing', async () => {
    const { admin } = await tenantWithRoles();
    const id = uniqueTenantId('nope');
    for (const body of [{ id: 'Not_Valid' }, { id, extra: 1 }, { id, settings: { branding: { colors: { primary: 'red' } } } }, { id, name: 'x'.repeat(201) }]) {
      const res = await global(root, 'POST', '/tenants', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await global(root, 'POST', '/tenants', { id, settings: { branding: { colors: { primary: 'red' } } } })).body.error.message).toMatch(/body\.settings\.branding\.colors\.primary: must be a colour/);
    expect((await global(admin, 'POST', '/tenants', { id })).status).toBe(403);
    expect((await global(undefined, 'POST', '/tenants', { id })).status).toBe(401);
    expect(await getTenant(db, id)).toBeUndefined();
  });
});

describe('GET /api/admin/tenants', () => {
  it('lists every tenant for a super-admin (paginated, ?q=), only its own for others, none for an approver', async () => {
    const a = await tenantWithRoles();
    const b = await tenantWithRoles();
    const all = await global(root, 'GET', `/tenants?q=${a.tenant.slice(0, 4)}&limit=200`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([a.tenant, b.tenant]));
    expect((await global(root, 'GET', `/tenants?q=${a.tenant}`)).body).toEqual({ items: [{ id: a.tenant, name: 'Acme Corp', createdAt: expect.any(String) }], next: null });
    expect((await global(root, 'GET', '/tenants?q=ACME%20CORP&limit=200')).body.items.map((t: { id: string }) => t.id)).toContain(b.tenant);

    const first = await global(root, 'GET', '/tenants?limit=1');
    const second = await global(root, 'GET', `/tenants?limit=1&cursor=${first.body.next}`);
    expect(second.body.items[0].id > first.body.items[0].id).toBe(true);
    expect((await global(root, 'GET', '/tenants?cursor=bogus')).status).toBe(400);

    expect((await global(a.admin, 'GET', '/tenants')).body.items.map((t: { id: string }) => t.id)).toEqual([a.tenant]);
    expect((await global(a.auditor, 'GET', '/tenants')).body.items.map((t: { id: string }) => t.id)).toEqual([a.tenant]);
    expect((await global(a.approver, 'GET', '/tenants')).body.items).toEqual([]);
  });
});

describe('GET and PATCH /api/admin/tenants/{id}', () => {
  it('answers its tenant to its admins and auditors; 403 to an approver, 404 to other tenants and for unknown ids', async () => {
    const a = await tenantWithRoles();
    const b = await tenantWithRoles();
    const got = await global(a.auditor, 'GET', `/tenants/${a.tenant}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toMatch(/^W\//);
    expect(got.body).toMatchObject({ id: a.tenant, name: 'Acme Corp', settings: { registration: { moderation: { enabled: false } } } });
    expect((await global(a.approver, 'GET', `/tenants/${a.tenant}`)).status).toBe(403);
    expect((await global(b.admin, 'GET', `/tenants/${a.tenant}`)).body.error).toMatchObject({ code: 'tenant_not_found' });
    expect((await global(b.admin, 'PATCH', `/tenants/${a.tenant}`, { name: 'Hijacked' })).status).toBe(404);
    expect((await global(root, 'GET', '/tenants/no-such-tenant-x')).status).toBe(404);
    expect((await global(root, 'GET', '/tenants/NOT%20AN%20ID')).status).toBe(404);
    expect((await global(root, 'PATCH', '/tenants/no-such-tenant-x', { name: 'x' })).status).toBe(404);
  });

  it('merges partial settings, checks them whole, refuses a stale If-Match, and audits the change', async () => {
    const { tenant, admin, auditor } = await tenantWithRoles();
    const before = await global(admin, 'GET', `/tenants/${tenant}`);
    const patch = {
      name: 'Acme Inc',
      settings: {
        branding: { logoUrl: 'https://cdn.example/logo.png', colors: { primary: '#0055ff', text: '#111111' } },
        registration: { moderation: { enabled: true, notify: ['ops@acme.example'] }, password: { minLength: 12 }, autoVerify: ['@acme\\.example$'] },
        profile: { required: ['name', 'phone'] },
        legacy: { allowedNext: ['HTTPS://App.Acme.Example/'] },
      },
    };
    const res = await global(admin, 'PATCH', `/tenants/${tenant}`, patch, { 'if-match': before.headers.get('etag')! });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Acme Inc',
      settings: {
        branding: { logoUrl: 'https://cdn.example/logo.png', colors: { primary: '#0055ff', background: null, text: '#111111' } },
        registration: { moderation: { enabled: true, notify: ['ops@acme.example'], deadline: '7d' }, password: { minLength: 12, breachedCheck: true }, autoVerify: ['@acme\\.example$'] },
        profile: { required: ['name', 'phone'] },
        legacy: { allowedNext: ['https://app.acme.example/'], tokenTtl: '30d' },
      },
    });
    expect(res.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(await audit(tenant, 'admin.tenants.update')).toEqual([expect.objectContaining({
      actor: 'admin:ops', subject: tenant, data: { fields: ['name', 'settings.branding', 'settings.registration', 'settings.profile', 'settings.legacy'] },
    })]);

    // One level deep: other colours and moderation fields stay.
    const again = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { branding: { colors: { background: '#ffffff' } }, registration: { moderation: { deadline: '3d' } } } });
    expect(again.body.settings.branding.colors).toEqual({ primary: '#0055ff', background: '#ffffff', text: '#111111' });
    expect(again.body.settings.registration.moderation).toMatchObject({ enabled: true, notify: ['ops@acme.example'], deadline: '3d' });

    const stale = await global(admin, 'PATCH', `/tenants/${tenant}`, { name: 'Stale' }, { 'if-match': before.headers.get('etag')! });
    expect(stale.status).toBe(412);

    const current = (await global(admin, 'GET', `/tenants/${tenant}`)).body;
    for (const bad of [
      { settings: { branding: { logoUrl: 'javascript:alert(1)' } } },
      { settings: { branding: { logoUrl: '//evil.example/x.png' } } },
      { settings: { branding: { colors: { primary: '#12345' } } } },
      { settings: { registration: { password: { minLength: 3 } } } },
      { settings: { registration: { autoVerify: ['(unclosed'] } } },
      { settings: { registration: { moderation: { deadline: 'soon' } } } },
      { settings: { profile: { required: ['Bad-Key'] } } },
      { settings: { legacy: { allowedNext: ['https://u@svc.example/'] } } },
      { settings: { branding: { colors: { primary: '#000000' } }, legacy: { tokenTtl: 'forever' } } },
      { settings: { unknown: {} } },
      { name: '' },
    ]) {
      const refused = await global(admin, 'PATCH', `/tenants/${tenant}`, bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.error.code).toBe('invalid_request');
    }
    expect((await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { profile: { required: ['Bad-Key'] } } })).body.error.message)
      .toMatch(/^body\.settings\.profile\.required: "Bad-Key" is not a valid attribute key/);
    expect((await global(admin, 'GET', `/tenants/${tenant}`)).body).toEqual(current);

    expect((await global(auditor, 'PATCH', `/tenants/${tenant}`, { name: 'x' })).status).toBe(403);
    expect((await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { smtp: { url: ownSink.url } } })).body.error)
      .toMatchObject({ code: 'forbidden', message: expect.stringMatching(/super-admin/) });
    expect(await audit(tenant, 'admin.tenants.update')).toHaveLength(2);
  });
});

describe('rate limits (settings.rateLimits)', () => {
  const startFrom = (tenant: string, address: string) => fetch(`${stack.url}/t/${tenant}/api/journeys`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ kind: 'login' }),
  });

  it('shows every limit with its defaults, sets the ones named (enforced at once), puts null back to the default, and refuses bad limits', async () => {
    const { tenant, admin, auditor } = await tenantWithRoles();
    const before = (await global(auditor, 'GET', `/tenants/${tenant}`)).body.settings.rateLimits;
    expect(before).toMatchObject({ journeyStartsPerAddress: { limit: 300, window: '1m' }, mailsPerRecipient: { limit: 10, window: '1h' } });

    const set = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { rateLimits: { journeyStartsPerAddress: { limit: 2, window: '1m' }, mailsPerRecipient: { limit: 3, window: '1d' } } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.settings.rateLimits).toEqual({
      ...before, journeyStartsPerAddress: { limit: 2, window: '1m' }, mailsPerRecipient: { limit: 3, window: '1d' },
    });
    // Only what was set is stored: the others follow the defaults.
    const [row] = await db`SELECT settings->'rateLimits' AS r FROM tenants WHERE id = ${tenant}`;
    expect(row!.r).toEqual({ journeyStartsPerAddress: { limit: 2, window: '1m' }, mailsPerRecipient: { limit: 3, window: '1d' } });
    const address = '203.0.113.77';
    expect((await startFrom(tenant, address)).status).toBe(201);
    expect((await startFrom(tenant, address)).status).toBe(201);
    const refused = await startFrom(tenant, address);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    const read = await global(admin, 'GET', `/tenants/${tenant}`);
    const current = read.body;
    for (const bad of [
      { journeyStartsPerAddress: { limit: 0, window: '1m' } },
      { journeyStartsPerAddress: { limit: 5, window: 'soon' } },
      { journeyStartsPerAddress: { limit: 5, window: '500ms' } },
      { journeyStartsPerAddress: { limit: 5, window: '31d' } },
      { journeyStartsPerAddress: { limit: 5 } },
      { journeyStartsPerAddress: { limit: 5, window: '1m', burst: 9 } },
      { requestsPerSecond: { limit: 5, window: '1s' } },
    ]) {
      const res = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { rateLimits: bad } }, { 'if-match': read.headers.get('etag')! });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const again = await global(admin, 'GET', `/tenants/${tenant}`);
    expect(again.body).toEqual(current);
    expect(again.headers.get('etag')).toBe(read.headers.get('etag'));
    expect((await global(auditor, 'PATCH', `/tenants/${tenant}`, { settings: { rateLimits: null } })).status).toBe(403);

    const one = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { rateLimits: { journeyStartsPerAddress: null } } });
    expect(one.body.settings.rateLimits).toEqual({ ...before, mailsPerRecipient: { limit: 3, window: '1d' } });
    expect((await startFrom(tenant, address)).status).toBe(201);
    const all = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { rateLimits: null } });
    expect(all.body.settings.rateLimits).toEqual(before);
    expect((await audit(tenant, 'admin.tenants.update')).length).toBe(3);
  });
});

describe('per-tenant SMTP', () => {
  it('sets and clears the tenant\'s own login UI URL (decoupled UI), refusing what is not https or not on PUBLIC_URL\'s site', async () => {
    const { tenant, admin } = await tenantWithRoles();
    expect((await global(admin, 'GET', `/tenants/${tenant}`)).body.settings.ui).toEqual({ loginUrl: null });
    for (const bad of ['http://login.acme.example/', 'javascript:alert(1)', 'https://user:pw@login.acme.example/', 'https://login.acme.example/#x']) {
      const res = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { ui: { loginUrl: bad } } });
      expect(res.status, bad).toBe(400);
    }
    // PUBLIC_URL is http://localhost:…: a UI elsewhere would never get the journey cookie.
    const crossSite = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { ui: { loginUrl: 'https://login.acme.example/start' } } });
    expect(crossSite.status).toBe(400);
    expect(crossSite.body.error.message).toMatch(/ui\.loginUrl: must be on the same site as PUBLIC_URL \(http:\/\/localhost\)/);
    const set = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { ui: { loginUrl: 'http://localhost:5173/start' } } });
    expect(set.body.settings.ui).toEqual({ loginUrl: 'http://localhost:5173/start' });
    // The protocols now send browsers there: the Journey API answers CORS for that origin.
    const preflight = await fetch(`${stack.url}/t/${tenant}/api/journeys`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const cleared = await global(admin, 'PATCH', `/tenants/${tenant}`, { settings: { ui: { loginUrl: null } } });
    expect(cleared.body.settings.ui).toEqual({ loginUrl: null });
  });

  it('never answers or audits the SMTP URL, and sends each tenant\'s mail through its own server', async () => {
    const a = await tenantWithRoles();
    const b = await tenantWithRoles();
    const port = new URL(ownSink.url).port;
    const secretUrl = `smtp://mailer:hunter2-secret@127.0.0.1:${port}`;
    const set = await global(root, 'PATCH', `/tenants/${a.tenant}`, { settings: { smtp: { url: secretUrl, from: 'Acme <no-reply@acme.example>' } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.settings.smtp).toEqual({ configured: true, host: `127.0.0.1:${port}`, from: 'Acme <no-reply@acme.example>' });
    const got = await global(a.admin, 'GET', `/tenants/${a.tenant}`);
    const events = await listAudit(db, a.tenant, 200);
    for (const text of [JSON.stringify(set.body), JSON.stringify(got.body), JSON.stringify(events)]) expect(text).not.toContain('hunter2');
    expect((await global(root, 'PATCH', `/tenants/${a.tenant}`, { settings: { smtp: { url: 'http://mail.example' } } })).status).toBe(400);
    expect((await global(root, 'PATCH', `/tenants/${b.tenant}`, { settings: { smtp: { from: 'x@y.example' } } })).body.error.message).toMatch(/smtp\.url/);

    // The sink takes no AUTH: point A at it without credentials, keeping the From.
    const plain = await global(root, 'PATCH', `/tenants/${a.tenant}`, { settings: { smtp: { url: ownSink.url } } });
    expect(plain.body.settings.smtp.from).toBe('Acme <no-reply@acme.example>');
    const toA = `invitee@${a.tenant}.example`;
    const toB = `invitee@${b.tenant}.example`;
    expect((await adminRequest(stack.url, a.tenant, a.admin, 'POST', '/invitations', { email: toA })).status).toBe(201);
    expect((await adminRequest(stack.url, b.tenant, b.admin, 'POST', '/invitations', { email: toB })).status).toBe(201);
    const mailA = await ownSink.waitFor((m) => m.to.includes(toA), 60_000);
    expect(mailA.from).toBe('no-reply@acme.example');
    await defaultSink.waitFor((m) => m.to.includes(toB), 60_000);
    expect(defaultSink.messages.some((m) => m.to.includes(toA))).toBe(false);
    expect(ownSink.messages.some((m) => m.to.includes(toB))).toBe(false);

    const removed = await global(root, 'PATCH', `/tenants/${a.tenant}`, { settings: { smtp: null } });
    expect(removed.body.settings.smtp).toEqual({ configured: false, host: null, from: null });
  });
});

describe('DELETE /api/admin/tenants/{id}', () => {
  it('deletes a tenant for a super-admin, audited in the caller\'s tenant; refuses others and the caller\'s own tenant', async () => {
    const { tenant, admin } = await tenantWithRoles();
    expect((await global(admin, 'DELETE', `/tenants/${tenant}`)).status).toBe(403);
    expect((await global(root, 'DELETE', `/tenants/${home}`)).body.error).toMatchObject({ code: 'own_tenant' });
    expect(await getTenant(db, home)).toBeDefined();
    expect((await global(root, 'DELETE', `/tenants/${tenant}`, undefined, { 'if-match': 'W/"stale"' })).status).toBe(412);
    const res = await global(root, 'DELETE', `/tenants/${tenant}`);
    expect(res.status).toBe(204);
    expect(await getTenant(db, tenant)).toBeUndefined();
    expect((await global(root, 'GET', `/tenants/${tenant}`)).status).toBe(404);
    expect((await global(root, 'DELETE', `/tenants/${tenant}`)).status).toBe(404);
    expect(await audit(home, 'admin.tenants.delete')).toContainEqual(expect.objectContaining({ actor: 'admin:root', subject: tenant, data: { name: 'Acme Corp' } }));
  });
});

describe('branding on the login page', () => {
  it('serves the display name, logo and colours, and lets the logo\'s origin through the CSP', async () => {
    const { tenant, admin } = await tenantWithRoles();
    const plain = await fetch(`${stack.url}/t/${tenant}/ui/branding.json`);
    expect(await plain.json()).toEqual({ displayName: 'Acme Corp', logoUrl: null, stylesheet: false });
    expect(await (await fetch(`${stack.url}/t/${tenant}/ui/branding.css`)).text()).toBe('');

    await global(admin, 'PATCH', `/tenants/${tenant}`, { name: 'Acme <Brand>', settings: { branding: { logoUrl: 'https://cdn.example/a/logo.svg', colors: { primary: '#ffcc00', background: '#101010' } } } });
    // loadTenant keeps a tenant for up to 5 s.
    await new Promise((r) => setTimeout(r, 5500));
    const json = await (await fetch(`${stack.url}/t/${tenant}/ui/branding.json`)).json();
    expect(json).toEqual({ displayName: 'Acme <Brand>', logoUrl: 'https://cdn.example/a/logo.svg', stylesheet: true });
    const css = await fetch(`${stack.url}/t/${tenant}/ui/branding.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const text = await css.text();
    expect(text).toContain('--accent: #ffcc00;');
    expect(text).toContain('--on-accent: #000000;');
    expect(text).toContain('--bg: #101010;');
    const page = await fetch(`${stack.url}/t/${tenant}/ui/login`);
    expect(page.headers.get('content-security-policy')).toMatch(/img-src 'self' data: https:\/\/cdn\.example;/);
    expect(page.headers.get('content-security-policy')).toMatch(/style-src 'self';/);
    const other = await fetch(`${stack.url}/t/${home}/ui/login`);
    expect(other.headers.get('content-security-policy')).not.toContain('cdn.example');
  });
});

describe('tessera tenants and settings', () => {
  const env = () => ({ DATABASE_URL: inject('databaseUrl'), TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir') });
  const ok = async (args: string[]) => {
    const res = await runTessera(args, env(), 120_000);
    expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(0);
    return res.stdout;
  };

  it('shows, updates and deletes a tenant through the operations, audited as the CLI', async () => {
    const id = uniqueTenantId('cli');
    expect(JSON.parse(await ok(['tenants', 'create', id, '--name', 'CLI Co', '--json']))).toMatchObject({ id, name: 'CLI Co' });
    const updated = JSON.parse(await ok(['tenants', 'update', id, '--name', 'CLI Corp', '--set', '{"branding":{"colors":{"text":"#222222"}}}', '--json']));
    expect(updated).toMatchObject({ id, name: 'CLI Corp', settings: { branding: { colors: { text: '#222222' } } } });
    expect(JSON.parse(await ok(['tenants', 'show', id, '--json'])).settings.branding.colors.text).toBe('#222222');
    expect(JSON.parse(await ok(['settings', 'registration', '--tenant', id, '--set', '{"inviteOnly":true}', '--json']))).toMatchObject({ tenant: id, inviteOnly: true });
    expect(await audit(id, 'admin.tenants.create')).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^cli/) })]);
    expect((await audit(id, 'admin.tenants.update')).map((e) => e.actor)).toEqual([expect.stringMatching(/^cli/), expect.stringMatching(/^cli/)]);

    const limits = JSON.parse(await ok(['settings', 'rate-limits', '--tenant', id, '--set', '{"signupsPerAddress":{"limit":5,"window":"1h"}}', '--json']));
    expect(limits).toMatchObject({ tenant: id, signupsPerAddress: { limit: 5, window: '1h' }, journeyStartsPerAddress: { limit: 300, window: '1m' } });
    expect(JSON.parse(await ok(['settings', 'rate-limits', '--tenant', id, '--json'])).signupsPerAddress).toEqual({ limit: 5, window: '1h' });
    const badLimit = await runTessera(['settings', 'rate-limits', '--tenant', id, '--set', '{"signupsPerAddress":{"limit":-1,"window":"1h"}}'], env(), 120_000);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr.trim()).toMatch(/^tessera: signupsPerAddress\.limit: /);
    const bad = await runTessera(['settings', 'registration', '--tenant', id, '--set', '{"password":{"minLength":2}}'], env(), 120_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^tessera: password\.minLength: /);
    const badSet = await runTessera(['tenants', 'update', id, '--set', '[1]'], env(), 120_000);
    expect(badSet.stderr.trim()).toBe('tessera: --set must be a JSON object');

    expect(JSON.parse(await ok(['tenants', 'delete', id, '--json']))).toEqual({ id, deleted: true });
    expect(await getTenant(db, id)).toBeUndefined();
    const gone = await runTessera(['tenants', 'show', id], env(), 120_000);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/there is no tenant/i);
  });
});
