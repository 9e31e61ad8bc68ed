// The account console (/t/{tenant}/account/) in Chromium, against the real server, Temporal and
// database at http://localhost:<port> = PUBLIC_URL (a secure context: passkeys with rpId
// "localhost", through the CDP virtual authenticator): signing in as `tessera-account`, adding a
// passkey through the `account-step-up` journey (a password asked again: the sign-in is older
// than 5 minutes), renaming it, ending a session made by a second browser context, and removing
// the passkey through the same step-up. Each main
// page is saved as a screenshot (test-artifacts/account-console/*.png) and checked for what it shows; the
// page is also checked at 360 px wide and for CSP violations.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getSession } from '../../core/accounts/sessions.ts';
import { listCredentials } from '../../core/accounts/webauthn-credentials.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';
import { mkdirSync } from 'node:fs';
import { ROOT } from '../support/processes.ts';

const ARTIFACTS = `${ROOT}/test-artifacts/account-console`;
mkdirSync(ARTIFACTS, { recursive: true });

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;

async function newPage() {
  const context = await stack.browser.newContext();
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Signs in on the login page the console sends the browser to, and waits for the console. */
async function signInToConsole(page: Page, tenant: string, login: string, password: string) {
  await page.goto(`${stack.url}/t/${tenant}/account/`);
  await page.getByLabel('Username or email').fill(login);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Personal info', level: 1 }).waitFor();
}

async function sessionOf(page: Page, tenant: string) {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'tessera_session');
  return cookie ? getSession(db, tenant, cookie.value) : undefined;
}

describe('account console in Chromium', () => {
  it('signs in, adds a passkey through the step-up journey, renames it, ends another session, and removes the passkey through the step-up', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const page = await newPage();
    const watch = await watchPage(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await signInToConsole(page, tenant, login, password);
    await page.getByText(login).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/profile.png`, fullPage: true });

    // The sign-in is older than 5 minutes now: the change asks for the password again.
    await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
    await page.getByRole('link', { name: 'Signing in' }).click();
    await page.getByRole('heading', { name: 'Signing in', level: 1 }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('heading', { name: 'Confirm it\u2019s you' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/step-up.png`, fullPage: true });
    await page.getByRole('button', { name: 'Enter my password' }).click();
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.getByRole('heading', { name: 'Signing in', level: 1 }).waitFor();
    await page.getByText('Unnamed passkey').waitFor();
    expect(await listCredentials(db, tenant, user.id)).toHaveLength(1);

    await page.getByRole('button', { name: 'Rename Unnamed passkey' }).click();
    await page.getByLabel('Name for this passkey').fill('Work laptop');
    await page.getByRole('button', { name: 'Save name' }).click();
    const renamed = page.locator('li[data-passkey] .row-title', { hasText: 'Work laptop' });
    await renamed.waitFor();
    await page.getByRole('status').filter({ hasText: 'Passkey renamed' }).waitFor();
    expect(await renamed.isVisible()).toBe(true);
    expect((await listCredentials(db, tenant, user.id))[0]!.name).toBe('Work laptop');
    await page.screenshot({ path: `${ARTIFACTS}/passkeys.png`, fullPage: true });

    // A second browser signs in too; this one ends that session.
    const other = await newPage();
    await signInToConsole(other, tenant, login, password);
    const otherSession = await sessionOf(other, tenant);
    expect(otherSession?.userId).toBe(user.id);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    await expect.poll(() => page.locator('li[data-session]').count()).toBe(2);
    await page.locator('li[data-current] .badge', { hasText: 'This device' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/sessions-before.png`, fullPage: true });
    await page.locator(`li[data-session="${otherSession!.id}"]`).getByRole('button', { name: /^Sign out of/ }).click();
    await page.getByRole('status').filter({ hasText: /Signed out of/ }).waitFor();
    await expect.poll(() => page.locator('li[data-session]').count()).toBe(1);
    expect(await page.locator('li[data-current]').count()).toBe(1);
    expect(await sessionOf(other, tenant)).toBeUndefined();
    expect(await sessionOf(page, tenant)).toBeDefined();
    await page.screenshot({ path: `${ARTIFACTS}/sessions.png`, fullPage: true });

    // 360 px wide: nothing sticks out sideways, the passkey's name is still shown.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.getByRole('link', { name: 'Signing in' }).click();
    await renamed.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${ARTIFACTS}/narrow.png`, fullPage: true });

    // Removing the passkey is a factor change too: confirmed, then the password again (the sign-in is still old).
    await page.setViewportSize({ width: 1280, height: 800 });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove Work laptop' }).click();
    await page.getByRole('heading', { name: 'Remove a passkey', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Enter my password' }).click();
    expect(await listCredentials(db, tenant, user.id)).toHaveLength(1);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('status').filter({ hasText: 'Your passkey was removed.' }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    expect(await listCredentials(db, tenant, user.id)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/passkey-removed.png`, fullPage: true });

    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
