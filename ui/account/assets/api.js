// The account API as the console calls it: bearer token from auth.js, JSON in and out, and the
// start of an account journey (the Journey API, with this browser's SSO session cookie).
// Rules: a 401 drops the token and signs in again; errors reach the caller as ApiError carrying
// the server's message (shown as text only).
import { forget, session, signIn } from './auth.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const OFFLINE = 'We couldn\u2019t reach the service. Check your connection and try again.';

export function accountApi(tenant) {
  const root = `/t/${encodeURIComponent(tenant)}/api/account`;
  async function call(method, path, body) {
    const s = session(tenant);
    if (!s) {
      await signIn(tenant);
      throw new ApiError(401, 'unauthorized', 'Signing you in\u2026');
    }
    const headers = { accept: 'application/json', authorization: `Bearer ${s.accessToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(`${root}${path}`, {
        method, headers, cache: 'no-store', credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', OFFLINE);
    }
    if (res.status === 401) {
      forget(tenant);
      await signIn(tenant);
      throw new ApiError(401, 'unauthorized', 'Your session ended. Signing you in again\u2026');
    }
    if (res.status === 204) return undefined;
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? `The server answered ${res.status}.`);
    return data;
  }
  return {
    get: (path) => call('GET', path),
    patch: (path, body) => call('PATCH', path, body),
    post: (path, body) => call('POST', path, body ?? {}),
    del: (path) => call('DELETE', path),
  };
}

/**
 * Starts an account journey on `tree` for this browser's signed-in user, with what it acts on
 * (`{ idp }`: the IdP to link; `{ remove }`: the passkey or linked IdP to remove): { status, body }.
 */
export async function startAccountJourney(tenant, tree, on = {}) {
  try {
    const res = await fetch(`/t/${encodeURIComponent(tenant)}/api/journeys`, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'account', tree, ...on }),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  } catch {
    return { status: 0, body: null };
  }
}
