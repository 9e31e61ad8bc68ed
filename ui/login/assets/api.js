// The Journey API (DESIGN.md §4) and the mailed-link API as seen from the browser. Every call
// sends the browser-binding cookie (same origin) and resolves to { status, body }; a network
// failure is status 0.

function tenantApi(tenant) {
  return `/t/${encodeURIComponent(tenant)}/api`;
}

function base(tenant) {
  return `${tenantApi(tenant)}/journeys`;
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { status: 0, body: null };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON (a proxy's error page): the caller treats it as a generic failure
  }
  return { status: res.status, body: data };
}

export const api = {
  start: (tenant, kind = 'login') => call('POST', base(tenant), { kind }),
  get: (tenant, id) => call('GET', `${base(tenant)}/${encodeURIComponent(id)}`),
  submit: (tenant, id, stepId, values) =>
    call('POST', `${base(tenant)}/${encodeURIComponent(id)}/steps/${encodeURIComponent(stepId)}`, values),
  /** Uses up a mailed link: 201 Journey, 404 unknown, 410 used or expired (`resend` says if a new one can be asked for). */
  followLink: (tenant, token) => call('POST', `${tenantApi(tenant)}/links`, { token }),
  /** Asks for a new link in place of a used or expired one: 202 whatever happens (no enumeration). */
  resendLink: (tenant, token) => call('POST', `${tenantApi(tenant)}/links/resend`, { token }),
};

/** A body that is a Journey (as opposed to a bare `{ error }`). */
export function isJourney(body) {
  return typeof body === 'object' && body !== null && typeof body.id === 'string' && typeof body.status === 'string';
}
