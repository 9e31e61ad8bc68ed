// The OIDC token endpoints under load, against the running `tessera server`: client-credentials
// grants/s (JWT access tokens, ES256), refresh grants/s (rotation + ID token + access token),
// introspections/s; and, in the same run, client-credentials grants/s of a bare oidc-provider
// (in-memory adapter, a process of its own), printed as a ratio. None of these touch Temporal.
// Refresh tokens are minted through the tenant's own provider models (server/protocols/oidc), so
// the refresh phase measures the refresh grant alone, not the logins that would precede it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { newCodecKeyText } from '../../core/infra/codec.ts';
import { loadConfig, type Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { ensureSigningKeys } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser } from '../../core/accounts/users.ts';
import type { OidcDeps } from '../../server/protocols/oidc/deps.ts';
import { providerSetup } from '../../server/protocols/oidc/provider-config.ts';
import { onCleanup } from './cleanup.ts';
import { runLoop, type LoopResult } from './http-loop.ts';

export interface OidcBenchResult {
  concurrency: number;
  seconds: number;
  clientCredentials: LoopResult;
  refresh: LoopResult;
  introspection: LoopResult;
  bareClientCredentials: LoopResult;
}

export const OIDC_TARGETS = { clientCredentials: 1000, refresh: 500 };

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const ok = (status: number, body: string) => (status === 200 ? undefined : `HTTP ${status}: ${body.slice(0, 200)}`);

/** Refresh tokens for `count` chains, minted with the tenant's provider models (same DB, same client). */
async function mintRefreshTokens(db: Db, config: Config, tenant: string, clientId: string, accountId: string, count: number): Promise<string[]> {
  const { issuer, configuration } = await providerSetup({ db, config } as OidcDeps, tenant);
  const provider = new Provider(issuer, configuration);
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error('bench client not found by the provider');
  return Promise.all(Array.from({ length: count }, async () => {
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope('openid offline_access');
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      accountId, client, grantId, scope: 'openid offline_access', gty: 'authorization_code', authTime: Math.floor(Date.now() / 1000),
    });
    return token.save();
  }));
}

