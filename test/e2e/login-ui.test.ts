// The login UI in Chromium against the real server, Temporal and database: a whole sign-in (a
// wrong password first, then TOTP) ending with an HttpOnly session cookie; a page that keeps its
// CSP (no inline script or style, no violation); a journey link that only works in the browser
// that started it; a stale second tab that catches up instead of failing; and, with the API's
// answers stubbed inside the browser, every step type and field type rendered from JSON alone.
import { describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import type { JourneyView, Step } from '../../core/journeys/journey-types.ts';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true });
const { db, config } = stack;

async function newPage(): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

const JOURNEY_URL = /\/ui\/journey\/[A-Za-z0-9_-]{22,64}$/;
const journeyIdOf = (page: Page) => new URL(page.url()).pathname.split('/').pop()!;
const continueButton = (page: Page) => page.getByRole('button', { name: 'Continue' });

describe('login UI', () => {
  it('signs in: username, a wrong password, the right one, then a TOTP code', async () => {
    const { tenant, login, password, user } = await tenantWithUser(db);
    const secret = newTotpSecret();
    await saveTotpSecret(db, tenant, user.id, secret, 0);
    const page = await newPage();

    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    const username = page.getByLabel('Username or email');
    await username.waitFor();
    expect(page.url()).toMatch(JOURNEY_URL);
    expect(await page.getByText(tenant, { exact: true }).isVisible()).toBe(true);
    expect(await username.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await username.getAttribute('autocomplete')).toBe('username webauthn');
    await username.fill(login);
    await continueButton(page).click();

    await page.getByText(`Signing in as ${login}`).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await continueButton(page).click();
    await page.getByText('Wrong username or password.').waitFor();
    const passwordField = page.getByLabel('Password', { exact: true });
    expect(await passwordField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await passwordField.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('Wrong username or password.');
    expect(await passwordField.evaluate((el) => el === document.activeElement)).toBe(true);

    await passwordField.fill(password);
    await continueButton(page).click();
    const code = page.getByLabel('Six-digit code');
    await code.waitFor();
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('maxlength')).toBe('6');
    await page.screenshot({ path: '/tmp/tessera-ui-totp.png', fullPage: true });

    await code.fill(totpCode(secret));
    await continueButton(page).click();
    await page.getByRole('heading', { name: /signed in/i }).waitFor();
    await page.screenshot({ path: '/tmp/tessera-ui-success.png', fullPage: true });

    const session = (await page.context().cookies()).find((c) => c.name === 'tessera_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.path).toBe(`/t/${tenant}/`);
  });

  it('runs under its CSP: no inline script or style, no violation, no error', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const page = await newPage();
    const watch = await watchPage(page);
    const res = await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByLabel('Username or email').waitFor();

    await continueButton(page).click();
    await page.getByText('Enter your username or email.').waitFor();
    await page.getByLabel('Username or email').fill(login);
    await continueButton(page).click();
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await continueButton(page).click();
    await page.getByText('Wrong username or password.').waitFor();

    const inline = await page.evaluate(() => ({
      scripts: [...document.scripts].filter((s) => !s.src).length,
      styleElements: document.querySelectorAll('style').length,
      styleAttributes: document.querySelectorAll('[style]').length,
      handlerAttributes: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    }));
    expect(inline).toEqual({ scripts: 0, styleElements: 0, styleAttributes: 0, handlerAttributes: 0 });
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('says a journey link is not valid in another browser, and starts over there', async () => {
    const { tenant } = await tenantWithUser(db);
    const owner = await newPage();
    await owner.goto(`${stack.url}/t/${tenant}/ui/login`);
    await owner.getByLabel('Username or email').waitFor();
    const id = journeyIdOf(owner);

    const stranger = await newPage();
    await stranger.goto(`${stack.url}/t/${tenant}/ui/journey/${id}`);
    await stranger.getByRole('heading', { name: 'This sign-in link is not valid in this browser' }).waitFor();
    await stranger.getByRole('button', { name: 'Start over' }).click();
    await stranger.getByLabel('Username or email').waitFor();
    await stranger.waitForURL(JOURNEY_URL);
    expect(journeyIdOf(stranger)).not.toBe(id);

    // In the browser that started it, the same link (or ?journey=, for a tenant's own UI) works.
    await owner.goto(`${stack.url}/t/${tenant}/ui/login?journey=${id}`);
    await owner.getByLabel('Username or email').waitFor();
  });

  it('brings a stale second tab up to date instead of failing (409)', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const first = await newPage();
    await first.goto(`${stack.url}/t/${tenant}/ui/login`);
    await first.getByLabel('Username or email').waitFor();
    const second = await first.context().newPage();
    await second.goto(first.url());
    await second.getByLabel('Username or email').fill(login);

    await first.getByLabel('Username or email').fill(login);
    await continueButton(first).click();
    await first.getByRole('heading', { name: 'Enter your password' }).waitFor();

    await continueButton(second).click();
    await second.getByText('This sign-in moved on in another tab').waitFor();
    await second.getByRole('heading', { name: 'Enter your password' }).waitFor();
    expect(await second.getByLabel('Password', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('renders any step from its JSON alone (API answers stubbed in the browser)', async () => {
    const { tenant } = await tenantWithUser(db);
    const page = await newPage();
    const watch = await watchPage(page);
    const journey = (step: Step): JourneyView => ({ id: 'stubbed-journey-id-0123456789', kind: 'registration', status: 'waiting', step });
    const qr = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>').toString('base64')}`;
    const answers: Array<(route: Route) => Promise<void>> = [
      (route) => route.fulfill({ status: 201, json: journey({
        id: 'profile#1', node: 'profile', type: 'form', title: 'Create your account', description: 'A few details.',
        image: { src: qr, alt: 'A stub QR code' },
        fields: [
          { name: 'email', type: 'email', label: 'Email', required: true, autocomplete: 'email' },
          { name: 'code', type: 'otp', label: 'Code', required: true, maxLength: 8 },
          { name: 'terms', type: 'checkbox', label: 'I accept the terms', required: true },
          { name: 'news', type: 'checkbox', label: 'Send me news', required: false, value: 'true' },
          { name: 'flow', type: 'hidden', label: 'flow', required: false, value: 'signup-7' },
        ],
        errors: [{ field: 'email', code: 'taken', message: 'That email is taken.' }, { code: 'slow_down', message: 'Too many tries.' }],
      }) }),
      (route) => route.abort('connectionrefused'),
      (route) => route.fulfill({ status: 200, json: journey({
        id: 'method#1', node: 'method', type: 'choice', title: 'Pick a method', choices: [{ value: 'totp', label: 'Authenticator app' }, { value: 'email', label: 'Email me a code' }],
      }) }),
      (route) => route.fulfill({ status: 200, json: journey({ id: 'passkey#1', node: 'passkey', type: 'webauthn.create', title: 'Create a passkey', options: {} }) }),
    ];
    const bodies: unknown[] = [];
    await page.route(`**/t/${tenant}/api/journeys**`, async (route) => {
      const body = route.request().postData();
      if (body) bodies.push(JSON.parse(body));
      await answers.shift()!(route);
    });

    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    const email = page.getByLabel('Email');
    await email.waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('Too many tries.');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByRole('img', { name: 'A stub QR code' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Code').getAttribute('pattern')).toBe('[0-9]{6,8}');
    expect(await page.getByLabel('Send me news').isChecked()).toBe(true);

    await email.fill('bob@example.com');
    await page.getByLabel('Code').fill('12 34 56');
    await continueButton(page).click();
    await page.getByText('Check this box to continue.').waitFor();
    expect(await page.getByLabel('I accept the terms').getAttribute('aria-invalid')).toBe('true');
    expect(await email.getAttribute('aria-invalid')).toBeNull();
    await page.getByLabel('I accept the terms').check();
    await continueButton(page).click();
    await page.getByText('We couldn’t reach the sign-in service').waitFor();
    expect(await continueButton(page).isEnabled()).toBe(true);
    await continueButton(page).click();

    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByText('This passkey step can’t be shown.').waitFor();
    const values = { email: 'bob@example.com', code: '123456', terms: true, news: true, flow: 'signup-7' };
    expect(bodies).toEqual([{ kind: 'login' }, values, values, { choice: 'email' }]);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
