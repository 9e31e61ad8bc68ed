// Every list page of the admin console at 1280 px and at 360 px, in Chromium against the real
// server, Temporal and database: groups, roles, applications, identity providers, SAML providers, signing
// keys, terms, invitations and the audit log each show their heading and their table (or empty
// state), and at 360 px nothing scrolls sideways — long entity ids and URLs included. Screenshots
// of each under test-artifacts/admin-console/smoke-*.png.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createGroup } from '../../core/accounts/groups.ts';
import { addTerms } from '../../core/accounts/terms.ts';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { createInvitation } from '../../core/registration/invitation-lifecycle.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { assertNotBlank, saveScreenshot, signInToAdminConsole, solidPng, watchPage } from '../support/browser.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { ROOT } from '../support/processes.ts';
import { nodeSamlSp } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const ARTIFACTS = `${ROOT}/test-artifacts/admin-console`;

/** [route, heading, the name of the table it lists (every list has a row: setup() makes one)] */
const PAGES: [string, string, string][] = [
  ['groups', 'Groups', 'Groups'], ['roles', 'Roles', 'Role holders'], ['clients', 'Applications', 'Applications'], ['idps', 'Identity providers', 'Identity providers'],
  ['saml-sps', 'SAML providers', 'SAML service providers'], ['keys', 'Signing keys', 'Signing keys'], ['terms', 'Terms', 'Terms versions'],
  ['invitations', 'Invitations', 'Invitations'], ['audit', 'Audit log', 'Audit events'],
];

/** A tenant with an admin and one of everything, with long names where a narrow screen could overflow. */
async function setup() {
  const tenant = uniqueTenantId();
  await createTenant(db, tenant);
  const password = 'smoke-pass-phrase-17';
  const admin = await createUser(db, tenant, { email: `admin@${tenant}.example`, password, name: 'Ada Admin' });
  await grantRole(db, tenant, admin.id, 'tenant-admin');
  await createGroup(db, tenant, { name: 'platform-engineering-and-operations', description: 'Builders of the platform everyone else stands on' });
  await createOidcClient(db, tenant, {
    client_id: 'customer-portal-single-page-application', client_name: 'Customer portal', token_endpoint_auth_method: 'none',
    redirect_uris: ['https://portal.customers.example.com/oauth2/callback/after-sign-in'], grant_types: ['authorization_code', 'refresh_token'],
  });
  await saveIdp(db, tenant, { kind: 'oidc', alias: 'corporate-directory', displayName: 'Corporate directory', oidc: { issuer: 'https://login.corporate-directory.example.com/tenant/0f5c', clientId: 'c', scopes: ['openid'] } });
  await nodeSamlSp(db, stack.url, tenant, { entityId: 'https://service-provider.with-a-rather-long-name.example.com/saml2/metadata/entity' });
  await addTerms(db, tenant, 'https://legal.example.com/terms-of-service/2026/version-3-with-a-long-address', 'Terms of Service');
  await createInvitation(db, stack.server.client, stack.config, { tenant, email: `someone.with.a.long.address@${tenant}.example`, inviter: 'cli', ttlMs: 7 * 86_400_000 });
  return { tenant, admin: { login: admin.email!, password } };
}

async function visitAll(page: Page, tenant: string, width: number) {
  for (const [route, heading, table] of PAGES) {
    await page.goto(`${stack.url}/admin/#/t/${tenant}/${route}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    const shown = page.getByRole('table', { name: table });
    await shown.waitFor();
    expect(await shown.isVisible(), `${route} at ${width} px`).toBe(true);
    expect(await shown.locator('tbody tr').count(), route).toBeGreaterThan(0);
    // Nothing wider than the screen: no sideways scrolling.
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `${route} at ${width} px`).toBeLessThanOrEqual(innerWidth);
    await saveScreenshot(page, ARTIFACTS, `smoke-${route}-${width}`);
  }
}

describe('admin console smoke', () => {
  it('refuses a screenshot that shows nothing, and passes one with text on it', async () => {
    expect(() => assertNotBlank(solidPng(64, 64, [255, 255, 255]), 'white')).toThrow(/looks blank: 1 colour/);
    const page = await (await stack.browser.newContext({ viewport: { width: 360, height: 640 } })).newPage();
    await page.setContent('<!doctype html><title>empty</title><body></body>');
    const empty = await page.screenshot({ fullPage: true });
    expect(() => assertNotBlank(empty, 'empty page')).toThrow(/looks blank/);
    await page.setContent('<!doctype html><title>loading</title><body><p>Loading…</p></body>');
    const loading = await page.screenshot({ fullPage: true });
    expect(() => assertNotBlank(loading, 'loading')).toThrow(/looks blank/);
    await page.setContent('<!doctype html><title>text</title><body><h1>Tessera</h1><p>Something to see, in anti-aliased text.</p></body>');
    const text = await page.screenshot({ fullPage: true });
    expect(() => assertNotBlank(text, 'text')).not.toThrow();
  });

  it('shows every list page with its heading and table at 1280 px and at 360 px, never scrolling sideways', async () => {
    const { tenant, admin } = await setup();
    for (const width of [1280, 360]) {
      const page = await (await stack.browser.newContext({ viewport: { width, height: 800 } })).newPage();
      page.setDefaultTimeout(20_000);
      const watch = await watchPage(page);
      await signInToAdminConsole(page, stack.url, tenant, admin.login, admin.password);
      await visitAll(page, tenant, width);
      expect(await watch.cspViolations()).toEqual([]);
      expect(watch.errors).toEqual([]);
    }
  });
});
