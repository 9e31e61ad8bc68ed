// What this page's URL says: the tenant, which page it is (login, signup, recovery, a mailed link,
// or a journey), and the secrets a URL may carry. Rules: a secret is taken out of the address bar
// (history.replaceState) the moment the page reads it, so it is not left in history, bookmarks or
// a shared screenshot; one that does not look right is dropped, never sent anywhere.

const PAGE = /^\/t\/([^/]+)\/ui\/(?:(login|signup|recovery|link)|journey\/([^/]+))\/?$/;

/** `{ tenant, view, id? }`, or undefined on a URL this script does not serve. */
export function parsePage() {
  const match = PAGE.exec(location.pathname);
  if (!match) return undefined;
  // `?journey=` is the convention for a tenant's own UI page (DESIGN.md §5).
  const fromQuery = new URLSearchParams(location.search).get('journey');
  const id = fromQuery || (match[3] && decodeURIComponent(match[3])) || undefined;
  return { tenant: decodeURIComponent(match[1]), view: match[3] ? 'journey' : match[2], id };
}

/** The `?code=` of an emailed sign-in link (email-otp's magic link). */
export function takeQueryCode() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (code === null) return undefined;
  params.delete('code');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  return /^\d{6,8}$/.test(code) ? code : undefined;
}

/**
 * One value of the fragment (`#name=value`, never sent to the server on GET). The whole fragment
 * goes: it is only ever used to carry these secrets.
 */
export function takeFragment(name, pattern) {
  if (!location.hash) return undefined;
  const value = new URLSearchParams(location.hash.slice(1)).get(name);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return value !== null && pattern.test(value) ? value : undefined;
}
