// Complete OIDC password logins per second, against the running `tessera server` over HTTP only:
// per login a fresh browser (its own cookie jar, nothing shared) runs the authorization code flow
// with PKCE (S256) of a confidential first-party client — GET /oidc/auth → the interaction → the
// journey (username, then password) → its redirectTo → the provider's redirect to the
// redirect_uri with `code` — and the relying party redeems the code at /oidc/token.
// Rules:
// - a tenant of its own whose `login` tree is the default one without the TOTP step (password
//   only, brute-force throttle kept), so the TOTP login phases keep the untouched default tree and
//   no acr_values is needed (what a relying party sends by default);
// - every answer is checked (statuses, the step asked, state, iss, the ID token's nonce);
//   anything unexpected counts as an error of the request it happened in;
// - every request is timed on its own, so a slow login shows where its time goes; successful
//   logins never record throttle failures, and users are lent round-robin from a large pool.
import { createHash, randomBytes } from 'node:crypto';
import { Browser, StageError } from './browser.ts';
import { moduleCatalog } from '../../activities/registry.ts';
import type { Db } from '../../core/infra/db.ts';
import { defaultLoginOnePageTree, defaultLoginTree } from '../../core/journeys/default-trees.ts';
import { updateTenant } from '../../core/tenants/tenant-settings.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { formatTreeErrors, validateTree } from '../../workflows/tree/validate.ts';
import { onCleanup, stopping } from './cleanup.ts';
import { cpuTable, table } from './report.ts';
import { closedLoop, type LoopResult } from './closed-loop.ts';
import { seed } from './seed.ts';
import type { Contender, ContenderResult } from './side-by-side.ts';
import { nowMs, type LatencySummary } from './stats.ts';

/** The requests of one login, in order. */
export const OIDC_STAGES = ['authorize', 'interaction', 'view', 'username', 'password', 'resume', 'callback', 'token'] as const;
export type OidcStage = (typeof OIDC_STAGES)[number];

const STAGE_LABELS: Record<OidcStage, string> = {
  authorize: 'GET /oidc/auth (→ interaction)',
  interaction: 'GET interaction (journey start)',
  view: 'GET journey (API)',
  username: 'POST username step',
  password: 'POST password step (argon2)',
  resume: 'GET interaction/login (finish)',
  callback: 'GET /oidc/auth/:uid (→ code)',
  token: 'POST /oidc/token (code)',
};

export const OIDC_LOGIN_TARGETS = { loginsPerSecond: 30, p95Ms: 250 };

export type OidcLoginPhase = LoopResult<OidcStage>;

export interface OidcLoginResult { tenant: string; users: number; warmup: OidcLoginPhase; phases: OidcLoginPhase[]; others: ContenderResult[] }

interface OidcLoginTarget { base: string; tenant: string; clientId: string; secret: string; redirectUri: string; password: string; logins: string[]; onePage: boolean }

export const REDIRECT_URI = 'https://rp.bench.example/cb';
const MAX_HOPS = 10;

/** A default login tree minus its TOTP step: sign-in, throttle, password, account status. */
function withoutTotp(base: Tree): Tree {
  const { otp: _otp, 'otp-failed': _failed, 'otp-captcha': _captcha, ...nodes } = base.nodes;
  const tree = { ...base, nodes: { ...nodes, status: { ...nodes.status!, next: { ...nodes.status!.next, active: 'success' } } } };
  const check = validateTree(tree, moduleCatalog);
  if (!check.ok) throw new Error(`${base.name} without TOTP refused: ${formatTreeErrors(check.errors)}`);
  return check.tree;
}

/** The default login tree minus its TOTP step: username, throttle check, password, account status. */
export function passwordOnlyLoginTree(): Tree {
  return withoutTotp(defaultLoginTree);
}

/**
 * Follows redirects from `url` until the browser reaches the login UI (the journey id) or leaves
 * the server (the URL it was sent to). `stageOf` names each hop's request by its path.
 */
