// Decoupled UI in Chromium (issue 13): a tenant's own login UI, served from another origin of the
// same site as PUBLIC_URL (another port of localhost), completes an OIDC login through the
// Journey API with real browser CORS and credentials — the SameSite=Lax journey cookie goes with
// its fetches because the UI is same-site. The same UI on another site (127.0.0.1, stored behind
// the save-time check's back) gets CORS but never the cookie, so it cannot read the journey: why
// the login UI URL must be same-site. And by raw HTTP: no CORS on /oidc/auth for the UI origin,
// and the legacy login sends the browser to the UI too.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { updateLegacySettings } from '../../core/legacy/legacy-settings.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { setLoginUrl } from '../../core/tenants/tenant-ui.ts';
import { watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';
import { fromOrigin } from '../support/ui-origin.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const RP = 'https://app.example';

// The login UI: a page and a small script that read the journey, render its form step, post the
// answers and follow redirectTo, every call with credentials (the browser's cookies for Tessera).
const UI_SCRIPT = `
const params = new URLSearchParams(location.search);
const api = document.body.dataset.server + '/t/' + params.get('tenant') + '/api/journeys/' + params.get('journey');
const status = document.getElementById('status');
const form = document.getElementById('step');
function render(journey) {
  if (journey.status === 'succeeded' && journey.redirectTo) return location.assign(new URL(journey.redirectTo, document.body.dataset.server).href);
  if (!journey.step || journey.step.type !== 'form') { status.textContent = 'Journey ' + journey.status; return; }
  form.replaceChildren();
  for (const field of journey.step.fields) {
    const input = Object.assign(document.createElement('input'), { name: field.name, type: field.type === 'hidden' ? 'hidden' : field.type === 'password' ? 'password' : 'text', id: 'f-' + field.name });
    if (field.value !== undefined) input.value = String(field.value);
    if (field.type !== 'hidden') {
      const label = Object.assign(document.createElement('label'), { htmlFor: input.id, textContent: field.label });
      form.append(label);
    }
    form.append(input);
  }
  form.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Continue' }));
  form.dataset.step = journey.step.id;
  status.textContent = journey.step.errors?.length ? journey.step.errors.map((e) => e.message).join(' ') : '';
}
async function call(url, init) {
  try {
    const res = await fetch(url, { credentials: 'include', ...init });
    const body = await res.json();
    if (!res.ok && !body.step) { status.textContent = 'Refused: ' + res.status + ' ' + (body.error?.code ?? ''); return; }
    render(body.step ? { status: 'waiting', ...body } : body);
  } catch (err) {
    status.textContent = 'Network error: ' + err.message;
  }
}
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  call(api + '/steps/' + encodeURIComponent(form.dataset.step), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) });
});
call(api);
`;

let ui: Server;
let uiPort: number;

beforeAll(async () => {
  ui = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://ui').pathname;
    if (path === '/ui.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(UI_SCRIPT);
    if (path !== '/login') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html lang="en"><title>Acme sign-in</title>
<body data-server="${stack.url}"><h1>Acme sign-in</h1><p id="status" role="status"></p><form id="step"></form>
<script type="module" src="/ui.js"></script></body></html>`);
  });
  await new Promise<void>((resolve) => ui.listen(0, '127.0.0.1', resolve));
  uiPort = (ui.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => ui?.close(resolve));
});

/** A tenant whose login UI is this file's UI at `host` (localhost: same site as PUBLIC_URL). */
async function tenantWithUi(host: 'localhost' | '127.0.0.1') {
  const t = await tenantWithUser(db);
  const loginUrl = `http://${host}:${uiPort}/login?tenant=${t.tenant}`;
  if (host === 'localhost') await setLoginUrl(db, t.tenant, loginUrl);
  // Another site: refused by setLoginUrl, so stored directly to show what such a UI would get.
  else await db`UPDATE tenants SET settings = jsonb_set(settings, '{ui}', ${db.json({ loginUrl })}) WHERE id = ${t.tenant}`;
  const issuer = `${stack.url}/t/${t.tenant}`;
  const rp = await createOidcClient(db, t.tenant, { client_name: 'App', redirect_uris: [`${RP}/cb`], first_party: true });
  const config = await oidc.discovery(new URL(issuer), rp.clientId, rp.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  return { ...t, issuer, rp, config, loginUrl };
}

async function authorizationUrl(config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${RP}/cb`, scope: 'openid email', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  return { url, verifier, state };
}

async function newPage(): Promise<Page> {
  const context = await stack.browser.newContext();
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** What the browser sent with a request: its method, Origin, and whether a Cookie header went along. */
async function sent(request: Request) {
  const headers = await request.allHeaders();
  return { url: request.url(), method: request.method(), origin: headers.origin, cookie: headers.cookie !== undefined };
}

/** Answers the client's URLs inside the browser; `request` resolves with the first one. */
async function relyingParty(page: Page): Promise<{ request: Promise<Request> }> {
  await page.route(`${RP}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>App</title><h1>Back at the app</h1>' }));
  return { request: page.waitForRequest((r) => r.url().startsWith(`${RP}/`)) };
}

describe('a login UI on another origin of the same site', () => {
  it('completes an OIDC login through the Journey API from the browser, with CORS and the journey cookie', async () => {
    const t = await tenantWithUi('localhost');
    const { url, verifier, state } = await authorizationUrl(t.config);
    const page = await newPage();
    const watch = await watchPage(page);
    const callback = await relyingParty(page);
    const apiCalls: Promise<{ url: string; method: string; origin?: string; cookie: boolean }>[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/journeys/')) apiCalls.push(sent(request));
    });
    await page.goto(url.href);
    await page.waitForURL((u) => u.origin === `http://localhost:${uiPort}` && u.pathname === '/login' && !!u.searchParams.get('journey'));
    await page.getByLabel('Username or email').fill(t.login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).fill(t.password);
    await page.getByRole('button', { name: 'Continue' }).click();

    const arrived = new URL((await callback.request).url());
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    expect(watch.errors).toEqual([]);
    // The Journey API calls (the read, the two answers, their preflights) came from the UI's
    // origin and the GET and POSTs carried the browser's cookies for Tessera.
    const calls = (await Promise.all(apiCalls)).filter((c) => c.method !== 'OPTIONS');
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST', 'POST']);
    for (const call of calls) expect(call, call.url).toMatchObject({ origin: `http://localhost:${uiPort}`, cookie: true });
    expect(calls.every((c) => c.url.startsWith(`${stack.url}/t/${t.tenant}/api/journeys/`))).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(t.config, arrived, { pkceCodeVerifier: verifier, expectedState: state });
    const jwks = await (await fetch(`${t.issuer}/oidc/jwks`)).json() as JSONWebKeySet;
    const { payload } = await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks), { issuer: t.issuer, audience: t.rp.clientId });
    expect(payload).toMatchObject({ sub: t.user.id, amr: ['pwd'] });
    await page.context().close();
  });

  it('the same UI on another site gets CORS but never the journey cookie: it cannot read the journey', async () => {
    const t = await tenantWithUi('127.0.0.1');
    const { url } = await authorizationUrl(t.config);
    const page = await newPage();
    const answered = page.waitForResponse((res) => res.url().includes('/api/journeys/'));
    await page.goto(url.href);
    await page.waitForURL((u) => u.origin === `http://127.0.0.1:${uiPort}` && !!u.searchParams.get('journey'));
    const res = await answered;
    expect(res.headers()['access-control-allow-origin']).toBe(`http://127.0.0.1:${uiPort}`);
    expect(await sent(res.request())).toMatchObject({ method: 'GET', origin: `http://127.0.0.1:${uiPort}`, cookie: false });
    await page.waitForFunction(() => document.getElementById('status')?.textContent !== '');
    expect(await page.getByRole('status').textContent()).toMatch(/^Refused: 404/);
    await page.context().close();
  });
});

describe('the protocols with a login UI of the tenant\'s own', () => {
  it('no CORS on /oidc/auth for the UI origin', async () => {
    const t = await tenantWithUi('localhost');
    const { url } = await authorizationUrl(t.config);
    const origin = `http://localhost:${uiPort}`;
    const res = await fromOrigin(url.href, origin);
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('the legacy login (login?next=) sends the browser to the UI with the journey', async () => {
    const t = await tenantWithUi('localhost');
    await updateLegacySettings(db, t.tenant, { allowedNext: ['https://svc.example/app'] });
    const res = await fetch(`${stack.url}/t/${t.tenant}/login?next=${encodeURIComponent('https://svc.example/app')}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`http://localhost:${uiPort}/login`);
    expect(location.searchParams.get('tenant')).toBe(t.tenant);
    expect(location.searchParams.get('journey')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });
});
