// Federated sign-in in Chromium: the tenant's login page lists its identity provider; one click
// goes upstream (another Tessera tenant, through its own login UI) and back, and the user is
// signed in here, with a just-in-time account — every page without a CSP violation, and the
// cookies the round trip relies on (SameSite=Lax journey binding) working in a real browser.
import { describe, expect, it, vi } from 'vitest';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { findUserByLogin } from '../../core/accounts/users.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser, uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;

describe('federated sign-in in the browser', () => {
  it('signs in with an upstream IdP from the login page', async () => {
    const upstream = await tenantWithUser(db);
    const tenant = uniqueTenantId('down');
    await createTenant(db, tenant);
    const client = await createOidcClient(db, upstream.tenant, {
      client_name: 'Downstream', redirect_uris: [`${stack.url}/t/${tenant}/federation/corp/callback`],
      first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'],
    });
    await saveIdp(db, tenant, {
      kind: 'oidc', alias: 'corp', displayName: 'Corp Account',
      oidc: { issuer: `${stack.url}/t/${upstream.tenant}`, clientId: client.clientId, clientSecret: client.metadata.client_secret, scopes: ['openid', 'email', 'profile'] },
    });

    const context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByRole('button', { name: 'Continue with Corp Account' }).click();
    // Upstream: the other tenant's own login UI.
    await page.waitForURL(new RegExp(`/t/${upstream.tenant}/ui/journey/`));
    await page.getByLabel('Username or email').fill(upstream.login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).fill(upstream.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    // Back here, signed in.
    await page.waitForURL(new RegExp(`/t/${tenant}/ui/journey/`));
    await expect.poll(() => page.getByRole('heading', { name: 'You\u2019re signed in' }).count()).toBe(1);
    const cookies = await context.cookies(`${stack.url}/t/${tenant}/`);
    expect(cookies.map((c) => c.name)).toContain('tessera_session');
    expect(await findUserByLogin(db, tenant, upstream.login)).toMatchObject({ status: 'active' });
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
