// The webauthn module's security rules over the Journey API (real Temporal and database), with a
// software authenticator playing the browser: what a hostile client sends (replays, another
// origin or rpId, another user's handle, an old counter, a foreign credential) is refused and
// changes nothing; challenges are single-use and expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, recordAudit, type AuditEvent } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { createUser } from '../../core/accounts/users.ts';
import { findCredential, listCredentials, saveCredential } from '../../core/accounts/webauthn-credentials.ts';
import { webauthnModule } from '../../activities/modules/webauthn.ts';
import { CHALLENGE_TTL_MS, userHandleOf, webauthnConfig } from '../../activities/modules/webauthn-options.ts';
import type { ModuleDeps } from '../../activities/modules/module.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { SoftAuthenticator, type SoftCredential } from '../support/webauthn-authenticator.ts';
import { startServer, startWorker, tenantWithUser, testConfig, testDb, uniqueTenantId, type RunningServer, type RunningWorker } from '../support/harness.ts';
import { passkeyRegistrationTree } from '../support/passkey-trees.ts';

const PUBLIC_URL = 'http://login.localhost:8080';
const db = testDb();
const config = testConfig({ publicUrl: PUBLIC_URL });
let server: RunningServer;
let worker: RunningWorker;

beforeAll(async () => {
  [worker, server] = await Promise.all([startWorker(config, db), startServer(config, db)]);
});
afterAll(async () => {
  await server?.stop();
  await worker?.stop();
  await db.end();
});

const registerTree = passkeyRegistrationTree('add-passkey');

/** A journey through registerTree, stopped at the passkey registration step. */
async function atRegistration(tenant: string, login: string, password: string) {
  await saveTree(db, tenant, registerTree);
  const api = new JourneyApi(server.url, tenant);
  await api.start('login', 'add-passkey');
  await api.submit({ username: login });
  const step = (await api.submit({ password })).body.step;
  return { api, step };
}
const secondFactorTree: Tree = {
  name: 'second', start: 'identify',
  nodes: {
    identify: { type: 'username', next: { ok: 'passkey' } },
    passkey: { type: 'webauthn', config: { mode: 'authenticate', userVerification: 'discouraged' }, next: { ok: 'success', bad: 'passkey', none: 'failure' } },
  },
};

/** A user whose passkey (made by `auth`) is stored directly, as a registration would. */
async function withPasskey(tenant: string, userId: string, auth = new SoftAuthenticator(PUBLIC_URL)): Promise<{ auth: SoftAuthenticator; cred: SoftCredential }> {
  const { credential } = auth.create({ challenge: 'unused', user: { id: userHandleOf(userId) } });
  await saveCredential(db, {
    tenant, id: credential.id, userId, publicKey: new Uint8Array(credential.cose), counter: 0,
    transports: ['internal'], deviceType: 'singleDevice', backedUp: false, aaguid: '00000000-0000-0000-0000-000000000000',
  });
  return { auth, cred: credential };
}

async function passwordless(tenant: string): Promise<JourneyApi> {
  const api = new JourneyApi(server.url, tenant);
  expect((await api.start('login', 'passwordless')).status).toBe(201);
  expect(api.journey!.step).toMatchObject({ type: 'webauthn.get', fields: [{ name: 'credential', type: 'hidden', required: true }] });
  return api;
}

const answer = (api: JourneyApi, credential: unknown) => api.submit({ credential: JSON.stringify(credential) });
const options = (api: JourneyApi) => api.journey!.step!.options as any;

async function expectRefused(api: JourneyApi, credential: unknown) {
  const before = api.journey!.step!;
  const res = await answer(api, credential);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('waiting');
  expect(res.body.step).toMatchObject({ node: before.node, type: before.type, errors: [{ code: 'passkey_failed' }] });
  expect(res.body.step.id).not.toBe(before.id);
  expect(res.body.step.options.challenge).not.toBe((before.options as any).challenge);
  expect(api.cookies.has('tessera_session')).toBe(false);
}

