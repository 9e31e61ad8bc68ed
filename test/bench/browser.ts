// A browser of one login for the load loops: its own cookie jar (paths ignored — one origin per
// browser, cookie names do not collide), no redirect followed by itself, every request timed and
// added to the stage it belongs to. Anything unexpected is a StageError naming that stage.
import { nowMs } from './stats.ts';

export class StageError extends Error {
  constructor(stage: string, message: string) {
    super(`${stage}: ${message}`);
  }
}

export interface Answer { status: number; location: string | null; text: string }

export class Browser<S extends string> {
  readonly #cookies = new Map<string, string>();
  readonly origin: string;
  readonly timing: Record<S, number>;

  constructor(base: string, stages: readonly S[]) {
    this.origin = new URL(base).origin;
    this.timing = Object.fromEntries(stages.map((s) => [s, 0])) as Record<S, number>;
  }

  async request(stage: S, method: string, url: string, body?: { type: string; text: string }, headers: Record<string, string> = {}): Promise<Answer> {
    const all: Record<string, string> = { accept: body?.type === 'application/json' ? 'application/json' : 'text/html', ...headers };
    if (this.#cookies.size) all.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) all['content-type'] = body.type;
    const t0 = nowMs();
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL(url, this.origin), { method, headers: all, body: body?.text, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      text = await res.text();
    } catch (err) {
      throw new StageError(stage, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
    this.timing[stage] += nowMs() - t0;
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(pair.slice(0, eq));
      else this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get('location'), text };
  }

  async json(stage: S, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await this.request(stage, method, path, body === undefined ? undefined : { type: 'application/json', text: JSON.stringify(body) });
    try {
      return { status: res.status, body: JSON.parse(res.text) };
    } catch {
      throw new StageError(stage, `HTTP ${res.status}, not JSON: ${res.text.slice(0, 200)}`);
    }
  }
}

/** The claims of a JWT's payload (not verified: the bench only checks what it asked for). */
export function jwtClaims(jwt: string | undefined): Record<string, unknown> | undefined {
  if (!jwt) return undefined;
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
