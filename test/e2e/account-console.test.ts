// The account console (/t/{tenant}/account/) in Chromium, against the real server, Temporal and
// database at http://localhost:<port> = PUBLIC_URL (a secure context: passkeys with rpId
// "localhost", through the CDP virtual authenticator): signing in as `tessera-account`; adding,
// renaming and removing a passkey, changing the password and enrolling and removing an
// authenticator app (a code computed from the key the step shows), each through the
// `account-step-up` journey (the password asked again: the sign-in is made older than 5 minutes);
// ending a session made by a second browser context; revoking an application given consent;
// unlinking a linked upstream account (seeded in the database) through the step-up; the accepted
// terms. Each main page is saved as a screenshot (test-artifacts/account-console/*.png) and
// checked for what it shows; every page is also checked at 360 px wide (no sideways scroll), for
// its Tab order once, and for CSP violations.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getSession } from '../../core/accounts/sessions.ts';
import { addTerms, recordAcceptance } from '../../core/accounts/terms.ts';
import { getTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { listCredentials } from '../../core/accounts/webauthn-credentials.ts';
import { linkIdentity, listUserLinks } from '../../core/federation/federated-identities.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { listUserApplications, rememberConsent } from '../../server/protocols/oidc/consent-store.ts';
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
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByRole('heading', { name: 'Personal info', level: 1 }).waitFor();
}

