// SAML SSO in Chromium against the real server, Temporal and database: the browser opens an SP's
// login URL (a tiny SP served by this test, node-saml inside), signs in at Tessera's login UI with
// username and password, and the IdP's self-submitting HTTP-POST page delivers the Response to the
// SP's ACS, which validates it with node-saml and shows the NameID. No CSP violation on the way
// (the POST page's script runs by nonce, its form-action names the SP).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { nodeSamlSp, type NodeSamlSp } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ browser: true, localhost: true });
let server: Server;
let spOrigin: string;
let sp: NodeSamlSp;
let postSp: NodeSamlSp;
let user: Awaited<ReturnType<typeof tenantWithUser>>;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The SP: /login sends the browser to Tessera; /acs validates the posted Response. */
function spHandler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  void (async () => {
    try {
      if (req.method === 'GET' && req.url === '/login') {
        res.writeHead(302, { location: await sp.saml.getAuthorizeUrlAsync('e2e-relay', undefined, {}) }).end();
        return;
      }
      if (req.method === 'GET' && req.url === '/login-post') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(await postSp.saml.getAuthorizeFormAsync('e2e-post'));
        return;
      }
      if (req.method === 'POST' && (req.url === '/acs' || req.url === '/acs-post')) {
        let body = '';
        for await (const chunk of req) body += chunk;
        const form = new URLSearchParams(body);
        const { profile } = await (req.url === '/acs' ? sp : postSp).saml.validatePostResponseAsync({ SAMLResponse: form.get('SAMLResponse') ?? '' });
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>SP</title><h1>Signed in as ${escape(profile!.nameID)}</h1><p id="relay">${escape(form.get('RelayState') ?? '')}</p>`);
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`SP error: ${(err as Error).message}`);
    }
  })();
}

beforeAll(async () => {
  server = createServer(spHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  spOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  user = await tenantWithUser(stack.db);
  sp = await nodeSamlSp(stack.db, stack.url, user.tenant, { entityId: `${spOrigin}/metadata`, acs: `${spOrigin}/acs` });
  postSp = await nodeSamlSp(stack.db, stack.url, user.tenant, {
    entityId: `${spOrigin}/post/metadata`, acs: `${spOrigin}/acs-post`, config: { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true },
  });
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('SAML SSO in the browser', () => {
  it('SP login URL → login UI → username and password → the SP shows the NameID', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const watch = await watchPage(page);

    await page.goto(`${spOrigin}/login`);
    await page.waitForURL(/\/ui\/journey\/[A-Za-z0-9_-]{22,64}$/);
    await page.getByLabel('Username or email').fill(user.login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    const violationsBefore = await watch.cspViolations();
    const postPage = page.waitForResponse((r) => r.url().includes('/saml/resume/'));
    await page.getByRole('button', { name: 'Continue' }).click();
    const csp = (await (await postPage).allHeaders())['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain(`form-action 'self' ${spOrigin}`);

    await page.getByRole('heading', { name: `Signed in as ${user.login}` }).waitFor();
    expect(new URL(page.url()).origin + new URL(page.url()).pathname).toBe(`${spOrigin}/acs`);
    expect(await page.locator('#relay').textContent()).toBe('e2e-relay');
    expect(violationsBefore).toEqual([]);
    // Console-reported violations of every page on the way (the POST page's included).
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it('HTTP-POST binding from another site: the session is seen (SameSite=Lax cookies), no second prompt', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(`${spOrigin}/login`);
    await page.waitForURL(/\/ui\/journey\//);
    await page.getByLabel('Username or email').fill(user.login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: `Signed in as ${user.login}` }).waitFor();

    const visited: string[] = [];
    page.on('framenavigated', (frame) => visited.push(frame.url()));
    await page.goto(`${spOrigin}/login-post`);
    await page.waitForURL(`${spOrigin}/acs-post`);
    await page.getByRole('heading', { name: `Signed in as ${user.login}` }).waitFor();
    expect(await page.locator('#relay').textContent()).toBe('e2e-post');
    expect(visited.some((url) => url.includes('/ui/journey/'))).toBe(false);
    await context.close();
  });
});
