// OIDC interactions driven by journeys, seen by relying parties (openid-client 6) and a browser
// (test/support/oidc-browser.ts): prompt none/login/consent/select_account, max_age, login_hint,
// acr_values choosing the tree and step-up asking only the missing part, consent skipped for
// first-party clients and remembered for third-party ones, SSO across clients, the core session
// as the source of truth, RP-initiated logout (registered and unregistered
// post_logout_redirect_uri), back-channel logout (delivered, and retried), and the device flow.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { listSessionClients } from '../../core/oidc/session-clients.ts';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { createUser } from '../../core/accounts/users.ts';
import { tenantWithUser, type TestUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;

const STRONG_ACR = 'urn:test:acr:strong';

/** A relying party's back-channel logout endpoint: records each logout token; fails the first `failures` posts. */
class TestRp {
  readonly tokens: string[] = [];
  attempts = 0;
  failures = 0;
  #server?: Server;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        this.attempts++;
        if (this.failures > 0) {
          this.failures--;
          res.writeHead(500).end();
          return;
        }
        const token = new URLSearchParams(body).get('logout_token');
        if (token) this.tokens.push(token);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as { port: number }).port}/backchannel`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

interface Tenant extends TestUser {
  tenant: string;
  issuer: string;
  web: OidcClient;
  other: OidcClient;
  third: OidcClient;
  rp: TestRp;
  bcl: OidcClient;
}

const rps: TestRp[] = [];
afterAll(async () => {
  await Promise.all(rps.map((rp) => rp.stop()));
});

async function setUp(): Promise<Tenant> {
  const base = await tenantWithUser(db);
  const rp = new TestRp();
  await rp.start();
  rps.push(rp);
  const client = (input: Record<string, unknown>) => createOidcClient(db, base.tenant, input);
  const [web, other, third, bcl] = await Promise.all([
    client({ client_name: 'Web', redirect_uris: ['https://web.example/cb'], post_logout_redirect_uris: ['https://web.example/bye'], first_party: true }),
    client({ client_name: 'Other', redirect_uris: ['https://other.example/cb'], first_party: true }),
    client({ client_name: 'Third Party', redirect_uris: ['https://third.example/cb'], scope: 'openid profile email' }),
    client({ client_name: 'Back-channel RP', redirect_uris: ['https://bcl.example/cb'], first_party: true, backchannel_logout_uri: rp.url }),
  ]);
  return { ...base, issuer: `${stack.url}/t/${base.tenant}`, web, other, third, rp, bcl };
}

async function rpFor(t: Tenant, client: OidcClient): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(t.issuer), client.clientId, client.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
}

async function jwksOf(t: Tenant): Promise<JSONWebKeySet> {
  return (await fetch(`${t.issuer}/oidc/jwks`)).json() as Promise<JSONWebKeySet>;
}

interface Flow { config: oidc.Configuration; url: string; verifier: string; state: string }

async function authorizeUrl(t: Tenant, client: OidcClient, params: Record<string, string> = {}): Promise<Flow> {
  const config = await rpFor(t, client);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: (client.metadata.redirect_uris as string[])[0]!, scope: 'openid', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
  });
  return { config, url: url.href, verifier, state };
}

function callbackOf(landing: Landing): URL {
  if (landing.kind !== 'callback') throw new Error(`expected a callback, got ${landing.kind}: ${'html' in landing ? landing.html.slice(0, 400) : JSON.stringify(landing)}`);
  return landing.url;
}

/** The tokens for a callback, the ID token verified against the tenant's JWKS. */
async function tokensFor(t: Tenant, flow: Flow, landing: Landing): Promise<{ idToken: JWTPayload; raw: oidc.TokenEndpointResponse }> {
  const raw = await oidc.authorizationCodeGrant(flow.config, callbackOf(landing), { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
  const { payload } = await jwtVerify(raw.id_token!, createLocalJWKSet(await jwksOf(t)), { issuer: t.issuer, audience: flow.config.clientMetadata().client_id });
  return { idToken: payload, raw };
}

const password = (t: TestUser) => ({ username: t.login, password: t.password });

async function signIn(t: Tenant, browser: OidcBrowser, client: OidcClient = t.web, params: Record<string, string> = {}) {
  const flow = await authorizeUrl(t, client, params);
  const landing = await browser.login(flow.url, password(t));
  return { flow, landing, ...(await tokensFor(t, flow, landing)) };
}

const journeysVisited = (browser: OidcBrowser) => browser.visited.filter((v) => v.includes('/api/journeys/')).length;

describe('login through a journey, and SSO', () => {
  it('signs in with the login tree, then a second client gets in without a second login', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const first = await signIn(t, browser);
    expect(first.idToken).toMatchObject({ sub: t.user.id, acr: 'urn:tessera:acr:password', amr: ['pwd'] });
    expect(first.idToken.auth_time).toBeTypeOf('number');

    const seen = browser.visited.length;
    const flow = await authorizeUrl(t, t.other);
    const landing = await browser.follow(flow.url);
    const { idToken } = await tokensFor(t, flow, landing);
    expect(idToken.sub).toBe(t.user.id);
    expect(idToken.auth_time).toBe(first.idToken.auth_time);
    expect(browser.visited.slice(seen).some((v) => v.includes('/ui/journey/') || v.includes('/api/journeys'))).toBe(false);
  });
});

describe('prompt', () => {
  it('none: login_required without a session; silent with one, also a core session from the login UI alone', async () => {
    const t = await setUp();
    const fresh = new OidcBrowser(stack.url, t.tenant);
    const refused = callbackOf(await fresh.follow((await authorizeUrl(t, t.web, { prompt: 'none' })).url));
    expect(refused.searchParams.get('error')).toBe('login_required');
    expect(refused.searchParams.get('iss')).toBe(t.issuer);

    await signIn(t, fresh);
    const flow = await authorizeUrl(t, t.other, { prompt: 'none' });
    expect((await tokensFor(t, flow, await fresh.follow(flow.url))).idToken.sub).toBe(t.user.id);

    // Signed in through the Journey API only: the provider has never seen this browser.
    const uiOnly = new OidcBrowser(stack.url, t.tenant);
    await uiOnly.api.start();
    await uiOnly.api.submit({ username: t.login });
    expect((await uiOnly.api.submit({ password: t.password })).body.status).toBe('succeeded');
    const silent = await authorizeUrl(t, t.web, { prompt: 'none' });
    expect((await tokensFor(t, silent, await uiOnly.follow(silent.url))).idToken.sub).toBe(t.user.id);
  });

  it('login: signs in again although a session exists', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const first = await signIn(t, browser);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const flow = await authorizeUrl(t, t.web, { prompt: 'login' });
    const landing = await browser.follow(flow.url);
    expect(landing.kind).toBe('journey');
    const { idToken } = await tokensFor(t, flow, await browser.completeJourney(password(t)));
    expect(idToken.auth_time as number).toBeGreaterThan(first.idToken.auth_time as number);
  });

  it('max_age: an older sign-in is asked again, a recent one is kept', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const first = await signIn(t, browser);
    const recent = await authorizeUrl(t, t.other, { max_age: '600' });
    expect((await tokensFor(t, recent, await browser.follow(recent.url))).idToken.auth_time).toBe(first.idToken.auth_time);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const flow = await authorizeUrl(t, t.other, { max_age: '1' });
    expect((await browser.follow(flow.url)).kind).toBe('journey');
    const { idToken } = await tokensFor(t, flow, await browser.completeJourney(password(t)));
    expect(idToken.auth_time as number).toBeGreaterThan(first.idToken.auth_time as number);
  });

  it('login_hint: prefills the login; naming another user than the session\'s asks again', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const hinted = await browser.follow((await authorizeUrl(t, t.web, { login_hint: t.login })).url);
    expect(hinted.kind === 'journey' && hinted.journey.step?.fields?.[0]).toMatchObject({ name: 'username', value: t.login });
    await browser.completeJourney(password(t));

    const same = await authorizeUrl(t, t.other, { login_hint: t.login.toUpperCase() });
    expect((await browser.follow(same.url)).kind).toBe('callback');

    const bob = `bob@${t.tenant}.example`;
    await createUser(db, t.tenant, { email: bob, password: t.password });
    const other = await browser.follow((await authorizeUrl(t, t.other, { login_hint: bob })).url);
    expect(other.kind === 'journey' && other.journey.step?.fields?.[0]).toMatchObject({ name: 'username', value: bob });
  });

  it('select_account: continue as the signed-in user, or sign in as another', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const flow = await authorizeUrl(t, t.other, { prompt: 'select_account' });
    const choice = await browser.follow(flow.url);
    if (choice.kind !== 'page') throw new Error(`expected the account choice, got ${choice.kind}`);
    expect(choice.html).toContain(`Continue as ${t.login}`);
    expect((await tokensFor(t, flow, await browser.submit(choice, 'Continue as'))).idToken.sub).toBe(t.user.id);

    const bob = `bob@${t.tenant}.example`;
    const bobUser = await createUser(db, t.tenant, { email: bob, password: t.password });
    const again = await authorizeUrl(t, t.other, { prompt: 'select_account' });
    const page = await browser.follow(again.url);
    if (page.kind !== 'page') throw new Error('expected the account choice');
    expect((await browser.submit(page, 'Use another account')).kind).toBe('journey');
    const landing = await browser.completeJourney({ username: bob, password: t.password });
    expect((await tokensFor(t, again, landing)).idToken.sub).toBe(bobUser.id);
  });

  it('refuses a consent or account form without its CSRF token', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const page = await browser.follow((await authorizeUrl(t, t.third, { scope: 'openid email' })).url);
    if (page.kind !== 'page') throw new Error('expected the consent page');
    const forged = await browser.submit(page, 'Allow', { csrf: 'x'.repeat(43) });
    expect(forged).toMatchObject({ kind: 'page', status: 403 });
    browser.cookies.delete('tessera_oidc_csrf');
    expect(await browser.submit(page, 'Allow')).toMatchObject({ kind: 'page', status: 403 });
  });
});

describe('acr_values and step-up', () => {
  async function enrolTotp(t: Tenant): Promise<string> {
    const secret = newTotpSecret();
    await saveTotpSecret(db, t.tenant, t.user.id, secret, 0);
    return secret;
  }

  async function withStrongTree(t: Tenant): Promise<void> {
    await saveTree(db, t.tenant, {
      name: 'strong', start: 'identify', acr: STRONG_ACR,
      nodes: {
        identify: { type: 'username', next: { ok: 'password' } },
        password: { type: 'password', next: { ok: 'otp', bad: 'failure' } },
        otp: { type: 'totp', next: { ok: 'success', bad: 'otp' } },
      },
    });
  }

  it('runs the tree of the requested ACR; a weaker session steps up with TOTP only', async () => {
    const t = await setUp();
    await withStrongTree(t);
    const browser = new OidcBrowser(stack.url, t.tenant);
    const first = await signIn(t, browser, t.web, { acr_values: 'urn:tessera:acr:password' });
    expect(first.idToken).toMatchObject({ acr: 'urn:tessera:acr:password', amr: ['pwd'] });
    const secret = await enrolTotp(t);

    const flow = await authorizeUrl(t, t.other, { acr_values: `urn:unknown:acr ${STRONG_ACR}` });
    const landing = await browser.follow(flow.url);
    if (landing.kind !== 'journey') throw new Error(`expected a step-up journey, got ${landing.kind}`);
    expect(landing.journey.step).toMatchObject({ node: 'otp', fields: [{ name: 'code' }] });
    const { idToken } = await tokensFor(t, flow, await browser.completeJourney({ code: () => totpCode(secret) }));
    expect(idToken).toMatchObject({ sub: t.user.id, acr: STRONG_ACR });
    expect(idToken.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));

    // The stronger session now answers both ACRs' requests without asking.
    const again = await authorizeUrl(t, t.web, { acr_values: STRONG_ACR });
    expect((await tokensFor(t, again, await browser.follow(again.url))).idToken.acr).toBe(STRONG_ACR);
  });

  it('a later, weaker sign-in in the login UI is what the provider answers with, not the earlier one', async () => {
    const t = await setUp();
    await withStrongTree(t);
    const secret = await enrolTotp(t);
    const browser = new OidcBrowser(stack.url, t.tenant);
    const strong = await authorizeUrl(t, t.web, { acr_values: STRONG_ACR });
    await browser.follow(strong.url);
    expect((await tokensFor(t, strong, await browser.completeJourney({ ...password(t), code: () => totpCode(secret) }))).idToken.acr).toBe(STRONG_ACR);

    // The same user signs in again with the strong tree's password part only (the login tree).
    await saveTree(db, t.tenant, { name: 'login', start: 'identify', acr: 'urn:tessera:acr:password', nodes: {
      identify: { type: 'username', next: { ok: 'password' } }, password: { type: 'password', next: { ok: 'success', bad: 'failure' } },
    } });
    await browser.api.start('login');
    await browser.api.submit({ username: t.login });
    expect((await browser.api.submit({ password: t.password })).body.status).toBe('succeeded');

    const plain = await authorizeUrl(t, t.other);
    expect((await tokensFor(t, plain, await browser.follow(plain.url))).idToken.acr).toBe('urn:tessera:acr:password');
    const again = await authorizeUrl(t, t.other, { acr_values: STRONG_ACR });
    expect((await browser.follow(again.url)).kind).toBe('journey');
  });

  it('a fresh browser runs the whole tree; an ACR no tree achieves keeps the session', async () => {
    const t = await setUp();
    await withStrongTree(t);
    const secret = await enrolTotp(t);
    const browser = new OidcBrowser(stack.url, t.tenant);
    const flow = await authorizeUrl(t, t.web, { acr_values: STRONG_ACR });
    const landing = await browser.follow(flow.url);
    expect(landing.kind === 'journey' && landing.journey.step?.node).toBe('identify');
    const { idToken } = await tokensFor(t, flow, await browser.completeJourney({ ...password(t), code: () => totpCode(secret) }));
    expect(idToken.acr).toBe(STRONG_ACR);

    const unknown = await authorizeUrl(t, t.other, { acr_values: 'urn:unknown:acr' });
    expect((await tokensFor(t, unknown, await browser.follow(unknown.url))).idToken.acr).toBe(STRONG_ACR);
  });
});

describe('consent', () => {
  it('is never asked of first-party clients', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { landing, raw } = await signIn(t, browser, t.web, { scope: 'openid profile email offline_access', prompt: 'consent' });
    expect(landing.kind).toBe('callback');
    expect(raw.refresh_token).toBeTypeOf('string');
    expect(browser.visited.some((v) => v.includes('/consent'))).toBe(false);
  });

  it('asks a third-party client once per scope, remembers it across sessions, and denies', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const flow = await authorizeUrl(t, t.third, { scope: 'openid email' });
    const page = await browser.login(flow.url, password(t));
    if (page.kind !== 'page') throw new Error(`expected the consent page, got ${page.kind}`);
    expect(page.html).toContain('Allow Third Party?');
    expect(page.html).toContain('Your email address');
    const { idToken } = await tokensFor(t, flow, await browser.submit(page, 'Allow'));
    expect(idToken.sub).toBe(t.user.id);

    // Another browser, another session: the consent holds.
    const elsewhere = new OidcBrowser(stack.url, t.tenant);
    const remembered = await authorizeUrl(t, t.third, { scope: 'openid email' });
    expect((await elsewhere.login(remembered.url, password(t))).kind).toBe('callback');

    // A new scope asks for that scope only; denying it tells the client.
    const more = await elsewhere.follow((await authorizeUrl(t, t.third, { scope: 'openid email profile' })).url);
    if (more.kind !== 'page') throw new Error('expected the consent page');
    expect(more.html).toContain('Your name and profile details');
    expect(more.html).not.toContain('Your email address');
    const denied = callbackOf(await elsewhere.submit(more, 'Deny'));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    const audit = await listAudit(db, t.tenant);
    expect(audit.find((e) => e.type === 'oidc.consent_granted')).toMatchObject({ subject: t.user.id, data: { client: t.third.clientId, scopes: ['openid', 'email'] } });
    expect(audit.find((e) => e.type === 'oidc.consent_denied')).toMatchObject({ subject: t.user.id, data: { client: t.third.clientId } });
  });
});

describe('the core session is the source of truth', () => {
  it('after the core session ends (login UI logout), the next authorization asks again', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const res = await browser.api.request('POST', `/t/${t.tenant}/api/session/logout`, {});
    expect(res).toMatchObject({ status: 200, body: { status: 'signed_out' } });
    expect(browser.cookies.has('tessera_session')).toBe(false);
    expect((await browser.follow((await authorizeUrl(t, t.other)).url)).kind).toBe('journey');
    expect(callbackOf(await browser.follow((await authorizeUrl(t, t.other, { prompt: 'none' })).url)).searchParams.get('error')).toBe('login_required');
  });

  it('a provider session left without its core session (cookie gone) is ended, not reused', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    browser.cookies.delete('tessera_session');
    expect((await browser.follow((await authorizeUrl(t, t.other)).url)).kind).toBe('journey');
  });
});

describe('RP-initiated logout', () => {
  /** With an ID token, the hint; without one (undefined), the client by id — which asks for confirmation. */
  async function endSessionUrl(t: Tenant, idToken: string | undefined, params: Record<string, string>): Promise<string> {
    const config = await rpFor(t, t.web);
    return oidc.buildEndSessionUrl(config, { ...(idToken ? { id_token_hint: idToken } : { client_id: t.web.clientId }), ...params }).href;
  }

  // An id_token_hint of this very session skips the page (test/integration/oidc-logout.test.ts).
  it('asks, ends the core and provider sessions, and returns to a registered post_logout_redirect_uri', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser, t.web, { scope: 'openid' });
    const sessionCookie = browser.cookies.get('tessera_session')!;
    const page = await browser.follow(await endSessionUrl(t, undefined, { post_logout_redirect_uri: 'https://web.example/bye', state: 'st-1' }));
    if (page.kind !== 'page') throw new Error(`expected the logout page, got ${page.kind}`);
    expect(page.html).toContain('Web asks to sign you out');
    const back = callbackOf(await browser.submit(page, 'Sign out'));
    expect(`${back.origin}${back.pathname}`).toBe('https://web.example/bye');
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(await getSession(db, t.tenant, sessionCookie)).toBeUndefined();
    // The tokens of that sign-in are revoked with the provider session.
    const config = await rpFor(t, t.web);
    expect((await oidc.tokenIntrospection(config, raw.access_token)).active).toBe(false);
    expect((await browser.follow((await authorizeUrl(t, t.web)).url)).kind).toBe('journey');
  });

  it('never redirects to a post_logout_redirect_uri that is not registered exactly', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser);
    for (const uri of ['https://evil.example/bye', 'https://web.example/bye/', 'https://web.example/bye?next=https://evil.example', 'https://web.example.evil.example/bye']) {
      const landing = await browser.follow(await endSessionUrl(t, raw.id_token!, { post_logout_redirect_uri: uri }));
      expect(landing).toMatchObject({ kind: 'page', status: 400 });
      expect((landing as { html: string }).html).toContain('post_logout_redirect_uri not registered');
    }
    // Without naming the client, the provider drops the URI: signed out, and no redirect.
    const anonymous = await browser.follow(`${t.issuer}/oidc/session/end?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`);
    if (anonymous.kind !== 'page') throw new Error('expected the logout page');
    const done = await browser.submit(anonymous, 'Sign out');
    expect(done).toMatchObject({ kind: 'page', status: 200 });
    expect((done as { url: string }).url).toBe(`${t.issuer}/oidc/session/end/success`);
  });

  it('refuses a logout confirmation without the page\'s token', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser);
    const session = browser.cookies.get('tessera_session')!;
    const page = await browser.follow(await endSessionUrl(t, undefined, {}));
    if (page.kind !== 'page') throw new Error('expected the logout page');
    expect(await browser.submit(page, 'Sign out', { xsrf: 'forged' })).toMatchObject({ kind: 'page', status: 400 });
    expect(await getSession(db, t.tenant, session)).toBeDefined();
  });
});

describe('back-channel logout', () => {
  async function logoutTokens(t: Tenant, count: number): Promise<JWTPayload[]> {
    await vi.waitFor(() => expect(t.rp.tokens.length).toBeGreaterThanOrEqual(count), { timeout: 60_000, interval: 200 });
    const keys = createLocalJWKSet(await jwksOf(t));
    return Promise.all(t.rp.tokens.map(async (token) => {
      expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
      const { payload } = await jwtVerify(token, keys, { issuer: t.issuer, audience: t.bcl.clientId, typ: 'logout+jwt', maxTokenAge: '5m' });
      return payload;
    }));
  }

  async function audited(t: Tenant, type: string) {
    await vi.waitFor(async () => expect((await listAudit(db, t.tenant)).some((e) => e.type === type)).toBe(true), { timeout: 60_000, interval: 200 });
    return (await listAudit(db, t.tenant)).filter((e) => e.type === type);
  }

  it('tells every RP of the session, with the sid of its ID token, when the session ends', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    await signIn(t, browser, t.web);
    const { idToken } = await signIn(t, browser, t.bcl);
    expect(idToken.sid).toBeTypeOf('string');
    const ssoId = (await getSession(db, t.tenant, browser.cookies.get('tessera_session')!))!.ssoId;
    expect((await listSessionClients(db, t.tenant, ssoId)).map((c) => c.clientId).sort()).toEqual([t.bcl.clientId, t.web.clientId].sort());

    await browser.api.request('POST', `/t/${t.tenant}/api/session/logout`, {});
    const [token] = await logoutTokens(t, 1);
    expect(token).toMatchObject({
      iss: t.issuer, aud: t.bcl.clientId, sub: t.user.id, sid: idToken.sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(token!.jti).toBeTypeOf('string');
    expect(token!.nonce).toBeUndefined();
    const [event] = await audited(t, 'logout.backchannel_delivered');
    expect(event).toMatchObject({ subject: t.user.id, data: { client: t.bcl.clientId } });
    await vi.waitFor(async () => expect(await listSessionClients(db, t.tenant, ssoId)).toEqual([]));
    expect(t.rp.tokens).toHaveLength(1);
  });

  it('retries an RP that fails, then delivers', async () => {
    const t = await setUp();
    t.rp.failures = 2;
    const browser = new OidcBrowser(stack.url, t.tenant);
    const { raw } = await signIn(t, browser, t.bcl);
    // An id_token_hint of this session: signed out without a confirmation page.
    const done = await browser.follow(oidc.buildEndSessionUrl(await rpFor(t, t.bcl), { id_token_hint: raw.id_token! }).href);
    expect(done).toMatchObject({ kind: 'page', url: `${t.issuer}/oidc/session/end/success` });
    expect((await logoutTokens(t, 1))[0]!.aud).toBe(t.bcl.clientId);
    expect(t.rp.attempts).toBe(3);
    expect(await audited(t, 'logout.backchannel_delivered')).toHaveLength(1);
    expect((await listAudit(db, t.tenant)).some((e) => e.type === 'logout.backchannel_failed')).toBe(false);
  });
});

describe('device flow', () => {
  it('connects a device: code entry, confirmation and sign-in in the browser, tokens on the device', async () => {
    const t = await setUp();
    const device = await createOidcClient(db, t.tenant, {
      client_name: 'TV', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], first_party: true,
    });
    const config = await rpFor(t, device);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const tokens = oidc.pollDeviceAuthorizationGrant(config, started);
    tokens.catch(() => undefined);

    const browser = new OidcBrowser(stack.url, t.tenant);
    const entry = await browser.follow(started.verification_uri);
    if (entry.kind !== 'page') throw new Error('expected the code entry page');
    const wrong = await browser.submit(entry, 'Continue', { user_code: 'WRONG-CODE' });
    if (wrong.kind !== 'page') throw new Error('expected the code entry page again');
    expect(wrong.html).toContain('That code is not valid');
    const confirm = await browser.submit(wrong, 'Continue', { user_code: started.user_code });
    if (confirm.kind !== 'page') throw new Error('expected the confirmation page');
    expect(confirm.html).toContain('Sign in on TV?');
    expect((await browser.submit(confirm, 'Continue')).kind).toBe('journey');
    const done = await browser.completeJourney(password(t));
    expect(done.kind === 'page' && done.html).toContain('Your device is connected');

    const result = await tokens;
    const { payload } = await jwtVerify(result.id_token!, createLocalJWKSet(await jwksOf(t)), { issuer: t.issuer, audience: device.clientId });
    expect(payload).toMatchObject({ sub: t.user.id, acr: 'urn:tessera:acr:password' });
  });

  it('verification_uri_complete goes straight to the confirmation; cancelling tells the device', async () => {
    const t = await setUp();
    const device = await createOidcClient(db, t.tenant, { grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], first_party: true });
    const config = await rpFor(t, device);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const tokens = oidc.pollDeviceAuthorizationGrant(config, started).then(() => 'granted', (err: { error?: string }) => err.error);
    const browser = new OidcBrowser(stack.url, t.tenant);
    const confirm = await browser.follow(started.verification_uri_complete!);
    if (confirm.kind !== 'page') throw new Error('expected the confirmation page');
    await browser.submit(confirm, 'Cancel');
    expect(await tokens).toBe('access_denied');
  });
});

describe('form_post responses under the CSP', () => {
  it('names the client\'s redirect_uri in form-action on the auto-submitting page', async () => {
    const t = await setUp();
    const browser = new OidcBrowser(stack.url, t.tenant);
    const flow = await authorizeUrl(t, t.web, { response_mode: 'form_post' });
    const landing = await browser.login(flow.url, password(t));
    if (landing.kind !== 'form_post') throw new Error(`expected a form_post page, got ${landing.kind}`);
    expect(landing.action).toBe('https://web.example/cb');
    expect(landing.params.get('code')).toBeTypeOf('string');
    expect(landing.csp).toMatch(/form-action 'self' https:\/\/web\.example(;|$)/);
    expect(landing.csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  });
});