/** Answers account-step-up's "Confirm it's you" with the password. */
async function confirmWithPassword(page: Page, password: string) {
  await page.getByRole('button', { name: 'Enter my password' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
}

/** Makes the user's sessions older than the 5 minutes of account-step-up: the next change asks for proof. */
async function stale(tenant: string, userId: string) {
  await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
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
    await stale(tenant, user.id);
    await page.getByRole('link', { name: 'Signing in' }).click();
    await page.getByRole('heading', { name: 'Signing in', level: 1 }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('heading', { name: 'Confirm it\u2019s you' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/step-up.png`, fullPage: true });
    await confirmWithPassword(page, password);
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
    expect(await listCredentials(db, tenant, user.id)).toHaveLength(1);
    await confirmWithPassword(page, password);
    await page.getByRole('status').filter({ hasText: 'Your passkey was removed.' }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    expect(await listCredentials(db, tenant, user.id)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/passkey-removed.png`, fullPage: true });

    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
  it('changes the password through the step-up and signs in with the new one; enrols an authenticator app with a computed code and removes it', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const page = await newPage();
    const watch = await watchPage(page);
    await signInToConsole(page, tenant, login, password);
    await stale(tenant, user.id);

    await page.getByRole('link', { name: 'Signing in' }).click();
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Confirm it\u2019s you' }).waitFor();
    await confirmWithPassword(page, password);
    const newPassword = 'a-new-long-passphrase-1';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.screenshot({ path: `${ARTIFACTS}/password-new.png`, fullPage: true });
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();
    await page.getByRole('heading', { name: 'Signing in', level: 1 }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/password-changed.png`, fullPage: true });

    // Another browser: the old password no longer works, the new one does.
    const other = await newPage();
    await other.goto(`${stack.url}/t/${tenant}/account/`);
    await other.getByLabel('Username or email').fill(login);
    await other.getByRole('button', { name: 'Continue', exact: true }).click();
    await other.getByLabel('Password', { exact: true }).fill(password);
    await other.getByRole('button', { name: 'Continue', exact: true }).click();
    await other.getByText('Wrong username or password.').waitFor();
    await other.getByLabel('Password', { exact: true }).fill(newPassword);
    await other.getByRole('button', { name: 'Continue', exact: true }).click();
    await other.getByRole('heading', { name: 'Personal info', level: 1 }).waitFor();
    expect((await sessionOf(other, tenant))?.userId).toBe(user.id);
    await other.context().close();

    // The authenticator app: the key shown on the step gives the code (as the app would).
    await stale(tenant, user.id);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await confirmWithPassword(page, newPassword);
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    expect((await qr.boundingBox())!.width).toBeGreaterThan(100);
    const description = await page.getByText(/enter this key:/).textContent();
    const key = /enter this key: ([A-Z2-7 ]+)\./.exec(description!)![1]!.replaceAll(' ', '');
    await page.screenshot({ path: `${ARTIFACTS}/totp-enrol.png`, fullPage: true });
    await page.getByLabel('Six-digit code').fill(totpCode(key));
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Your authenticator app is set up.' }).waitFor();
    await page.getByText(/^Set up .*You are asked for a code/).waitFor();
    expect(await getTotpSecret(db, tenant, user.id)).toBe(key);
    await page.screenshot({ path: `${ARTIFACTS}/totp-set-up.png`, fullPage: true });

    // Asked first (a fresh sign-in would remove it without a proof): "Cancel" changes nothing.
    const confirmed = new Promise<string>((resolve) => page.once('dialog', (dialog) => { resolve(dialog.message()); void dialog.dismiss(); }));
    await page.getByRole('button', { name: 'Remove authenticator app' }).click();
    expect(await confirmed).toMatch(/^Remove your authenticator app\?/);
    expect(page.url()).toMatch(/#\/signing-in$/);
    expect(await getTotpSecret(db, tenant, user.id)).toBe(key);
    await stale(tenant, user.id);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove authenticator app' }).click();
    await page.getByRole('heading', { name: 'Confirm it\u2019s you' }).waitFor();
    await confirmWithPassword(page, newPassword);
    await page.getByRole('status').filter({ hasText: 'Your authenticator app was removed.' }).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
    expect(await getTotpSecret(db, tenant, user.id)).toBeUndefined();
    await page.screenshot({ path: `${ARTIFACTS}/totp-removed.png`, fullPage: true });

    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('revokes a consented app, unlinks a linked account through the step-up, shows accepted terms; every page fits 360 px and Tab reaches the main actions', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    await createOidcClient(db, tenant, { client_id: 'shop', client_name: 'The Shop', redirect_uris: ['https://shop.test/cb'], token_endpoint_auth_method: 'none' } as never);
    await rememberConsent(db, tenant, user.id, 'shop', { scopes: ['openid', 'email'], claims: [], resources: {} });
    await saveIdp(db, tenant, { kind: 'oidc', alias: 'corp', displayName: 'Corp SSO', oidc: { issuer: 'https://corp.example', clientId: 'c', scopes: ['openid'] } });
    await linkIdentity(db, tenant, 'corp', 'upstream-subject-1', user.id, 'alice@corp.example');
    const terms = await addTerms(db, tenant, 'https://example.test/terms', 'Terms of Service');
    await recordAcceptance(db, tenant, user.id, terms.version);
    const page = await newPage();
    const watch = await watchPage(page);
    page.on('dialog', (dialog) => void dialog.accept());
    await signInToConsole(page, tenant, login, password);

    // One Tab-order check: arriving on a page focuses its heading; Tab then reaches the page's
    // main actions in reading order, and going on, the skip link, Sign out and the navigation.
    await page.getByRole('link', { name: 'Signing in' }).click();
    await page.getByRole('button', { name: 'Add a passkey' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.outerHTML)).toMatch(/^<h1[^>]*>Signing in<\/h1>$/);
    const reached: string[] = [];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => (document.activeElement?.textContent ?? '').trim()));
    }
    const order = ['Change password', 'Set up an authenticator app', 'Add a passkey', 'Skip to content', 'Sign out', 'Personal info', 'Signing in', 'Sessions', 'Applications', 'Linked accounts', 'Terms'];
    const at = order.map((name) => reached.indexOf(name));
    expect(at.slice(0, 3), reached.join(' | ')).toEqual([0, 1, 2]);
    expect(at.every((i) => i >= 0), reached.join(' | ')).toBe(true);
    expect([...at].sort((a, b) => a - b), reached.join(' | ')).toEqual(at);

    await page.getByRole('link', { name: 'Applications' }).click();
    const shop = page.locator('li.row', { hasText: 'The Shop' });
    await shop.getByText('May see: email, openid').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/applications.png`, fullPage: true });
    await page.getByRole('button', { name: 'Revoke the access of The Shop' }).click();
    await page.getByRole('status').filter({ hasText: 'The Shop no longer has access.' }).waitFor();
    await page.getByText('No application has access to your account.').waitFor();
    // Only the console's own grant is left (it is part of the service, not listed).
    expect((await listUserApplications(db, tenant, user.id)).map((a) => a.clientId)).toEqual(['tessera-account']);
    await page.screenshot({ path: `${ARTIFACTS}/applications-revoked.png`, fullPage: true });

    await page.getByRole('link', { name: 'Linked accounts' }).click();
    await page.locator('li.row', { hasText: 'Corp SSO' }).getByText('alice@corp.example').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/linked-accounts.png`, fullPage: true });
    await stale(tenant, user.id);
    await page.getByRole('button', { name: 'Unlink Corp SSO' }).click();
    await page.getByRole('heading', { name: 'Unlink an account', level: 1 }).waitFor();
    expect(await listUserLinks(db, tenant, user.id)).toHaveLength(1);
    await confirmWithPassword(page, password);
    await page.getByRole('status').filter({ hasText: 'Your account elsewhere is no longer linked.' }).waitFor();
    await page.getByText('No account elsewhere is linked to yours.').waitFor();
    await page.getByRole('button', { name: 'Link a Corp SSO account' }).waitFor();
    expect(await listUserLinks(db, tenant, user.id)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/linked-accounts-unlinked.png`, fullPage: true });

    await page.getByRole('link', { name: 'Terms' }).click();
    const accepted = page.locator('li.row', { hasText: `Terms of Service (version ${terms.version})` });
    await accepted.locator('.badge', { hasText: 'current' }).waitFor();
    await accepted.getByText(/^Accepted /).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/terms.png`, fullPage: true });

    // 360 px wide: every page (and a change's step) shows its heading and nothing scrolls sideways.
    await page.setViewportSize({ width: 360, height: 780 });
    const pages = [['Personal info', 'Personal info'], ['Signing in', 'Signing in'], ['Sessions', 'Sessions'], ['Applications', 'Applications'], ['Linked accounts', 'Linked accounts'], ['Terms', 'Terms']];
    for (const [link, heading] of pages) {
      await page.getByRole('link', { name: link!, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      expect(scrollWidth, link).toBeLessThanOrEqual(innerWidth);
      await page.screenshot({ path: `${ARTIFACTS}/narrow-${link!.toLowerCase().replace(' ', '-')}.png`, fullPage: true });
    }
    await stale(tenant, user.id);
    await page.getByRole('link', { name: 'Signing in', exact: true }).click();
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Confirm it\u2019s you' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/narrow-step-up.png`, fullPage: true });

    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