async function follow(browser: Browser<OidcStage>, url: string, stageOf: (path: string) => OidcStage): Promise<{ journey: string } | { left: URL }> {
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const target = new URL(url, browser.origin);
    if (target.origin !== browser.origin) return { left: target };
    const journey = /^\/t\/[^/]+\/ui\/journey\/([^/?#]+)$/.exec(target.pathname);
    if (journey) return { journey: decodeURIComponent(journey[1]!) };
    const stage = stageOf(target.pathname);
    const res = await browser.request(stage, 'GET', target.href);
    if (res.status < 300 || res.status >= 400 || !res.location) {
      throw new StageError(stage, `expected a redirect from ${target.pathname}, got HTTP ${res.status}: ${res.text.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    url = new URL(res.location, target).href;
  }
  throw new Error(`more than ${MAX_HOPS} redirects`);
}

function stageOf(path: string): OidcStage {
  if (/\/oidc\/auth$/.test(path)) return 'authorize';
  if (/\/oidc\/auth\/[^/]+$/.test(path)) return 'callback';
  if (/\/oidc\/interaction\/[^/]+\/login$/.test(path)) return 'resume';
  if (/\/oidc\/interaction\/[^/]+$/.test(path)) return 'interaction';
  throw new Error(`unexpected redirect to ${path}`);
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');

function expectStep(stage: OidcStage, answer: { status: number; body: any }, status: number, field: string): string {
  const step = answer.body?.step;
  if (answer.status !== status || answer.body?.status !== 'waiting' || step?.errors || !step?.fields?.some((f: { name: string }) => f.name === field)) {
    throw new StageError(stage, `expected HTTP ${status} with a step asking "${field}", got HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return step.id as string;
}

/** One complete login; the time of each request and the whole. @throws StageError naming the request. */
async function oidcLogin(t: OidcLoginTarget, login: string): Promise<Record<OidcStage | 'login', number>> {
  const browser = new Browser(t.base, OIDC_STAGES);
  const issuer = `${t.base}/t/${t.tenant}`;
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const t0 = nowMs();

  const authorize = new URL(`${issuer}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: t.clientId, response_type: 'code', redirect_uri: t.redirectUri, scope: 'openid profile email', state, nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const landing = await follow(browser, authorize.href, stageOf);
  if (!('journey' in landing)) throw new StageError('interaction', `expected the login UI, was sent to ${landing.left.origin}${landing.left.pathname}`);
  const api = `/t/${t.tenant}/api/journeys/${encodeURIComponent(landing.journey)}`;

  const view = await browser.json('view', 'GET', api);
  let done: { status: number; body: any };
  if (t.onePage) {
    const credentials = expectStep('view', view, 200, 'password');
    done = await browser.json('password', 'POST', `${api}/steps/${encodeURIComponent(credentials)}`, { username: login, password: t.password });
  } else {
    const identify = expectStep('view', view, 200, 'username');
    const named = await browser.json('username', 'POST', `${api}/steps/${encodeURIComponent(identify)}`, { username: login });
    const passwordStep = expectStep('username', named, 200, 'password');
    done = await browser.json('password', 'POST', `${api}/steps/${encodeURIComponent(passwordStep)}`, { password: t.password });
  }
  if (done.status !== 200 || done.body?.status !== 'succeeded' || typeof done.body?.redirectTo !== 'string') {
    throw new StageError('password', `expected HTTP 200 succeeded with a redirectTo, got HTTP ${done.status} ${JSON.stringify(done.body).slice(0, 300)}`);
  }

  const back = await follow(browser, done.body.redirectTo, stageOf);
  if (!('left' in back)) throw new StageError('resume', 'sent back to the login UI');
  const params = back.left.searchParams;
  if (`${back.left.origin}${back.left.pathname}` !== t.redirectUri) throw new StageError('callback', `sent to ${back.left.origin}${back.left.pathname}`);
  if (params.get('error')) throw new StageError('callback', `error ${params.get('error')}: ${params.get('error_description')}`);
  if (params.get('state') !== state || params.get('iss') !== issuer || !params.get('code')) {
    throw new StageError('callback', `bad authorization response (state ${params.get('state') === state ? 'ok' : 'wrong'}, iss ${params.get('iss')}, code ${params.has('code') ? 'present' : 'missing'})`);
  }

  const form = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: t.redirectUri, code_verifier: verifier });
  const token = await browser.request('token', 'POST', `${issuer}/oidc/token`, { type: 'application/x-www-form-urlencoded', text: form.toString() }, {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.secret)}`).toString('base64')}`, accept: 'application/json',
  });
  if (token.status !== 200) throw new StageError('token', `HTTP ${token.status}: ${token.text.slice(0, 200)}`);
  const tokens = JSON.parse(token.text) as { id_token?: string; access_token?: string };
  const claims = tokens.id_token ? JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) : undefined;
  if (!tokens.access_token || claims?.nonce !== nonce || claims?.iss !== issuer || !claims?.sub) {
    throw new StageError('token', 'no access token, or an ID token without the nonce, issuer or subject');
  }
  return { ...browser.timing, login: nowMs() - t0 };
}

function runOidcLoginPhase(target: OidcLoginTarget, concurrency: number, opts: { seconds?: number; logins?: number }, cpuMeters: Record<string, () => number>): Promise<OidcLoginPhase> {
  return closedLoop(OIDC_STAGES, concurrency, { ...opts, maxErrors: 200 }, cpuMeters,
    (n) => oidcLogin(target, target.logins[n % target.logins.length]!),
    (err) => (err instanceof StageError ? err.message : `unexpected: ${err instanceof Error ? err.stack : String(err)}`));
}

export interface OidcLoginOptions { users: number; levels: number[]; seconds: number; warmup: number }

/**
 * A tenant of its own: users, the password-only login tree (identifier-first, or one-page chosen
 * by the tenant setting login.tree), and the bench's client.
 */
async function oidcLoginTenant(db: Db, base: string, users: number, onePage: boolean, log: (m: string) => void): Promise<OidcLoginTarget> {
  log(`OIDC login: seeding a tenant with ${users} users and a password-only ${onePage ? 'one-page' : 'identifier-first'} login tree…`);
  const seeded = await seed(db, users);
  onCleanup('bench oidc login tenant', () => db`DELETE FROM tenants WHERE id = ${seeded.tenant}`);
  if (onePage) {
    await saveTree(db, seeded.tenant, withoutTotp(defaultLoginOnePageTree));
    await updateTenant(db, seeded.tenant, { settings: { login: { tree: 'login-one-page' } } });
  } else {
    await saveTree(db, seeded.tenant, passwordOnlyLoginTree());
  }
  const client = await createOidcClient(db, seeded.tenant, {
    client_name: 'Bench RP', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], scope: 'openid profile email', first_party: true,
  });
  return {
    base, tenant: seeded.tenant, clientId: client.clientId, secret: client.metadata.client_secret!, redirectUri: REDIRECT_URI,
    password: seeded.password, logins: seeded.users.map((u) => u.login), onePage,
  };
}

/**
 * The same OIDC login on a tenant whose login tree is the one-page one (username and password in
 * one step: 7 HTTP requests), as a side-by-side contender; warmed up here.
 */
export async function onePageContender(db: Db, base: string, opts: OidcLoginOptions, cpuMeters: Record<string, () => number>, system: string[],
  log: (m: string) => void): Promise<Contender> {
  const target = await oidcLoginTenant(db, base, opts.users, true, log);
  const phase = (concurrency: number, o: { seconds?: number; logins?: number }) => runOidcLoginPhase(target, concurrency, o, cpuMeters) as Promise<LoopResult<string>>;
  log(`OIDC login (one page): warm-up, ${opts.warmup} logins…`);
  const warmup = await phase(Math.min(4, opts.warmup), { logins: opts.warmup });
  return { name: 'tessera one-page', system, phase, warmup };
}

/**
 * Seeds its tenant (users, password-only login tree, client), warms up, then runs each level;
 * after each level, each of `alongside` at the same level (they were warmed up by their caller).
 */
export async function runOidcLoginBench(db: Db, base: string, opts: OidcLoginOptions,
  cpuMeters: Record<string, () => number>, log: (m: string) => void, alongside: Contender[] = []): Promise<OidcLoginResult> {
  const target = await oidcLoginTenant(db, base, opts.users, false, log);
  log(`OIDC login: warm-up, ${opts.warmup} logins…`);
  const warmup = await runOidcLoginPhase(target, Math.min(4, opts.warmup), { logins: opts.warmup }, cpuMeters);
  const phases: OidcLoginPhase[] = [];
  const others: ContenderResult[] = alongside.map((c) => ({ name: c.name, system: c.system, warmup: c.warmup, phases: [] }));
  const say = (name: string, phase: LoopResult<string>) => log(`  ${name}: ${phase.loginsPerSecond.toFixed(1)} logins/s, p95 ${phase.latency.login!.p95.toFixed(0)} ms, ${phase.errors} errors`);
  for (const concurrency of opts.levels) {
    if (stopping()) break;
    log(`OIDC login: ${concurrency} concurrent users for ${opts.seconds} s…`);
    const phase = await runOidcLoginPhase(target, concurrency, { seconds: opts.seconds }, cpuMeters);
    say('tessera', phase);
    phases.push(phase);
    for (const [i, other] of alongside.entries()) {
      if (stopping()) break;
      log(`${other.name}: ${concurrency} concurrent users for ${opts.seconds} s…`);
      const result = await other.phase(concurrency, { seconds: opts.seconds });
      say(other.name, result);
      others[i]!.phases.push(result);
    }
  }
  return { tenant: target.tenant, users: opts.users, warmup, phases, others };
}

export function formatOidcLoginReport(r: OidcLoginResult, cores: number): string {
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const pcts = (l: LatencySummary) => `${f1(l.p50)} / ${f1(l.p95)} / ${f1(l.p99)}`;
  const mark = (ok: boolean) => (ok ? 'pass' : 'MISS');
  const cols = r.phases.map((p) => `${p.concurrency} user${p.concurrency > 1 ? 's' : ''}`);
  const right = r.phases.map(() => 'r' as const);
  const out: string[] = [
    'Complete OIDC logins — authorization code + PKCE S256, confidential first-party client, fresh cookie jar per login:',
    '  GET /oidc/auth → interaction → journey (username, password; login tree = default minus TOTP) → redirectTo →',
    `  provider redirect with code → POST /oidc/token (8 HTTP requests); ${r.users} users, ${r.phases[0]?.seconds.toFixed(0) ?? '-'} s per phase`,
    `Warm-up: ${r.warmup.logins} logins, ${r.warmup.errors} errors.`,
  ];
  const noisy = Math.max(0, ...r.phases.map((p) => p.machine.otherCores));
  if (noisy > 0.25) out.push(`WARNING: other processes used up to ${f0(noisy * 100)}% CPU during the phases; the figures are not from a quiet machine.`);
  out.push('');
  const best = r.phases.reduce((a, b) => (b.loginsPerSecond > a.loginsPerSecond ? b : a), r.phases[0]!);
  const fastest = r.phases.filter((p) => p.latency.login.p95 <= OIDC_LOGIN_TARGETS.p95Ms);
  out.push(table([
    ['OIDC logins', ...cols, 'target'],
    ['complete logins / s', ...r.phases.map((p) => f1(p.loginsPerSecond)),
      `>= ${OIDC_LOGIN_TARGETS.loginsPerSecond}/s: ${mark(best.loginsPerSecond >= OIDC_LOGIN_TARGETS.loginsPerSecond)} (best ${f1(best.loginsPerSecond)} at ${best.concurrency})`],
    ['whole login ms p50 / p95 / p99', ...r.phases.map((p) => pcts(p.latency.login)),
      `p95 <= ${OIDC_LOGIN_TARGETS.p95Ms} ms: ${fastest.length ? `pass at ${fastest.map((p) => p.concurrency).join(', ')}` : 'MISS'}`],
    ['  with p95 within target: logins/s', ...r.phases.map((p) => (p.latency.login.p95 <= OIDC_LOGIN_TARGETS.p95Ms ? f1(p.loginsPerSecond) : '-')), ''],
    ['logins completed', ...r.phases.map((p) => String(p.logins)), ''],
    ['errors', ...r.phases.map((p) => String(p.errors)), '0'],
  ], ['l', ...right, 'l']));
  out.push('');
  out.push(table([
    ['Per request ms  p50 / p95 / p99', ...cols],
    ...OIDC_STAGES.map((s) => [STAGE_LABELS[s], ...r.phases.map((p) => pcts(p.latency[s]))]),
    ['sum of the p50s', ...r.phases.map((p) => f1(OIDC_STAGES.reduce((a, s) => a + p.latency[s].p50, 0)))],
  ], ['l', ...right]));
  out.push('');
  out.push(cpuTable('CPU ms per OIDC login (busy %)', r.phases, cores));
  const errorLines = [r.warmup, ...r.phases].flatMap((p) => p.errorSamples.map((e) => `  [${p === r.warmup ? 'warm-up' : `${p.concurrency} users`}] ${e}`));
  if (errorLines.length) out.push('', 'OIDC login errors (first of each phase):', ...errorLines);
  return out.join('\n');
}
