// The legacy (Astakos-compatible) login protocol over HTTP against real Temporal and PostgreSQL:
// /login?next= through a journey and back, user tokens checked by a registered service at
// /account/v1.0/authenticate, renew and force, the `next` allowlist, and the CLI that manages it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { createUser, setUserStatus } from '../../core/accounts/users.ts';
import { registerService, unregisterService } from '../../core/legacy/legacy-services.ts';
import { updateLegacySettings } from '../../core/legacy/legacy-settings.ts';
import { JourneyApi, type ApiResponse } from '../support/journey-api.ts';
import { tenantWithUser, type TestUser } from '../support/harness.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;

const NEXT = 'https://svc.example/app/landing?lang=en';

interface Site extends TestUser { tenant: string; serviceToken: string }

async function site(): Promise<Site> {
  const made = await tenantWithUser(db);
  await updateLegacySettings(db, made.tenant, { allowedNext: ['https://svc.example/app', 'http://127.0.0.1:9/cb/'] });
  await db`UPDATE users SET name = 'Alice Example' WHERE tenant_id = ${made.tenant} AND id = ${made.user.id}`;
  await db`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${made.tenant}, ${made.user.id}, 'staff'), (${made.tenant}, ${made.user.id}, 'admins')`;
  const service = await registerService(db, made.tenant, 'pithos');
  return { ...made, serviceToken: service.token };
}

function loginPath(tenant: string, next: string, flags = ''): string {
  return `/t/${tenant}/login?next=${encodeURIComponent(next)}${flags}`;
}

/** A `/login` that needs the user: runs the journey it started, then follows `redirectTo`. */
async function signIn(api: JourneyApi, s: Site, path: string): Promise<ApiResponse> {
  const start = await api.request('GET', path);
  expect(start.status, JSON.stringify(start.body)).toBe(303);
  const id = /^\/t\/[a-z0-9-]+\/ui\/journey\/([A-Za-z0-9_-]{22,64})$/.exec(start.headers.get('location') ?? '')?.[1];
  expect(id).toBeDefined();
  const read = await api.get(id!);
  expect(read.status).toBe(200);
  api.journey = read.body;
  expect((await api.submit({ username: s.login })).status).toBe(200);
  const done = await api.submit({ password: s.password });
  expect(done.body.status).toBe('succeeded');
  expect(done.body.redirectTo).toMatch(new RegExp(`^/t/${s.tenant}/login\\?next=`));
  expect(done.body.redirectTo).not.toMatch(/force/);
  return api.request('GET', done.body.redirectTo);
}

/** The `next` a 302 sends the browser to, and the user and token it carries. */
function landing(res: ApiResponse): { url: URL; user: string; token: string } {
  expect(res.status, JSON.stringify(res.body)).toBe(302);
  const url = new URL(res.headers.get('location')!);
  return { url, user: url.searchParams.get('user')!, token: url.searchParams.get('token')! };
}