async function auditTypes(tenant: string): Promise<string[]> {
  return (await listAudit(db, tenant)).map((e) => e.type);
}

describe('passkey registration', () => {
  it('registers after a password, stores the credential, audits it, and excludes it next time', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const auth = new SoftAuthenticator(PUBLIC_URL);
    const { api, step } = await atRegistration(tenant, login, password);
    expect(step).toMatchObject({ type: 'webauthn.create', options: { rp: { id: 'login.localhost' }, user: { id: userHandleOf(user.id) }, excludeCredentials: [] } });
    expect(Buffer.from(step.options.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(step.options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(step.options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7, -257]);

    const { credential, response } = auth.create(step.options);
    const done = await answer(api, response);
    expect(done.body.status).toBe('succeeded');
    const stored = await listCredentials(db, tenant, user.id);
    expect(stored).toMatchObject([{ id: credential.id, counter: 0, transports: ['internal'], aaguid: '00000000-0000-0000-0000-000000000000' }]);
    expect((await listAudit(db, tenant)).find((e) => e.type === 'webauthn.registered')).toMatchObject({ subject: user.id, data: { credentialId: credential.id } });

    const again = new JourneyApi(server.url, tenant);
    await again.start('login', 'add-passkey');
    await again.submit({ username: login });
    const second = (await again.submit({ password })).body.step;
    expect(second.options.excludeCredentials).toEqual([{ id: credential.id, type: 'public-key', transports: ['internal'] }]);
  });

  it('refuses a registration for another origin, without UV when required, or replayed into a later step', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const auth = new SoftAuthenticator(PUBLIC_URL);
    const { api } = await atRegistration(tenant, login, password);
    const refusedWith = async (credential: unknown) => {
      const res = await answer(api, credential);
      expect(res.body).toMatchObject({ status: 'waiting', step: { type: 'webauthn.create', errors: [{ code: 'passkey_not_saved' }] } });
    };
    await refusedWith(auth.create(options(api), { origin: 'http://evil.localhost:8080' }).response);
    await refusedWith(auth.create(options(api), { rpId: 'evil.localhost' }).response);
    await refusedWith(auth.create(options(api), { uv: false }).response);
    const earlier = auth.create(options(api)).response;
    await refusedWith('not json at all');
    await refusedWith(earlier);
    expect(await listCredentials(db, tenant, user.id)).toEqual([]);
    expect((await answer(api, auth.create(options(api)).response)).body.status).toBe('succeeded');
  });

  it('answers bad without a known user: nothing to register a passkey for', async () => {
    const { tenant } = await tenantWithUser(db);
    await saveTree(db, tenant, {
      name: 'enrol', start: 'identify', nodes: {
        identify: { type: 'username', next: { ok: 'passkey' } },
        passkey: { type: 'webauthn', config: { mode: 'register' }, next: { ok: 'success', bad: 'failure' } },
      },
    });
    const api = new JourneyApi(server.url, tenant);
    await api.start('login', 'enrol');
    expect((await api.submit({ username: 'nobody@example.com' })).body.status).toBe('failed');
  });
});

