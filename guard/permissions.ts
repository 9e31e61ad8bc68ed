// Permissions of the form `VERB::path-regex` carried in an access token claim, e.g.
// `GET::/api/items/[0-9]+` or, as Astarte writes them, `GET|PUT::devices/.*` and `.*::.*`.
// Pure, no dependencies.
// Rules: the path regex is implicitly anchored (`^(?:regex)$`) and matched against the URL path
// only (query and fragment dropped, no decoding); VERB is itself a regular expression, anchored
// the same way and matched case-insensitively against the HTTP method (`GET`, `GET|POST`, `.*`),
// with `*` alone meaning any method; a list acts as OR; a malformed entry (no `::`, a verb with
// characters no method pattern needs, a regex that does not compile on its own, too long) is
// ignored, never thrown.

export interface Permission {
  /** The verb as written, upper-cased (`GET`, `GET|POST`, `*`). */
  method: string;
  verb: RegExp;
  path: RegExp;
}

const MAX_ENTRY = 1000;
const MAX_ENTRIES = 500;
// Letters and the regex syntax a method pattern needs; no spaces, slashes or `::`.
const VERB = /^(?:\*|[A-Za-z.*+?|()[\]^$-]{1,100})$/;

/** The anchored regex for `source`, or null when it does not compile on its own. */
function anchored(source: string, flags = ''): RegExp | null {
  try {
    // Compiled alone first: a source that does not stand on its own (e.g. `/a)|(?:.*`) could
    // otherwise close the anchoring group and match anything.
    new RegExp(source);
    return new RegExp(`^(?:${source})$`, flags);
  } catch {
    return null;
  }
}

// Compiled entries, shared by every token carrying the same permission (bounded).
const compiled = new Map<string, Permission | null>();
const CACHE_MAX = 5000;

/** The entry as a Permission, or null when it is malformed. */
export function parsePermission(entry: unknown): Permission | null {
  if (typeof entry !== 'string' || entry.length > MAX_ENTRY) return null;
  const cached = compiled.get(entry);
  if (cached !== undefined) return cached;
  let permission: Permission | null = null;
  const split = entry.indexOf('::');
  const verb = split > 0 ? entry.slice(0, split) : '';
  if (VERB.test(verb)) {
    const verbRegex = anchored(verb === '*' ? '.*' : verb, 'i');
    const path = anchored(entry.slice(split + 2));
    permission = verbRegex && path ? { method: verb.toUpperCase(), verb: verbRegex, path } : null;
  }
  if (compiled.size >= CACHE_MAX) compiled.clear();
  compiled.set(entry, permission);
  return permission;
}

/** The path part of a request target: no query, no fragment. */
export function pathOnly(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/** The claim's value as a list of entries: an array as is, a single string as one entry. */
export function permissionEntries(claim: unknown): unknown[] {
  if (Array.isArray(claim)) return claim.slice(0, MAX_ENTRIES);
  if (typeof claim === 'string') return [claim];
  return [];
}

/** Whether any entry of `claim` allows `method` on the path of `target`. */
export function permits(claim: unknown, method: string, target: string): boolean {
  const verb = method.toUpperCase();
  const path = pathOnly(target);
  for (const entry of permissionEntries(claim)) {
    const permission = parsePermission(entry);
    if (permission && permission.verb.test(verb) && permission.path.test(path)) return true;
  }
  return false;
}
