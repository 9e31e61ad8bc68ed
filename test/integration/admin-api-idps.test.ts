// Upstream IdPs through the management API: create (the client secret never answered back nor in
// the audit log), list by kind and page, get with an ETag, PATCH (a secret replaced alone, enable/
// disable, stale If-Match → 412), delete, role checks, and `tessera idps update` as a PATCH.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { getIdp } from '../../core/federation/identity-providers.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { adminTenant, auditEvents, type Api } from '../support/admin-roles.ts';
import { killAll, removeDir, runTessera, tempDir } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
let tenant: string;
let api: Api;
let dir: string;
const SECRET = 'first-secret-value-123';
const NEW_SECRET = 'second-secret-value-456';
const corp = { kind: 'oidc', alias: 'corp', displayName: 'Corp SSO', oidc: { issuer: 'https://login.corp.example', clientId: 'tessera', clientSecret: SECRET, scopes: ['openid', 'email'] } };
const shib = { kind: 'saml', alias: 'shib', displayName: 'Shibboleth', saml: { metadata: `<EntityDescriptor entityID="https://idp.example">${'x'.repeat(40)}</EntityDescriptor>` } };

beforeAll(async () => {
  ({ tenant, api } = await adminTenant(db, () => stack.url, 'idps'));
  dir = await tempDir('tessera-idps-api-');
});
afterAll(async () => {
  await killAll();
  await removeDir(dir);
});

async function auditText(): Promise<string> {
  return JSON.stringify(await listAudit(db, tenant, 500));
}

describe('creating', () => {
  it('adds an OIDC IdP and never answers or records its secret', async () => {
    const res = await api('POST', '/idps', corp);
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(res.body).toMatchObject({
      alias: 'corp', kind: 'oidc', displayName: 'Corp SSO', enabled: true, showOnLogin: true,
      oidc: { issuer: 'https://login.corp.example', clientId: 'tessera', clientSecretSet: true, scopes: ['openid', 'email'] },
      provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true }, claimRules: [],
    });
    expect((await getIdp(db, tenant, 'corp'))?.oidc?.clientSecret).toBe(SECRET);
    expect(await auditEvents(db, tenant, 'idp.added')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: 'corp', data: { alias: 'corp', kind: 'oidc' } })]);
    expect((await api('POST', '/idps', shib)).status).toBe(201);
  });

  it('refuses a taken alias (409) and bad definitions (400), storing nothing', async () => {
    expect(await api('POST', '/idps', { ...corp, displayName: 'Again' })).toMatchObject({ status: 409, body: { error: { code: 'idp_exists' } } });
    const bad = await api('POST', '/idps', { ...corp, alias: 'Bad Alias', oidc: { ...corp.oidc, issuer: 'not a url' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/alias/);
    expect(bad.body.error.message).toMatch(/issuer/);
    expect((await api('POST', '/idps', { ...corp, alias: 'extra', owner: 'me' })).status).toBe(400);
    expect((await api('POST', '/idps', { ...corp, alias: 'ftp', oidc: { ...corp.oidc, issuer: 'ftp://x.example' } })).status).toBe(400);
    expect(await getIdp(db, tenant, 'extra')).toBeUndefined();
    expect(await getIdp(db, tenant, 'ftp')).toBeUndefined();
    expect((await getIdp(db, tenant, 'corp'))?.displayName).toBe('Corp SSO');
  });
});

describe('reading', () => {
  it('lists by alias, by kind and a page at a time', async () => {
    const all = await api('GET', '/idps');
    expect(all.body.items.map((i: { alias: string }) => i.alias)).toEqual(['corp', 'shib']);
    expect(all.body.items[0]).not.toHaveProperty('oidc');
    expect((await api('GET', '/idps?kind=saml')).body.items.map((i: { alias: string }) => i.alias)).toEqual(['shib']);
    expect((await api('GET', '/idps?kind=ldap')).status).toBe(400);
    const first = await api('GET', '/idps?limit=1');
    expect(first.body.items.map((i: { alias: string }) => i.alias)).toEqual(['corp']);
    expect((await api('GET', `/idps?limit=1&cursor=${first.body.next}`)).body).toEqual({ items: [expect.objectContaining({ alias: 'shib' })], next: null });
  });

  it('answers one IdP with an ETag, and 404 for unknown or malformed aliases', async () => {
    const res = await api('GET', '/idps/shib');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^W\//);
    expect(res.body.saml).toMatchObject({ metadata: shib.saml.metadata, signAuthnRequests: true, nameIdFormat: 'persistent', trustEmail: false });
    expect((await api('GET', '/idps/nope')).body.error.code).toBe('not_found');
    expect((await api('GET', '/idps/BAD%20ALIAS')).body.error.code).toBe('not_found');
  });
});