describe('usernameless sign-in (the passwordless tree)', () => {
  it('signs in with no username: the credential names the user; AMR hwk + user (+ mfa); the counter is saved', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const { auth, cred } = await withPasskey(tenant, user.id);
    const api = await passwordless(tenant);
    expect(options(api)).toMatchObject({ rpId: 'login.localhost', allowCredentials: [], userVerification: 'required' });
    const done = await answer(api, auth.get(options(api)));
    expect(done.body.status).toBe('succeeded');
    const session = await getSession(db, tenant, api.cookies.get('tessera_session')!);
    expect(session).toMatchObject({ userId: user.id, acr: 'urn:tessera:acr:passkey', amr: ['hwk', 'user', 'mfa'] });
    expect(await findCredential(db, tenant, cred.id)).toMatchObject({ counter: 1, lastUsedAt: expect.any(Date) });
  });

  it('refuses a replayed assertion, in the same journey and in a new one', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const { auth } = await withPasskey(tenant, user.id);
    const first = await passwordless(tenant);
    const stale = auth.get(options(first));
    await expectRefused(first, auth.get(options(first), undefined, { badSignature: true }));
    await expectRefused(first, stale);
    const fresh = auth.get(options(first));
    expect((await answer(first, fresh)).body.status).toBe('succeeded');

    const second = await passwordless(tenant);
    await expectRefused(second, fresh);
  });

  it('refuses another origin, another rpId, a missing UV, and a missing or foreign user handle', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const other = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'a long enough password', status: 'active' });
    const { auth } = await withPasskey(tenant, user.id);
    const api = await passwordless(tenant);
    const challenge = options(api).challenge;
    await expectRefused(api, auth.get(options(api), undefined, { origin: 'http://login.localhost:8081' }));
    await expectRefused(api, auth.get(options(api), undefined, { origin: 'https://login.localhost:8080' }));
    await expectRefused(api, auth.get(options(api), undefined, { rpId: 'localhost' }));
    await expectRefused(api, auth.get(options(api), undefined, { uv: false }));
    await expectRefused(api, auth.get(options(api), undefined, { up: false }));
    await expectRefused(api, auth.get(options(api), undefined, { userHandle: userHandleOf(other.id) }));
    await expectRefused(api, auth.get(options(api), undefined, { userHandle: null }));
    expect((await answer(api, auth.get(options(api)))).body.status).toBe('succeeded');
    const failures = (await listAudit(db, tenant)).filter((e) => e.type === 'webauthn.failed').map((e) => e.data!.reason);
    expect(failures).toEqual(expect.arrayContaining(['rejected', 'user_handle_mismatch']));
    expect(JSON.stringify(await listAudit(db, tenant))).not.toContain(challenge);
  });

  it('refuses a counter that does not move forward, audits it, and keeps the stored counter', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const { auth, cred } = await withPasskey(tenant, user.id);
    let api = await passwordless(tenant);
    cred.counter = 41;
    expect((await answer(api, auth.get(options(api)))).body.status).toBe('succeeded');

    api = await passwordless(tenant);
    await expectRefused(api, auth.get(options(api), undefined, { counter: 42 - 1 }));
    await expectRefused(api, auth.get(options(api), undefined, { counter: 0 }));
    expect(await findCredential(db, tenant, cred.id)).toMatchObject({ counter: 42 });
    const regressions = (await listAudit(db, tenant)).filter((e) => e.type === 'webauthn.counter_regression');
    expect(regressions.map((e) => e.data)).toEqual(expect.arrayContaining([
      expect.objectContaining({ credentialId: cred.id, storedCounter: 42, receivedCounter: 42 - 1 }),
      expect.objectContaining({ credentialId: cred.id, storedCounter: 42, receivedCounter: 0 }),
    ]));
    expect((await answer(api, auth.get(options(api), undefined, { counter: 43 }))).body.status).toBe('succeeded');
  });

  it('accepts authenticators that always send counter 0', async () => {
    const { tenant, user } = await tenantWithUser(db);
    const { auth } = await withPasskey(tenant, user.id);
    for (let i = 0; i < 2; i++) {
      const api = await passwordless(tenant);
      expect((await answer(api, auth.get(options(api), undefined, { counter: 0 }))).body.status).toBe('succeeded');
    }
    expect(await auditTypes(tenant)).not.toContain('webauthn.counter_regression');
  });

  it('refuses a credential of another tenant and malformed answers', async () => {
    const { tenant } = await tenantWithUser(db);
    const elsewhere = await tenantWithUser(db);
    const { auth } = await withPasskey(elsewhere.tenant, elsewhere.user.id);
    const api = await passwordless(tenant);
    await expectRefused(api, auth.get(options(api)));
    await expectRefused(api, { id: 'x' });
    const asObject = await api.submit({ credential: auth.get(options(api)) });
    expect(asObject.status).toBe(400);
    expect(asObject.body.step.errors).toMatchObject([{ field: 'credential', code: 'invalid_type' }]);
    const tooLong = await answer(api, { id: 'a'.repeat(20_000) });
    expect(tooLong.status).toBe(400);
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'webauthn.failed').map((e) => e.data!.reason))
      .toEqual(expect.arrayContaining(['unknown_credential', 'malformed_credential']));
  });
});

