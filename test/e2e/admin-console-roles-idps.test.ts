// The admin console's Roles page and the "Add an identity provider" form, in Chromium against the
// real server, Temporal and database: a tenant-admin grants the auditor role by email, sees it
// listed and revokes it, and is refused (in the API's words) when granting super-admin; an auditor
// reads the page without a button, an approver does not get it; a group carrying a role links to
// it. A tenant-admin adds an OIDC IdP (the API does not fetch discovery when one is added, so a
// bare issuer URL does), a Google preset and a SAML IdP from a metadata file, disables and deletes
// one, saves its settings unchanged, and sees the API's 400 naming the field for a bad issuer. At
// 360 px nothing scrolls sideways. Screenshots under test-artifacts/admin-console/.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole, listRoleGrants, type Role } from '../../core/admin/roles.ts';
import { getStoredIdp } from '../../core/federation/identity-providers.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { saveScreenshot, signInToAdminConsole, watchPage } from '../support/browser.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { ROOT } from '../support/processes.ts';
import { createTestIdp } from '../support/saml-test-idp.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const ARTIFACTS = `${ROOT}/test-artifacts/admin-console`;
const PASSWORD = 'roles-idps-pass-phrase-23';
const SECRET = 'upstream-client-secret-never-shown-9f3a';

const shot = (page: Page, name: string) => saveScreenshot(page, ARTIFACTS, name);

/** A tenant with a user holding `role` (the one who signs in) and Kim, who holds none. */
async function setup(role: Role) {
  const tenant = uniqueTenantId();
  await createTenant(db, tenant);
  const admin = await createUser(db, tenant, { email: `${role}@${tenant}.example`, password: PASSWORD, name: `The ${role}` });
  await grantRole(db, tenant, admin.id, role);
  const kim = await createUser(db, tenant, { email: `kim.with.a.rather.long.address@${tenant}.example`, name: 'Kim' });
  return { tenant, login: admin.email!, kim };
}

