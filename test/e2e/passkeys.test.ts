// Passkeys in Chromium with the CDP virtual authenticator (a CTAP2 platform authenticator with
// resident keys and user verification), against the real server, Temporal and database served
// at http://localhost:<port> = PUBLIC_URL (a secure context, so rpId "localhost"): registering a
// passkey after a password; signing in usernameless with the `passwordless` tree; a response
// without UV, or with a bogus signature, refused by the server; the same authenticator kept from
// registering twice by excludeCredentials.
import { describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { listAudit } from '../../core/infra/audit.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { listCredentials } from '../../core/accounts/webauthn-credentials.ts';
import { userHandleOf } from '../../activities/modules/webauthn-options.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';
import { passkeyRegistrationTree } from '../support/passkey-trees.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;

/** username → password → register a passkey: the tenant's `login` tree, which the login page starts. */
const addPasskeyTree = passkeyRegistrationTree('login');

interface Device { page: Page; cdp: CDPSession; authenticatorId: string }

async function device(): Promise<Device> {
  const context = await stack.browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { page, cdp, authenticatorId };
}

async function user() {
  const made = await tenantWithUser(db);
  await saveTree(db, made.tenant, addPasskeyTree);
  return made;
}

const signedIn = (page: Page) => page.getByRole('heading', { name: /signed in/i }).waitFor();

/** Signs in with the password on the login page and stops at the passkey step. */
async function toPasskeyStep(page: Page, tenant: string, login: string, password: string) {
  await page.goto(`${stack.url}/t/${tenant}/ui/login`);
  await page.getByLabel('Username or email').fill(login);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Create a passkey' }).waitFor();
}

async function registerPasskey(d: Device, tenant: string, login: string, password: string) {
  await toPasskeyStep(d.page, tenant, login, password);
  await d.page.getByRole('button', { name: 'Create a passkey' }).click();
  await signedIn(d.page);
  await d.page.context().clearCookies();
}

/** Starts a journey on the `passwordless` tree in this browser (as a tenant's own page would) and opens it. */
async function openPasswordless(page: Page, tenant: string) {
  await page.goto(`${stack.url}/healthz`);
  const id = await page.evaluate(async (path) => {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'login', tree: 'passwordless' }) });
    return (await res.json()).id as string;
  }, `/t/${tenant}/api/journeys`);
  await page.goto(`${stack.url}/t/${tenant}/ui/journey/${id}`);
  await page.getByRole('heading', { name: 'Sign in with a passkey' }).waitFor();
}

/** Runs `action` and waits for the step answer it sends to come back. */
async function submitted(page: Page, action: () => Promise<void>) {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/steps/')), action()]);
}

async function sessionOf(page: Page, tenant: string) {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'tessera_session');
  return cookie ? getSession(db, tenant, cookie.value) : undefined;
}

describe('passkeys in Chromium', () => {
  it('registers a passkey after the password: a resident key for this user, stored with its transports', async () => {
    const { tenant, login, password, user: alice } = await user();
    const d = await device();
    const watch = await watchPage(d.page);
    await toPasskeyStep(d.page, tenant, login, password);
    await d.page.getByRole('button', { name: 'Create a passkey' }).click();
    await signedIn(d.page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    const { credentials } = await d.cdp.send('WebAuthn.getCredentials', { authenticatorId: d.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    expect(Buffer.from(credentials[0]!.userHandle!, 'base64').toString('base64url')).toBe(userHandleOf(alice.id));
    const stored = await listCredentials(db, tenant, alice.id);
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0]!.id, 'base64url').equals(Buffer.from(credentials[0]!.credentialId, 'base64'))).toBe(true);
    expect(stored[0]!.transports).toContain('internal');
    expect((await sessionOf(d.page, tenant))?.amr).toEqual(['pwd']);
  });

  it('signs in usernameless with the passwordless tree: no username typed, AMR hwk + user (+ mfa)', async () => {
    const { tenant, login, password, user: alice } = await user();
    const d = await device();
    await registerPasskey(d, tenant, login, password);
    await openPasswordless(d.page, tenant);
    expect(await d.page.locator('input:not([type="hidden"])').count()).toBe(0);
    await d.page.screenshot({ path: '/tmp/tessera-ui-passkey.png', fullPage: true });
    await d.page.getByRole('button', { name: 'Use a passkey' }).click();
    await signedIn(d.page);
    expect(await sessionOf(d.page, tenant)).toMatchObject({ userId: alice.id, acr: 'urn:tessera:acr:passkey', amr: ['hwk', 'user', 'mfa'] });
    expect((await listCredentials(db, tenant, alice.id))[0]!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('refuses an assertion without user verification, or with a bogus signature, where UV is required', async () => {
    const { tenant, login, password } = await user();
    const d = await device();
    await registerPasskey(d, tenant, login, password);
    await openPasswordless(d.page, tenant);
    const usePasskey = d.page.getByRole('button', { name: 'Use a passkey' });

    // The authenticator fails to verify the user: the browser refuses, the page offers a retry.
    await d.cdp.send('WebAuthn.setUserVerified', { authenticatorId: d.authenticatorId, isUserVerified: false });
    await usePasskey.click();
    await d.page.getByText('The passkey prompt was closed or timed out.').waitFor();
    expect(await usePasskey.isEnabled()).toBe(true);

    // The response claims no UV (a client that ignores the request): the server refuses it.
    await d.cdp.send('WebAuthn.setUserVerified', { authenticatorId: d.authenticatorId, isUserVerified: true });
    await d.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: d.authenticatorId, isBadUV: true });
    await submitted(d.page, () => usePasskey.click());
    await d.page.getByText('That passkey could not be verified. Please try again.').waitFor();
    await d.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: d.authenticatorId, isBogusSignature: true });
    await submitted(d.page, () => usePasskey.click());
    await d.page.getByText('That passkey could not be verified. Please try again.').waitFor();
    expect(await sessionOf(d.page, tenant)).toBeUndefined();
    const failures = (await listAudit(db, tenant)).filter((e) => e.type === 'webauthn.failed').map((e) => e.data);
    expect(failures).toMatchObject([{ reason: 'bad_signature' }, { reason: 'rejected', detail: 'User verification required, but user could not be verified' }]);

    await d.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: d.authenticatorId });
    await usePasskey.click();
    await signedIn(d.page);
  });

  it('keeps the same authenticator from registering twice (excludeCredentials)', async () => {
    const { tenant, login, password, user: alice } = await user();
    const d = await device();
    await registerPasskey(d, tenant, login, password);
    await toPasskeyStep(d.page, tenant, login, password);
    await d.page.getByRole('button', { name: 'Create a passkey' }).click();
    await d.page.getByText('This device or security key already has a passkey for your account.').waitFor();
    await d.page.screenshot({ path: '/tmp/tessera-ui-passkey-error.png', fullPage: true });
    expect(await listCredentials(db, tenant, alice.id)).toHaveLength(1);
    expect((await d.cdp.send('WebAuthn.getCredentials', { authenticatorId: d.authenticatorId })).credentials).toHaveLength(1);
  });

  it('serves the WebAuthn library\'s modules, and nothing else from node_modules', async () => {
    const ok = await fetch(`${stack.url}/ui/assets/vendor/simplewebauthn-browser/index.js`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/javascript/);
    for (const path of ['package.json', 'index.d.ts', 'index.d.ts.map', 'missing.js', 'methods/..%2fpackage.json']) {
      expect((await fetch(`${stack.url}/ui/assets/vendor/simplewebauthn-browser/${path}`)).status).toBe(404);
    }
  });
});
