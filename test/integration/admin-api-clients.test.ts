// OIDC clients through the admin API (/t/{tenant}/api/admin/clients) and `tessera clients`, against
// the real server: create (secret once), get (never the secret), list with q and pages, PATCH of
// every setting with If-Match, effective at once at the token endpoint (lifetimes, grant types,
// permissions), secret rotation (the old secret stops working), delete, the validator's refusals
// as 400 that change nothing, client ids never starting with `-`, roles, and audit events.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { buildClientMetadata, newClientId } from '../../core/oidc/oidc-client-metadata.ts';
import { getOidcClient } from '../../core/oidc/oidc-clients.ts';
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
const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer = token) =>
  adminRequest(stack.url, tenant, bearer, method, path, body, headers);
const env = () => ({ DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') });

beforeAll(async () => {
  tenant = uniqueTenantId('cli');
  await createTenant(db, tenant);
  token = (await createAdminToken(db, tenant, 'ops')).token;
});

async function tokenRequest(clientId: string, secret: string, params: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/t/${tenant}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

async function auditOf(type: string) {
  return (await listAudit(db, tenant, 500)).filter((e) => e.type === type);
}

const SERVICE = { client_name: 'billing', grant_types: ['client_credentials'], scope: 'profile', permissions: ['GET::/api/items/[0-9]+'] };

describe('client ids', () => {
  it('never generates one starting with "-", and refuses one given', async () => {
    for (let i = 0; i < 5000; i++) expect(newClientId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    for (let i = 0; i < 500; i++) expect(buildClientMetadata({ grant_types: ['client_credentials'] }).client_id).not.toMatch(/^-/);
    const refused = await api('POST', '/clients', { client_id: '-abc', grant_types: ['client_credentials'] });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(JSON.stringify(refused.body)).toMatch(/client_id/);
    expect(await getOidcClient(db, tenant, '-abc')).toBeUndefined();
    const ids = await Promise.all(Array.from({ length: 20 }, () => api('POST', '/clients', { grant_types: ['client_credentials'] })));
    for (const made of ids) expect(made.body.client_id).toMatch(/^[A-Za-z0-9_]/);
  });
});

describe('the clients resource', () => {
  it('creates a confidential client (secret once), reads it without the secret, lists and searches', async () => {
    const created = await api('POST', '/clients', { ...SERVICE, client_id: 'billing-svc' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ client_id: 'billing-svc', client_name: 'billing', public: false, first_party: false,
      token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], permissions: SERVICE.permissions });
    expect(created.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const got = await api('GET', '/clients/billing-svc');
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(got.body).not.toHaveProperty('client_secret');
    expect(JSON.stringify(got.body)).not.toContain(created.body.client_secret);
    expect(await auditOf('admin.clients.create')).toContainEqual(expect.objectContaining({ actor: 'admin:ops', subject: 'billing-svc' }));
    expect(JSON.stringify(await listAudit(db, tenant, 500))).not.toContain(created.body.client_secret);

    const spa = await api('POST', '/clients', { client_id: 'spa-web', client_name: 'Web SPA', public: true, redirect_uris: ['http://localhost:5173/cb'] });
    expect(spa.status).toBe(201);
    expect(spa.body).toMatchObject({ public: true, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    expect(spa.body).not.toHaveProperty('client_secret');

    const searched = await api('GET', '/clients?q=WEB%20s');
    expect(searched.body.items.map((c: { client_id: string }) => c.client_id)).toEqual(['spa-web']);
    const byId = await api('GET', '/clients?q=billing-');
    expect(byId.body.items.map((c: { client_id: string }) => c.client_id)).toEqual(['billing-svc']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const pageOf: { status: number; body: any } = await api('GET', `/clients?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(pageOf.status).toBe(200);
      expect(pageOf.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...pageOf.body.items.map((c: { client_id: string }) => c.client_id));
      cursor = pageOf.body.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['billing-svc', 'spa-web']));
    expect((await api('GET', '/clients?cursor=nope')).status).toBe(400);
  });

  it('refuses what the metadata validator refuses with its message, and a taken client_id with 409', async () => {
    const cases: [unknown, RegExp][] = [
      [{ redirect_uris: ['http://evil.example/cb'] }, /redirect_uris/],
      [{ public: true, grant_types: ['client_credentials'] }, /public client cannot use client_credentials/],
      [{ grant_types: ['authorization_code'] }, /redirect_uris are required/],
      [{ grant_types: ['client_credentials'], scope: 'openid admin' }, /unsupported scopes/],
      [{ grant_types: ['client_credentials'], claim_rules: [{ remove: 'sub' }] }, /protected claim/],
      [{ grant_types: ['client_credentials'], permissions: ['nonsense'] }, /VERB::/],
      [{ grant_types: ['client_credentials'], token_exchange: { audiences: ['x'] } }, /token-exchange grant/],
      [{ grant_types: ['client_credentials'], access_token_ttl: 5 }, /access_token_ttl/],
      [{ grant_types: ['client_credentials'], unknown: 1 }, /unknown/i],
    ];
    for (const [body, message] of cases) {
      const res = await api('POST', '/clients', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    await api('POST', '/clients', { client_id: 'taken', grant_types: ['client_credentials'] });
    expect(await api('POST', '/clients', { client_id: 'taken', grant_types: ['client_credentials'] })).toMatchObject({ status: 409, body: { error: { code: 'client_exists' } } });
  });

  it('updates every setting with If-Match, effective at once at the token endpoint', async () => {
    const created = await api('POST', '/clients', { ...SERVICE, client_id: 'orders-svc' });
    const secret = created.body.client_secret as string;
    const first = await tokenRequest('orders-svc', secret);
    expect(first.status).toBe(200);
    expect(first.body.expires_in).toBe(900);
    expect(decodeJwt(first.body.access_token).permissions).toEqual(SERVICE.permissions);

    const read = await api('GET', '/clients/orders-svc');
    const changes = {
      client_name: 'Orders', access_token_ttl: 120, id_token_ttl: 600, refresh_token_ttl: 86_400,
      permissions: ['POST::/api/orders'], logo_uri: 'https://orders.example/logo.png', client_uri: 'https://orders.example/',
      policy_uri: 'https://orders.example/privacy', tos_uri: 'https://orders.example/tos',
      grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_exchange: { audiences: ['billing-svc'] },
      claim_rules: [{ rename: { from: 'email', to: 'mail' } }, { add: { claim: 'tier', value: 'gold' } }],
      first_party: true, backchannel_logout_uri: 'https://orders.example/logout',
      frontchannel_logout_uri: 'https://orders.example/frontchannel-logout',
    };
    const updated = await api('PATCH', '/clients/orders-svc', changes, { 'if-match': read.headers.get('etag')! });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject(changes);
    expect((await api('GET', '/clients/orders-svc')).body.frontchannel_logout_uri).toBe(changes.frontchannel_logout_uri);
    expect(updated.body).not.toHaveProperty('client_secret');
    expect(updated.headers.get('etag')).not.toBe(read.headers.get('etag'));
    expect((await getOidcClient(db, tenant, 'orders-svc'))!.metadata.client_secret).toBe(secret);
    // The very next token request sees the change (no waiting for the client cache).
    const second = await tokenRequest('orders-svc', secret);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.expires_in).toBe(120);
    const claims = decodeJwt(second.body.access_token);
    expect(claims.exp! - claims.iat!).toBe(120);
    expect(claims.permissions).toEqual(['POST::/api/orders']);
    expect(await auditOf('admin.clients.update')).toContainEqual(expect.objectContaining({
      actor: 'admin:ops', subject: 'orders-svc', data: { client: 'orders-svc', changed: Object.keys(changes).sort() },
    }));

    // A stale If-Match is refused and changes nothing.
    const stale = await api('PATCH', '/clients/orders-svc', { client_name: 'Lost update' }, { 'if-match': read.headers.get('etag')! });
    expect(stale).toMatchObject({ status: 412, body: { error: { code: 'precondition_failed' } } });
    // null removes a setting; the grant types going re-derive nothing left behind.
    const cleared = await api('PATCH', '/clients/orders-svc', {
      access_token_ttl: null, token_exchange: null, grant_types: ['client_credentials'], logo_uri: null, frontchannel_logout_uri: null,
    }, { 'if-match': updated.headers.get('etag')! });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body).not.toHaveProperty('access_token_ttl');
    expect(cleared.body).not.toHaveProperty('token_exchange');
    expect(cleared.body).not.toHaveProperty('logo_uri');
    expect(cleared.body).not.toHaveProperty('frontchannel_logout_uri');
    expect(cleared.body.client_name).toBe('Orders');
    expect((await tokenRequest('orders-svc', secret)).body.expires_in).toBe(900);

    // Bad input changes nothing: schema refusals and the validator's.
    const before = await api('GET', '/clients/orders-svc');
    for (const body of [
      { client_id: 'renamed' }, { client_secret: 'x'.repeat(40) }, { access_token_ttl: 999_999 }, { redirect_uris: ['ftp://x'] },
      { public: true }, { token_exchange: { audiences: ['a'] } }, { grant_types: [] }, { response_types: ['code'] },
    ]) {
      const res = await api('PATCH', '/clients/orders-svc', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('GET', '/clients/orders-svc')).body).toEqual(before.body);

    // Taking a grant type away is effective at once too.
    const narrowed = await api('PATCH', '/clients/orders-svc', { grant_types: ['authorization_code'], redirect_uris: ['https://orders.example/cb'] });
    expect(narrowed.status, JSON.stringify(narrowed.body)).toBe(200);
    expect(narrowed.body.response_types).toEqual(['code']);
    expect((await tokenRequest('orders-svc', secret)).body).toMatchObject({
      error: 'invalid_request', error_description: 'requested grant type is not allowed for this client',
    });
    expect((await api('PATCH', '/clients/nope', { client_name: 'x' })).status).toBe(404);
  });

  it('lets one of the PATCHes sent at once with the same If-Match win, the others 412', async () => {
    await api('POST', '/clients', { ...SERVICE, client_id: 'raced-svc' });
    for (let round = 0; round < 3; round++) {
      const etag = (await api('GET', '/clients/raced-svc')).headers.get('etag')!;
      const names = Array.from({ length: 4 }, (_, i) => `writer ${round}.${i}`);
      const answers = await Promise.all(names.map((client_name) => api('PATCH', '/clients/raced-svc', { client_name }, { 'if-match': etag })));
      expect(answers.map((a) => a.status).sort(), `round ${round}`).toEqual([200, 412, 412, 412]);
      const winner = answers.find((a) => a.status === 200)!;
      expect((await api('GET', '/clients/raced-svc')).body.client_name).toBe(winner.body.client_name);
    }
    expect(await auditOf('admin.clients.update')).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'raced-svc' })]));
    expect((await auditOf('admin.clients.update')).filter((e) => e.subject === 'raced-svc')).toHaveLength(3);
  });

  it('switches a client between public and confidential', async () => {
    await api('POST', '/clients', { client_id: 'switch-app', redirect_uris: ['https://switch.example/cb'] });
    const toPublic = await api('PATCH', '/clients/switch-app', { public: true });
    expect(toPublic.body).toMatchObject({ public: true, token_endpoint_auth_method: 'none' });
    expect((await getOidcClient(db, tenant, 'switch-app'))!.metadata.client_secret).toBeUndefined();
    expect((await api('POST', '/clients/switch-app/secret')).body.error.code).toBe('no_client_secret');
    const back = await api('PATCH', '/clients/switch-app', { public: false });
    expect(back.body).toMatchObject({ public: false, token_endpoint_auth_method: 'client_secret_basic' });
  });

  it('rotates the secret: shown once, the old one stops working at once', async () => {
    const created = await api('POST', '/clients', { ...SERVICE, client_id: 'rotating-svc' });
    const old = created.body.client_secret as string;
    expect((await tokenRequest('rotating-svc', old)).status).toBe(200);
    const rotated = await api('POST', '/clients/rotating-svc/secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.client_secret).not.toBe(old);
    expect((await tokenRequest('rotating-svc', old)).body.error).toBe('invalid_client');
    expect((await tokenRequest('rotating-svc', rotated.body.client_secret)).status).toBe(200);
    const events = await auditOf('admin.clients.rotate-secret');
    expect(events).toContainEqual(expect.objectContaining({ actor: 'admin:ops', subject: 'rotating-svc' }));
    expect(JSON.stringify(events)).not.toContain(rotated.body.client_secret);
    expect((await api('POST', '/clients/nope/secret')).status).toBe(404);
  });

  it('deletes a client (If-Match honoured); its secret stops working', async () => {
    const created = await api('POST', '/clients', { ...SERVICE, client_id: 'doomed-svc' });
    expect((await tokenRequest('doomed-svc', created.body.client_secret)).status).toBe(200);
    const read = await api('GET', '/clients/doomed-svc');
    await api('PATCH', '/clients/doomed-svc', { client_name: 'changed' });
    expect((await api('DELETE', '/clients/doomed-svc', undefined, { 'if-match': read.headers.get('etag')! })).status).toBe(412);
    expect((await api('DELETE', '/clients/doomed-svc')).status).toBe(204);
    expect((await api('GET', '/clients/doomed-svc')).status).toBe(404);
    expect((await api('DELETE', '/clients/doomed-svc')).status).toBe(404);
    expect((await tokenRequest('doomed-svc', created.body.client_secret)).body.error).toBe('invalid_client');
    expect(await auditOf('admin.clients.delete')).toContainEqual(expect.objectContaining({ actor: 'admin:ops', subject: 'doomed-svc' }));
  });

  it('lets an auditor read but not write, hides clients from approvers, and other tenants\' admins get 404', async () => {
    await api('POST', '/clients', { ...SERVICE, client_id: 'guarded-svc' });
    const auditor = (await createAdminToken(db, tenant, 'reader', 'auditor')).token;
    const approver = (await createAdminToken(db, tenant, 'approver', 'approver')).token;
    const other = uniqueTenantId('cli-other');
    await createTenant(db, other);
    const outsider = (await createAdminToken(db, other, 'ops')).token;
    expect((await api('GET', '/clients', undefined, {}, auditor)).status).toBe(200);
    expect((await api('GET', '/clients/guarded-svc', undefined, {}, auditor)).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/clients', { grant_types: ['client_credentials'] }], ['PATCH', '/clients/guarded-svc', { client_name: 'x' }],
      ['DELETE', '/clients/guarded-svc', undefined], ['POST', '/clients/guarded-svc/secret', undefined],
    ] as const) {
      expect((await api(method, path, body, {}, auditor)).status, `auditor ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, {}, approver)).status, `approver ${method} ${path}`).toBe(403);
      expect((await api(method, path, body, {}, outsider)).body.error?.code, `outsider ${method} ${path}`).toBe('tenant_not_found');
    }
    expect((await api('GET', '/clients', undefined, {}, approver)).status).toBe(403);
    expect(await api('GET', '/clients/guarded-svc', undefined, {}, outsider)).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect((await api('GET', '/clients/guarded-svc')).body.client_name).toBe('billing');
  });
});

describe('tessera clients', () => {
  it('create --set merges settings, update/show/rotate-secret/delete go through the operations', async () => {
    const created = await runTessera(['clients', 'create', '--tenant', tenant, '--json', '--client-id', 'cli-svc', '--grant-type', 'client_credentials',
      '--set', JSON.stringify({ permissions: ['GET::/api/x'], access_token_ttl: 300, client_name: 'from set' }), '--name', 'from flag'], env());
    expect(created.code, created.stderr).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ client_id: 'cli-svc', client_name: 'from flag', permissions: ['GET::/api/x'], access_token_ttl: 300 });
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await tokenRequest('cli-svc', client.client_secret)).body.expires_in).toBe(300);

    const bad = await runTessera(['clients', 'create', '--tenant', tenant, '--grant-type', 'client_credentials', '--set', '{"permissions":["nope"]}'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/permissions/);
    expect((await runTessera(['clients', 'create', '--tenant', tenant, '--set', '[1]'], env())).code).toBe(2);

    const updated = await runTessera(['clients', 'update', '--tenant', tenant, '--client-id', 'cli-svc', '--json', '--first-party',
      '--set', '{"claim_rules":[{"remove":"email"}],"access_token_ttl":null}'], env());
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ first_party: true, claim_rules: [{ remove: 'email' }], client_name: 'from flag' });
    expect(JSON.parse(updated.stdout)).not.toHaveProperty('access_token_ttl');
    expect((await runTessera(['clients', 'update', '--tenant', tenant, '--client-id', 'cli-svc', '--set', '{"client_id":"x"}'], env())).code).toBe(2);

    const shown = await runTessera(['clients', 'show', '--tenant', tenant, '--client-id', 'cli-svc', '--json'], env());
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: 'cli-svc', first_party: true });
    expect(shown.stdout).not.toContain(client.client_secret);

    const rotated = await runTessera(['clients', 'rotate-secret', '--tenant', tenant, '--client-id', 'cli-svc', '--json'], env());
    expect(rotated.code, rotated.stderr).toBe(0);
    const secret = JSON.parse(rotated.stdout).client_secret;
    expect(secret).not.toBe(client.client_secret);
    await vi.waitFor(async () => expect((await tokenRequest('cli-svc', client.client_secret)).body.error).toBe('invalid_client'), { timeout: 5000 });
    expect((await tokenRequest('cli-svc', secret)).status).toBe(200);

    const events = (await listAudit(db, tenant, 500)).filter((e) => e.subject === 'cli-svc');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['admin.clients.create', 'admin.clients.update', 'admin.clients.rotate-secret']));
    for (const e of events) expect(e.actor).toMatch(/^cli/);

    expect((await runTessera(['clients', 'delete', '--tenant', tenant, '--client-id', 'cli-svc'], env())).code).toBe(0);
    expect((await runTessera(['clients', 'show', '--tenant', tenant, '--client-id', 'cli-svc'], env())).code).toBe(1);
  });

  it('initial-token goes through the operation: audited with the CLI actor, never the token', async () => {
    const made = await runTessera(['clients', 'initial-token', '--tenant', tenant, '--ttl', '2h', '--json'], env());
    expect(made.code, made.stderr).toBe(0);
    const { initial_access_token: initial, expires_at: expiresAt, uses } = JSON.parse(made.stdout);
    expect(initial).toMatch(/^tsi_/);
    expect(uses).toBe(1);
    expect(Math.abs(Date.parse(expiresAt) - Date.now() - 2 * 3_600_000)).toBeLessThan(60_000);
    const events = await auditOf('admin.clients.initial-token');
    expect(events).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^cli:/), data: { expiresAt, uses: 1 } })]);
    expect(JSON.stringify(await listAudit(db, tenant, 500))).not.toContain(initial);
    const registered = await fetch(`${stack.url}/t/${tenant}/oidc/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${initial}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [] }),
    });
    expect(registered.status).toBe(201);
    expect((await runTessera(['clients', 'initial-token', '--tenant', tenant, '--ttl', '30s'], env())).code).toBe(2);

    const viaApi = await api('POST', '/initial-access-tokens', { uses: 3 });
    expect(viaApi).toMatchObject({ status: 201, body: { uses: 3 } });
    expect(await auditOf('admin.clients.initial-token')).toContainEqual(expect.objectContaining({ actor: 'admin:ops' }));
    const auditor = (await createAdminToken(db, tenant, 'initial-reader', 'auditor')).token;
    expect((await api('POST', '/initial-access-tokens', {}, {}, auditor)).status).toBe(403);
  });
});
