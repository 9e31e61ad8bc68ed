// Keycloak as the anchor of the OIDC login phase (`BENCH_KEYCLOAK=1`): the distribution
// (org.keycloak:keycloak-quarkus-dist) fetched from Maven Central with `mvn dependency:copy` into a
// cache folder outside the repository, unpacked there once, and run in production mode
// (`kc.sh start`, never start-dev: dev mode disables the theme cache). Rules:
// - the same login as Tessera's OIDC login phase: a confidential client with the same redirect URI
//   and PKCE S256 required, the same user names and password, argon2id at Tessera's parameters
//   (m = 19456 KiB, t = 2, p = 1, at most one hash per core) so both pay the same hash, brute-force
//   protection on as Tessera's throttle is; users get a first and last name so that Keycloak's
//   default user profile never stops a login with a required action;
// - one login = GET the authorization endpoint (the login page), POST its form (→ redirect with
//   the code), POST the token endpoint; state, iss, nonce and the code's redirect are checked;
// - its CPU is every process of the tree it was started as (the JVM, its H2 database inside),
//   read from /proc; it runs in a process group of its own that cleanup ends.
// Env: BENCH_KEYCLOAK_VERSION (default 26.7.3), BENCH_KEYCLOAK_CACHE (default
// ~/.cache/tessera-bench/keycloak), BENCH_KEYCLOAK_JAVA_HOME (default: the newest JDK >= 21 under
// /usr/lib/jvm), BENCH_KEYCLOAK_WARMUP (logins, default 1000).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Browser, StageError, jwtClaims } from './browser.ts';
import { onCleanup } from './cleanup.ts';
import { closedLoop } from './closed-loop.ts';
import { REDIRECT_URI } from './oidc-login.ts';
import { freePort } from './ports.ts';
import { cpuSecondsOf, memoryOf, treeCpuSeconds, type Memory } from './processes.ts';
import type { Contender } from './side-by-side.ts';
import { nowMs } from './stats.ts';

export const KEYCLOAK_STAGES = ['page', 'form', 'token'] as const;
type KcStage = (typeof KEYCLOAK_STAGES)[number];

/** Tessera's argon2id parameters (core/accounts/passwords.ts), as Keycloak's argon2 provider options. */
const ARGON2 = { memory: 19_456, iterations: 2, parallelism: 1 };

export interface Keycloak { base: string; pid: number; cpuSeconds(): number; memory(): Memory | undefined; stop(): Promise<void> }

interface Realm { base: string; realm: string; clientId: string; secret: string; password: string; logins: string[] }

function run(command: string, args: string[], cwd: string): void {
  const res = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.error) throw new Error(`${command} could not run: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${res.status}:\n${(res.stdout + res.stderr).slice(-2000)}`);
}

