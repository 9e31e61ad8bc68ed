// SP-initiated SAML SSO under load, against the running `tessera server`, and the server's memory
// while it lasts (every AuthnRequest goes through the SAML schema validator, libxml2 compiled to
// WebAssembly on the request's thread: core/saml/xsd-schema-set.ts). Rules:
// - one samlify SP is registered in the bench tenant from its own metadata (AuthnRequests unsigned,
//   an ACS that is never called: the bench only reads the page that would post to it);
// - one user signs in once through the Journey API (username, password, TOTP); every request then
//   carries its `tessera_session` cookie, so each GET /saml/sso is answered at once from the session;
// - each request is a fresh AuthnRequest (new ID, Redirect binding); only HTTP 200 with the
//   auto-posting form whose SAMLResponse has status Success and answers that ID counts, anything
//   else is an error;
// - the server's RSS is read before the SAML phases, after the warm-up and after each level, so
//   growth per response shows whether memory stays flat.
import { Agent, request } from 'node:http';
import type { Db } from '../../core/infra/db.ts';
import { saml } from '../../core/saml/saml-setup.ts';
import { addSamlSp } from '../../core/saml/saml-sps.ts';
import { totpCode } from '../../core/accounts/totp.ts';
import { closedLoop, type LoopResult } from './closed-loop.ts';
import { memoryOf, type Memory } from './processes.ts';
import { cpuTable, table } from './report.ts';
import { totpCounter, type UserPool } from './seed.ts';
import { nowMs, type LatencySummary } from './stats.ts';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const SP_ENTITY_ID = 'https://sp.bench.example/saml';
const ACS_URL = 'https://sp.bench.example/saml/acs';

export interface SamlTarget { base: string; tenant: string; password: string; pool: UserPool }

export type SamlPhase = LoopResult<never>;

export interface SamlMemoryPoint { label: string; responses: number; memory: Memory | undefined }

export interface SamlBenchResult { warmup: SamlPhase; phases: SamlPhase[]; memory: SamlMemoryPoint[] }

class SamlBenchError extends Error {}