async function authenticate(tenant: string, headers: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${stack.url}/t/${tenant}/account/v1.0/authenticate`, { headers });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const check = (s: Site, token: string) => authenticate(s.tenant, { 'x-auth-token': token, 'x-service-token': s.serviceToken });

describe('legacy login', () => {
  it('runs a journey without a session, then returns to next with user and token', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const { url, user, token } = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    expect(`${url.origin}${url.pathname}`).toBe('https://svc.example/app/landing');
    expect(url.searchParams.get('lang')).toBe('en');
    expect(url.search.startsWith('?lang=en&user=')).toBe(true);
    expect(user).toBe(s.login);
    expect(token).toMatch(/^tsu_[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored.
    const [row] = await db`SELECT count(*)::int AS n FROM legacy_user_tokens WHERE tenant_id = ${s.tenant} AND hash = ${token}`;
    expect(row!.n).toBe(0);

    const ok = await check(s, token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ uuid: s.user.id, email: s.login, name: 'Alice Example', groups: ['admins', 'staff'] });
    const bearer = await authenticate(s.tenant, { 'x-auth-token': token, authorization: `Bearer ${s.serviceToken}` });
    expect(bearer.status).toBe(200);
    expect(bearer.body.uuid).toBe(s.user.id);
  });

  it('reuses the live session and the browser\'s token on the next visit; renew replaces the token', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const first = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    const again = landing(await api.request('GET', loginPath(s.tenant, 'http://127.0.0.1:9/cb/x')));
    expect(again.url.origin + again.url.pathname).toBe('http://127.0.0.1:9/cb/x');
    expect(again.token).toBe(first.token);

    const renewed = landing(await api.request('GET', loginPath(s.tenant, NEXT, '&renew')));
    expect(renewed.token).not.toBe(first.token);
    expect((await check(s, renewed.token)).status).toBe(200);
    const old = await check(s, first.token);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('invalid_token');
    // The renewed token is what this browser now gets without renew.
    expect(landing(await api.request('GET', loginPath(s.tenant, NEXT))).token).toBe(renewed.token);
  });

  it('never hands a token the browser holds to another user or session', async () => {
    const s = await site();
    const alice = new JourneyApi(stack.url, s.tenant);
    const aliceToken = landing(await signIn(alice, s, loginPath(s.tenant, NEXT))).token;
    const bobLogin = `bob@${s.tenant}.example`;
    await createUser(db, s.tenant, { email: bobLogin, password: s.password });
    const bob = new JourneyApi(stack.url, s.tenant);
    bob.cookies.set('tessera_legacy_token', aliceToken);
    const got = landing(await signIn(bob, { ...s, login: bobLogin }, loginPath(s.tenant, NEXT)));
    expect(got.user).toBe(bobLogin);
    expect(got.token).not.toBe(aliceToken);
    expect((await check(s, got.token)).body.email).toBe(bobLogin);
    // Alice in a second browser (a second SSO session) gets a token of her own.
    const elsewhere = new JourneyApi(stack.url, s.tenant);
    elsewhere.cookies.set('tessera_legacy_token', aliceToken);
    const second = landing(await signIn(elsewhere, s, loginPath(s.tenant, NEXT)));
    expect(second.token).not.toBe(aliceToken);
    expect((await check(s, aliceToken)).status).toBe(200);
  });

  it('force ends the session and revokes its tokens before a new login', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const first = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    const sessionCookie = api.cookies.get('tessera_session')!;
    expect(await getSession(db, s.tenant, sessionCookie)).toBeDefined();

    const forced = await api.request('GET', loginPath(s.tenant, NEXT, '&force'));
    expect(forced.status).toBe(303);
    expect(forced.headers.get('location')).toMatch(/\/ui\/journey\//);
    expect(await getSession(db, s.tenant, sessionCookie)).toBeUndefined();
    expect(api.cookies.has('tessera_session')).toBe(false);
    expect((await check(s, first.token)).status).toBe(401);

    // The old session cookie, replayed, no longer signs anyone in.
    const replay = new JourneyApi(stack.url, s.tenant);
    replay.cookies.set('tessera_session', sessionCookie);
    expect((await replay.request('GET', loginPath(s.tenant, NEXT))).status).toBe(303);

    // A new login gives a new token.
    const second = landing(await signIn(api, s, loginPath(s.tenant, NEXT, '&force')));
    expect(second.token).not.toBe(first.token);
    expect((await check(s, second.token)).status).toBe(200);
  });

  it('answers 401 for an expired, revoked or unknown token, and for a disabled user', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const { token } = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    expect((await check(s, token)).status).toBe(200);

    await db`UPDATE legacy_user_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = ${s.tenant} AND user_id = ${s.user.id}`;
    const expired = await check(s, token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: { code: 'invalid_token', message: expect.any(String) } });
    await db`UPDATE legacy_user_tokens SET expires_at = now() + interval '1 day' WHERE tenant_id = ${s.tenant} AND user_id = ${s.user.id}`;
    expect((await check(s, token)).status).toBe(200);

    for (const unknown of ['tsu_' + 'A'.repeat(43), 'not-a-token', token.slice(0, -1)]) {
      expect((await check(s, unknown)).status).toBe(401);
    }
    expect((await authenticate(s.tenant, { 'x-service-token': s.serviceToken })).status).toBe(401);

    await setUserStatus(db, s.tenant, s.user.id, 'disabled');
    const disabled = await check(s, token);
    expect(disabled.status).toBe(401);
    expect(disabled.body.error.code).toBe('invalid_token');
  });

  it('answers 401 without a valid service token of the tenant, whatever the user token', async () => {
    const s = await site();
    const other = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const { token } = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    const refusals: Record<string, string>[] = [
      {},
      { 'x-service-token': 'tss_' + 'B'.repeat(43) },
      { 'x-service-token': s.serviceToken.slice(0, -1) + (s.serviceToken.endsWith('A') ? 'B' : 'A') },
      { authorization: `Basic ${s.serviceToken}` },
      { 'x-service-token': other.serviceToken },
      { 'x-service-token': token },
    ];
    for (const headers of refusals) {
      const res = await authenticate(s.tenant, { 'x-auth-token': token, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.error.code).toBe('invalid_service');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // A user token is only good in the tenant that issued it.
    expect((await authenticate(other.tenant, { 'x-auth-token': token, 'x-service-token': other.serviceToken })).status).toBe(401);
    // An unregistered service's token stops working at once.
    expect(await unregisterService(db, s.tenant, 'pithos')).toBe(true);
    expect((await check(s, token)).status).toBe(401);
  });

  it('refuses a next outside the allowlist with an error, never a redirect, and changes nothing', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const { token } = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));
    const sessionCookie = api.cookies.get('tessera_session')!;
    const refused = [
      'https://svc.example/other', 'https://svc.example/apple', 'https://evil.example/app', 'http://svc.example/app',
      'https://svc.example.evil.com/app', 'https://allowed.example.evil.com/', '//evil.com/app', '//svc.example/app',
      '/app', 'https://svc.example@evil.com/app', 'https://user:pw@svc.example/app', 'https://evil.com\\@svc.example/app',
      'https:\\\\evil.com/app', 'https://svc.example/app/..%2f..%2fadmin', 'https://svc.example/app/%2e%2e/%2e%2e/admin',
      'javascript:alert(1)//https://svc.example/app', 'https://svc.example/app?user=mallory@evil.com',
    ];
    for (const next of refused) {
      for (const flags of ['', '&force', '&renew']) {
        const res = await api.request('GET', loginPath(s.tenant, next, flags));
        expect(res.status, next + flags).toBe(400);
        expect(res.headers.get('location'), next).toBeNull();
        expect(res.headers.getSetCookie(), next).toEqual([]);
        expect(res.body.error.code).toBe('invalid_next');
      }
    }
    for (const query of ['', '?next=', `?next=${encodeURIComponent(NEXT)}&next=${encodeURIComponent(NEXT)}`]) {
      const res = await api.request('GET', `/t/${s.tenant}/login${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    // Neither force nor renew did anything: the session and its token are still live.
    expect(await getSession(db, s.tenant, sessionCookie)).toBeDefined();
    expect((await check(s, token)).status).toBe(200);

    // A browser asking for HTML gets a page, not a redirect.
    const page = await fetch(`${stack.url}${loginPath(s.tenant, '//evil.com/')}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).not.toContain('evil.com');
  });

  it('refuses every next while a tenant allows none', async () => {
    const made = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, made.tenant);
    const res = await api.request('GET', loginPath(made.tenant, NEXT));
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('tessera services and settings legacy', () => {
  let dir: string;
  let env: Env;

  beforeAll(async () => {
    dir = await tempDir('tessera-legacy-cli-');
    env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    await killAll();
    await removeDir(dir);
  });

  async function run(args: string[]) {
    return runTessera(args, env, 120_000);
  }

  it('registers a service whose token authenticates, lists it, and unregisters it', async () => {
    const s = await site();
    const api = new JourneyApi(stack.url, s.tenant);
    const { token } = landing(await signIn(api, s, loginPath(s.tenant, NEXT)));

    const registered = await run(['services', 'register', '--tenant', s.tenant, '--name', 'cyclades', '--json']);
    expect(registered.code, registered.stderr).toBe(0);
    const created = JSON.parse(registered.stdout);
    expect(created).toMatchObject({ name: 'cyclades', token: expect.stringMatching(/^tss_/) });
    const ok = await authenticate(s.tenant, { 'x-auth-token': token, 'x-service-token': created.token });
    expect(ok.status).toBe(200);
    expect(ok.body.email).toBe(s.login);

    const dup = await run(['services', 'register', '--tenant', s.tenant, '--name', 'cyclades']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr.trim()).toBe('tessera: a service named "cyclades" is already registered');

    const listed = await run(['services', 'list', '--tenant', s.tenant, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['cyclades', 'pithos']);
    expect(listed.stdout).not.toContain(created.token);

    const gone = await run(['services', 'unregister', '--tenant', s.tenant, '--name', 'cyclades']);
    expect(gone.code, gone.stderr).toBe(0);
    expect((await authenticate(s.tenant, { 'x-auth-token': token, 'x-service-token': created.token })).status).toBe(401);
    const again = await run(['services', 'unregister', '--tenant', s.tenant, '--name', 'cyclades']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/no service named "cyclades"/);
  });

  it('sets the allowlist (normalized) and refuses a malformed prefix', async () => {
    const made = await tenantWithUser(db);
    const set = await run(['settings', 'legacy', '--tenant', made.tenant, '--allow', 'HTTPS://Svc.Example:443/app', '--allow', 'https://b.example/', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ tenant: made.tenant, allowedNext: ['https://svc.example/app', 'https://b.example/'], tokenTtl: '30d' });
    const api = new JourneyApi(stack.url, made.tenant);
    expect((await api.request('GET', loginPath(made.tenant, 'https://svc.example/app/x'))).status).toBe(303);

    const bad = await run(['settings', 'legacy', '--tenant', made.tenant, '--allow', 'https://u@svc.example/']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^tessera: allowedNext\.0: /);
  });
});
