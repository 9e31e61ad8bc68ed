// Federated sign-in through the `idp` node of the default login tree, with a second Tessera
// tenant as the upstream OpenID Provider: the login step lists the tenant's IdPs; the round trip
// is durable (the journey waits for the callback); just-in-time accounts, linking an existing
// account after a password proof, refusal and moderation when JIT is off. Refusals — unknown
// state, another browser, another tenant, an upstream error, an `iss` mix-up, a finished
// journey — each leave an audit event and no session. The state, code and client secret never
// enter the journey's history (only the state's hash does).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codec, tenantWithUser, uniqueTenantId, type TestUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { bringBack, pickIdp, upstreamTesseraLogin } from '../support/federation.ts';
import { useStack } from '../support/stack.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, findUserByLogin } from '../../core/accounts/users.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { listUserLinks } from '../../core/federation/federated-identities.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { startUpstreamOp } from '../support/upstream-op.ts';
import { registrationWorkflowId } from '../../workflows/registration-contracts.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
let upstream: { tenant: string } & TestUser;
let down: string;
let clientSecret: string;

async function addIdp(tenant: string, alias: string, provisioning: Record<string, unknown> = {}) {
  const client = await createOidcClient(stack.db, upstream.tenant, {
    client_name: `Downstream ${tenant}`, redirect_uris: [`${stack.url}/t/${tenant}/federation/${alias}/callback`],
    first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'],
  });
  clientSecret = client.metadata.client_secret!;
  await saveIdp(stack.db, tenant, {
    kind: 'oidc', alias, displayName: 'Upstream Co',
    oidc: { issuer: `${stack.url}/t/${upstream.tenant}`, clientId: client.clientId, clientSecret, scopes: ['openid', 'email', 'profile'] },
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true, ...provisioning },
  });
}

async function newDownstream(provisioning: Record<string, unknown> = {}): Promise<string> {
  const tenant = uniqueTenantId('down');
  await createTenant(stack.db, tenant);
  await addIdp(tenant, 'up', provisioning);
  return tenant;
}

const answers = () => ({ username: upstream.login, password: upstream.password });

/** A federated login of `upstream`'s user into `tenant`, up to the downstream journey after the callback. */
async function federatedLogin(tenant: string, as = answers()) {
  const browser = new OidcBrowser(stack.url, tenant);
  const url = await pickIdp(browser, 'up');
  const callback = await upstreamTesseraLogin(stack.url, upstream.tenant, tenant, url, as);
  const landing = await bringBack(browser, callback);
  return { browser, url, callback, landing };
}

async function auditTypes(tenant: string): Promise<{ type: string; data?: Record<string, unknown> }[]> {
  return (await listAudit(stack.db, tenant)).map((e) => ({ type: e.type, data: e.data }));
}

beforeAll(async () => {
  upstream = await tenantWithUser(stack.db);
  down = await newDownstream();
});