describe('changing', () => {
  it('replaces the secret alone, keeping the rest; the audit event names the field, not the value', async () => {
    const res = await api('PATCH', '/idps/corp', { oidc: { clientSecret: NEW_SECRET } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(NEW_SECRET);
    expect(res.body.oidc).toMatchObject({ issuer: 'https://login.corp.example', clientId: 'tessera', clientSecretSet: true });
    expect((await getIdp(db, tenant, 'corp'))?.oidc?.clientSecret).toBe(NEW_SECRET);
    expect(await auditEvents(db, tenant, 'idp.updated')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: 'corp', data: { alias: 'corp', kind: 'oidc', fields: ['oidc.clientSecret'] } })]);
    expect(await auditText()).not.toContain(NEW_SECRET);
    expect(await auditText()).not.toContain(SECRET);
  });

  it('disables and enables with PATCH {enabled}, merges provisioning, removes a secret with null', async () => {
    expect((await api('PATCH', '/idps/corp', { enabled: false })).body.enabled).toBe(false);
    expect((await getIdp(db, tenant, 'corp'))?.enabled).toBe(false);
    expect(await auditEvents(db, tenant, 'idp.disabled')).toHaveLength(1);
    expect((await api('PATCH', '/idps/corp', { enabled: true, provisioning: { jit: false } })).body).toMatchObject({ enabled: true, provisioning: { jit: false, onUnknown: 'refuse', linkByEmail: true } });
    expect((await api('PATCH', '/idps/corp', { oidc: { clientSecret: null } })).body.oidc.clientSecretSet).toBe(false);
    expect((await getIdp(db, tenant, 'corp'))?.oidc).not.toHaveProperty('clientSecret');
  });

  it('refuses bad changes with 400 and stale ones with 412, changing nothing', async () => {
    const before = await getIdp(db, tenant, 'corp');
    expect((await api('PATCH', '/idps/corp', { alias: 'renamed' })).status).toBe(400);
    expect((await api('PATCH', '/idps/corp', { saml: { trustEmail: true } })).status).toBe(400);
    expect((await api('PATCH', '/idps/corp', { oidc: { issuer: 'javascript:alert(1)' } })).status).toBe(400);
    expect((await api('PATCH', '/idps/corp', { displayName: '' })).status).toBe(400);
    expect((await api('PATCH', '/idps/nope', { enabled: false })).status).toBe(404);
    const etag = (await api('GET', '/idps/corp')).headers.get('etag')!;
    expect((await api('PATCH', '/idps/corp', { displayName: 'Corp' }, { 'if-match': etag })).status).toBe(200);
    expect(await api('PATCH', '/idps/corp', { displayName: 'Lost update' }, { 'if-match': etag })).toMatchObject({ status: 412, body: { error: { code: 'precondition_failed' } } });
    expect(await getIdp(db, tenant, 'corp')).toEqual({ ...before, displayName: 'Corp' });
  });

  it('deletes (stale If-Match → 412 first), then answers 404', async () => {
    const etag = (await api('GET', '/idps/shib')).headers.get('etag')!;
    await api('PATCH', '/idps/shib', { showOnLogin: false });
    expect((await api('DELETE', '/idps/shib', undefined, { 'if-match': etag })).status).toBe(412);
    expect(await getIdp(db, tenant, 'shib')).toBeDefined();
    expect((await api('DELETE', '/idps/shib')).status).toBe(204);
    expect(await getIdp(db, tenant, 'shib')).toBeUndefined();
    expect((await api('DELETE', '/idps/shib')).status).toBe(404);
    expect(await auditEvents(db, tenant, 'idp.deleted')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: 'shib' })]);
  });
});

describe('who may', () => {
  it('lets an auditor read but not change, an approver nothing, and hides the tenant from another tenant\'s admin', async () => {
    expect((await api('GET', '/idps', undefined, undefined, 'audit')).status).toBe(200);
    expect((await api('GET', '/idps/corp', undefined, undefined, 'audit')).status).toBe(200);
    expect((await api('PATCH', '/idps/corp', { enabled: false }, undefined, 'audit')).status).toBe(403);
    expect((await api('POST', '/idps', { ...corp, alias: 'audited' }, undefined, 'audit')).status).toBe(403);
    expect((await api('DELETE', '/idps/corp', undefined, undefined, 'audit')).status).toBe(403);
    expect((await api('GET', '/idps', undefined, undefined, 'appr')).status).toBe(403);
    expect((await api('PATCH', '/idps/corp', { enabled: false }, undefined, 'appr')).status).toBe(403);
    expect(await api('GET', '/idps/corp', undefined, undefined, 'stranger')).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect((await api('DELETE', '/idps/corp', undefined, undefined, 'stranger')).status).toBe(404);
    expect((await getIdp(db, tenant, 'corp'))?.enabled).toBe(true);
  });
});

describe('tessera idps update', () => {
  it('changes only what it is given, as the CLI user', async () => {
    const env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
    const res = await runTessera(['idps', 'update', '--tenant', tenant, '--alias', 'corp', '--secret', 'cli-secret-789', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('cli-secret-789');
    expect(JSON.parse(res.stdout)).toMatchObject({ alias: 'corp', displayName: 'Corp', oidc: { clientSecret: '(set)', issuer: 'https://login.corp.example' } });
    expect((await getIdp(db, tenant, 'corp'))?.oidc?.clientSecret).toBe('cli-secret-789');
    const missing = await runTessera(['idps', 'update', '--tenant', tenant, '--alias', 'nope', '--display-name', 'X'], env);
    expect(missing.stderr.trim()).toBe(`tessera: no identity provider "nope" in tenant "${tenant}"`);
    expect((await auditEvents(db, tenant, 'idp.updated')).at(-1)).toMatchObject({ actor: expect.stringMatching(/^cli/), data: { fields: ['oidc.clientSecret'] } });
  });
});
