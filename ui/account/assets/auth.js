// Signing in to the account console: OpenID Connect authorization code with PKCE (S256) at this
// tenant's provider, as the built-in public client `tessera-account`, asking for an access token
// whose audience is the account API (`resource` = {origin}/t/{tenant}/api/account). Rules: state
// and the PKCE verifier live in sessionStorage for one round trip only; the token lives in
// sessionStorage (this tab) and is dropped on expiry or a 401, which signs in again (silently
// while the SSO session lasts); the code is taken out of the address bar at once.

const CLIENT_ID = 'tessera-account';

const base = (tenant) => `/t/${encodeURIComponent(tenant)}`;
const redirectUri = (tenant) => `${location.origin}${base(tenant)}/account/`;
const resource = (tenant) => `${location.origin}${base(tenant)}/api/account`;
const key = (tenant) => `tessera-account:${tenant}`;
const pendingKey = (tenant) => `tessera-account-pending:${tenant}`;

function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function challenge(verifier) {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

async function discovery(tenant) {
  const res = await fetch(`${base(tenant)}/.well-known/openid-configuration`, { cache: 'no-store' });
  if (!res.ok) throw new Error('The sign-in service did not answer. Reload the page to try again.');
  return res.json();
}

/** This tab's session for `tenant` ({ accessToken, idToken, expiresAt, endSession }), or null. */
export function session(tenant) {
  try {
    const s = JSON.parse(sessionStorage.getItem(key(tenant)) ?? 'null');
    return s && s.expiresAt > Date.now() + 10_000 ? s : null;
  } catch {
    return null;
  }
}

export function forget(tenant) {
  sessionStorage.removeItem(key(tenant));
}

/** Sends the browser to the tenant's sign-in, coming back to `returnTo` (a hash route). */
export async function signIn(tenant, returnTo = location.hash) {
  const config = await discovery(tenant);
  const verifier = random(48);
  const state = random(24);
  sessionStorage.setItem(pendingKey(tenant), JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID, response_type: 'code', redirect_uri: redirectUri(tenant), scope: 'openid profile email',
    state, code_challenge: await challenge(verifier), code_challenge_method: 'S256', resource: resource(tenant),
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes a sign-in when the provider sent the browser back here (?code&state).
 * @returns the hash route to show, or undefined when this was no callback.
 * @throws Error with a message for the user when the answer is refused.
 */
export async function finishSignIn(tenant) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  history.replaceState(null, '', `${base(tenant)}/account/${location.hash}`);
  const pending = JSON.parse(sessionStorage.getItem(pendingKey(tenant)) ?? 'null');
  sessionStorage.removeItem(pendingKey(tenant));
  if (params.get('error')) throw new Error(params.get('error_description') || 'Signing in was cancelled.');
  if (!pending || params.get('state') !== pending.state) throw new Error('This sign-in answer does not belong to this tab. Sign in again.');
  const config = await discovery(tenant);
  const res = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(tenant), client_id: CLIENT_ID,
      code_verifier: pending.verifier, resource: resource(tenant),
    }),
  });
  const token = await res.json().catch(() => ({}));
  if (!res.ok || !token.access_token) throw new Error('The sign-in could not be completed. Sign in again.');
  sessionStorage.setItem(key(tenant), JSON.stringify({
    accessToken: token.access_token, idToken: token.id_token,
    expiresAt: Date.now() + (token.expires_in ?? 300) * 1000, endSession: config.end_session_endpoint,
  }));
  return pending.returnTo || '';
}

/** Ends the console's session and the SSO session at the provider. */
export function signOut(tenant) {
  const s = session(tenant);
  forget(tenant);
  if (!s?.endSession) return location.assign(redirectUri(tenant));
  const url = new URL(s.endSession);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID, post_logout_redirect_uri: redirectUri(tenant), ...(s.idToken ? { id_token_hint: s.idToken } : {}),
  }).toString();
  return location.assign(url.href);
}
