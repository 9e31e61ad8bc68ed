// The one-page login (username and password in one step) as a tenant option: settings.login.tree
// picks the tree every sign-in entry starts on; identifier-first stays the default and stays
// startable by name; the throttle's check still runs before any password is verified.
import { describe, expect, it } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { TenantSettingsError, updateTenant } from '../../core/tenants/tenant-settings.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

async function onePageTenant() {
  const t = await tenantWithUser(db);
  await updateTenant(db, t.tenant, { settings: { login: { tree: 'login-one-page' } } });
  return t;
}

describe('login-one-page', () => {
  it('asks username and password in one step and signs in', async () => {
    const { tenant, login, password, user } = await onePageTenant();
    const api = new JourneyApi(stack.url, tenant);
    expect((await api.start()).status).toBe(201);
    const step = api.journey!.step!;
    expect(step.node).toBe('credentials');
    expect(step.fields!.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([['username', 'text'], ['password', 'password']]);
    const res = await api.submit({ username: login, password });
    expect(res.body).toEqual({ id: api.journey!.id, kind: 'login', status: 'succeeded' });
    expect((await getSession(db, tenant, api.cookies.get('tessera_session')!))?.userId).toBe(user.id);
  });

  it('answers a wrong password on the same page, the same way for an unknown account', async () => {
    const { tenant, login } = await onePageTenant();
    for (const username of [login, `nobody-${Date.now()}@example.com`]) {
      const api = new JourneyApi(stack.url, tenant);
      await api.start();
      const res = await api.submit({ username, password: 'not-the-password' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('waiting');
      expect(res.body.step.node).toBe('credentials');
      expect(res.body.step.errors).toEqual([expect.objectContaining({ field: 'password', code: 'invalid_credentials' })]);
      expect(api.cookies.has('tessera_session')).toBe(false);
    }
  });

  it('checks the throttle before the password: once a captcha is earned, even the right password gets the captcha first', async () => {
    const { tenant, login, password } = await onePageTenant();
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    for (let i = 1; i <= 4; i++) expect((await api.submit({ username: login, password: `guess-${i}` })).body.step.node).toBe('credentials');
    expect((await api.submit({ username: login, password: 'guess-5' })).body.step.node).toBe('captcha');

    const again = new JourneyApi(stack.url, tenant);
    await again.start();
    const res = await again.submit({ username: login, password });
    expect(res.body.status).toBe('waiting');
    expect(res.body.step).toMatchObject({ node: 'captcha', options: { pow: expect.any(Object) } });
    expect(again.cookies.has('tessera_session')).toBe(false);
  });

  it('keeps identifier-first as the default, and startable by name on a one-page tenant', async () => {
    const plain = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, plain.tenant);
    await api.start();
    expect(api.journey!.step!.id).toBe('identify#1');

    const { tenant } = await onePageTenant();
    const named = new JourneyApi(stack.url, tenant);
    expect((await named.start('login', 'login')).status).toBe(201);
    expect(named.journey!.step!.id).toBe('identify#1');
  });

  it('refuses a login tree that is not one of the two layouts, and changes nothing', async () => {
    const { tenant } = await tenantWithUser(db);
    await expect(updateTenant(db, tenant, { settings: { login: { tree: 'registration' as never } } })).rejects.toThrow(TenantSettingsError);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    expect(api.journey!.step!.id).toBe('identify#1');
  });
});
