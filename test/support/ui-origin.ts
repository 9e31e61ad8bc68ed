// Raw HTTP against the Journey API as a tenant's own login UI (another origin) would call it:
// fetch with an Origin header and the browser's cookies, answers with their CORS headers.
import type { OidcBrowser } from './oidc-browser.ts';

export interface CorsAnswer { status: number; body: unknown; headers: Headers }

/** One request to `url` with `Origin: origin` (and the browser's cookies, if given). */
export async function fromOrigin(url: string, origin: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string>; browser?: OidcBrowser } = {}): Promise<CorsAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (origin !== undefined) headers.origin = origin;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.browser?.cookies.size) headers.cookie = [...init.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), redirect: 'manual' });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (init.browser && !/max-age=0/i.test(line)) init.browser.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body, headers: res.headers };
}

/** A preflight as a browser sends it before a cross-origin JSON POST. */
export function preflight(url: string, origin: string, method = 'POST', requestHeaders = 'content-type'): Promise<CorsAnswer> {
  return fromOrigin(url, origin, { method: 'OPTIONS', headers: { 'access-control-request-method': method, 'access-control-request-headers': requestHeaders } });
}
