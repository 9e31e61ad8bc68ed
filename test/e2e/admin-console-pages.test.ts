// The admin console's everyday pages in Chromium against the real server, Temporal and database:
// the users list and a user's page (how they sign in, sessions, groups, recent journeys), the
// tenant settings (the accent colour changes the preview at once, is saved, and the login page
// uses it), and the audit log filtered by type. Screenshots are saved under
// test-artifacts/admin-console/ and checked for what they must show.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Page } from 'playwright-core';
import { addMember, createGroup } from '../../core/accounts/groups.ts';
import { newTotpSecret, saveTotpSecret } from '../../core/accounts/totp.ts';
import { createUser, setUserStatus, updateUser } from '../../core/accounts/users.ts';
import { renameCredential, saveCredential } from '../../core/accounts/webauthn-credentials.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { queryAudit } from '../../core/infra/audit.ts';
import { saveScreenshot, signInToAdminConsole, solidPng, watchPage } from '../support/browser.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { testCredentials } from '../support/saml-test-idp.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { ROOT } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';
import { createTenant } from '../../core/tenants/tenants.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const ARTIFACTS = `${ROOT}/test-artifacts/admin-console`;

const shot = (page: Page, name: string) => saveScreenshot(page, ARTIFACTS, name);

/** A tenant with an admin (tenant-admin) and Grace, who signs in with a password, an app and a passkey, twice. */
async function setup() {
  const tenant = uniqueTenantId();
  await createTenant(db, tenant);
  const password = 'admin-pass-phrase-93';
  const admin = await createUser(db, tenant, { email: `admin@${tenant}.example`, password, name: 'Ada Admin' });
  await grantRole(db, tenant, admin.id, 'tenant-admin');
  const grace = await createUser(db, tenant, { email: `grace@${tenant}.example`, password: 'grace-pass-phrase-7', name: 'Grace Hopper' });
  await createUser(db, tenant, { email: `linus@${tenant}.example`, name: 'Linus Example' });
  const passkey = randomBytes(16).toString('base64url');
  await saveCredential(db, {
    tenant, id: passkey, userId: grace.id, publicKey: new Uint8Array(randomBytes(77)), counter: 0,
    transports: ['internal'], deviceType: 'multiDevice', backedUp: true, aaguid: '00000000-0000-0000-0000-000000000000',
  });
  await renameCredential(db, tenant, grace.id, passkey, 'Work laptop');
  const group = await createGroup(db, tenant, { name: 'engineering', description: 'Builders' });
  await addMember(db, tenant, group, grace.id);
  for (let i = 0; i < 2; i++) {
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: grace.email });
    expect((await api.submit({ password: 'grace-pass-phrase-7' })).body.status).toBe('succeeded');
  }
  // Enrolled after signing in (the login tree would ask for its code).
  await saveTotpSecret(db, tenant, grace.id, newTotpSecret(), 0);
  // The journeys' ends are recorded just after they answer.
  for (let i = 0; i < 50 && (await queryAudit(db, tenant, { type: 'journey.', subject: grace.id, limit: 5 })).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return { tenant, admin: { login: admin.email!, password }, grace };
}

const signIn = (page: Page, tenant: string, login: string, password: string) => signInToAdminConsole(page, stack.url, tenant, login, password);

/** `httpsOrigins`: trust the self-signed certificate of a test https server (the logo's). */
async function openPage({ httpsOrigins = false } = {}) {
  const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: httpsOrigins })).newPage();
  page.setDefaultTimeout(20_000);
  return { page, watch: await watchPage(page) };
}