async function openPage(width = 1280) {
  const page = await (await stack.browser.newContext({ viewport: { width, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  const watch = await watchPage(page);
  page.on('dialog', (dialog) => void dialog.accept());
  return { page, watch };
}

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
const rolesOf = async (tenant: string, userId: string) => (await listRoleGrants(db, tenant)).filter((g) => g.userId === userId).map((g) => g.role);

async function noSidewaysScroll(page: Page, label: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, label).toBeLessThanOrEqual(innerWidth);
}

describe('admin console: roles and identity providers', () => {
  it('lets a tenant-admin grant the auditor role by email and revoke it, and shows the refusal to grant super-admin', async () => {
    const { tenant, login, kim } = await setup('tenant-admin');
    const { page, watch } = await openPage();
    await signInToAdminConsole(page, stack.url, tenant, login, PASSWORD);
    expect(await navLinks(page)).toContain('Roles');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    const holders = page.getByRole('table', { name: 'Role holders' });
    await holders.waitFor();
    expect(await holders.textContent()).toContain(login);
    expect(await holders.textContent()).not.toContain(kim.email!);

    await page.getByLabel('Email of the user').fill(kim.email!);
    await page.getByLabel('Role to grant').selectOption('auditor');
    await page.getByRole('button', { name: 'Grant' }).click();
    const kimRow = page.getByRole('table', { name: 'Role holders' }).locator('tbody tr', { hasText: kim.email! });
    await kimRow.waitFor();
    expect(await kimRow.textContent()).toContain('auditor');
    expect(await rolesOf(tenant, kim.id)).toEqual(['auditor']);

    // Filtered by role: Kim alone, and the filter is kept in the address.
    await page.locator('form.filters').getByLabel('Role').selectOption('auditor');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => page.getByRole('table', { name: 'Role holders' }).locator('tbody tr').count()).toBe(1);
    expect(page.url()).toContain('roles?role=auditor');
    expect(await page.getByRole('table', { name: 'Role holders' }).textContent()).toContain(kim.email!);
    await shot(page, 'roles-granted-auditor');

    await page.getByRole('button', { name: `Revoke auditor from ${kim.email}` }).click();
    await page.getByRole('table', { name: 'Role holders' }).waitFor({ state: 'detached' });
    expect(await page.locator('main .empty').textContent()).toBe('Nobody holds an admin role here.');
    expect(await rolesOf(tenant, kim.id)).toEqual([]);

    // Only a super-admin grants super-admin: the API refuses, the console says why, nothing changes.
    await page.getByLabel('Email of the user').fill(kim.email!);
    await page.getByLabel('Role to grant').selectOption('super-admin');
    await page.getByRole('button', { name: 'Grant' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Only a super-admin may grant or revoke super-admin.');
    expect(await rolesOf(tenant, kim.id)).toEqual([]);
    await shot(page, 'roles-super-admin-refused');

    // A group that carries a role links to the Roles page, filtered by that role.
    const [adminGroup] = (await listRoleGrants(db, tenant)).filter((g) => g.role === 'tenant-admin');
    await page.goto(`${stack.url}/admin/#/t/${tenant}/groups`);
    await page.getByRole('link', { name: adminGroup!.group }).click();
    await page.getByRole('heading', { name: adminGroup!.group, level: 1 }).waitFor();
    await page.locator('.page-header').getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    expect(page.url()).toContain('roles?role=tenant-admin');
    expect(await page.locator('form.filters').getByLabel('Role').inputValue()).toBe('tenant-admin');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('shows an auditor the Roles page without a button that changes anything, and an approver not at all', async () => {
    const auditor = await setup('auditor');
    await grantRole(db, auditor.tenant, auditor.kim.id, 'approver');
    const { page, watch } = await openPage(360);
    await signInToAdminConsole(page, stack.url, auditor.tenant, auditor.login, PASSWORD);
    await page.goto(`${stack.url}/admin/#/t/${auditor.tenant}/roles`);
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    const holders = page.getByRole('table', { name: 'Role holders' });
    await holders.waitFor();
    expect(await holders.textContent()).toContain(auditor.kim.email!);
    expect(await page.locator('main').getByRole('button', { name: /^(Grant|Revoke)/ }).count()).toBe(0);
    await noSidewaysScroll(page, 'roles at 360 px');
    await shot(page, 'roles-auditor-360');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    const approver = await setup('approver');
    const other = await openPage();
    await signInToAdminConsole(other.page, stack.url, approver.tenant, approver.login, PASSWORD);
    expect(await navLinks(other.page)).not.toContain('Roles');
    await other.page.goto(`${stack.url}/admin/#/t/${approver.tenant}/roles`);
    await other.page.getByRole('heading', { name: 'Not for your role', level: 1 }).waitFor();
    expect(await other.page.locator('main table').count()).toBe(0);
  });

  it('lets a tenant-admin add an OIDC IdP (a bad issuer answered with the field), disable and delete it, add a preset and a SAML IdP', async () => {
    const { tenant, login } = await setup('tenant-admin');
    const { page, watch } = await openPage(360);
    await signInToAdminConsole(page, stack.url, tenant, login, PASSWORD);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/idps`);
    await page.getByRole('heading', { name: 'Identity providers', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Add an identity provider' });
    await form.waitFor();
    await noSidewaysScroll(page, 'idps form at 360 px');

    // A URL the browser takes but the API does not (http or https only): its 400 names the field.
    await form.getByLabel('Alias').fill('corp');
    await form.getByLabel('Name on the login page').fill('Corp SSO');
    await form.getByLabel('Issuer').fill('ftp://login.corp.example');
    await form.getByLabel('Client id').fill('tessera');
    await form.getByLabel('Client secret').fill(SECRET);
    await form.getByRole('button', { name: 'Add' }).click();
    const error = form.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/oidc\.issuer/);
    // The field named is marked and has the focus.
    expect(await form.getByLabel('Issuer').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Issuer').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await form.getByLabel('Client id').getAttribute('aria-invalid')).toBeNull();
    expect(await getStoredIdp(db, tenant, 'corp')).toBeUndefined();
    await shot(page, 'idps-bad-issuer-360');

    await form.getByLabel('Issuer').fill('https://login.corp.example');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'Corp SSO', level: 1 }).waitFor();
    const stored = await getStoredIdp(db, tenant, 'corp');
    expect(stored).toMatchObject({ kind: 'oidc', enabled: true, oidc: { issuer: 'https://login.corp.example', clientId: 'tessera', clientSecret: SECRET, scopes: ['openid', 'email', 'profile'] } });
    // Write-only: the secret is nowhere on the page, the header says one is set.
    expect(await page.locator('body').textContent()).not.toContain(SECRET);
    expect(await page.locator('.page-header').textContent()).toContain('client secret set');
    // The settings as shown save back unchanged (the API's `clientSecretSet` is not sent back).
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => page.locator('#toast').textContent()).toBe('Saved.');
    expect((await getStoredIdp(db, tenant, 'corp'))?.oidc?.clientSecret).toBe(SECRET);
    await shot(page, 'idps-added-360');

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect((await getStoredIdp(db, tenant, 'corp'))?.enabled).toBe(false);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/idps`);
    const row = page.getByRole('table', { name: 'Identity providers' }).locator('tbody tr', { hasText: 'Corp SSO' });
    await row.waitFor();
    expect(await row.textContent()).toContain('disabled');
    await row.getByRole('link', { name: 'Corp SSO' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Identity providers', level: 1 }).waitFor();
    await page.locator('main .empty').waitFor();
    expect(await getStoredIdp(db, tenant, 'corp')).toBeUndefined();

    // The Google preset: alias, name, issuer and scopes filled in as `tessera idps add --preset google` does.
    await form.getByLabel('Kind').selectOption('google');
    expect(await form.getByLabel('Issuer').isVisible()).toBe(false);
    expect(await form.getByLabel('Alias').inputValue()).toBe('google');
    await form.getByLabel('Client id').fill('google-client-id');
    await form.getByLabel('Client secret').fill(SECRET);
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'Google', level: 1 }).waitFor();
    expect((await getStoredIdp(db, tenant, 'google'))?.oidc).toMatchObject({ preset: 'google', issuer: 'https://accounts.google.com', clientId: 'google-client-id', clientSecret: SECRET });

    // SAML from the upstream's metadata file, read in the browser.
    const upstream = await createTestIdp();
    await page.goto(`${stack.url}/admin/#/t/${tenant}/idps`);
    await form.getByLabel('Kind').selectOption('saml');
    expect(await form.getByLabel('Client id').isVisible()).toBe(false);
    await form.getByLabel('Alias').fill('shib');
    await form.getByLabel('Name on the login page').fill('University');
    await form.getByLabel('…or read it from a file').setInputFiles({ name: 'idp-metadata.xml', mimeType: 'application/xml', buffer: Buffer.from(upstream.metadata) });
    await expect.poll(async () => form.getByLabel("The IdP's metadata XML").inputValue()).toBe(upstream.metadata);
    await noSidewaysScroll(page, 'saml form at 360 px');
    await shot(page, 'idps-saml-form-360');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'University', level: 1 }).waitFor();
    expect(await getStoredIdp(db, tenant, 'shib')).toMatchObject({ kind: 'saml', saml: { metadata: upstream.metadata, nameIdFormat: 'persistent' } });
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