/** Signs one pool user in through the Journey API; returns the Cookie header of that browser. */
async function signIn(t: SamlTarget): Promise<string> {
  const cookies = new Map<string, string>();
  const api = `${t.base}/t/${t.tenant}/api/journeys`;
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(30_000), body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const answer = { status: res.status, body: await res.json().catch(() => undefined) as any };
    if (answer.status >= 300 || answer.body?.step?.errors) {
      throw new SamlBenchError(`sign-in: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    return answer.body;
  };
  const user = await t.pool.take();
  try {
    const { id } = await post(api, { kind: 'login' });
    const steps = `${api}/${encodeURIComponent(id)}/steps`;
    await post(`${steps}/identify%231`, { username: user.login });
    await post(`${steps}/password%231`, { password: t.password });
    const at = Date.now();
    user.lastCounter = totpCounter(at);
    const done = await post(`${steps}/otp%231`, { code: totpCode(user.secret, at) });
    if (done?.status !== 'succeeded') throw new SamlBenchError(`sign-in: ended ${JSON.stringify(done).slice(0, 300)}`);
  } finally {
    t.pool.give(user);
  }
  if (!cookies.has('tessera_session')) throw new SamlBenchError('sign-in succeeded without a tessera_session cookie');
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

function get(agent: Agent, base: URL, path: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: base.hostname, port: base.port, method: 'GET', path, headers: { cookie, accept: 'text/html' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Why `body` is not a successful SAMLResponse form answering `requestId`, or undefined when it is. */
function problemOf(status: number, body: string, requestId: string): string | undefined {
  const brief = () => body.replace(/\s+/g, ' ').slice(0, 200);
  if (status !== 200) return `HTTP ${status}: ${brief()}`;
  const value = /name="SAMLResponse" value="([^"]+)"/.exec(body)?.[1];
  if (!value) return `HTTP 200 without a SAMLResponse form: ${brief()}`;
  const xml = Buffer.from(value, 'base64').toString('utf8');
  const code = /StatusCode\s[^>]*Value="([^"]+)"/.exec(xml)?.[1];
  if (code !== SUCCESS) return `SAMLResponse with status ${code}`;
  if (!xml.includes(`InResponseTo="${requestId}"`)) return 'SAMLResponse not answering this request';
  return undefined;
}

export async function runSamlBench(db: Db, target: SamlTarget, opts: { levels: number[]; seconds: number; warmup: number },
  serverPid: number, cpuMeters: Record<string, () => number>, log: (m: string) => void): Promise<SamlBenchResult> {
  const s = saml();
  const sp = s.ServiceProvider({
    entityID: SP_ENTITY_ID, assertionConsumerService: [{ Binding: POST, Location: ACS_URL }],
    authnRequestsSigned: false, wantAssertionsSigned: true,
  } as never);
  await addSamlSp(db, target.tenant, sp.getMetadata());
  const metadata = await fetch(`${target.base}/t/${target.tenant}/saml/metadata`, { signal: AbortSignal.timeout(30_000) });
  if (metadata.status !== 200) throw new SamlBenchError(`IdP metadata: HTTP ${metadata.status}`);
  const idp = s.IdentityProvider({ metadata: await metadata.text() } as never);
  const cookie = await signIn(target);

  const base = new URL(target.base);
  const memory: SamlMemoryPoint[] = [{ label: 'before SAML', responses: 0, memory: memoryOf(serverPid) }];
  let responses = 0;
  const phase = async (concurrency: number, limit: { seconds?: number; logins?: number }): Promise<SamlPhase> => {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      const result = await closedLoop([] as never[], concurrency, limit, cpuMeters, async () => {
        const { id, context } = sp.createLoginRequest(idp, 'redirect') as { id: string; context: string };
        const url = new URL(context);
        const t0 = nowMs();
        const res = await get(agent, base, `${url.pathname}${url.search}`, cookie);
        const ms = nowMs() - t0;
        const problem = problemOf(res.status, res.body, id);
        if (problem) throw new SamlBenchError(problem);
        return { login: ms };
      }, (err) => (err instanceof SamlBenchError ? err.message : `unexpected: ${err instanceof Error ? err.message : String(err)}`));
      responses += result.logins;
      return result;
    } finally {
      agent.destroy();
    }
  };

  log(`SAML SSO: warm-up, ${opts.warmup} responses…`);
  const warmup = await phase(Math.min(4, opts.warmup), { logins: opts.warmup });
  memory.push({ label: 'after warm-up', responses, memory: memoryOf(serverPid) });
  const phases: SamlPhase[] = [];
  for (const concurrency of opts.levels) {
    log(`SAML SSO: ${concurrency} concurrent for ${opts.seconds} s…`);
    const result = await phase(concurrency, { seconds: opts.seconds });
    log(`  ${result.loginsPerSecond.toFixed(1)} responses/s, p95 ${result.latency.login.p95.toFixed(0)} ms, ${result.errors} errors`);
    phases.push(result);
    memory.push({ label: `after ${concurrency} concurrent`, responses, memory: memoryOf(serverPid) });
  }
  return { warmup, phases, memory };
}

export function formatSamlReport(r: SamlBenchResult, cores: number): string {
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const pcts = (l: LatencySummary) => `${f1(l.p50)} / ${f1(l.p95)} / ${f1(l.p99)}`;
  const cols = r.phases.map((p) => `${p.concurrency} concurrent`);
  const right = r.phases.map(() => 'r' as const);
  const out: string[] = [
    'SAML SSO (IdP) — SP-initiated, samlify SP, unsigned AuthnRequest on the HTTP-Redirect binding (fresh ID each), signed-in',
    '  session cookie: GET /saml/sso → schema check (libxml2, WebAssembly) → signed Response + Assertion in the POST form (1 HTTP request);',
    `  ${r.phases[0]?.seconds.toFixed(0) ?? '-'} s per level. Warm-up: ${r.warmup.logins} responses, ${r.warmup.errors} errors.`,
  ];
  const noisy = Math.max(0, ...r.phases.map((p) => p.machine.otherCores));
  if (noisy > 0.25) out.push(`WARNING: other processes used up to ${f0(noisy * 100)}% CPU during the phases; the figures are not from a quiet machine.`);
  out.push('');
  out.push(table([
    ['SAML SSO', ...cols],
    ['responses / s', ...r.phases.map((p) => f1(p.loginsPerSecond))],
    ['latency ms p50 / p95 / p99', ...r.phases.map((p) => pcts(p.latency.login))],
    ['responses', ...r.phases.map((p) => String(p.logins))],
    ['errors', ...r.phases.map((p) => String(p.errors))],
  ], ['l', ...right]));
  out.push('');
  out.push(cpuTable('CPU ms per SAML response (busy %)', r.phases, cores));
  out.push('');
  out.push(table([
    ['Server memory MiB', 'responses so far', 'RSS', 'peak (VmHWM)'],
    ...r.memory.map((m) => [m.label, String(m.responses), f0(m.memory?.rssMb ?? NaN), f0(m.memory?.peakMb ?? NaN)]),
  ], ['l', 'r', 'r', 'r']));
  // The heap grows to a plateau over the first few hundred responses; the last level shows the trend.
  const change = (from: SamlMemoryPoint, to: SamlMemoryPoint) => {
    const mb = (to.memory?.rssMb ?? NaN) - (from.memory?.rssMb ?? NaN);
    const n = to.responses - from.responses;
    return `${mb >= 0 ? '+' : ''}${f1(mb)} MiB over ${n} responses (${n ? f1((mb * 1000) / n) : '-'} MiB per 1000)`;
  };
  const last = r.memory.length - 1;
  out.push(`RSS change after the warm-up: ${change(r.memory[1] ?? r.memory[0]!, r.memory[last]!)};`);
  if (last >= 2) out.push(`  during the last level alone: ${change(r.memory[last - 1]!, r.memory[last]!)}`);
  out.push('  (for scale: the per-document validator instances of before issue 15 leaked ~2 MiB per request unless worked around, 2000 MiB per 1000)');
  const errorLines = [r.warmup, ...r.phases].flatMap((p) => p.errorSamples.map((e) => `  [${p === r.warmup ? 'warm-up' : `${p.concurrency} concurrent`}] ${e}`));
  if (errorLines.length) out.push('', 'SAML SSO errors (first of each phase):', ...errorLines);
  return out.join('\n');
}
