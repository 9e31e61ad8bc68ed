// Hash routes, so a reload or a shared link shows the same page:
//   #/t/{tenant}/{page}[/{id}[/{sub}]]   e.g. #/t/acme/users/4f…, #/t/acme/trees/login
// Query-like state of a page (filters) lives after `?` in the hash: #/t/acme/users?q=ada

export function parseRoute(hash = location.hash) {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(search));
  if (parts[0] !== 't' || !parts[1]) return { tenant: undefined, page: undefined, rest: [], params };
  return { tenant: parts[1], page: parts[2] ?? 'approvals', rest: parts.slice(3), params };
}

export function href(tenant, page, ...rest) {
  const path = ['t', tenant, page, ...rest].filter((p) => p !== undefined && p !== '').map(encodeURIComponent).join('/');
  return `#/${path}`;
}

/** The same route with other filters (replaces the history entry: filters are not navigation). */
export function setParams(params) {
  const [path] = location.hash.split('?');
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  history.replaceState(null, '', `${path}${q.toString() ? `?${q}` : ''}`);
}