describe('federated sign-in (OIDC upstream: another Tessera tenant)', () => {
  it('creates the account just in time and signs the user in', async () => {
    const { browser, landing } = await federatedLogin(down);
    expect(landing.kind).toBe('journey');
    if (landing.kind !== 'journey') return;
    expect(landing.journey.status, JSON.stringify(landing.journey)).toBe('succeeded');
    expect(browser.cookies.has('tessera_session')).toBe(true);
    const local = await findUserByLogin(stack.db, down, upstream.login);
    expect(local).toMatchObject({ email: upstream.login, status: 'active' });
    expect((await listUserLinks(stack.db, down, local!.id)).map((l) => l.idp)).toEqual(['up']);
    expect(await auditTypes(down)).toContainEqual(expect.objectContaining({ type: 'federation.login', data: { idp: 'up', how: 'created' } }));
  });

  it('signs the linked account in again, without creating another', async () => {
    const before = await findUserByLogin(stack.db, down, upstream.login);
    const { landing } = await federatedLogin(down);
    expect(landing.kind === 'journey' && landing.journey.status).toBe('succeeded');
    expect((await stack.db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${down}`)[0]!.n).toBe(1);
    expect((await findUserByLogin(stack.db, down, upstream.login))!.id).toBe(before!.id);
  });

  it('links an existing account with the same email only after its password', async () => {
    const tenant = await newDownstream();
    const local = await createUser(stack.db, tenant, { email: upstream.login, password: 'local-password-123' });
    const { browser, landing } = await federatedLogin(tenant);
    expect(landing.kind === 'journey' && landing.journey.step?.node).toBe('link-how');
    expect(browser.cookies.has('tessera_session')).toBe(false);
    await browser.api.submit({ choice: 'password' });
    const wrong = await browser.api.submit({ password: 'not-the-password' });
    expect(wrong.body.step.errors[0].code).toBe('invalid_credentials');
    expect(await listUserLinks(stack.db, tenant, local.id)).toEqual([]);
    const right = await browser.api.submit({ password: 'local-password-123' });
    expect(right.body.status, JSON.stringify(right.body)).toBe('succeeded');
    expect((await listUserLinks(stack.db, tenant, local.id)).map((l) => l.idp)).toEqual(['up']);
    // Linked now: the next federated sign-in goes straight through.
    const next = await federatedLogin(tenant);
    expect(next.landing.kind === 'journey' && next.landing.journey.status).toBe('succeeded');
  });

  it('refuses unknown users when JIT is off and creates nothing', async () => {
    const tenant = await newDownstream({ jit: false, onUnknown: 'refuse' });
    const { browser, landing } = await federatedLogin(tenant);
    expect(landing.kind === 'journey' && landing.journey).toMatchObject({ status: 'failed', error: { code: 'unknown_account' } });
    expect(browser.cookies.has('tessera_session')).toBe(false);
    expect(await stack.db`SELECT 1 FROM users WHERE tenant_id = ${tenant}`).toHaveLength(0);
    expect(await auditTypes(tenant)).toContainEqual(expect.objectContaining({ type: 'federation.refused', data: expect.objectContaining({ code: 'unknown_account' }) }));
  });

  it('sends unknown users to moderation when JIT is off and the IdP says so', async () => {
    const tenant = await newDownstream({ jit: false, onUnknown: 'register' });
    const { browser, landing } = await federatedLogin(tenant);
    expect(landing.kind === 'journey' && landing.journey).toMatchObject({ status: 'succeeded', notice: { code: 'awaiting_approval' } });
    expect(browser.cookies.has('tessera_session')).toBe(false);
    const pending = await findUserByLogin(stack.db, tenant, upstream.login);
    expect(pending?.status).toBe('pending');
    await stack.server.client.workflow.getHandle(registrationWorkflowId(tenant, pending!.id)).terminate('test done');
  });
});

describe('a bare oidc-provider as upstream', () => {
  it('signs in through the idp node, with the IdP\'s claim rules and group map applied', async () => {
    const tenant = uniqueTenantId('bare');
    await createTenant(stack.db, tenant);
    const callback = upstreamUrls(stack.url, tenant, 'bare').callback;
    const op = await startUpstreamOp({ redirectUris: [callback] });
    try {
      op.users.set('carol', { email: 'carol@bare.example', email_verified: true, preferred_username: 'Carol' });
      await saveIdp(stack.db, tenant, {
        kind: 'oidc', alias: 'bare', displayName: 'Bare OP', oidc: op.config('basic'),
        claimRules: [{ add: { claim: 'department', value: ['ops', 'sales'] } }, { add: { claim: 'name', template: '{{preferred_username}} from ops' } }],
        groups: { claim: 'department', map: { ops: 'operators' } },
      });
      const browser = new OidcBrowser(stack.url, tenant);
      const params = await op.authorize(await pickIdp(browser, 'bare'), 'carol');
      const landing = await bringBack(browser, `${callback}?${new URLSearchParams(params)}`);
      expect(landing.kind === 'journey' && landing.journey.status, JSON.stringify(landing)).toBe('succeeded');
      const user = await findUserByLogin(stack.db, tenant, 'carol@bare.example');
      expect(user).toMatchObject({ name: 'Carol from ops', status: 'active' });
      const [verified] = await stack.db`SELECT email_verified_at FROM users WHERE tenant_id = ${tenant} AND id = ${user!.id}`;
      expect(verified!.email_verified_at).not.toBeNull();
      const groups = await stack.db`SELECT name FROM user_groups WHERE tenant_id = ${tenant} AND user_id = ${user!.id}`;
      expect(groups.map((g) => g.name)).toEqual(['operators']);
    } finally {
      await op.close();
    }
  });
});

describe('dedicated nodes', () => {
  it('an `oidc-idp` node naming its IdP goes upstream at once, without a sign-in step', async () => {
    await saveTree(stack.db, down, { name: 'corp-only', start: 'corp', nodes: { corp: { type: 'oidc-idp', config: { idp: 'up' }, next: { ok: 'success' } } } });
    const browser = new OidcBrowser(stack.url, down);
    const started = await browser.api.start('login', 'corp-only');
    expect(started.body.step.type).toBe('redirect');
    const go = await browser.request('GET', started.body.step.options.url);
    const callback = await upstreamTesseraLogin(stack.url, upstream.tenant, down, go.headers.get('location')!, answers());
    const landing = await bringBack(browser, callback);
    expect(landing.kind === 'journey' && landing.journey.status).toBe('succeeded');
  });

  it('a `saml-idp` node does not use an OIDC IdP', async () => {
    await saveTree(stack.db, down, { name: 'wrong-kind', start: 'corp', nodes: { corp: { type: 'saml-idp', config: { idp: 'up' }, next: { ok: 'success' } } } });
    const browser = new OidcBrowser(stack.url, down);
    const started = await browser.api.start('login', 'wrong-kind');
    expect(started.body).toMatchObject({ status: 'failed', error: { code: 'idp_unavailable' } });
  });
});

describe('refused callbacks', () => {
  it('a state nobody issued: 400, audited, nothing changes', async () => {
    const res = await fetch(`${stack.url}/t/${down}/federation/up/callback?state=forged&code=whatever`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/does not belong to a sign-in in progress/);
    expect(await auditTypes(down)).toContainEqual(expect.objectContaining({ type: 'federation.refused', data: expect.objectContaining({ code: 'unknown_state' }) }));
  });

  it('another browser bringing the answer (login CSRF): refused, the journey still waits for its own', async () => {
    const victim = new OidcBrowser(stack.url, down);
    const attacker = new OidcBrowser(stack.url, down);
    const url = await pickIdp(attacker, 'up');
    const callback = await upstreamTesseraLogin(stack.url, upstream.tenant, down, url, answers());
    const landing = await bringBack(victim, callback);
    expect(landing.kind === 'page' && landing.status).toBe(400);
    expect(victim.cookies.has('tessera_session')).toBe(false);
    expect((await attacker.api.get()).body.status).toBe('waiting');
    expect(await auditTypes(down)).toContainEqual(expect.objectContaining({ type: 'federation.refused', data: expect.objectContaining({ code: 'wrong_browser' }) }));
    // The browser that started it can still bring it back.
    const mine = await bringBack(attacker, callback);
    expect(mine.kind === 'journey' && mine.journey.status).toBe('succeeded');
  });

  it('the redirect step leads upstream only the journey\'s own browser (the state stays out of other hands)', async () => {
    const mine = new OidcBrowser(stack.url, down);
    await mine.api.start('login');
    const step = (await mine.api.submit({ choice: 'up' })).body.step;
    const other = new OidcBrowser(stack.url, down);
    expect((await other.request('GET', step.options.url)).status).toBe(404);
    expect((await mine.request('GET', step.options.url)).status).toBe(303);
  });

  it('a callback replayed after the journey finished: refused', async () => {
    const { browser, callback } = await federatedLogin(down);
    const again = await bringBack(browser, callback);
    expect(again.kind === 'page' && again.status).toBe(400);
  });

  it('another tenant\'s callback route: the state is unknown there', async () => {
    const other = await newDownstream();
    const browser = new OidcBrowser(stack.url, down);
    const url = await pickIdp(browser, 'up');
    const callback = await upstreamTesseraLogin(stack.url, upstream.tenant, down, url, answers());
    const moved = new URL(callback.href.replace(`/t/${down}/`, `/t/${other}/`));
    const res = await bringBack(new OidcBrowser(stack.url, other), moved);
    expect(res.kind === 'page' && res.status).toBe(400);
    expect((await browser.api.get()).body.status).toBe('waiting');
  });

  it('the upstream said no (error=access_denied): the journey fails with a message, audited, no session', async () => {
    const browser = new OidcBrowser(stack.url, down);
    const url = new URL(await pickIdp(browser, 'up'));
    const state = url.searchParams.get('state')!;
    const landing = await bringBack(browser, `${stack.url}/t/${down}/federation/up/callback?error=access_denied&state=${state}`);
    expect(landing.kind === 'journey' && landing.journey).toMatchObject({ status: 'failed', error: { code: 'federation_failed' } });
    expect(browser.cookies.has('tessera_session')).toBe(false);
    expect(await auditTypes(down)).toContainEqual(expect.objectContaining({ type: 'federation.refused', data: expect.objectContaining({ code: 'access_denied' }) }));
  });

  it('an `iss` mix-up (the answer claims another issuer): refused, no session', async () => {
    const browser = new OidcBrowser(stack.url, down);
    const url = await pickIdp(browser, 'up');
    const callback = await upstreamTesseraLogin(stack.url, upstream.tenant, down, url, answers());
    callback.searchParams.set('iss', `${stack.url}/t/someone-else`);
    const landing = await bringBack(browser, callback);
    expect(landing.kind === 'journey' && landing.journey.status).toBe('failed');
    expect(browser.cookies.has('tessera_session')).toBe(false);
  });

  it('other tenants do not offer this tenant\'s IdPs', async () => {
    const other = uniqueTenantId('plain');
    await createTenant(stack.db, other);
    const browser = new OidcBrowser(stack.url, other);
    await browser.api.start('login');
    expect(browser.api.journey!.step!.choices).toBeUndefined();
    const res = await browser.api.submit({ choice: 'up' });
    expect(res.status).toBe(400);
  });
});

describe('history', () => {
  it('holds neither the state, the code nor the client secret (only the state\'s hash)', async () => {
    const { browser, url, callback } = await federatedLogin(down);
    const id = browser.api.journey!.id;
    const history = await stack.server.client.workflow.getHandle(id).fetchHistory();
    const texts: string[] = [];
    const visit = async (node: unknown): Promise<void> => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) { for (const n of node) await visit(n); return; }
      const obj = node as Record<string, unknown>;
      if (obj.data instanceof Uint8Array && obj.metadata) {
        const [plain] = await codec.decode([obj as Payload]);
        texts.push(JSON.stringify(defaultPayloadConverter.fromPayload(plain!)));
        return;
      }
      for (const value of Object.values(obj)) await visit(value);
    };
    await visit(history);
    const all = texts.join('\n');
    expect(all).toContain('federated');
    for (const secret of [new URL(url).searchParams.get('state')!, callback.searchParams.get('code')!, clientSecret, new URL(url).searchParams.get('nonce') ?? 'no-nonce-in-url']) {
      expect(all).not.toContain(secret);
    }
  });
});

