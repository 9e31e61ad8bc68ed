// The admin console shows what the caller's roles allow, in Chromium against the real server,
// Temporal and database: an approver gets Approvals and Invitations only (other pages are neither
// in the navigation nor open when typed in the address); an auditor reads everything and is offered
// no button that changes anything; a super-admin made with `tessera roles grant --role super-admin`
// signs in at /admin and switches to another tenant. Screenshots under test-artifacts/admin-console/.
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser, updateUser } from '../../core/accounts/users.ts';
import { grantRole, type Role } from '../../core/admin/roles.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { awaitingApproval, moderatedTenant } from '../support/admin-api.ts';
import { saveScreenshot, signInToAdminConsole, watchPage } from '../support/browser.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { ROOT, runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const ARTIFACTS = `${ROOT}/test-artifacts/admin-console`;
const PASSWORD = 'role-pass-phrase-41';

const shot = (page: Page, name: string) => saveScreenshot(page, ARTIFACTS, name);

/** A moderated tenant with one applicant waiting, and a user holding `role` there. */
async function setup(role: Role) {
  const { tenant } = await moderatedTenant(db);
  const admin = await createUser(db, tenant, { email: `${role}@${tenant}.example`, password: PASSWORD, name: `The ${role}` });
  await grantRole(db, tenant, admin.id, role);
  const pending = await awaitingApproval(db, stack.server.client, stack.config, tenant, 'Robin Applicant');
  // What the applicant entered at signup beyond name and email.
  await updateUser(db, tenant, pending.user.id, { attributes: { company: 'Example Shipping Ltd' } });
  return { tenant, login: admin.email!, pending };
}

async function openPage() {
  const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  return { page, watch: await watchPage(page) };
}

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
/** Buttons that would change something: none may be offered to a reader. */
const changeButtons = (page: Page) => page.locator('main').getByRole('button', { name: /^(Approve|Reject|Save|Delete|Disable|Enable|End|Remove|Unlink|Mail|Rotate|Register|Create|Invite|Add)/ });

describe('admin console roles', () => {
  it('shows an approver Approvals and Invitations only; other pages typed in the address are refused', async () => {
    const { tenant, login, pending } = await setup('approver');
    const { page, watch } = await openPage();
    await signInToAdminConsole(page, stack.url, tenant, login, PASSWORD);
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    expect(await navLinks(page)).toEqual(['Approvals', 'Invitations']);
    const card = page.locator('.approval', { hasText: 'Robin Applicant' });
    await card.waitFor();
    expect(await card.textContent()).toContain(pending.user.email!);
    expect(await card.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    // What the applicant entered, although an approver may not read users.
    expect(await card.locator('.facts').textContent()).toContain('companyExample Shipping Ltd');
    // Not a link to a page the approver may not open.
    expect(await card.getByRole('link', { name: 'Open the account' }).count()).toBe(0);
    await shot(page, 'roles-approver-queue');

    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Invite' }).isVisible()).toBe(true);

    for (const typed of ['users', `users/${pending.user.id}`, 'settings', 'trees/login', 'audit']) {
      await page.goto(`${stack.url}/admin/#/t/${tenant}/${typed}`);
      await page.getByRole('heading', { name: 'Not for your role', level: 1 }).waitFor();
      expect(await page.getByRole('alert').textContent()).toContain(`Your roles in ${tenant} (approver) do not open this page.`);
      expect(await page.locator('main table').count()).toBe(0);
      expect(await navLinks(page)).toEqual(['Approvals', 'Invitations']);
    }
    await shot(page, 'roles-approver-refused');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('offers an auditor no button that changes anything, on any page it reads', async () => {
    const { tenant, login, pending } = await setup('auditor');
    const { page, watch } = await openPage();
    await signInToAdminConsole(page, stack.url, tenant, login, PASSWORD);
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.locator('.approval', { hasText: 'Robin Applicant' }).waitFor();
    expect(await navLinks(page)).toContain('Audit log');
    expect(await changeButtons(page).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await shot(page, 'roles-auditor-queue');

    const kim = await createUser(db, tenant, { email: `kim@${tenant}.example`, password: 'kim-pass-phrase-5' });
    const pages: [string, string][] = [
      [`users/${pending.user.id}`, 'Robin Applicant'], [`users/${kim.id}`, kim.email!],
      ['users', 'Users'], ['groups', 'Groups'], ['clients', 'Applications'], ['idps', 'Identity providers'], ['saml-sps', 'SAML providers'],
      ['trees/login', 'Tree login'], ['keys', 'Signing keys'], ['terms', 'Terms'], ['invitations', 'Invitations'], ['settings', 'Tenant settings'],
    ];
    for (const [path, heading] of pages) {
      await page.goto(`${stack.url}/admin/#/t/${tenant}/${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('main .loading').waitFor({ state: 'detached' });
      expect(await changeButtons(page).allTextContents(), path).toEqual([]);
      if (path === `users/${pending.user.id}`) await shot(page, 'roles-auditor-user');
    }
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('lets a super-admin granted by `tessera roles grant` sign in at /admin and switch tenants', async () => {
    const home = uniqueTenantId();
    const other = uniqueTenantId();
    await createTenant(db, home);
    await createTenant(db, other, 'Other Corp');
    const root = await createUser(db, home, { email: `root@${home}.example`, password: PASSWORD, name: 'Root Admin' });
    await createUser(db, other, { email: `bob@${other}.example`, name: 'Bob Elsewhere' });
    const granted = await runTessera(['roles', 'grant', '--tenant', home, '--email', root.email!, '--role', 'super-admin'], { DATABASE_URL: inject('databaseUrl') });
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toMatch(/granted/);

    const { page, watch } = await openPage();
    await signInToAdminConsole(page, stack.url, home, root.email!, PASSWORD);
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    // The console opens on the tenant signed in with, not on the first of every tenant.
    expect(page.url()).toContain(`#/t/${home}/approvals`);
    expect(await page.locator('.who-roles').textContent()).toBe('super-admin');
    const switcher = page.getByRole('combobox', { name: 'Tenant' });
    const options = await switcher.locator('option').evaluateAll((els) => els.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining([home, other]));
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table', { name: 'Users' }).waitFor();
    expect(await page.getByRole('table', { name: 'Users' }).textContent()).toContain(root.email!);

    await switcher.selectOption(other);
    await expect.poll(() => page.url()).toContain(`#/t/${other}/users`);
    const users = page.getByRole('table', { name: 'Users' });
    await expect.poll(async () => (await users.textContent()) ?? '').toContain(`bob@${other}.example`);
    expect(await users.textContent()).not.toContain(root.email!);
    expect(await navLinks(page)).toHaveLength(14);
    expect(await page.getByRole('button', { name: 'Filter' }).isVisible()).toBe(true);
    await shot(page, 'roles-super-admin-other-tenant');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
