// One complete password + TOTP login over the Journey API, as a browser does it (its own cookie
// jar), timing each request. Every answer is checked: anything unexpected throws LoginError.
import { totpCode } from '../../core/accounts/totp.ts';
import { nowMs } from './stats.ts';
import { totpCounter, type BenchUser } from './seed.ts';

export type Stage = 'start' | 'username' | 'password' | 'totp';
export const STAGES: Stage[] = ['start', 'username', 'password', 'totp'];

export interface LoginTiming { start: number; username: number; password: number; totp: number; total: number }

export class LoginError extends Error {
  readonly stage: Stage;
  constructor(stage: Stage, message: string) {
    super(`${stage}: ${message}`);
    this.stage = stage;
  }
}

interface Answer { status: number; body: any }

export class Browser {
  readonly #cookies = new Map<string, string>();
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  has(cookie: string): boolean {
    return this.#cookies.has(cookie);
  }

  async post(path: string, body: unknown): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#cookies.size) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.#base}${path}`, { method: 'POST', headers, body: JSON.stringify(body), redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  }
}

function summarize(answer: Answer): string {
  const b = answer.body;
  if (b && typeof b === 'object' && b.step) {
    return `HTTP ${answer.status} status ${b.status}, step ${b.step.id}${b.step.errors ? ` errors ${JSON.stringify(b.step.errors)}` : ''}`;
  }
  return `HTTP ${answer.status} ${typeof b === 'string' ? b.slice(0, 200) : JSON.stringify(b).slice(0, 300)}`;
}

function expectStep(stage: Stage, answer: Answer, status: number, stepId: string): void {
  if (answer.status !== status || answer.body?.status !== 'waiting' || answer.body?.step?.id !== stepId || answer.body?.step?.errors) {
    throw new LoginError(stage, `expected ${status} with step ${stepId}, got ${summarize(answer)}`);
  }
}

async function timed(stage: Stage, run: () => Promise<Answer>): Promise<{ answer: Answer; ms: number }> {
  const t0 = nowMs();
  let answer: Answer;
  try {
    answer = await run();
  } catch (err) {
    throw new LoginError(stage, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  return { answer, ms: nowMs() - t0 };
}

export async function login(base: string, tenant: string, user: BenchUser, password: string): Promise<LoginTiming> {
  const browser = new Browser(base);
  const api = `/t/${tenant}/api/journeys`;
  const t0 = nowMs();

  const start = await timed('start', () => browser.post(api, { kind: 'login' }));
  expectStep('start', start.answer, 201, 'identify#1');
  const id = start.answer.body.id as string;
  const steps = `${api}/${id}/steps`;

  const username = await timed('username', () => browser.post(`${steps}/identify%231`, { username: user.login }));
  expectStep('username', username.answer, 200, 'password#1');

  const pw = await timed('password', () => browser.post(`${steps}/password%231`, { password }));
  expectStep('password', pw.answer, 200, 'otp#1');

  const at = Date.now();
  user.lastCounter = totpCounter(at);
  const totp = await timed('totp', () => browser.post(`${steps}/otp%231`, { code: totpCode(user.secret, at) }));
  if (totp.answer.status !== 200 || totp.answer.body?.status !== 'succeeded' || totp.answer.body?.id !== id) {
    throw new LoginError('totp', `expected 200 succeeded, got ${summarize(totp.answer)}`);
  }
  if (!browser.has('tessera_session')) throw new LoginError('totp', 'succeeded without setting the tessera_session cookie');
  return { start: start.ms, username: username.ms, password: pw.ms, totp: totp.ms, total: nowMs() - t0 };
}
