// The account API (/t/{tenant}/api/account) and the account journeys, over HTTP against a real
// Temporal dev server and database: a token of the account console for this API only, the
// signed-in user's own account only, no secrets in answers, sessions with this device marked, and
// sensitive changes as `account` journeys that ask for fresh proof unless the session is recent.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { recordAcceptance, addTerms } from '../../core/accounts/terms.ts';
import { getTotpSecret, newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { createUser, getUser, setUserStatus } from '../../core/accounts/users.ts';
import { queryAudit } from '../../core/infra/audit.ts';
import { listDevMail, type DevMail } from '../../core/infra/dev-mailbox.ts';
import { listCredentials, saveCredential } from '../../core/accounts/webauthn-credentials.ts';
import { linkIdentity, listUserLinks } from '../../core/federation/federated-identities.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { ensureSigningKeys, signJwt } from '../../core/oidc/signing-keys.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { rememberConsent } from '../../server/protocols/oidc/consent-store.ts';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

const now = () => Math.floor(Date.now() / 1000);

async function tokenFor(tenant: string, sub: string, claims: Record<string, unknown> = {}, typ = 'at+jwt') {
  await ensureSigningKeys(db, tenant);
  return signJwt(db, tenant, {
    iss: `${stack.config.publicUrl}/t/${tenant}`, aud: `${stack.config.publicUrl}/t/${tenant}/api/account`,
    sub, client_id: 'tessera-account', iat: now(), exp: now() + 300, ...claims,
  }, { typ });
}

async function call(api: JourneyApi | undefined, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
  if (api?.cookies.size) headers.cookie = [...api.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text, headers: res.headers };
}

async function signIn(tenant: string, login: string, password: string) {
  const api = new JourneyApi(stack.url, tenant);
  expect((await api.start()).status).toBe(201);
  await api.submit({ username: login });
  const res = await api.submit({ password });
  expect(res.body.status).toBe('succeeded');
  return api;
}

/** Starts an account journey on `tree` naming what it acts on (`{ remove }` or `{ idp }`). */
async function startAccount(api: JourneyApi, tree: string, on: Record<string, string>) {
  const res = await api.request('POST', `/t/${api.tenant}/api/journeys`, { kind: 'account', tree, ...on });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  api.journey = res.body;
  return res;
}

/** The newest dev-mailbox message of `template` to `to`, waiting for it to be sent. */
async function mailTo(tenant: string, to: string, template: string): Promise<DevMail> {
  for (let i = 0; i < 50; i++) {
    const mail = (await listDevMail(db, { tenant, to })).find((m) => m.template === template);
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${template} mail to ${to}`);
}

const fakePasskey = (tenant: string, userId: string, id = randomBytes(16).toString('base64url')) => ({
  tenant, id, userId, publicKey: new Uint8Array(randomBytes(77)), counter: 0, transports: ['internal'],
  deviceType: 'multiDevice' as const, backedUp: true, aaguid: '00000000-0000-0000-0000-000000000000',
});

describe('who may call the account API', () => {
  it('accepts the account console\'s token for this API and refuses another client, audience, tenant, type or a disabled user', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const other = await tenantWithUser(db);
    const path = `/t/${tenant}/api/account/profile`;
    expect((await call(undefined, 'GET', path, await tokenFor(tenant, user.id))).status).toBe(200);

    const refused = [
      undefined,
      'not-a-token',
      await tokenFor(tenant, user.id, { client_id: 'tessera-admin' }),
      await tokenFor(tenant, user.id, { client_id: 'shop' }),
      await tokenFor(tenant, user.id, { aud: `${stack.config.publicUrl}/api/admin` }),
      await tokenFor(tenant, user.id, { aud: `${stack.config.publicUrl}/t/${other.tenant}/api/account` }),
      await tokenFor(tenant, user.id, { exp: now() - 10 }),
      await tokenFor(tenant, user.id, {}, 'JWT'),
      // Another tenant's token (signed by its keys, for its own account API) is nothing here.
      await tokenFor(other.tenant, other.user.id),
    ];
    for (const token of refused) {
      const res = await call(undefined, 'GET', path, token);
      expect(res.status, String(token).slice(0, 40)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera"/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const token = await tokenFor(tenant, user.id);
    await setUserStatus(db, tenant, user.id, 'disabled');
    expect((await call(undefined, 'GET', path, token)).status).toBe(401);
  });

  it('gets a token for the account API through the provider as tessera-account (code + PKCE + resource)', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const browser = new OidcBrowser(stack.url, tenant);
    browser.leaveAt.push(`/t/${tenant}/account/`);
    const redirectUri = `${stack.config.publicUrl}/t/${tenant}/account/`;
    const resource = `${stack.config.publicUrl}/t/${tenant}/api/account`;
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${stack.url}/t/${tenant}/oidc/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'tessera-account', response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile email', state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', resource,
    }).toString();
    const landing = await browser.login(authorize.href, { username: login, password });
    expect(landing.kind).toBe('callback');
    const code = (landing as { params: URLSearchParams }).params.get('code')!;
    const res = await fetch(`${stack.url}/t/${tenant}/oidc/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'tessera-account', code_verifier: verifier, resource }),
    });
    const token = await res.json() as { access_token: string };
    expect(res.status).toBe(200);
    const profile = await call(undefined, 'GET', `/t/${tenant}/api/account/profile`, token.access_token);
    expect(profile.status).toBe(200);
    expect(profile.body.email).toBe(user.email);
    // The same token is worth nothing at the admin API.
    expect((await call(undefined, 'GET', `/t/${tenant}/api/admin/users`, token.access_token)).status).toBe(401);
  });
});

