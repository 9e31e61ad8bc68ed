// Journeys left in the middle for the fault tests (test/fault): each driver brings one to a
// waiting point through the public HTTP APIs, and later finishes it and counts its side effects
// (mails at the SMTP sink, accounts, sessions), so a test can say "nothing lost, nothing twice".
// Every call takes the server URL to use, so steps can alternate between replicas.
import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { findApprovalForUser } from '../../core/registration/approvals.ts';
import type { Db } from '../../core/infra/db.ts';
import { sleep } from './processes.ts';
import { adminRequest, moderatedTenant } from './admin-api.ts';
import { bringBack, pickIdp, upstreamTesseraLogin } from './federation.ts';
import { tenantWithUser, uniqueTenantId } from './harness.ts';
import { JourneyApi, type ApiResponse } from './journey-api.ts';
import { OidcBrowser } from './oidc-browser.ts';
import type { SmtpSink } from './smtp-sink.ts';

/**
 * Retries `call` while it answers 503 (a dependency still coming back) or cannot connect (a
 * replica restarting); any other answer is returned. Each 503 must carry Retry-After.
 */
export async function untilAvailable(call: () => Promise<ApiResponse>, timeoutMs = 60_000): Promise<ApiResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let res: ApiResponse | undefined;
    try {
      res = await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (res && res.status !== 503) return res;
    if (res) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    if (Date.now() > deadline) throw new Error(`still unavailable after ${timeoutMs} ms: ${JSON.stringify(res?.body)}`);
    await sleep(500);
  }
}

/** The same browser (cookie jar and journey) talking to another replica. */
export function onServer(api: JourneyApi, base: string): JourneyApi {
  const other = new JourneyApi(base, api.tenant);
  for (const [k, v] of api.cookies) other.cookies.set(k, v);
  other.journey = api.journey;
  return other;
}

/** A password login stopped after its first step (the username), waiting for the password. */
export class LoginInFlight {
  api: JourneyApi;
  readonly tenant: string;
  readonly userId: string;
  readonly #password: string;

  private constructor(api: JourneyApi, userId: string, password: string) {
    this.api = api;
    this.tenant = api.tenant;
    this.userId = userId;
    this.#password = password;
  }

  static async begin(db: Db, base: string): Promise<LoginInFlight> {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const api = new JourneyApi(base, tenant);
    expect((await untilAvailable(() => api.start())).status).toBe(201);
    const atPassword = await untilAvailable(() => api.submit({ username: login }));
    expect(atPassword.status, JSON.stringify(atPassword.body)).toBe(200);
    expect(atPassword.body.step.fields.map((f: { name: string }) => f.name)).toContain('password');
    return new LoginInFlight(api, user.id, password);
  }

