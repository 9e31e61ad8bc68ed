// Decoupled UI (issue 13, DESIGN.md §5): a tenant with its own login UI URL. OIDC authorize and
// SAML SSO send the browser to `<loginUrl>?journey={id}` (the URL's own query kept); that UI, on
// its own origin, drives the journey through the Journey API with credentials (CORS answered for
// its origin, preflight included) and the journey's redirectTo brings the browser back into the
// protocol. A tenant without one keeps /t/{tenant}/ui/journey/{id}. The UI is on the site of
// PUBLIC_URL (another port of localhost), as it must be for a browser to send the journey cookie.
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import 'reflect-metadata';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { setLoginUrl } from '../../core/tenants/tenant-ui.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { samlifySp } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';
import { fromOrigin, preflight } from '../support/ui-origin.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
const UI = 'http://localhost:5173';
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let plain: Awaited<ReturnType<typeof tenantWithUser>>;
let client: OidcClient;

beforeAll(async () => {
  [user, plain] = await Promise.all([tenantWithUser(db), tenantWithUser(db)]);
  await setLoginUrl(db, user.tenant, `${UI}/sign-in?brand=blue`);
  client = await createOidcClient(db, user.tenant, { redirect_uris: ['https://app.example/cb'], first_party: true });
  await createOidcClient(db, plain.tenant, { client_id: client.clientId, redirect_uris: ['https://app.example/cb'], first_party: true });
});

async function authorize(tenant: string) {
  const issuer = `${stack.url}/t/${tenant}`;
  const config = await oidc.discovery(new URL(issuer), client.clientId, client.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'https://app.example/cb', scope: 'openid', state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }).href;
}

describe('protocols send the browser to the tenant\'s own login UI', () => {
  it('OIDC authorize → <loginUrl>?journey=…; that UI drives the journey with CORS; back to the client', async () => {
    const browser = new OidcBrowser(stack.url, user.tenant);
    const landing = await browser.follow(await authorize(user.tenant));
    if (landing.kind !== 'callback') throw new Error(`expected the browser sent to the UI, got ${landing.kind}`);
    expect(`${landing.url.origin}${landing.url.pathname}`).toBe(`${UI}/sign-in`);
    expect(landing.url.searchParams.get('brand')).toBe('blue');
    const journeyId = landing.url.searchParams.get('journey')!;
    expect(journeyId).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const api = `${stack.url}/t/${user.tenant}/api/journeys/${journeyId}`;
    const read = await fromOrigin(api, UI, { browser });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(UI);
    expect(read.headers.get('access-control-allow-credentials')).toBe('true');
    expect(read.headers.get('vary')).toMatch(/origin/i);
    const step = (read.body as { step: { id: string } }).step;

    const pre = await preflight(`${api}/steps/${encodeURIComponent(step.id)}`, UI);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(UI);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');

    type View = { status: string; step?: { id: string; fields?: { name: string }[] }; redirectTo?: string };
    const answers: Record<string, string> = { username: user.login, password: user.password };
    let journey = read.body as View;
    for (let i = 0; journey.status === 'waiting' && i < 4; i++) {
      const values = Object.fromEntries((journey.step!.fields ?? []).filter((f) => f.name in answers).map((f) => [f.name, answers[f.name]!]));
      const answer = await fromOrigin(`${api}/steps/${encodeURIComponent(journey.step!.id)}`, UI, { method: 'POST', body: values, browser });
      expect(answer.headers.get('access-control-allow-origin')).toBe(UI);
      journey = answer.body as View;
    }
    expect(journey.status).toBe('succeeded');
    const back = await browser.follow(journey.redirectTo!);
    if (back.kind !== 'callback') throw new Error(`expected the client callback, got ${back.kind}`);
    expect(back.url.origin).toBe('https://app.example');
    expect(back.url.searchParams.get('code')).toBeTruthy();
  });

  it('SAML SSO → <loginUrl>?journey=…', async () => {
    const sp = await samlifySp(db, stack.url, user.tenant, { entityId: 'https://sp-ui.example/metadata' });
    const { context } = sp.sp.createLoginRequest(sp.idp, 'redirect') as { context: string };
    const landing = await new OidcBrowser(stack.url, user.tenant).follow(context);
    if (landing.kind !== 'callback') throw new Error(`expected the browser sent to the UI, got ${landing.kind}`);
    expect(`${landing.url.origin}${landing.url.pathname}`).toBe(`${UI}/sign-in`);
    expect(landing.url.searchParams.get('journey')).toBeTruthy();
  });

  it('a tenant without its own UI keeps /t/{tenant}/ui/journey/{id}, and answers no CORS', async () => {
    const browser = new OidcBrowser(stack.url, plain.tenant);
    const landing = await browser.follow(await authorize(plain.tenant));
    expect(landing.kind).toBe('journey');
    const id = (landing as { id: string }).id;
    const read = await fromOrigin(`${stack.url}/t/${plain.tenant}/api/journeys/${id}`, UI, { browser });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});
