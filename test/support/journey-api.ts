// A Journey API client with a cookie jar: what a browser or a headless app does over HTTP.
import type { JourneyView } from '../../core/journeys/journey-types.ts';
import { bodyOf } from './response-body.ts';

export interface ApiResponse { status: number; body: any; headers: Headers }

export class JourneyApi {
  readonly cookies = new Map<string, string>();
  journey?: JourneyView;
  readonly base: string;
  readonly tenant: string;

  constructor(base: string, tenant: string) {
    this.base = base;
    this.tenant = tenant;
  }

  async request(method: string, path: string, body?: unknown, init: { raw?: string; contentType?: string } = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined || init.raw !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)), redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, body: await bodyOf(res), headers: res.headers };
  }

  async start(kind = 'login', tree?: string): Promise<ApiResponse> {
    const res = await this.request('POST', `/t/${this.tenant}/api/journeys`, { kind, ...(tree ? { tree } : {}) });
    if (res.status === 201) this.journey = res.body;
    return res;
  }

  async get(id = this.journey!.id): Promise<ApiResponse> {
    return this.request('GET', `/t/${this.tenant}/api/journeys/${id}`);
  }

  /** Answers the current step (or the given step id). */
  async submit(values: unknown, stepId = this.journey!.step!.id): Promise<ApiResponse> {
    const res = await this.request('POST', `/t/${this.tenant}/api/journeys/${this.journey!.id}/steps/${encodeURIComponent(stepId)}`, values);
    if (res.status === 200) this.journey = res.body;
    return res;
  }
}
