// Chromium for end-to-end tests: the Debian build (CHROMIUM_PATH overrides it) driven by
// playwright-core, headless and with nothing that reaches the network on its own. Playwright
// gives every launch a fresh, empty temporary profile (its own --user-data-dir, made with
// mkdtemp) and deletes it on close; passing another --user-data-dir would make it refuse.
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The part of pngjs (a dependency of a dependency, without types) the tests use. */
interface PngImage { width: number; height: number; data: Buffer }
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { new (size: { width: number; height: number }): PngImage; sync: { read(data: Buffer): PngImage; write(png: PngImage): Buffer } };
};

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** @throws when Chromium is missing or does not start. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}

/**
 * Collects what a page says went wrong: Content-Security-Policy violations (from the console and
 * from `securitypolicyviolation` events, recorded by an init script, which CSP does not govern)
 * and uncaught exceptions. Call before the first navigation; the events are per document, so
 * read them before navigating away.
 */
export async function watchPage(page: Page): Promise<{ cspViolations(): Promise<string[]>; errors: string[] }> {
  const logged: string[] = [];
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) logged.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.addInitScript(() => {
    const seen: string[] = ((globalThis as any).__cspViolations = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    errors,
    async cspViolations() {
      const fromEvents = await page.evaluate(() => (globalThis as any).__cspViolations as string[] ?? []);
      return [...logged, ...fromEvents];
    },
  };
}

/**
 * Signs in to the admin console at `${base}/admin/` through the tenant's ordinary login UI
 * (username, then password) and waits for the console's frame.
 */
export async function signInToAdminConsole(page: Page, base: string, tenant: string, login: string, password: string): Promise<void> {
  await page.goto(`${base}/admin/?tenant=${tenant}`);
  await page.getByRole('heading', { name: 'Admin console' }).waitFor();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username or email').fill(login);
  // exact: a tenant's identity providers add "Continue with …" buttons.
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A PNG of one colour (e.g. a logo an image test serves). */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([r, g, b, 255], i);
  return PNG.sync.write(png);
}
