// The captcha in Chromium: the login UI solves a real proof-of-work challenge (at the default
// difficulty) in a Web Worker under the page's CSP, shows that it is checking, submits by itself
// and goes on to the username; without workers it solves on the page; and after a failed
// password the throttle's captcha is passed the same way before the next try.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { saveTree } from '../../core/journeys/trees.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true });
const { db, config } = stack;

const captchaFirst = (captcha: Record<string, unknown>): Tree => ({
  name: 'login', start: 'check',
  nodes: {
    check: { type: 'captcha', config: captcha, next: { ok: 'identify', bad: 'check' } },
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'success', bad: 'password' } },
  },
});

/** A page that records every text its live status regions showed (the check can be quick). */
async function newPage(): Promise<Page> {
  const context = await stack.browser.newContext();
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await page.addInitScript(() => {
    const seen: string[] = ((globalThis as any).__statuses = []);
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role="status"]')) {
        const text = el.textContent ?? '';
        if (text && !seen.includes(text)) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return page;
}

const statuses = (page: Page) => page.evaluate(() => (globalThis as any).__statuses as string[]);
const continueButton = (page: Page) => page.getByRole('button', { name: 'Continue' });

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await continueButton(page).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await continueButton(page).click();
  await page.getByRole('heading', { name: /signed in/i }).waitFor();
}

describe('captcha in the browser', () => {
  it('solves the default challenge in a worker, under the CSP, and goes on by itself', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, captchaFirst({}));
    const page = await newPage();
    const watch = await watchPage(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
    const started = Date.now();
    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByLabel('Username or email').waitFor();
    const solvedMs = Date.now() - started;
    console.info(`captcha at difficulty 18 passed in ${solvedMs} ms (page load to username step)`);

    expect(await statuses(page)).toEqual(expect.arrayContaining(['Checking your browser\u2026', 'Browser check complete.']));
    expect(workers).toEqual(['/ui/assets/pow-worker.js']);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
    await signIn(page, login, password);
  });

  it('solves on the page when no worker can start', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, captchaFirst({ difficulty: 12 }));
    const page = await newPage();
    const watch = await watchPage(page);
    await page.route('**/pow-worker.js', (route) => route.abort());
    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByLabel('Username or email').waitFor();
    expect(watch.errors).toEqual([]);
    await signIn(page, login, password);
  });

  it('passes the captcha that failed passwords earned, then signs in', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, {
      name: 'login', start: 'identify',
      nodes: {
        identify: { type: 'username', next: { ok: 'password' } },
        password: { type: 'password', next: { ok: 'success', bad: 'throttle' } },
        throttle: { type: 'throttle', config: { captchaAfter: 1, lockAfter: 10, window: '15m' }, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
        captcha: { type: 'captcha', config: { difficulty: 12 }, next: { ok: 'password', bad: 'captcha' } },
      },
    });
    const page = await newPage();
    await page.goto(`${stack.url}/t/${tenant}/ui/login`);
    await page.getByLabel('Username or email').fill(login);
    await continueButton(page).click();
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await continueButton(page).click();
    await page.waitForFunction(() => ((globalThis as any).__statuses as string[]).includes('Browser check complete.'));
    expect(await statuses(page)).toContain('Checking your browser\u2026');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await continueButton(page).click();
    await page.getByRole('heading', { name: /signed in/i }).waitFor();
  });
});