  /** Answers the password step at `base` (once: a 503 is the caller's to see). */
  answer(base = this.api.base): Promise<ApiResponse> {
    this.api = onServer(this.api, base);
    return this.api.submit({ password: this.#password });
  }

  /**
   * Answers the password at `base`, as the login page does: on the step it showed, again after
   * each 503. The login must succeed with a session: at once (200), or — when an answer sent
   * while no worker ran was carried out later — as a journey already finished (409), whose
   * answer sets the session just the same.
   */
  async finish(base: string): Promise<void> {
    this.api = onServer(this.api, base);
    const current = await untilAvailable(() => this.api.get());
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(['waiting', 'succeeded']).toContain(current.body.status);
    const done = await untilAvailable(() => this.api.submit({ password: this.#password }));
    if (done.status === 409) expect(done.body.error.code, JSON.stringify(done.body)).toBe('journey_finished');
    else expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('succeeded');
    expect(this.api.cookies.has('tessera_session')).toBe(true);
  }

  async sessions(db: Db): Promise<number> {
    const [row] = await db`SELECT count(*)::int AS n FROM sessions WHERE tenant_id = ${this.tenant} AND user_id = ${this.userId}`;
    return row!.n;
  }
}

/** A signup on a moderated tenant: the account is pending and the admins were mailed. */
export class SignupAwaitingApproval {
  readonly tenant: string;
  readonly token: string;
  readonly email: string;
  readonly admin: string;

  private constructor(tenant: string, token: string, email: string, admin: string) {
    this.tenant = tenant;
    this.token = token;
    this.email = email;
    this.admin = admin;
  }

  static async begin(db: Db, base: string, sink: SmtpSink): Promise<SignupAwaitingApproval> {
    const admin = `admin-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@ops.example`;
    const { tenant, token } = await moderatedTenant(db, [admin]);
    const email = `sam@${tenant}.example`;
    const api = new JourneyApi(base, tenant);
    expect((await untilAvailable(() => api.start('registration'))).status).toBe(201);
    const res = await untilAvailable(() => api.submit({ email, name: 'Sam Fault', password: 'violet staple orbit 42', invitation: '' }));
    expect(res.body, JSON.stringify(res.body)).toMatchObject({ status: 'succeeded', notice: { code: 'awaiting_approval' } });
    await sink.waitFor((m) => m.to.includes(admin) && m.subject.includes(email), 60_000);
    return new SignupAwaitingApproval(tenant, token, email, admin);
  }

  /** Approves through the admin API at `base`; the account activates and its owner is mailed once. */
  async approve(db: Db, base: string, sink: SmtpSink): Promise<void> {
    const [user] = await db`SELECT id FROM users WHERE tenant_id = ${this.tenant} AND email = ${this.email}`;
    const approval = await findApprovalForUser(db, this.tenant, user!.id);
    let attempts = 0;
    const res = await untilAvailable(() => {
      attempts += 1;
      return adminRequest(base, this.tenant, this.token, 'POST', `/approvals/${approval!.id}/approve`);
    });
    // A 503 (or a dropped connection) does not say the decision was refused: Temporal may have
    // admitted the update before the answer timed out and hand it to the worker once it polls, so
    // the retry then finds it taken (the contract registration-restart.test.ts pins). Only after
    // such an unanswered attempt is a 409 right; the mail and the account status below still
    // prove the approval happened, and counts() that it happened once.
    if (attempts > 1 && res.status === 409) expect(res.body).toMatchObject({ error: { code: 'already_decided' } });
    else expect(res.status, JSON.stringify(res.body)).toBe(200);
    await sink.waitFor((m) => m.to.includes(this.email) && /is ready/.test(m.subject), 60_000);
    // The receipt went out beside the admins' mail, not before it: when the worker sending it was
    // killed, Temporal hands it to another only once its 1-minute start-to-close timeout passed.
    // It must still arrive (exactly once), just later.
    await sink.waitFor((m) => m.to.includes(this.email) && /awaits approval/.test(m.subject), 90_000);
    const [row] = await db`SELECT status FROM users WHERE tenant_id = ${this.tenant} AND email = ${this.email}`;
    expect(row!.status).toBe('active');
  }

  /** Mails, accounts: each must be exactly one after the journey. */
  async counts(db: Db, sink: SmtpSink): Promise<{ adminMails: number; userMails: string[]; accounts: number }> {
    const [row] = await db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${this.tenant}`;
    return {
      adminMails: sink.messages.filter((m) => m.to.includes(this.admin)).length,
      userMails: sink.messages.filter((m) => m.to.includes(this.email)).map((m) => m.subject.replace(this.tenant, 'T')).sort(),
      accounts: row!.n,
    };
  }
}

/** An invitation mailed and not yet used. */
export class InvitationInFlight {
  readonly tenant: string;
  readonly email: string;
  readonly code: string;

  private constructor(tenant: string, email: string, code: string) {
    this.tenant = tenant;
    this.email = email;
    this.code = code;
  }

  static async begin(db: Db, base: string, sink: SmtpSink): Promise<InvitationInFlight> {
    const { tenant, token } = await moderatedTenant(db);
    const email = `ivy@${tenant}.example`;
    const res = await adminRequest(base, tenant, token, 'POST', '/invitations', { email });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const mail = await sink.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject), 60_000);
    return new InvitationInFlight(tenant, email, /#invite=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!);
  }

  /** Signs up with the code at `base`: active at once, signed in. */
  async accept(base: string): Promise<void> {
    const api = new JourneyApi(base, this.tenant);
    expect((await untilAvailable(() => api.start('registration'))).status).toBe(201);
    const res = await untilAvailable(() => api.submit({ email: this.email, name: 'Ivy Fault', password: 'violet staple orbit 42', invitation: this.code }));
    expect(res.body, JSON.stringify(res.body)).toMatchObject({ status: 'succeeded' });
    expect(api.cookies.has('tessera_session')).toBe(true);
  }

  async counts(db: Db, sink: SmtpSink): Promise<{ mails: number; accounts: number; accepted: number }> {
    const [users] = await db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${this.tenant} AND status = 'active'`;
    const [inv] = await db`SELECT count(*)::int AS n FROM invitations WHERE tenant_id = ${this.tenant} AND status = 'accepted'`;
    return { mails: sink.messages.filter((m) => m.to.includes(this.email)).length, accounts: users!.n, accepted: inv!.n };
  }
}

/**
 * A relying party's back-channel logout endpoint (a real HTTP server): refuses every post (503)
 * until released, so that a fan-out is surely still under way when a fault strikes; once
 * released it takes logout tokens and keeps them.
 */
export class LogoutReceiver {
  readonly tokens: string[] = [];
  refused = 0;
  url = '';
  #released = false;
  #server?: Server;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (!this.#released) {
          this.refused++;
          res.writeHead(503).end();
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

  /** From now on, posts are taken. */
  release(): void {
    this.#released = true;
  }

  /** The logouts the RP was told of: tokens counted by their `jti` (a token posted twice tells it once). */
  notifications(): number {
    return new Set(this.tokens.map((t) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')).jti as string)).size;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

/**
 * A signed-in session at an RP with a back-channel logout endpoint, logged out; the fan-out is
 * under way — the RP has refused at least one post, and refuses every one until `release()` —
 * when the fault strikes.
 */
export class LogoutFanOutInFlight {
  readonly receiver: LogoutReceiver;
  readonly tenant: string;

  private constructor(receiver: LogoutReceiver, tenant: string) {
    this.receiver = receiver;
    this.tenant = tenant;
  }

  /** `issuerBase` is PUBLIC_URL: the OIDC flow runs at the origin the tenant's issuer names. */
  static async begin(db: Db, issuerBase: string): Promise<LogoutFanOutInFlight> {
    const t = await tenantWithUser(db);
    const receiver = new LogoutReceiver();
    await receiver.start();
    const client = await createOidcClient(db, t.tenant, {
      client_name: 'Back-channel RP', redirect_uris: ['https://bcl.example/cb'], first_party: true, backchannel_logout_uri: receiver.url,
    });
    const issuer = `${issuerBase}/t/${t.tenant}`;
    const config = await oidc.discovery(new URL(issuer), client.clientId, client.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://bcl.example/cb', scope: 'openid', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new OidcBrowser(issuerBase, t.tenant);
    const landing = await browser.login(url.href, { username: t.login, password: t.password });
    if (landing.kind !== 'callback') throw new Error(`the OIDC login ended on ${landing.kind}`);
    await oidc.authorizationCodeGrant(config, landing.url, { pkceCodeVerifier: verifier, expectedState: state });
    const out = await browser.api.request('POST', `/t/${t.tenant}/api/session/logout`, {});
    expect(out.status, JSON.stringify(out.body)).toBeLessThan(400);
    const deadline = Date.now() + 30_000;
    while (receiver.refused === 0 && Date.now() < deadline) await sleep(100);
    expect(receiver.refused, 'the fan-out never reached the RP').toBeGreaterThan(0);
    return new LogoutFanOutInFlight(receiver, t.tenant);
  }

  /** After the fault's recovery: the RP takes posts again. */
  release(): void {
    this.receiver.release();
  }

  /**
   * Waits for the fan-out to record its delivery (the delivery is then complete in Temporal: no
   * attempt follows), and returns how many logouts the RP was told of, by `jti`, and how many
   * deliveries were recorded. Released, the RP may still wait for the next retry of a backoff
   * that grew while it refused (2 s doubling), hence the long wait.
   */
  async delivered(db: Db): Promise<{ notifications: number; recorded: number }> {
    const deadline = Date.now() + 150_000;
    for (;;) {
      const rows = await db`SELECT type FROM audit_events WHERE tenant_id = ${this.tenant} AND type LIKE 'logout.backchannel_%'`;
      if (rows.some((r) => r.type === 'logout.backchannel_failed')) throw new Error('the back-channel logout was recorded as failed');
      if (rows.length > 0) {
        await this.receiver.stop();
        return { notifications: this.receiver.notifications(), recorded: rows.length };
      }
      if (Date.now() > deadline) throw new Error(`no back-channel logout delivery recorded within 150 s (${this.receiver.refused} posts refused)`);
      await sleep(250);
    }
  }
}

/**
 * A federated login into a downstream tenant whose upstream IdP is another Tessera tenant: the
 * IdP is picked and the upstream sign-in done, so the downstream journey waits for its callback
 * (which the browser holds) when the fault strikes.
 */
export class FederatedLoginInFlight {
  readonly tenant: string;
  readonly #browser: OidcBrowser;
  readonly #callback: URL;

  private constructor(tenant: string, browser: OidcBrowser, callback: URL) {
    this.tenant = tenant;
    this.#browser = browser;
    this.#callback = callback;
  }

  /** `issuerBase` is PUBLIC_URL: issuers and the callback URL are at that origin. */
  static async begin(db: Db, issuerBase: string): Promise<FederatedLoginInFlight> {
    const upstream = await tenantWithUser(db);
    const tenant = uniqueTenantId('down');
    await createTenant(db, tenant);
    const client = await createOidcClient(db, upstream.tenant, {
      client_name: `Downstream ${tenant}`, redirect_uris: [`${issuerBase}/t/${tenant}/federation/up/callback`],
      first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'],
    });
    await saveIdp(db, tenant, {
      kind: 'oidc', alias: 'up', displayName: 'Upstream Co',
      oidc: { issuer: `${issuerBase}/t/${upstream.tenant}`, clientId: client.clientId, clientSecret: client.metadata.client_secret!, scopes: ['openid', 'email', 'profile'] },
      provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true },
    });
    const browser = new OidcBrowser(issuerBase, tenant);
    const url = await pickIdp(browser, 'up');
    const callback = await upstreamTesseraLogin(issuerBase, upstream.tenant, tenant, url, { username: upstream.login, password: upstream.password });
    return new FederatedLoginInFlight(tenant, browser, callback);
  }

  /** Brings the callback back: signed in, with one account made just in time. */
  async finish(): Promise<void> {
    const landing = await bringBack(this.#browser, this.#callback);
    if (landing.kind !== 'journey') throw new Error(`the callback landed on ${landing.kind}: ${JSON.stringify(landing).slice(0, 400)}`);
    expect(landing.journey.status, JSON.stringify(landing.journey)).toBe('succeeded');
    expect(this.#browser.cookies.has('tessera_session')).toBe(true);
  }

  async counts(db: Db): Promise<{ accounts: number; sessions: number }> {
    const [users] = await db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${this.tenant}`;
    const [sessions] = await db`SELECT count(*)::int AS n FROM sessions WHERE tenant_id = ${this.tenant}`;
    return { accounts: users!.n, sessions: sessions!.n };
  }
}