describe('the own account only, without secrets', () => {
  it('reads and changes the profile; the email only through a journey; unknown attributes refused', async () => {
    const { tenant, user } = await tenantWithUser(db);
    await db`UPDATE tenants SET settings = jsonb_set(settings, '{profile}', '{"required":["company"]}') WHERE id = ${tenant}`;
    const token = await tokenFor(tenant, user.id);
    const path = `/t/${tenant}/api/account/profile`;
    const patched = await call(undefined, 'PATCH', path, token, { name: 'Alice Liddell', attributes: { company: 'Wonderland' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Alice Liddell', attributes: { company: 'Wonderland' }, attributeKeys: ['company'] });
    expect((await call(undefined, 'PATCH', path, token, { email: 'mallory@evil.example' })).body.error.code).toBe('email_needs_journey');
    expect((await call(undefined, 'PATCH', path, token, { attributes: { role: 'admin' } })).status).toBe(400);
    expect((await call(undefined, 'PATCH', path, token, { status: 'active' })).status).toBe(400);
    expect((await call(undefined, 'PATCH', path, token, { name: 'x'.repeat(201) })).status).toBe(400);
    expect((await call(undefined, 'PATCH', path, token, { name: 'two\nlines' })).status).toBe(400);
    expect((await call(undefined, 'GET', path, token)).body.email).toBe(user.email);
  });

  it('lists, renames and removes only the user\'s own passkeys, and answers no secret', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    const mine = fakePasskey(tenant, user.id);
    const his = fakePasskey(tenant, bob.id);
    await saveCredential(db, mine);
    await saveCredential(db, his);
    await saveTotpSecret(db, tenant, user.id, newTotpSecret(), 0);
    const token = await tokenFor(tenant, user.id);
    const base = `/t/${tenant}/api/account`;

    const creds = await call(undefined, 'GET', `${base}/credentials`, token);
    expect(creds.body).toMatchObject({ password: { set: true }, totp: { enrolled: true }, passkeys: [{ id: mine.id, name: null }] });
    expect(creds.body.passkeys).toHaveLength(1);
    expect(creds.text).not.toMatch(/publicKey|public_key|secret|hash|counter/i);

    const renamed = await call(undefined, 'PATCH', `${base}/passkeys/${mine.id}`, token, { name: 'Work laptop' });
    expect(renamed.body).toMatchObject({ id: mine.id, name: 'Work laptop' });
    expect((await call(undefined, 'PATCH', `${base}/passkeys/${mine.id}`, token, { name: '' })).status).toBe(400);
    expect((await call(undefined, 'PATCH', `${base}/passkeys/${mine.id}`, token, { name: 'a'.repeat(65) })).status).toBe(400);
    expect((await call(undefined, 'PATCH', `${base}/passkeys/${mine.id}`, token, { name: 'ok', extra: 1 })).status).toBe(400);
    // Bob's passkey: as if it did not exist.
    expect((await call(undefined, 'PATCH', `${base}/passkeys/${his.id}`, token, { name: 'mine now' })).status).toBe(404);
    expect(await listCredentials(db, tenant, bob.id)).toMatchObject([{ id: his.id, name: null }]);

    // Removing a factor is a journey with fresh proof (below), never a plain call.
    for (const id of [mine.id, his.id]) {
      const refused = await call(undefined, 'DELETE', `${base}/passkeys/${id}`, token);
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'journey_required' } } });
    }
    expect(await listCredentials(db, tenant, user.id)).toHaveLength(1);
    expect(await listCredentials(db, tenant, bob.id)).toHaveLength(1);
  });

  it('lists sessions with this device marked, ends another one and all others, never another user\'s', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    const here = await signIn(tenant, login, password);
    const phone = await signIn(tenant, login, password);
    const laptop = await signIn(tenant, login, password);
    const bobs = await signIn(tenant, bob.email!, 'bob-password-123');
    const token = await tokenFor(tenant, user.id);
    const base = `/t/${tenant}/api/account`;

    const list = await call(here, 'GET', `${base}/sessions`, token);
    expect(list.body.items).toHaveLength(3);
    const current = list.body.items.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0].id).toBe((await getSession(db, tenant, here.cookies.get('tessera_session')!))!.id);
    expect(list.text).not.toContain(here.cookies.get('tessera_session'));
    expect(list.text).not.toMatch(/id_hash|idHash/);

    const bobSession = (await getSession(db, tenant, bobs.cookies.get('tessera_session')!))!;
    expect((await call(here, 'DELETE', `${base}/sessions/${bobSession.id}`, token)).status).toBe(404);
    expect(await getSession(db, tenant, bobs.cookies.get('tessera_session')!)).toBeDefined();

    const phoneSession = (await getSession(db, tenant, phone.cookies.get('tessera_session')!))!;
    expect((await call(here, 'DELETE', `${base}/sessions/${phoneSession.id}`, token)).status).toBe(204);
    expect(await getSession(db, tenant, phone.cookies.get('tessera_session')!)).toBeUndefined();

    expect((await call(here, 'POST', `${base}/sessions/end-others`, token, {})).body).toEqual({ ended: 1 });
    expect(await getSession(db, tenant, laptop.cookies.get('tessera_session')!)).toBeUndefined();
    expect(await getSession(db, tenant, here.cookies.get('tessera_session')!)).toBeDefined();
    expect(await getSession(db, tenant, bobs.cookies.get('tessera_session')!)).toBeDefined();
  });

  it('lists and revokes applications given consent, linked accounts (not the last way in) and accepted terms', async () => {
    const { tenant, user } = await tenantWithUser(db);
    await createOidcClient(db, tenant, { client_id: 'shop', client_name: 'The Shop', redirect_uris: ['https://shop.test/cb'], token_endpoint_auth_method: 'none' } as never);
    await rememberConsent(db, tenant, user.id, 'shop', { scopes: ['openid', 'email'], claims: [], resources: {} });
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example` });
    await rememberConsent(db, tenant, bob.id, 'shop', { scopes: ['openid'], claims: [], resources: {} });
    await saveIdp(db, tenant, { kind: 'oidc', alias: 'corp', displayName: 'Corp SSO', oidc: { issuer: 'https://corp.example', clientId: 'c', scopes: ['openid'] } });
    await linkIdentity(db, tenant, 'corp', 'upstream-subject-1', user.id, 'alice@corp.example');
    await linkIdentity(db, tenant, 'corp', 'upstream-subject-2', bob.id, 'bob@corp.example');
    const terms = await addTerms(db, tenant, 'https://example.test/terms', 'Terms');
    await recordAcceptance(db, tenant, user.id, terms.version);
    const token = await tokenFor(tenant, user.id);
    const base = `/t/${tenant}/api/account`;

    const apps = await call(undefined, 'GET', `${base}/applications`, token);
    expect(apps.body.items).toEqual([expect.objectContaining({ clientId: 'shop', name: 'The Shop', scopes: ['email', 'openid'], consented: true })]);
    expect((await call(undefined, 'DELETE', `${base}/applications/tessera-account`, token)).status).toBe(404);
    expect((await call(undefined, 'DELETE', `${base}/applications/shop`, token)).status).toBe(204);
    expect((await call(undefined, 'GET', `${base}/applications`, token)).body.items).toEqual([]);
    expect((await call(undefined, 'GET', `${base}/applications`, await tokenFor(tenant, bob.id))).body.items).toHaveLength(1);

    const links = await call(undefined, 'GET', `${base}/linked-accounts`, token);
    expect(links.body.items).toEqual([expect.objectContaining({ idp: 'corp', name: 'Corp SSO', email: 'alice@corp.example' })]);
    expect(links.body.available).toEqual([]);
    expect(links.text).not.toContain('upstream-subject');
    // Unlinking is a journey with fresh proof (below), never a plain call.
    expect((await call(undefined, 'DELETE', `${base}/linked-accounts/corp`, token))).toMatchObject({ status: 403, body: { error: { code: 'journey_required' } } });
    expect(await listUserLinks(db, tenant, user.id)).toHaveLength(1);

    const accepted = await call(undefined, 'GET', `${base}/terms`, token);
    expect(accepted.body.items).toEqual([expect.objectContaining({ version: terms.version, title: 'Terms', current: true })]);
  });
});

describe('account journeys', () => {
  it('start only for the browser\'s signed-in user, and only on account trees', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const anonymous = new JourneyApi(stack.url, tenant);
    expect((await anonymous.start('account', 'account-password')).status).toBe(401);
    const api = await signIn(tenant, login, password);
    expect((await api.start('account', 'login')).body.error.code).toBe('tree_not_allowed');
    expect((await api.start('account')).status).toBe(400);
    // The account trees run only as account journeys (the step-up one is internal: unknown alone).
    expect((await api.start('login', 'account-password')).body.error.code).toBe('tree_not_allowed');
    expect((await api.start('login', 'account-step-up')).body.error.code).toBe('unknown_tree');
    // A body cannot name the user.
    expect((await api.request('POST', `/t/${tenant}/api/journeys`, { kind: 'account', tree: 'account-password', userId: 'x' })).status).toBe(400);
  });

  it('asks for fresh proof when the sign-in is older than 5 minutes, then changes the password of the signed-in user', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const api = await signIn(tenant, login, password);
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    const started = await api.start('account', 'account-password');
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: 'account', status: 'waiting', step: { type: 'choice' } });
    await api.submit({ choice: 'password' });
    expect(api.journey!.step!.fields!.map((f) => f.name)).toContain('password');
    const wrong = await api.submit({ password: 'not-it' });
    expect(wrong.body.step.errors[0].code).toBe('invalid_credentials');
    await api.submit({ password });
    expect(api.journey!.step!.fields!.map((f) => f.name)).toEqual(['username', 'password', 'confirm']);
    const done = await api.submit({ password: 'a-new-long-passphrase-1', confirm: 'a-new-long-passphrase-1' });
    expect(done.body).toMatchObject({ kind: 'account', status: 'succeeded' });
    // The change ended every session; this browser got a new one, of the same user.
    const session = await getSession(db, tenant, api.cookies.get('tessera_session')!);
    expect(session?.userId).toBe(user.id);
    const again = await signIn(tenant, login, 'a-new-long-passphrase-1');
    expect(again.cookies.get('tessera_session')).toBeDefined();
  });

  it('goes straight to the change within 5 minutes of signing in, and keeps the session', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const api = await signIn(tenant, login, password);
    const before = api.cookies.get('tessera_session');
    const started = await api.start('account', 'account-totp');
    expect(started.body.step).toMatchObject({ type: 'form', title: 'Set up your authenticator app' });
    expect(started.body.step.image.src).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(api.cookies.get('tessera_session')).toBe(before);
    expect((await getSession(db, tenant, before!))?.userId).toBe(user.id);
  });

  it('enrols an authenticator app with a code from its key, and the next sign-in asks for that app\'s code', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const api = await signIn(tenant, login, password);
    const started = await startAccount(api, 'account-totp', {});
    // The step shows the key for typing in as well as the QR code; it is only in the journey until confirmed.
    const key = /enter this key: ([A-Z2-7 ]+)\./.exec(started.body.step.description)![1]!.replaceAll(' ', '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await getTotpSecret(db, tenant, user.id)).toBeUndefined();
    const wrong = await api.submit({ code: totpCode(newTotpSecret()) });
    expect(wrong.body.step.errors[0].code).toBe('invalid_code');
    expect(await getTotpSecret(db, tenant, user.id)).toBeUndefined();
    expect((await api.submit({ code: totpCode(key) })).body).toMatchObject({ kind: 'account', status: 'succeeded' });
    expect(await getTotpSecret(db, tenant, user.id)).toBe(key);
    expect((await call(undefined, 'GET', `/t/${tenant}/api/account/credentials`, await tokenFor(tenant, user.id))).body.totp.enrolled).toBe(true);

    // A new sign-in: the password, then the app's code (the next one: a code is accepted once).
    const next = new JourneyApi(stack.url, tenant);
    await next.start();
    await next.submit({ username: login });
    const asked = await next.submit({ password });
    expect(asked.body.step).toMatchObject({ title: 'Two-step verification', fields: [expect.objectContaining({ name: 'code' })] });
    expect((await next.submit({ code: totpCode(newTotpSecret()) })).body.step.errors[0].code).toBe('invalid_code');
    expect((await next.submit({ code: totpCode(key, Date.now() + 30_000) })).body.status).toBe('succeeded');
    expect((await getSession(db, tenant, next.cookies.get('tessera_session')!))?.userId).toBe(user.id);
  });

  it('removes the authenticator app after fresh proof, and only the signed-in user\'s', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    const api = await signIn(tenant, login, password);
    await saveTotpSecret(db, tenant, user.id, newTotpSecret(), 0);
    await saveTotpSecret(db, tenant, bob.id, newTotpSecret(), 0);
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    await api.start('account', 'account-totp-remove');
    expect(api.journey!.step!.type).toBe('choice');
    expect(await getTotpSecret(db, tenant, user.id)).toBeDefined();
    await api.submit({ choice: 'password' });
    const done = await api.submit({ password });
    expect(done.body).toMatchObject({ kind: 'account', status: 'succeeded' });
    expect(await getTotpSecret(db, tenant, user.id)).toBeUndefined();
    expect(await getTotpSecret(db, tenant, bob.id)).toBeDefined();
  });

  it('removes a passkey only after fresh proof, only the signed-in user\'s, and audits it', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    const [mine, spare, his] = [fakePasskey(tenant, user.id), fakePasskey(tenant, user.id), fakePasskey(tenant, bob.id)];
    for (const p of [mine, spare, his]) await saveCredential(db, p);
    const api = await signIn(tenant, login, password);
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    const ids = async () => (await listCredentials(db, tenant, user.id)).map((p) => p.id).sort();

    const started = await startAccount(api, 'account-passkey-remove', { remove: mine.id });
    expect(started.body).toMatchObject({ kind: 'account', status: 'waiting', step: { type: 'choice' } });
    await api.submit({ choice: 'password' });
    expect((await api.submit({ password: 'not-it' })).body.step.errors[0].code).toBe('invalid_credentials');
    expect(await ids()).toEqual([mine.id, spare.id].sort());
    expect(await queryAudit(db, tenant, { type: 'account.passkey_removed', limit: 10 })).toEqual([]);
    expect((await api.submit({ password })).body).toMatchObject({ kind: 'account', status: 'succeeded' });
    expect(await ids()).toEqual([spare.id]);
    expect(await queryAudit(db, tenant, { type: 'account.passkey_removed', limit: 10 })).toEqual([
      expect.objectContaining({ subject: user.id, journeyId: started.body.id, data: expect.objectContaining({ credentialId: mine.id }) }),
    ]);

    // Bob's passkey named in the user's journey: as if it did not exist, and it stays.
    await startAccount(api, 'account-passkey-remove', { remove: his.id });
    await api.submit({ choice: 'password' });
    expect((await api.submit({ password })).body).toMatchObject({ status: 'failed', error: { code: 'no_passkey' } });
    expect(await listCredentials(db, tenant, bob.id)).toHaveLength(1);

    // Signed in a moment ago: the removal goes at once. Only an account journey names what it removes.
    const fresh = await signIn(tenant, login, password);
    expect((await startAccount(fresh, 'account-passkey-remove', { remove: spare.id })).body).toMatchObject({ status: 'succeeded' });
    expect(await ids()).toEqual([]);
    expect((await fresh.request('POST', `/t/${tenant}/api/journeys`, { kind: 'login', remove: his.id })).status).toBe(400);
  });

  it('unlinks an upstream account only after fresh proof, never the only way in, and audits it', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    await saveIdp(db, tenant, { kind: 'oidc', alias: 'corp', displayName: 'Corp SSO', oidc: { issuer: 'https://corp.example', clientId: 'c', scopes: ['openid'] } });
    await linkIdentity(db, tenant, 'corp', 'upstream-subject-1', user.id, 'alice@corp.example');
    await linkIdentity(db, tenant, 'corp', 'upstream-subject-2', bob.id, 'bob@corp.example');
    const api = await signIn(tenant, login, password);
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;

    const started = await startAccount(api, 'account-unlink', { remove: 'corp' });
    expect(started.body).toMatchObject({ status: 'waiting', step: { type: 'choice' } });
    await api.submit({ choice: 'password' });
    expect(await listUserLinks(db, tenant, user.id)).toHaveLength(1);
    expect((await api.submit({ password })).body).toMatchObject({ kind: 'account', status: 'succeeded' });
    expect(await listUserLinks(db, tenant, user.id)).toEqual([]);
    expect(await queryAudit(db, tenant, { type: 'account.idp_unlinked', limit: 10 })).toEqual([
      expect.objectContaining({ subject: user.id, journeyId: started.body.id, data: expect.objectContaining({ idp: 'corp' }) }),
    ]);
    // Unlinked: the IdP is offered for linking again (an `account-link` journey).
    expect((await call(undefined, 'GET', `/t/${tenant}/api/account/linked-accounts`, await tokenFor(tenant, user.id))).body)
      .toEqual({ items: [], available: [{ idp: 'corp', name: 'Corp SSO' }] });

    // Bob signed in a moment ago, but without a password or passkey his only link cannot go.
    const bobs = await signIn(tenant, bob.email!, 'bob-password-123');
    await db`DELETE FROM password_credentials WHERE tenant_id = ${tenant} AND user_id = ${bob.id}`;
    expect((await startAccount(bobs, 'account-unlink', { remove: 'corp' })).body).toMatchObject({ status: 'failed', error: { code: 'last_sign_in_method' } });
    expect(await listUserLinks(db, tenant, bob.id)).toHaveLength(1);
    expect(await queryAudit(db, tenant, { type: 'account.idp_unlinked', limit: 10 })).toHaveLength(1);
  });

  it('changes the email only after the link mailed to the new address is followed in this browser, and tells the old address', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
    const api = await signIn(tenant, login, password);
    const session = api.cookies.get('tessera_session');
    const started = await api.start('account', 'account-email');
    expect(started.body).toMatchObject({ kind: 'account', status: 'waiting', step: { type: 'form', fields: [expect.objectContaining({ name: 'email', type: 'email' })] } });

    // Another account's address is refused without naming whose; the current one too.
    const taken = await api.submit({ email: `  BOB@${tenant}.example ` });
    expect(taken.body.step.errors).toEqual([expect.objectContaining({ field: 'email', code: 'email_taken' })]);
    expect(JSON.stringify(taken.body)).not.toMatch(new RegExp(`${bob.id}|bob@`, 'i'));
    expect((await api.submit({ email: login })).body.step.errors[0].code).toBe('email_unchanged');
    expect((await api.submit({ email: 'not-an-address' })).body.step.errors[0].code).toBe('invalid_email');

    const newEmail = `alice.new@${tenant}.example`;
    const waiting = await api.submit({ email: newEmail });
    expect(waiting.body).toMatchObject({ status: 'waiting', step: { type: 'message', title: 'Check your email' } });
    expect(await getUser(db, tenant, user.id)).toMatchObject({ email: login, emailVerified: false });
    const mail = await mailTo(tenant, newEmail, 'email-change-link');
    expect(await listDevMail(db, { tenant, to: login })).toEqual([]);
    const token = /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;

    // Another browser cannot use it, and does not use it up.
    const elsewhere = new JourneyApi(stack.url, tenant);
    const refused = await elsewhere.request('POST', `/t/${tenant}/api/links`, { token });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'other_browser' } } });
    expect((await getUser(db, tenant, user.id))!.email).toBe(login);

    const followed = await api.request('POST', `/t/${tenant}/api/links`, { token });
    expect(followed).toMatchObject({ status: 201, body: { kind: 'account', status: 'succeeded' } });
    expect(await getUser(db, tenant, user.id)).toMatchObject({ email: newEmail, emailVerified: true });
    expect(api.cookies.get('tessera_session')).toBe(session);
    expect((await api.request('POST', `/t/${tenant}/api/links`, { token })).body.error.code).toBe('link_used');

    const events = await queryAudit(db, tenant, { type: 'email.changed', limit: 10 });
    expect(events).toEqual([expect.objectContaining({ subject: user.id, journeyId: started.body.id, data: expect.objectContaining({ previous: login, email: newEmail }) })]);
    // The old address is told, with the new one as text that no mail client turns into a link.
    const notice = await mailTo(tenant, login, 'email-changed');
    expect(notice.subject).toBe(`Your email address at ${tenant} was changed`);
    expect(notice.text).toContain('alice\u2024new\uff20');
    expect(notice.html).not.toContain(newEmail);
    expect(await getUser(db, tenant, bob.id)).toMatchObject({ email: `bob@${tenant}.example` });
  });

  it('refuses the change when the address was taken after the link went out, and changes nothing', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const api = await signIn(tenant, login, password);
    await api.start('account', 'account-email');
    const newEmail = `carol@${tenant}.example`;
    await api.submit({ email: newEmail });
    const token = /\/ui\/link#token=([A-Za-z0-9_-]{43})/.exec((await mailTo(tenant, newEmail, 'email-change-link')).text)![1]!;
    await createUser(db, tenant, { email: newEmail.toUpperCase(), password: 'carol-password-123' });
    const followed = await api.request('POST', `/t/${tenant}/api/links`, { token });
    expect(followed.body).toMatchObject({ status: 'waiting', step: { type: 'form', errors: [expect.objectContaining({ code: 'email_taken' })] } });
    expect((await getUser(db, tenant, user.id))!.email).toBe(login);
    expect(await queryAudit(db, tenant, { type: 'email.changed', limit: 10 })).toEqual([]);
  });

  it('asks for fresh proof before an email change when the sign-in is old', async () => {
    const { tenant, user, login, password } = await tenantWithUser(db);
    const api = await signIn(tenant, login, password);
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    expect((await api.start('account', 'account-email')).body.step.type).toBe('choice');
    await api.submit({ choice: 'password' });
    expect((await api.submit({ password })).body.step.fields.map((f: { name: string }) => f.name)).toEqual(['email']);
  });
});
