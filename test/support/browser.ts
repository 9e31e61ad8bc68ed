// Chromium for end-to-end tests: the Debian build (CHROMIUM_PATH overrides it) driven by
// playwright-core, headless and with nothing that reaches the network on its own. Playwright
// gives every launch a fresh, empty temporary profile (its own --user-data-dir, made with
// mkdtemp) and deletes it on close; passing another --user-data-dir would make it refuse.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The part of pngjs (a devDependency that ships no types) the tests use. */
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

/** At least this many colours: a page with text on it has hundreds (anti-aliasing), a blank one 1. */
const MIN_COLOURS = 16;
/**
 * At most this share of the pixels in one colour: a page showing only its background, or a word
 * like "Loading…" on it, is not shown (a heading and a line of text on a phone screen: ~99%).
 */
const MAX_DOMINANT_SHARE = 0.995;

/**
 * Throws unless the PNG shows something: more than a handful of distinct colours, and no colour
 * covering nearly all of it (a blank, a one-colour or a background-only page).
 */
export function assertNotBlank(png: Buffer, label: string): void {
  const { data, width, height } = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  const dominant = Math.max(...counts.values()) / (width * height);
  if (counts.size < MIN_COLOURS || dominant > MAX_DOMINANT_SHARE) {
    throw new Error(`screenshot ${label} looks blank: ${counts.size} colour(s), the commonest on ${(dominant * 100).toFixed(1)}% of ${width}x${height} px`);
  }
}

/** Saves a full-page screenshot as `${dir}/${name}.png` (a test artifact) and checks it is not blank. */
export async function saveScreenshot(page: Page, dir: string, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/${name}.png`, png);
  assertNotBlank(png, name);
}
