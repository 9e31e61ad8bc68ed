// Input the database cannot store (a NUL byte), or a body nested ten thousand levels deep, is
// refused at the edge with a 400 in the Journey API's terms, quickly, and changes nothing; an
// unusable OIDC login_hint is ignored instead of failing the authorization request.
import { expect, it } from 'vitest';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

const deep = (n: number, open = '[', close = ']') => `${open.repeat(n)}${close.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

it('answers a NUL byte in the username with 400 and the same step, at once', async () => {
  const { tenant } = await tenantWithUser(db);
  const api = new JourneyApi(stack.url, tenant);
  await api.start('login');
  const stepId = api.journey!.step!.id;
  const started = Date.now();
  const res = await api.submit({ username: 'a\u0000b' });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(res.status).toBe(400);
  expect(res.body.step).toMatchObject({ id: stepId, errors: [{ field: 'username', code: 'invalid_characters' }] });
  for (const value of ['a\u0001b', 'a\u007fb', 'a\ud800b']) {
    expect((await api.submit({ username: value })).status, JSON.stringify(value)).toBe(400);
  }
  // The journey is unchanged and still answers good input.
  expect((await api.submit({ username: 'someone' })).status).toBe(200);
}, 30_000);

it('answers a deeply nested body with 400, at start and on a step', async () => {
  const { tenant } = await tenantWithUser(db);
  const api = new JourneyApi(stack.url, tenant);
  await api.start('login');
  const path = `/t/${tenant}/api/journeys`;
  for (const raw of [deep(10_000), deepObject(10_000), `{"kind":"login","x":${deep(5000)}}`]) {
    expect((await api.request('POST', path, undefined, { raw })).status).toBe(400);
    const step = await api.request('POST', `${path}/${api.journey!.id}/steps/${api.journey!.step!.id}`, undefined, { raw: raw.startsWith('{"kind"') ? `{"username":${deep(5000)}}` : raw });
    expect(step.status).toBe(400);
    expect(step.body.error).toBeDefined();
  }
});

it('ignores an OIDC login_hint with control characters instead of failing', async () => {
  const { tenant } = await tenantWithUser(db);
  const client = await createOidcClient(db, tenant, { client_name: 'Web', redirect_uris: ['https://web.example/cb'], first_party: true });
  const url = new URL(`${stack.url}/t/${tenant}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: client.clientId, redirect_uri: 'https://web.example/cb', response_type: 'code', scope: 'openid', state: 's1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', login_hint: 'a\u0000b',
  })) url.searchParams.set(k, v);
  const cookies = new Map<string, string>();
  let target = url.href;
  let status = 0;
  for (let hop = 0; hop < 6; hop++) {
    const res = await fetch(target, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    status = res.status;
    const location = res.headers.get('location');
    if (!location || status < 300 || status >= 400) break;
    target = new URL(location, target).href;
    if (/\/ui\/journey\//.test(target)) break;
  }
  expect(status).toBeLessThan(500);
  expect(target).toMatch(/\/ui\/journey\//);
  const id = decodeURIComponent(target.split('/ui/journey/')[1]!);
  const api = new JourneyApi(stack.url, tenant);
  for (const [k, v] of cookies) api.cookies.set(k, v);
  const journey = await api.get(id);
  expect(journey.status).toBe(200);
  expect(journey.body.step.fields[0].value).toBeUndefined();
});
