// The Journey API over HTTP against a real Temporal dev server and a real database.
import { describe, expect, it } from 'vitest';
import { setUserStatus } from '../../core/accounts/users.ts';
import { getTotpSecret, totpCode, newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ config: { journeyIdleTimeoutMs: 3000 } });
const { db, config } = stack;

async function passwordLogin(api: JourneyApi, login: string, password: string) {
  expect((await api.start()).status).toBe(201);
  expect(api.journey!.step!.id).toBe('identify#1');
  expect((await api.submit({ username: login })).status).toBe(200);
  return api.submit({ password });
}

describe('login journey', () => {
  it('logs in with username and password and sets an HttpOnly session cookie', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    const res = await passwordLogin(api, login, password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: api.journey!.id, kind: 'login', status: 'succeeded' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tessera_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const session = await getSession(db, tenant, api.cookies.get('tessera_session')!);
    expect(session?.userId).toBe(user.id);
    expect(session?.amr).toEqual(['pwd']);
  });

  it('answers a wrong password and an unknown account with the same step and error', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const wrong = await passwordLogin(new JourneyApi(stack.url, tenant), login, 'not-the-password');
    const unknown = await passwordLogin(new JourneyApi(stack.url, tenant), `nobody@${tenant}.example`, 'not-the-password');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('waiting');
      expect(res.body.step.id).toBe('password#2');
      expect(res.body.step.errors).toEqual([{ field: 'password', code: 'invalid_credentials', message: 'Wrong username or password.' }]);
    }
    expect(wrong.body.step.description.replace(login, 'X')).toBe(unknown.body.step.description.replace(`nobody@${tenant}.example`, 'X'));
  });

  it('asks for TOTP when the user enrolled one, and refuses a replayed code', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, user.id, secret, 0);
    const api = new JourneyApi(stack.url, tenant);
    const res = await passwordLogin(api, login, password);
    expect(res.body.step).toMatchObject({ id: 'otp#1', fields: [{ name: 'code', type: 'otp' }] });
    const code = totpCode(secret);
    expect((await api.submit({ code })).body.status).toBe('succeeded');
    const again = new JourneyApi(stack.url, tenant);
    await passwordLogin(again, login, password);
    const replay = await again.submit({ code });
    expect(replay.body.step.id).toBe('otp#2');
    expect(replay.body.step.errors[0].code).toBe('invalid_code');
    expect(await getTotpSecret(db, tenant, user.id)).toBe(secret);
  });

  it('throttles password guessing by default: a captcha after five failures', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await passwordLogin(api, login, 'guess-1');
    for (let i = 2; i <= 4; i++) expect((await api.submit({ password: `guess-${i}` })).body.step.node).toBe('password');
    const fifth = await api.submit({ password: 'guess-5' });
    expect(fifth.body.step).toMatchObject({ node: 'captcha', options: { pow: expect.any(Object) } });
  });

  it('tells a disabled or pending account so, without a session', async () => {
    for (const status of ['disabled', 'pending'] as const) {
      const { tenant, login, password, user } = await tenantWithUser(db);
      await setUserStatus(db, tenant, user.id, status);
      const api = new JourneyApi(stack.url, tenant);
      const res = await passwordLogin(api, login, password);
      expect(res.body.status).toBe('failed');
      expect(res.body.error.code).toBe(`account_${status}`);
      expect(api.cookies.has('tessera_session')).toBe(false);
    }
  });
});

describe('bad input', () => {
  it('404s an unknown tenant in JSON', async () => {
    const res = await new JourneyApi(stack.url, 'no-such-tenant').start();
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('tenant_not_found');
  });

  it('400s malformed JSON, an over-size body and an unknown kind', async () => {
    const { tenant } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    const path = `/t/${tenant}/api/journeys`;
    expect((await api.request('POST', path, undefined, { raw: '{"kind":' })).status).toBe(400);
    const big = await api.request('POST', path, undefined, { raw: JSON.stringify({ kind: 'login', pad: 'x'.repeat(70 * 1024) }) });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('body_too_large');
    expect((await api.request('POST', path, { kind: 'nonsense' })).status).toBe(400);
    expect((await api.request('POST', path, { kind: 'login' }, { contentType: 'text/plain' })).status).toBe(415);
  });

  it('409s a stale step and leaves the journey unchanged', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: login });
    const stale = await api.submit({ username: 'someone-else' }, 'identify#1');
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_step');
    expect((await api.get()).body.step.id).toBe('password#1');
  });

  it('400s input that does not fit the step, keeping the same step', async () => {
    const { tenant } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    for (const values of [{}, { username: '' }, { username: 'a', extra: 'x' }, { username: 42 }, ['x']]) {
      const res = await api.submit(values);
      expect(res.status).toBe(400);
      expect(res.body.step.id).toBe('identify#1');
      expect(res.body.step.errors.length).toBeGreaterThan(0);
    }
  });

  it('hides a journey from a request without its browser binding (404)', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    const stranger = new JourneyApi(stack.url, tenant);
    stranger.journey = api.journey;
    expect((await stranger.get()).status).toBe(404);
    expect((await stranger.submit({ username: login })).status).toBe(404);
    await stranger.start();
    expect((await stranger.get(api.journey!.id)).status).toBe(404);
    expect((await stranger.request('GET', `/t/${tenant}/api/journeys/not-a-journey-id-at-all-xx`)).status).toBe(404);
  });

  it('does not show a journey under another tenant', async () => {
    const { tenant } = await tenantWithUser(db);
    const { tenant: other } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    const res = await api.request('GET', `/t/${other}/api/journeys/${api.journey!.id}`);
    expect(res.status).toBe(404);
  });

  it('expires an idle journey: status expired, and 410 on submit', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await new Promise((r) => setTimeout(r, 4500));
    const read = await api.get();
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('expired');
    const late = await api.submit({ username: login });
    expect(late.status).toBe(410);
  });
});
