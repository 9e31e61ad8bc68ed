// Signing keys through the admin API (/t/{tenant}/api/admin/keys) and `tessera keys`, against the
// real server: the list never shows private material, a rotation publishes new keys at once (the
// very next JWKS and token use them), keeps the old ones published for the grace period, refuses
// a bad grace without rotating, is an audit event, and only tenant admins may rotate.
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { listSigningKeys } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
afterAll(() => killAll());

let tenant: string;
let token: string;
let secret: string;
const api = (method: string, path: string, body?: unknown, bearer = token) => adminRequest(stack.url, tenant, bearer, method, path, body);
const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

async function jwks(): Promise<JSONWebKeySet> {
  return (await fetch(`${stack.url}/t/${tenant}/oidc/jwks`)).json() as Promise<JSONWebKeySet>;
}

async function accessTokenKid(): Promise<string> {
  const res = await fetch(`${stack.url}/t/${tenant}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`svc:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = await res.json() as { access_token: string };
  return decodeProtectedHeader(body.access_token).kid!;
}

const activeKids = async () => (await listSigningKeys(db, tenant)).filter((k) => k.status === 'active').map((k) => k.kid).sort();

beforeAll(async () => {
  tenant = uniqueTenantId('keys');
  await createTenant(db, tenant);
  token = (await createAdminToken(db, tenant, 'ops')).token;
  secret = (await createOidcClient(db, tenant, { client_id: 'svc', grant_types: ['client_credentials'] })).metadata.client_secret!;
  await jwks();
});

describe('the keys resource', () => {
  it('lists the keys without private material, newest first, in pages', async () => {
    const list = await api('GET', '/keys');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(4);
    expect(list.body.items.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const key of list.body.items) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'createdAt', 'kid', 'publishUntil', 'status']);
      expect(key).toMatchObject({ status: 'active', publishUntil: null });
    }
    const first = await api('GET', '/keys?limit=3');
    expect(first.body.items).toHaveLength(3);
    const second = await api('GET', `/keys?limit=3&cursor=${first.body.next}`);
    expect(second.body).toMatchObject({ next: null });
    expect([...first.body.items, ...second.body.items].map((k: { kid: string }) => k.kid).sort())
      .toEqual(list.body.items.map((k: { kid: string }) => k.kid).sort());
  });

  it('rotates with a grace period: the very next JWKS and token use the new keys, the old stay published', async () => {
    const before = await activeKids();
    expect(before).toContain(await accessTokenKid());
    const rotated = await api('POST', '/keys/rotate', { grace: '2h' });
    expect(rotated.status).toBe(200);
    const after = await activeKids();
    expect(after.some((kid) => before.includes(kid))).toBe(false);
    const retired = rotated.body.items.filter((k: { status: string }) => k.status === 'retired');
    expect(retired.map((k: { kid: string }) => k.kid).sort()).toEqual(before);
    const until = Date.parse(retired[0].publishUntil) - Date.now();
    expect(until).toBeGreaterThan(110 * 60_000);
    expect(until).toBeLessThan(121 * 60_000);
    expect(JSON.stringify(rotated.body)).not.toMatch(/"d"|"p"|"q"/);
    // No waiting: this server's provider follows the rotation at once.
    const published = (await jwks()).keys.map((k) => k.kid!).sort();
    expect(published).toEqual([...before, ...after].sort());
    expect(after).toContain(await accessTokenKid());
    const events = (await listAudit(db, tenant, 100)).filter((e) => e.type === 'admin.keys.rotate');
    expect(events).toContainEqual(expect.objectContaining({ actor: 'admin:ops', data: { kids: expect.arrayContaining(after), graceMs: 2 * 3_600_000 } }));

    const defaulted = await api('POST', '/keys/rotate');
    expect(defaulted.status).toBe(200);
    const day = Date.parse(defaulted.body.items.find((k: { kid: string }) => k.kid === after[0]).publishUntil) - Date.now();
    expect(day).toBeGreaterThan(23 * 3_600_000);
  });

  it('refuses a bad grace and changes nothing', async () => {
    const before = await activeKids();
    for (const body of [{ grace: 'soon' }, { grace: '365d' }, { grace: 5 }, { other: true }]) {
      expect((await api('POST', '/keys/rotate', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await activeKids()).toEqual(before);
  });

  it('lets an auditor list but not rotate; approvers and other tenants\' admins get nothing', async () => {
    const before = await activeKids();
    const auditor = (await createAdminToken(db, tenant, 'reader', 'auditor')).token;
    const approver = (await createAdminToken(db, tenant, 'approver', 'approver')).token;
    const other = uniqueTenantId('keys-other');
    await createTenant(db, other);
    const outsider = (await createAdminToken(db, other, 'ops')).token;
    expect((await api('GET', '/keys', undefined, auditor)).status).toBe(200);
    expect((await api('POST', '/keys/rotate', {}, auditor)).status).toBe(403);
    expect((await api('GET', '/keys', undefined, approver)).status).toBe(403);
    expect((await api('POST', '/keys/rotate', {}, approver)).status).toBe(403);
    expect(await api('GET', '/keys', undefined, outsider)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect(await api('POST', '/keys/rotate', {}, outsider)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect(await activeKids()).toEqual(before);
  });
});

describe('tessera keys', () => {
  it('lists and rotates through the operations (an audit event by the CLI)', async () => {
    const listed = await runTessera(['keys', 'list', '--tenant', tenant, '--json'], env());
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { kid: string; status: string }[];
    expect(rows.filter((k) => k.status === 'active').map((k) => k.kid).sort()).toEqual(await activeKids());
    const rotated = await runTessera(['keys', 'rotate', '--tenant', tenant, '--grace', '1h', '--json'], env());
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout).filter((k: { status: string }) => k.status === 'active').map((k: { kid: string }) => k.kid).sort()).toEqual(await activeKids());
    const events = (await listAudit(db, tenant, 100)).filter((e) => e.type === 'admin.keys.rotate');
    expect(events[0]!.actor).toMatch(/^cli/);
    expect((await runTessera(['keys', 'rotate', '--tenant', tenant, '--grace', 'soon'], env())).code).toBe(2);
  });
});
