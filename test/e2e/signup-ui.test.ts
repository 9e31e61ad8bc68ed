// Sign-up, recovery and mailed links in Chromium against the real server, Temporal and database
// (mail read from the dev mailbox): a sign-up that ends on its "check your email" notice, whose
// link, opened in another browser, asks for a click (a mail scanner's GET uses nothing up), signs
// the user in, and then says it was used and offers a new one; a password reset whose link, opened
// in a second tab, moves the waiting first tab on too; a waiting tab that learns the link went to
// another browser; an invitation link that fills in the invitation code and signs the user in;
// links that are not valid, and nothing posted before the click; sign-up closed by the tenant;
// and server text shown as text.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { listDevMail, type DevMail } from '../../core/infra/dev-mailbox.ts';
import { createInvitation } from '../../core/registration/invitation-lifecycle.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser, uniqueTenantId } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true });
const { db, config } = stack;

async function newContext(): Promise<BrowserContext> {
  const context = await stack.browser.newContext({ viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(20_000);
  return context;
}

const newPage = async (): Promise<Page> => (await newContext()).newPage();

const JOURNEY_URL = /\/ui\/journey\/[A-Za-z0-9_-]{22,64}$/;
const continueButton = (page: Page) => page.getByRole('button', { name: 'Continue' });
const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name });
const strongPassword = () => `Tessera-${randomBytes(9).toString('base64url')}`;

async function newTenant(): Promise<string> {
  const tenant = uniqueTenantId();
  await createTenant(db, tenant);
  return tenant;
}

/** The newest dev-mailbox message of `template` to `to`, waiting for it to be sent. */
async function mailTo(tenant: string, to: string, template: string): Promise<DevMail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mail = (await listDevMail(db, { tenant, to })).find((m) => m.template === template);
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no ${template} mail to ${to}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The link in a mail, moved onto the test server (mails name PUBLIC_URL). */
function linkIn(mail: DevMail, path: RegExp): string {
  const found = path.exec(mail.text)?.[0];
  if (!found) throw new Error(`no link in ${mail.template} mail`);
  return `${stack.url}${found}`;
}

const mailedLink = (mail: DevMail) => linkIn(mail, /\/t\/[^/\s]+\/ui\/link#token=[A-Za-z0-9_-]{43}/);

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === 'tessera_session');
}

