// Where the legacy login protocol may send a browser (`next`): URL prefixes a tenant allows
// (tenants.settings.legacy.allowedNext). Pure; the server checks every `next` with it.
// Rules, all on the raw text and on the parsed URL, so no parser quirk opens a redirect:
// - absolute http(s) only, spelled `http://` or `https://` (not `//host`, `https:host`, `/path`);
// - no backslash, whitespace, control character or `@` in the authority (no userinfo at all);
// - scheme, host and port equal to the prefix's; the path equal to the prefix's or below it on a
//   `/` boundary (`/app` allows `/app` and `/app/x`, not `/apple`);
// - no encoded `/`, `\`, `.` or NUL in the path, which a service might decode after our check;
// - no `user` or `token` parameter of its own (we append those).

export interface AllowedPrefix { protocol: string; host: string; port: string; path: string }

export type NextCheck = { ok: true; url: URL } | { ok: false; reason: string };

const MAX_LENGTH = 2048;
const ABSOLUTE = /^https?:\/\/[^/?#]*/i;
const FORBIDDEN_CHARS = /[\\\s\u0000-\u001f\u007f]/;
const ENCODED_TRICK = /%(2f|5c|2e|00)/i;

/** The authority as written (between `//` and the path), so `@` is caught before parsing. */
function rawAuthority(text: string): string | undefined {
  const match = ABSOLUTE.exec(text);
  return match ? match[0].replace(/^https?:\/\//i, '') : undefined;
}

function parseAbsolute(text: string): URL | string {
  if (text.length === 0 || text.length > MAX_LENGTH) return 'must be 1 to 2048 characters';
  if (FORBIDDEN_CHARS.test(text)) return 'must not contain spaces, control characters or backslashes';
  const authority = rawAuthority(text);
  if (authority === undefined || authority === '') return 'must be an absolute http:// or https:// URL';
  if (authority.includes('@') || authority.includes('%')) return 'must not carry a user name or password';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http:// or https:// URL';
  if (url.username !== '' || url.password !== '' || url.hostname === '') return 'must not carry a user name or password';
  return url;
}

/** @throws Error saying what is wrong with a prefix an admin gave. */
export function parseAllowedPrefix(text: string): AllowedPrefix {
  const url = parseAbsolute(text.trim());
  if (typeof url === 'string') throw new Error(`allowed next "${text.slice(0, 100)}" ${url}`);
  if (url.search !== '' || url.hash !== '') throw new Error(`allowed next "${text.slice(0, 100)}" must not have a query or fragment`);
  if (ENCODED_TRICK.test(url.pathname)) throw new Error(`allowed next "${text.slice(0, 100)}" must not encode / \\ or . in its path`);
  return { protocol: url.protocol, host: url.hostname, port: url.port, path: url.pathname };
}

/** The prefix written back in its normalized form (what settings store and print). */
export function formatAllowedPrefix(p: AllowedPrefix): string {
  return `${p.protocol}//${p.host}${p.port ? `:${p.port}` : ''}${p.path}`;
}

function underPath(path: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function matchesPrefix(url: URL, p: AllowedPrefix): boolean {
  return url.protocol === p.protocol && url.hostname === p.host && url.port === p.port && underPath(url.pathname, p.path);
}

/** Whether `raw` (a `next` parameter) may be redirected to under these prefixes. */
export function checkNext(raw: string, prefixes: readonly AllowedPrefix[]): NextCheck {
  const url = parseAbsolute(raw);
  if (typeof url === 'string') return { ok: false, reason: `next ${url}` };
  if (ENCODED_TRICK.test(url.pathname)) return { ok: false, reason: 'next must not encode / \\ or . in its path' };
  if (url.searchParams.has('user') || url.searchParams.has('token')) return { ok: false, reason: 'next must not have its own user or token parameter' };
  if (!prefixes.some((p) => matchesPrefix(url, p))) return { ok: false, reason: 'next is not an address this service may return to' };
  return { ok: true, url };
}

/** `next` with `user` and `token` appended to its own query, its fragment kept last. */
export function withLoginParams(url: URL, user: string, token: string): string {
  const added = `user=${encodeURIComponent(user)}&token=${encodeURIComponent(token)}`;
  const search = url.search === '' || url.search === '?' ? `?${added}` : `${url.search}&${added}`;
  return `${url.origin}${url.pathname}${search}${url.hash}`;
}
