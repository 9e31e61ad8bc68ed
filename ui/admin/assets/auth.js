// Signing in to the console: OpenID Connect authorization code with PKCE (S256) at a tenant's
// provider, as the built-in public client `tessera-admin`, asking for an access token whose
// audience is the management API (`resource` = {origin}/api/admin). Rules: state and the PKCE
// verifier live in sessionStorage for one round trip only; the token lives in sessionStorage (this
// tab) and is dropped on expiry or 401, which signs in again (silently while the SSO session lasts).

const CLIENT_ID = 'tessera-admin';
const KEY = 'tessera-admin-session';
const PENDING = 'tessera-admin-pending';

const redirectUri = () => `${location.origin}/admin/`;
const resource = () => `${location.origin}/api/admin`;

function random(bytes = 32) {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

async function challenge(verifier) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

async function discovery(tenant) {
  const res = await fetch(`/t/${encodeURIComponent(tenant)}/.well-known/openid-configuration`, { cache: 'no-store' });
  if (!res.ok) throw new Error(res.status === 404 ? `There is no tenant "${tenant}".` : 'The sign-in service did not answer.');
  return res.json();
}

/** The signed-in session of this tab, or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return s && s.expiresAt > Date.now() + 10_000 ? s : null;
  } catch {
    return null;
  }
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** Sends the browser to the tenant's sign-in, coming back to `returnTo` (a hash route). */
export async function signIn(tenant, returnTo = location.hash) {
  const config = await discovery(tenant);
  const verifier = random(48);
  const state = random(24);
  sessionStorage.setItem(PENDING, JSON.stringify({ tenant, verifier, state, returnTo }));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID, response_type: 'code', redirect_uri: redirectUri(), scope: 'openid profile email',
    state, code_challenge: await challenge(verifier), code_challenge_method: 'S256', resource: resource(),
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes a sign-in when the page was opened by the provider's redirect (?code&state).
 * @returns the hash route to show, or undefined when this was no callback.
 * @throws Error with a message for the user when the answer is refused.
 */
export async function finishSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  history.replaceState(null, '', '/admin/' + location.hash);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (params.get('error')) throw new Error(params.get('error_description') || 'Signing in was cancelled.');
  if (!pending || params.get('state') !== pending.state) throw new Error('This sign-in answer does not belong to this tab. Sign in again.');
  const config = await discovery(pending.tenant);
  const res = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(), client_id: CLIENT_ID,
      code_verifier: pending.verifier, resource: resource(),
    }),
  });
  const token = await res.json().catch(() => ({}));
  if (!res.ok || !token.access_token) throw new Error(token.error_description || 'The sign-in could not be completed.');
  sessionStorage.setItem(KEY, JSON.stringify({
    tenant: pending.tenant, accessToken: token.access_token, idToken: token.id_token,
    expiresAt: Date.now() + (token.expires_in ?? 300) * 1000, endSession: config.end_session_endpoint,
  }));
  return pending.returnTo || '';
}

/** Ends the console's session and the SSO session at the provider. */
export function signOut() {
  const s = session();
  forget();
  if (!s?.endSession) return location.assign('/admin/');
  const url = new URL(s.endSession);
  url.search = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: redirectUri(), ...(s.idToken ? { id_token_hint: s.idToken } : {}) }).toString();
  location.assign(url.href);
}
