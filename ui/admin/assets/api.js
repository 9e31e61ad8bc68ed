// The management API as the console calls it: bearer token from auth.js, JSON in and out.
// Rules: a 401 drops the session and signs in again; errors reach the caller as ApiError with
// the server's message (shown to the admin as is: it names the field); ETags are kept so a save
// sends If-Match and a concurrent change answers 412 instead of being overwritten.
import { forget, session, signIn } from './auth.js';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

const etags = new Map();

export async function call(method, path, body, { ifMatch } = {}) {
  const s = session();
  if (!s) {
    await signIn(sessionStorage.getItem('tessera-admin-tenant') ?? 'admin');
    throw new ApiError(401, 'unauthorized', 'Signing in…');
  }
  const headers = { accept: 'application/json', authorization: `Bearer ${s.accessToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const tag = ifMatch ?? (method === 'PATCH' || method === 'PUT' || method === 'DELETE' ? etags.get(path) : undefined);
  if (tag) headers['if-match'] = tag;
  let res;
  try {
    res = await fetch(path, { method, headers, cache: 'no-store', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new ApiError(0, 'network', 'Tessera could not be reached. Check the connection and retry.');
  }
  if (res.status === 401) {
    forget();
    await signIn(s.tenant);
    throw new ApiError(401, 'unauthorized', 'Your session ended. Signing in again…');
  }
  // Only a success carries the resource's tag: Express tags error bodies too, and keeping that
  // tag made every save after a refused one fail with 412.
  const etag = res.ok ? res.headers.get('etag') : null;
  if (etag && method !== 'DELETE') etags.set(path, etag);
  if (res.status === 204) return undefined;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const message = res.status === 412 ? 'Someone changed this meanwhile. Reload it, then make your change again.' : data?.error?.message ?? `The server answered ${res.status}.`;
    throw new ApiError(res.status, data?.error?.code ?? 'error', message, data);
  }
  return data;
}

/** `/t/{tenant}/api/admin` + path */
export const tenantPath = (tenant, path) => `/t/${encodeURIComponent(tenant)}/api/admin${path}`;

export const api = {
  me: () => call('GET', '/api/admin/me'),
  get: (tenant, path) => call('GET', tenantPath(tenant, path)),
  post: (tenant, path, body) => call('POST', tenantPath(tenant, path), body),
  put: (tenant, path, body) => call('PUT', tenantPath(tenant, path), body),
  patch: (tenant, path, body) => call('PATCH', tenantPath(tenant, path), body),
  del: (tenant, path) => call('DELETE', tenantPath(tenant, path)),
  global: call,
};

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = q.toString();
  return text ? `?${text}` : '';
}