describe('second factor with a known user', () => {
  it('accepts only the user\'s own credential, and answers none for a user without a passkey', async () => {
    const { tenant, login, user } = await tenantWithUser(db);
    await saveTree(db, tenant, secondFactorTree);
    const other = await createUser(db, tenant, { email: `carol@${tenant}.example`, password: 'a long enough password', status: 'active' });
    const { auth, cred } = await withPasskey(tenant, user.id);
    const theirs = await withPasskey(tenant, other.id, new SoftAuthenticator(PUBLIC_URL));

    const api = new JourneyApi(server.url, tenant);
    await api.start('login', 'second');
    const step = (await api.submit({ username: login })).body.step;
    expect(step.options.allowCredentials).toEqual([{ id: cred.id, type: 'public-key', transports: ['internal'] }]);
    await expectRefused(api, theirs.auth.get(options(api)));
    await expectRefused(api, theirs.auth.get(options(api), undefined, { userHandle: userHandleOf(user.id) }));
    const done = await answer(api, auth.get(options(api), undefined, { uv: false, userHandle: null }));
    expect(done.body.status).toBe('succeeded');
    expect(await getSession(db, tenant, api.cookies.get('tessera_session')!)).toMatchObject({ amr: ['hwk'] });

    const none = new JourneyApi(server.url, tenant);
    await none.start('login', 'second');
    expect((await none.submit({ username: 'nobody@example.com' })).body.status).toBe('failed');
  });
});

describe('challenges', () => {
  it('expire after five minutes, and are single-use', async () => {
    const tenant = uniqueTenantId();
    await createTenant(db, tenant);
    const user = await createUser(db, tenant, { email: `dave@${tenant}.example`, password: 'a long enough password', status: 'active' });
    const { auth } = await withPasskey(tenant, user.id);
    let clock = Date.now();
    // The webauthn module sends no mail: the deps it uses, with a clock the test moves.
    const deps = { db, config, now: () => new Date(clock), audit: (e: AuditEvent) => recordAudit(db, e) } as ModuleDeps;
    const base = {
      ctx: { journeyId: 'j-expiry', tenant, kind: 'login' as const, request: {}, amr: [], outcomes: [], nodeState: {} as Record<string, unknown> },
      node: 'passkey', tree: 'passwordless', type: 'webauthn', attempt: 1,
      config: webauthnConfig.parse({ mode: 'authenticate', usernameless: true, userVerification: 'required' }),
    };
    const prepared = await webauthnModule.prepare(base, deps);
    if (prepared.kind !== 'step') throw new Error('expected a step');
    base.ctx.nodeState.passkey = prepared.patch!.nodeState;
    const credential = JSON.stringify(auth.get(prepared.step.options));
    clock += CHALLENGE_TTL_MS + 1000;
    const late = await webauthnModule.verify!(base, { credential }, deps);
    expect(late).toMatchObject({ outcome: 'bad', patch: { nodeState: null } });
    expect((await listAudit(db, tenant)).find((e) => e.type === 'webauthn.failed')?.data).toMatchObject({ reason: 'challenge_expired' });

    clock -= 2000;
    const inTime = await webauthnModule.verify!(base, { credential }, deps);
    expect(inTime).toMatchObject({ outcome: 'ok', patch: { user: { id: user.id }, nodeState: null } });
    const cleared = await webauthnModule.verify!({ ...base, ctx: { ...base.ctx, nodeState: {} } }, { credential }, deps);
    expect(cleared.outcome).toBe('bad');
  });
});