/** The unpacked distribution, fetched and unpacked on first use. @throws naming the step that failed. */
export async function keycloakDistribution(log: (m: string) => void): Promise<string> {
  const version = process.env.BENCH_KEYCLOAK_VERSION ?? '26.7.3';
  const cache = process.env.BENCH_KEYCLOAK_CACHE ?? join(homedir(), '.cache', 'tessera-bench', 'keycloak');
  const dist = join(cache, `keycloak-${version}`);
  if (existsSync(join(dist, 'bin', 'kc.sh'))) return dist;
  await mkdir(cache, { recursive: true });
  const archive = join(cache, `keycloak-quarkus-dist-${version}.tar.gz`);
  if (!existsSync(archive)) {
    log(`Keycloak: fetching org.keycloak:keycloak-quarkus-dist:${version} with mvn into ${cache}…`);
    run('mvn', ['-q', '-B', 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`, `-DoutputDirectory=${cache}`], cache);
  }
  log('Keycloak: unpacking…');
  run('tar', ['xzf', archive], cache);
  if (!existsSync(join(dist, 'bin', 'kc.sh'))) throw new Error(`${archive} did not unpack to ${dist}`);
  return dist;
}

/** JAVA_HOME for Keycloak: BENCH_KEYCLOAK_JAVA_HOME, else the newest JDK >= 21 under /usr/lib/jvm (Temurin first). */
export function keycloakJavaHome(): string {
  if (process.env.BENCH_KEYCLOAK_JAVA_HOME) return process.env.BENCH_KEYCLOAK_JAVA_HOME;
  const root = '/usr/lib/jvm';
  const candidates = (existsSync(root) ? readdirSync(root) : [])
    .map((name) => ({ name, major: Number(/(?:^|-)(\d+)(?:[.-]|$)/.exec(name)?.[1] ?? 0) }))
    .filter((c) => c.major >= 21 && existsSync(join(root, c.name, 'bin', 'java')))
    .sort((a, b) => b.major - a.major || Number(b.name.includes('temurin')) - Number(a.name.includes('temurin')));
  if (!candidates.length) throw new Error(`Keycloak needs Java 21+: none under ${root}; set BENCH_KEYCLOAK_JAVA_HOME`);
  return join(root, candidates[0]!.name);
}

/** Starts `kc.sh start` (production mode) on loopback ports and waits until it is ready. */
export async function startKeycloak(dist: string, admin: { username: string; password: string }, log: (m: string) => void): Promise<Keycloak> {
  const javaHome = keycloakJavaHome();
  await rm(join(dist, 'data'), { recursive: true, force: true }); // a fresh dev-file database each run
  const [port, management] = [await freePort(), await freePort()];
  const args = ['start', '--http-enabled=true', '--hostname-strict=false', '--db=dev-file', '--cache=local', '--health-enabled=true',
    '--http-host=127.0.0.1', `--http-port=${port}`, `--http-management-port=${management}`,
    ...Object.entries(ARGON2).map(([k, v]) => `--spi-password-hashing--argon2--${k}=${v}`)];
  log(`Keycloak: ${javaHome}/bin/java, kc.sh ${args.join(' ')}`);
  const child = spawn(join(dist, 'bin', 'kc.sh'), args, {
    cwd: dist, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JAVA_HOME: javaHome, KC_BOOTSTRAP_ADMIN_USERNAME: admin.username, KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password },
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 100) lines.splice(0, lines.length - 100);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[keycloak] ${chunk}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const pid = child.pid!;
  let stopped = false;
  const stop = async () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-pid, 'SIGTERM');
    const timer = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup('keycloak', stop);
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kc.sh start exited with ${child.exitCode}:\n${lines.slice(-30).join('\n')}`);
    if (Date.now() > until) throw new Error(`Keycloak not ready within 300 s:\n${lines.slice(-30).join('\n')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${management}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const started = lines.find((l) => / started in /.test(l));
  if (started) log(`Keycloak: ${started.replace(/^.*\(main\) /, '').slice(0, 120)}`);
  return { base, pid, cpuSeconds: () => treeCpuSeconds(pid), memory: () => memoryOf(javaPid(pid) ?? pid), stop };
}

/** The JVM in the tree started as `root` (kc.sh execs it, so usually `root` itself). */
function javaPid(root: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'java' && (Number(entry) === root || readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(root))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function adminCall(base: string, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}/admin/realms${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(300_000),
  });
  if (res.status >= 300) throw new Error(`Keycloak admin ${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

/** A realm with Tessera's users (same logins, same password), argon2 at Tessera's cost, and the bench's client. */
export async function seedKeycloak(kc: Keycloak, admin: { username: string; password: string }, logins: string[], password: string, log: (m: string) => void): Promise<Realm> {
  // The master realm's tokens live 60 s and the import takes longer: a fresh token per call.
  const adminToken = async () => {
    const res = await fetch(`${kc.base}/realms/master/protocol/openid-connect/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: admin.username, password: admin.password }),
    });
    if (res.status !== 200) throw new Error(`Keycloak admin token: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const call = async (method: string, path: string, body?: unknown) => adminCall(kc.base, await adminToken(), method, path, body);
  const realm = `bench-${randomBytes(4).toString('hex')}`;
  await call('POST', '', {
    realm, enabled: true, passwordPolicy: 'hashAlgorithm(argon2)', bruteForceProtected: true, accessTokenLifespan: 300,
  });
  const secret = randomBytes(24).toString('base64url');
  const clientId = 'bench-rp';
  await call('POST', `/${realm}/clients`, {
    clientId, protocol: 'openid-connect', publicClient: false, secret, redirectUris: [REDIRECT_URI], standardFlowEnabled: true,
    directAccessGrantsEnabled: false, consentRequired: false, attributes: { 'pkce.code.challenge.method': 'S256' },
  });
  log(`Keycloak: realm ${realm}, importing ${logins.length} users (each password hashed with argon2id m=${ARGON2.memory} t=${ARGON2.iterations})…`);
  const BATCH = 100;
  for (let i = 0; i < logins.length; i += BATCH) {
    const users = logins.slice(i, i + BATCH).map((login) => ({
      username: login, email: login, emailVerified: true, enabled: true, firstName: 'Bench', lastName: 'User',
      credentials: [{ type: 'password', value: password, temporary: false }],
    }));
    await call('POST', `/${realm}/partialImport`, { ifResourceExists: 'FAIL', users });
  }
  // The hash Keycloak stored must be Tessera's: refuse to compare otherwise.
  const [first] = (await (await call('GET', `/${realm}/users?exact=true&username=${encodeURIComponent(logins[0]!)}`)).json()) as { id: string }[];
  const [credential] = (await (await call('GET', `/${realm}/users/${first!.id}/credentials`)).json()) as { credentialData: string }[];
  const data = JSON.parse(credential!.credentialData) as { algorithm: string; hashIterations: number; additionalParameters: Record<string, string[]> };
  const stored = { algorithm: data.algorithm, type: data.additionalParameters.type?.[0], memory: Number(data.additionalParameters.memory?.[0]), iterations: data.hashIterations, parallelism: Number(data.additionalParameters.parallelism?.[0]) };
  if (stored.algorithm !== 'argon2' || stored.type !== 'id' || stored.memory !== ARGON2.memory || stored.iterations !== ARGON2.iterations || stored.parallelism !== ARGON2.parallelism) {
    throw new Error(`Keycloak stored its passwords with ${JSON.stringify(stored)}, not argon2id ${JSON.stringify(ARGON2)}`);
  }
  log(`Keycloak: passwords stored as ${JSON.stringify(stored)}`);
  return { base: kc.base, realm, clientId, secret, password, logins };
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const decodeHtml = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x3d;|&#61;/gi, '=').replace(/&quot;/g, '"');

/** One complete login: login page, form POST, token. @throws StageError naming the request. */
async function keycloakLogin(r: Realm, login: string): Promise<Record<KcStage | 'login', number>> {
  const browser = new Browser(r.base, KEYCLOAK_STAGES);
  const issuer = `${r.base}/realms/${r.realm}`;
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const t0 = nowMs();
  const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
  for (const [k, v] of Object.entries({
    client_id: r.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid profile email', state, nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const page = await browser.request('page', 'GET', authorize.href);
  const action = /<form[^>]*\baction="([^"]*login-actions\/authenticate[^"]*)"/.exec(page.text)?.[1];
  if (page.status !== 200 || !action) throw new StageError('page', `expected the login form, got HTTP ${page.status}: ${page.text.replace(/\s+/g, ' ').slice(0, 200)}`);

  const form = new URLSearchParams({ username: login, password: r.password, credentialId: '' });
  const posted = await browser.request('form', 'POST', decodeHtml(action), { type: 'application/x-www-form-urlencoded', text: form.toString() });
  if (posted.status !== 302 || !posted.location) throw new StageError('form', `expected a redirect with the code, got HTTP ${posted.status}: ${posted.text.replace(/\s+/g, ' ').slice(0, 200)}`);
  const back = new URL(posted.location);
  const params = back.searchParams;
  if (`${back.origin}${back.pathname}` !== REDIRECT_URI) throw new StageError('form', `sent to ${back.origin}${back.pathname}`);
  if (params.get('error')) throw new StageError('form', `error ${params.get('error')}: ${params.get('error_description')}`);
  if (params.get('state') !== state || params.get('iss') !== issuer || !params.get('code')) {
    throw new StageError('form', `bad authorization response (state ${params.get('state') === state ? 'ok' : 'wrong'}, iss ${params.get('iss')}, code ${params.has('code') ? 'present' : 'missing'})`);
  }

  const grant = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  const token = await browser.request('token', 'POST', `${issuer}/protocol/openid-connect/token`, { type: 'application/x-www-form-urlencoded', text: grant.toString() }, {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(r.clientId)}:${encodeURIComponent(r.secret)}`).toString('base64')}`, accept: 'application/json',
  });
  if (token.status !== 200) throw new StageError('token', `HTTP ${token.status}: ${token.text.slice(0, 200)}`);
  const tokens = JSON.parse(token.text) as { id_token?: string; access_token?: string };
  const claims = jwtClaims(tokens.id_token);
  if (!tokens.access_token || claims?.nonce !== nonce || claims?.iss !== issuer || !claims?.sub) {
    throw new StageError('token', 'no access token, or an ID token without the nonce, issuer or subject');
  }
  return { ...browser.timing, login: nowMs() - t0 };
}

/** Keycloak as a side-by-side contender: its JVM tree is the system; the bench process is the load. */
export function keycloakContender(kc: Keycloak, realm: Realm): Contender {
  const meters = { keycloak: () => kc.cpuSeconds(), 'bench (load)': () => cpuSecondsOf(process.pid) };
  return {
    name: 'keycloak',
    system: ['keycloak'],
    phase: (concurrency, opts) => closedLoop(KEYCLOAK_STAGES, concurrency, { ...opts, maxErrors: 200 }, meters,
      (n) => keycloakLogin(realm, realm.logins[n % realm.logins.length]!),
      (err) => (err instanceof StageError ? err.message : `unexpected: ${err instanceof Error ? err.stack : String(err)}`)),
  };
}