async function startBare(clientId: string, secret: string): Promise<string> {
  const script = fileURLToPath(new URL('./bare-provider.ts', import.meta.url));
  const child = spawn(process.execPath, [script, clientId, secret], { stdio: ['ignore', 'pipe', 'ignore'] });
  onCleanup('bare oidc-provider', () => { child.kill('SIGTERM'); });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare oidc-provider exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

export async function runOidcBench(db: Db, base: string, concurrency: number, seconds: number, log: (m: string) => void,
  cpuMeters: Record<string, () => number> = {}): Promise<OidcBenchResult> {
  // Only the issuer and the stored keys matter for minting; the cookie key is never used.
  const config = loadConfig({ PUBLIC_URL: base, TESSERA_CODEC_KEYS: newCodecKeyText() });
  const tenant = `bench-oidc-${randomBytes(4).toString('hex')}`;
  await createTenant(db, tenant);
  onCleanup('bench oidc tenant', () => db`DELETE FROM tenants WHERE id = ${tenant}`);
  await ensureSigningKeys(db, tenant);
  const user = await createUser(db, tenant, { email: `rt@${tenant}.example`, password: randomBytes(12).toString('base64url') });
  const service = await createOidcClient(db, tenant, { grant_types: ['client_credentials'] });
  const app = await createOidcClient(db, tenant, {
    redirect_uris: ['https://bench.example/cb'], grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access', id_token_signed_response_alg: 'ES256', first_party: true,
  });
  const path = (p: string) => `/t/${tenant}/oidc/${p}`;
  const serviceAuth = basic(service.clientId, service.metadata.client_secret!);
  const appAuth = basic(app.clientId, app.metadata.client_secret!);

  log(`OIDC: client credentials, ${concurrency} concurrent, ${seconds} s…`);
  const clientCredentials = await runLoop(base, concurrency, seconds,
    () => ({ path: path('token'), headers: { authorization: serviceAuth }, body: 'grant_type=client_credentials' }),
    (_loop, status, body) => ok(status, body), cpuMeters);

  const chains = await mintRefreshTokens(db, config, tenant, app.clientId, user.id, concurrency);
  log(`OIDC: refresh (rotating), ${concurrency} chains, ${seconds} s…`);
  const refresh = await runLoop(base, concurrency, seconds,
    (loop) => ({ path: path('token'), headers: { authorization: appAuth }, body: `grant_type=refresh_token&refresh_token=${chains[loop]}` }),
    (loop, status, body) => {
      if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
      const next = JSON.parse(body).refresh_token as string | undefined;
      if (!next || !JSON.parse(body).id_token) return 'no rotated refresh token or ID token';
      chains[loop] = next;
      return undefined;
    }, cpuMeters);

  log(`OIDC: introspection, ${concurrency} concurrent, ${seconds} s…`);
  const introspection = await runLoop(base, concurrency, seconds,
    (loop) => ({ path: path('introspect'), headers: { authorization: appAuth }, body: `token=${chains[loop % chains.length]}` }),
    (_loop, status, body) => ok(status, body) ?? (JSON.parse(body).active === true ? undefined : 'token reported inactive'), cpuMeters);

  const bareSecret = randomBytes(32).toString('base64url');
  const bare = await startBare('bench-bare', bareSecret);
  log(`OIDC: bare oidc-provider client credentials, ${concurrency} concurrent, ${seconds} s…`);
  const bareAuth = basic('bench-bare', bareSecret);
  const bareClientCredentials = await runLoop(bare, concurrency, seconds,
    () => ({ path: '/token', headers: { authorization: bareAuth }, body: 'grant_type=client_credentials' }),
    (_loop, status, body) => ok(status, body));
  return { concurrency, seconds, clientCredentials, refresh, introspection, bareClientCredentials };
}

export function formatOidcReport(r: OidcBenchResult): string {
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const line = (name: string, l: LoopResult, target?: number) => [
    name.padEnd(34), `${f(l.perSecond)}/s`.padStart(9), `${f(l.latency.p50, 1)} / ${f(l.latency.p95, 1)} / ${f(l.latency.p99, 1)}`.padStart(22),
    String(l.errors).padStart(7), target ? `  >= ${target}/s: ${l.perSecond >= target ? 'pass' : 'MISS'}` : '',
  ].join('  ');
  const ratio = r.clientCredentials.perSecond / r.bareClientCredentials.perSecond;
  return [
    `OIDC token endpoints — ${r.concurrency} concurrent connections, ${r.seconds} s each, load generator on this machine`,
    `${'endpoint'.padEnd(34)}  ${'rate'.padStart(9)}  ${'ms p50 / p95 / p99'.padStart(22)}  ${'errors'.padStart(7)}  target`,
    line('client credentials (JWT, ES256)', r.clientCredentials, OIDC_TARGETS.clientCredentials),
    line('refresh (rotation + ID token)', r.refresh, OIDC_TARGETS.refresh),
    line('introspection (refresh token)', r.introspection),
    line('bare oidc-provider client creds.', r.bareClientCredentials),
    `Tessera / bare oidc-provider (client credentials): ${f(ratio * 100)}%`,
    ...cpuLines(r),
    ...[r.clientCredentials, r.refresh, r.introspection, r.bareClientCredentials].flatMap((l) => l.errorSamples.map((e) => `  error: ${e}`)),
  ].join('\n');
}

/** CPU ms per request of each measured process (load generator apart), and their sum. */
function cpuLines(r: OidcBenchResult): string[] {
  const names = Object.keys(r.refresh.cpuMsPerRequest).filter((k) => k !== 'bench (load)');
  if (!names.length) return [];
  const f = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(2) : '-');
  const row = (name: string, l: LoopResult) => {
    const total = names.reduce((sum, k) => sum + (l.cpuMsPerRequest[k] ?? 0), 0);
    return `${name.padEnd(34)}  ${names.map((k) => f(l.cpuMsPerRequest[k]).padStart(9)).join('  ')}  ${f(total).padStart(9)}  ${f(l.cpuMsPerRequest['bench (load)']).padStart(9)}`;
  };
  return [
    '', 'CPU ms per request (from /proc/PID/stat; the bare provider is not measured)',
    `${'endpoint'.padEnd(34)}  ${names.map((k) => k.padStart(9)).join('  ')}  ${'sum'.padStart(9)}  ${'load gen.'.padStart(9)}`,
    row('client credentials', r.clientCredentials), row('refresh', r.refresh), row('introspection', r.introspection),
  ];
}
