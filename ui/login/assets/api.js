// The Journey API (DESIGN.md §4) as seen from the browser. Every call sends the browser-binding
// cookie (same origin) and resolves to { status, body }; a network failure is status 0.

function base(tenant) {
  return `/t/${encodeURIComponent(tenant)}/api/journeys`;
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
  start: (tenant) => call('POST', base(tenant), { kind: 'login' }),
  get: (tenant, id) => call('GET', `${base(tenant)}/${encodeURIComponent(id)}`),
  submit: (tenant, id, stepId, values) =>
    call('POST', `${base(tenant)}/${encodeURIComponent(id)}/steps/${encodeURIComponent(stepId)}`, values),
};

/** A body that is a Journey (as opposed to a bare `{ error }`). */
export function isJourney(body) {
  return typeof body === 'object' && body !== null && typeof body.id === 'string' && typeof body.status === 'string';
}