describe('sign-up, recovery and mailed links in the browser', () => {
  it('signs up, shows the notice, and signs in through the verification link opened in another browser', async () => {
    const tenant = await newTenant();
    const email = `new-${randomBytes(4).toString('hex')}@example.com`;
    const page = await newPage();
    const watch = await watchPage(page);

    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByLabel('Username or email').waitFor();
    await page.screenshot({ path: '/tmp/tessera-ui-login-links.png', fullPage: true });
    expect(await page.getByRole('link', { name: 'Forgot your password?' }).getAttribute('href')).toBe(`/t/${tenant}/ui/recovery`);
    await page.getByRole('link', { name: 'Create an account' }).click();

    await heading(page, 'Create your account').waitFor();
    await page.waitForURL(JOURNEY_URL);
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`/t/${tenant}/ui/login`);
    expect(await page.getByLabel('Email').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Full name').fill('Nora New');
    await page.getByLabel('Password', { exact: true }).fill('password');
    await continueButton(page).click();
    // The tenant's password policy answers in place, keeping what was typed (but the password).
    await page.locator('[aria-invalid="true"]').waitFor();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Email').inputValue()).toBe(email);
    await page.getByLabel('Password', { exact: true }).fill(strongPassword());
    await page.screenshot({ path: '/tmp/tessera-ui-signup-form.png', fullPage: true });
    await continueButton(page).click();

    await heading(page, 'Check your email').waitFor();
    expect(await page.getByText(`We have sent a link to ${email}`).isVisible()).toBe(true);
    expect(await heading(page, /signed in/i).count()).toBe(0);
    expect(await sessionCookie(page.context())).toBeUndefined();
    await page.screenshot({ path: '/tmp/tessera-ui-signup-notice.png', fullPage: true });
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    const link = mailedLink(await mailTo(tenant, email, 'verify-email'));
    // A mail scanner fetches the link: it gets the page, and nothing is used up.
    const scanned = await fetch(link);
    expect(scanned.status).toBe(200);

    const other = await newPage();
    const otherWatch = await watchPage(other);
    await other.goto(link);
    await heading(other, 'Continue from your email').waitFor();
    expect(other.url()).toBe(`${stack.url}/t/${tenant}/ui/link`);
    await other.screenshot({ path: '/tmp/tessera-ui-link-confirm.png', fullPage: true });
    await continueButton(other).click();
    await heading(other, 'You’re signed in').waitFor();
    const session = await sessionCookie(other.context());
    expect(session?.httpOnly).toBe(true);
    expect(session?.path).toBe(`/t/${tenant}/`);
    const [user] = await db`SELECT status, email_verified_at FROM users WHERE tenant_id = ${tenant} AND email = ${email}`;
    expect(user?.status).toBe('active');
    expect(user?.email_verified_at).not.toBeNull();
    expect(await otherWatch.cspViolations()).toEqual([]);
    expect(otherWatch.errors).toEqual([]);

    // Used once: a third browser is told so, and may ask for a new link (the answer never says more).
    const third = await newPage();
    await third.goto(link);
    await continueButton(third).click();
    await heading(third, 'This link has already been used').waitFor();
    await third.screenshot({ path: '/tmp/tessera-ui-link-used.png', fullPage: true });
    expect(await sessionCookie(third.context())).toBeUndefined();
    await third.getByRole('button', { name: 'Send me a new link' }).click();
    await third.getByText('If this link can be renewed, we have sent a new one to your email address.').waitFor();
  });

  it('resets a password: the link opened in a second tab moves the waiting first tab on too', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const context = await newContext();
    const page = await context.newPage();

    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(login);
    expect(await page.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe(`/t/${tenant}/ui/login`);
    await continueButton(page).click();
    await heading(page, 'Check your email').waitFor();
    await page.waitForURL(JOURNEY_URL);
    const journeyUrl = page.url();
    // Nothing to answer on this page: no button but the way out.
    expect(await page.getByRole('button').allTextContents()).toEqual(['Start over']);
    await page.screenshot({ path: '/tmp/tessera-ui-recovery-wait.png', fullPage: true });

    const link = mailedLink(await mailTo(tenant, login, 'recovery-link'));
    const tab = await context.newPage();
    await tab.goto(link);
    await continueButton(tab).click();
    await heading(tab, 'Choose a new password').waitFor();
    expect(tab.url()).toBe(journeyUrl);

    // The first tab polls every 5 s and catches up without a reload.
    await heading(page, 'Choose a new password').waitFor({ timeout: 15_000 });

    const fresh = strongPassword();
    await tab.getByLabel('New password', { exact: true }).fill(fresh);
    await tab.getByLabel('Repeat the new password').fill(`${fresh}x`);
    await continueButton(tab).click();
    await tab.getByText('The two passwords do not match.').waitFor();
    await tab.getByLabel('New password', { exact: true }).fill(fresh);
    await tab.getByLabel('Repeat the new password').fill(fresh);
    await continueButton(tab).click();
    await heading(tab, 'Your password has been changed').waitFor();
    expect((await sessionCookie(context))?.httpOnly).toBe(true);

    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: login });
    expect((await api.submit({ password })).body.step?.errors?.[0]?.message).toBe('Wrong username or password.');
    expect((await api.submit({ password: fresh })).body.status).toBe('succeeded');
  });

  it('tells a waiting tab when the link was opened in another browser', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const page = await newPage();
    await page.goto(`${stack.url}/t/${tenant}/ui/recovery`);
    await page.getByLabel('Email').fill(login);
    await continueButton(page).click();
    await heading(page, 'Check your email').waitFor();

    const other = await newPage();
    await other.goto(mailedLink(await mailTo(tenant, login, 'recovery-link')));
    await continueButton(other).click();
    await heading(other, 'Choose a new password').waitFor();

    await heading(page, 'Continued in another browser').waitFor({ timeout: 15_000 });
    const left = page.url();
    await page.getByRole('button', { name: 'Start over' }).click();
    await page.getByLabel('Email').waitFor();
    expect(page.url()).toMatch(JOURNEY_URL);
    expect(page.url()).not.toBe(left);
  });

  it('fills in the invitation code from an invitation link, takes it out of the URL, and signs the invited user in', async () => {
    const tenant = await newTenant();
    const email = `invited-${randomBytes(4).toString('hex')}@example.com`;
    const invitation = await createInvitation(db, stack.server.client, config, { tenant, email, inviter: 'cli', ttlMs: 86_400_000 });
    const link = linkIn(await mailTo(tenant, email, 'invitation'), /\/t\/[^/\s]+\/ui\/signup#invite=[A-Za-z0-9_-]+/);
    const code = new URL(link).hash.slice('#invite='.length);

    const page = await newPage();
    await page.goto(link);
    await heading(page, 'Create your account').waitFor();
    await page.waitForURL(JOURNEY_URL);
    expect(page.url()).not.toContain(code);
    expect(await page.getByLabel('Invitation code (if you have one)').inputValue()).toBe(code);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Full name').fill('Ivy Invited');
    await page.getByLabel('Password', { exact: true }).fill(strongPassword());
    await continueButton(page).click();
    await heading(page, 'You’re signed in').waitFor();
    expect(await sessionCookie(page.context())).toBeDefined();
    const [row] = await db`SELECT status FROM invitations WHERE tenant_id = ${tenant} AND id = ${invitation.id}`;
    expect(row?.status).toBe('accepted');
  });

  it('says a link is not valid, and what to do when the page has no link at all', async () => {
    const tenant = await newTenant();
    const page = await newPage();
    const posted: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posted.push(new URL(r.url()).pathname));
    await page.goto(`${stack.url}/t/${tenant}/ui/link#token=${randomBytes(32).toString('base64url')}`);
    expect(page.url()).toBe(`${stack.url}/t/${tenant}/ui/link`);
    await continueButton(page).waitFor();
    // Loading the page uses nothing: the link is posted on the click only.
    expect(posted).toEqual([]);
    await continueButton(page).click();
    await heading(page, 'This link is not valid').waitFor();
    expect(posted).toEqual([`/t/${tenant}/api/links`]);

    // Reloaded after use (the token left the URL), or a link cut short: nothing is sent.
    const cut = await newPage();
    const posts: string[] = [];
    cut.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await cut.goto(`${stack.url}/t/${tenant}/ui/link#token=short`);
    await heading(cut, 'Open the link from your email').waitFor();
    expect(cut.url()).toBe(`${stack.url}/t/${tenant}/ui/link`);
    await cut.reload();
    await heading(cut, 'Open the link from your email').waitFor();
    expect(posts).toEqual([]);
  });

  it('says so when the tenant does not accept sign-ups', async () => {
    const tenant = await newTenant();
    await updateRegistrationSettings(db, tenant, { enabled: false });
    const page = await newPage();
    await page.goto(`${stack.url}/t/${tenant}/ui/signup`);
    await heading(page, 'Sign-up is not available').waitFor();
    expect(await page.getByText('This service does not accept new accounts.').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe(`/t/${tenant}/ui/login`);
  });

  it('shows what the server says as text, never as markup (answers stubbed in the browser)', async () => {
    const tenant = await newTenant();
    const markup = '<img src=x id=injected>Thanks <b>you</b>';
    const page = await newPage();
    const watch = await watchPage(page);
    await page.route(`**/t/${tenant}/api/journeys`, (route) => route.fulfill({
      status: 201, json: { id: 'stubbed-journey-id-0123456789', kind: 'registration', status: 'succeeded', notice: { code: 'verification_sent', message: markup } },
    }));
    await page.route(`**/t/${tenant}/api/links`, (route) => route.fulfill({
      status: 410, json: { error: { code: 'link_expired', message: markup }, resend: false },
    }));
    await page.goto(`${stack.url}/t/${tenant}/ui/signup`);
    await heading(page, 'Check your email').waitFor();
    expect(await page.getByText(markup).isVisible()).toBe(true);

    await page.goto(`${stack.url}/t/${tenant}/ui/link#token=${randomBytes(32).toString('base64url')}`);
    await continueButton(page).click();
    await heading(page, 'This link has expired').waitFor();
    expect(await page.getByText(markup).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send me a new link' }).count()).toBe(0);
    expect(await page.locator('#injected, b').count()).toBe(0);
    expect(watch.errors).toEqual([]);
  });
});