/** A logo (a 48 px teal square) served over https on another origin, with a self-signed certificate. */
async function logoServer() {
  const credentials = await testCredentials('localhost');
  const body = solidPng(48, 48, [13, 148, 136]);
  const requests: string[] = [];
  const server = createHttpsServer({ key: credentials.privateKeyPem, cert: credentials.certificatePem }, (req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/logo.png`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The page's computed background colour of the first element matching `selector`. */
const background = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

describe('admin console pages', () => {
  it('lists users, searches them, and shows a user\'s credentials, sessions, groups and recent journeys', async () => {
    const { tenant, admin, grace } = await setup();
    const { page, watch } = await openPage();
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    const users = page.getByRole('table', { name: 'Users' });
    await users.waitFor();
    expect(await users.locator('tbody tr').count()).toBe(3);
    await page.getByLabel('Search').fill('grace');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => users.locator('tbody tr').count()).toBe(1);
    expect(await users.textContent()).toContain('Grace Hopper');
    expect(page.url()).toContain('?q=grace');
    await shot(page, 'users-list');

    await users.getByRole('link', { name: grace.email! }).click();
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    const signingIn = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Signing in' }) });
    expect(await signingIn.textContent()).toMatch(/Password\s*set/);
    expect(await signingIn.textContent()).toMatch(/Authenticator app\s*enrolled/);
    expect(await signingIn.getByRole('table', { name: 'Passkeys' }).textContent()).toContain('Work laptop');
    expect(await page.getByRole('table', { name: 'Sessions' }).locator('tbody tr').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'engineering' }).isVisible()).toBe(true);
    const journeys = page.getByRole('table', { name: 'Recent journeys' });
    expect(await journeys.locator('tbody tr').count()).toBe(2);
    expect(await journeys.textContent()).toMatch(/succeeded/);
    expect(await journeys.textContent()).toMatch(/login v\d/);
    expect(await page.textContent('body')).not.toContain('grace-pass-phrase-7');
    // The profile's inputs stand in one line, although only the email has a hint under it.
    const tops = await Promise.all(['Name', 'Email', 'Status'].map(async (label) => (await page.getByLabel(label, { exact: true }).boundingBox())!.y));
    expect(new Set(tops).size, String(tops)).toBe(1);
    await shot(page, 'user-detail');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('ends a session, disables, and deletes a user, the page following each answer; a refused delete shows why and stays', async () => {
    const { tenant, admin, grace } = await setup();
    const { page, watch } = await openPage();
    page.on('dialog', (dialog) => dialog.accept());
    await signIn(page, tenant, admin.login, admin.password);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/users/${grace.id}`);
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    const sessions = page.getByRole('table', { name: 'Sessions' });
    expect(await sessions.locator('tbody tr').count()).toBe(2);
    // Ending a session answers 204: the row goes without a reload by hand.
    await sessions.locator('tbody tr').first().getByRole('button', { name: 'End' }).click();
    await expect.poll(() => sessions.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await page.locator('.page-header .badge').textContent()).toBe('disabled');
    // Disabling ended the last session too.
    await page.getByText('No live session.').waitFor();
    await shot(page, 'user-disabled');

    // Another admin changes Grace meanwhile: the delete is refused (412), said, and the page stays.
    await updateUser(db, tenant, grace.id, { name: 'Grace B. Hopper' });
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.locator('.error-box', { hasText: 'Someone changed this meanwhile' }).waitFor();
    expect(page.url()).toContain(`/users/${grace.id}`);
    expect(await page.getByText('Deleted.').isVisible()).toBe(false);
    expect((await db`SELECT 1 FROM users WHERE id = ${grace.id}`).length).toBe(1);
    await shot(page, 'user-delete-refused');

    await page.reload();
    await page.getByRole('heading', { name: 'Grace B. Hopper', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted.').waitFor();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const users = page.getByRole('table', { name: 'Users' });
    await expect.poll(() => users.locator('tbody tr').count()).toBe(2);
    expect(await users.textContent()).not.toContain('Grace');
    expect((await db`SELECT 1 FROM users WHERE id = ${grace.id}`).length).toBe(0);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('changes the accent colour and the logo: the preview follows as they are typed, they are saved, and the login page uses them', async () => {
    const { tenant, admin } = await setup();
    const logo = await logoServer();
    onTestFinished(() => logo.close());
    const { page, watch } = await openPage({ httpsOrigins: true });
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('link', { name: 'Tenant settings' }).click();
    await page.getByRole('heading', { name: 'Tenant settings' }).waitFor();
    const preview = page.getByRole('figure', { name: 'Preview of the login page' });
    await preview.waitFor();
    const before = await background(page, '.pv-button');
    // A light accent gets dark text, as on the login page.
    await page.getByLabel('Accent colour').fill('#fde047');
    await expect.poll(() => background(page, '.pv-button')).toBe('rgb(253, 224, 71)');
    expect(await page.locator('.pv-button').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(0, 0, 0)');
    await page.getByLabel('Accent colour').fill('#b91c1c');
    await expect.poll(() => background(page, '.pv-button')).toBe('rgb(185, 28, 28)');
    expect(await page.locator('.pv-button').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 255)');
    expect(before).not.toBe('rgb(185, 28, 28)');
    // A logo on another https origin: the admin page's CSP lets the preview load it.
    await page.getByLabel('Logo').fill(logo.url);
    const previewLogo = page.locator('.pv-logo');
    await expect.poll(() => previewLogo.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBe(48);
    expect(await previewLogo.isVisible()).toBe(true);
    expect(await page.locator('.pv-mark').isVisible()).toBe(false);
    expect(logo.requests).toContain('/logo.png');
    await shot(page, 'settings-branding-preview');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText('Saved.').waitFor();
    const [stored] = await db`SELECT settings->'branding'->'colors'->>'primary' AS primary, settings->'branding'->>'logoUrl' AS logo FROM tenants WHERE id = ${tenant}`;
    expect(stored!.primary).toBe('#b91c1c');
    expect(stored!.logo).toBe(logo.url);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    const login = await (await stack.browser.newContext({ viewport: { width: 800, height: 700 }, ignoreHTTPSErrors: true })).newPage();
    const loginWatch = await watchPage(login);
    await login.goto(`${stack.url}/t/${tenant}/ui/login`);
    const next = login.getByRole('button', { name: 'Continue' });
    await next.waitFor();
    await expect.poll(() => next.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(185, 28, 28)');
    await expect.poll(() => login.locator('img.tenant-logo').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(48);
    expect(await loginWatch.cspViolations()).toEqual([]);
    await shot(login, 'login-with-branding');
  });

  it('sets a rate limit as JSON: a bad one shows the API\'s reason and changes nothing, the next save is taken, saved and shown', async () => {
    const { tenant, admin } = await setup();
    const { page, watch } = await openPage();
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('link', { name: 'Tenant settings' }).click();
    await page.getByRole('heading', { name: 'Rate limits' }).waitFor();
    const panel = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Rate limits' }) });
    const editor = panel.getByLabel('Limits per window');
    const shown = JSON.parse(await editor.inputValue());
    expect(shown.journeyStartsPerAddress).toEqual({ limit: 300, window: '1m' });

    await editor.fill(JSON.stringify({ ...shown, mailsPerRecipient: { limit: 3, window: 'forever' } }, null, 2));
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByRole('alert').filter({ hasText: 'mailsPerRecipient' }).count()).toBe(1);
    expect(await panel.getByRole('alert').filter({ hasText: 'mailsPerRecipient' }).textContent()).toMatch(/window/);
    const [untouched] = await db`SELECT settings->'rateLimits' AS r FROM tenants WHERE id = ${tenant}`;
    expect(untouched!.r ?? null).toBeNull();
    await shot(page, 'settings-rate-limits-refused');
    // At 360 px the API's message (one long field path) wraps inside its box: the page does not scroll sideways.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, 'settings-rate-limits-refused-360');
    await page.setViewportSize({ width: 1280, height: 900 });

    await editor.fill(JSON.stringify({ mailsPerRecipient: { limit: 3, window: '1d' } }));
    await panel.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const [stored] = await db`SELECT settings->'rateLimits' AS r FROM tenants WHERE id = ${tenant}`;
    expect(stored!.r).toEqual({ mailsPerRecipient: { limit: 3, window: '1d' } });
    // The page reloads from the API: every limit, the one set among the defaults.
    await expect.poll(async () => JSON.parse(await panel.getByLabel('Limits per window').inputValue()).mailsPerRecipient).toEqual({ limit: 3, window: '1d' });
    expect(JSON.parse(await panel.getByLabel('Limits per window').inputValue()).signupsPerAddress).toEqual({ limit: 50, window: '1h' });
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'settings-rate-limits');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('filters the audit log by type, keeping the filter in the address', async () => {
    const { tenant, admin, grace } = await setup();
    // A disabled account's sign-in fails: another type of event in the log.
    const blocked = await createUser(db, tenant, { email: `blocked@${tenant}.example`, password: 'blocked-pass-phrase-1' });
    await setUserStatus(db, tenant, blocked.id, 'disabled');
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: blocked.email });
    expect((await api.submit({ password: 'blocked-pass-phrase-1' })).body.status).toBe('failed');
    for (let i = 0; i < 50 && (await queryAudit(db, tenant, { type: 'journey.failed', limit: 1 })).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const { page, watch } = await openPage();
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const events = page.getByRole('table', { name: 'Audit events' });
    await events.waitFor();
    const all = await events.locator('tbody tr td[data-label="Type"]').allTextContents();
    expect(new Set(all).size).toBeGreaterThan(1);
    await page.getByLabel('Type').fill('journey.succeeded');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => new Set(await events.locator('tbody tr td[data-label="Type"]').allTextContents())).toEqual(new Set(['journey.succeeded']));
    expect(page.url()).toContain('type=journey.succeeded');
    expect(await events.getByRole('link', { name: grace.id }).first().getAttribute('href')).toBe(`#/t/${tenant}/users/${grace.id}`);
    await shot(page, 'audit-filtered');
    // A reload shows the same filtered page.
    await page.reload();
    await events.waitFor();
    expect(new Set(await events.locator('tbody tr td[data-label="Type"]').allTextContents())).toEqual(new Set(['journey.succeeded']));
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
