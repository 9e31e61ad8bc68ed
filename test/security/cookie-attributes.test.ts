// Every cookie Tessera sets under https (issue 13, "cookies use the __Host- prefix where the path
// allows"; SECURITY-CHECKLIST "cookies"): HttpOnly, Secure, SameSite=Lax, no Domain, and a name
// prefix the browser enforces. One host serves every tenant, so a tenant's cookies are confined
// to its own path (/t/{tenant}/…); `__Host-` requires Path=/, so those carry `__Secure-`, and a
// cookie for the whole host (none today) must carry `__Host-`. The server runs behind a TLS proxy
// here (PUBLIC_URL https, X-Forwarded-Proto/Host, TRUST_PROXY on), as in production.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { updateLegacySettings } from '../../core/legacy/legacy-settings.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser, type TestUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const PUBLIC_URL = 'https://id.example.test';
const stack = useStack({ config: { publicUrl: PUBLIC_URL, trustProxy: true } });

// Every Set-Cookie line the server sends, with the request that got it.
const seen: { url: string; line: string }[] = [];
const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const local = url.startsWith(stack.server.url);
    const headers = new Headers(init?.headers);
    if (local) { headers.set('x-forwarded-proto', 'https'); headers.set('x-forwarded-host', new URL(PUBLIC_URL).host); }
    const res = await realFetch(input, { ...init, headers });
    if (local) for (const line of res.headers.getSetCookie()) seen.push({ url, line });
    return res;
  };
});
afterAll(() => { globalThis.fetch = realFetch; });

interface Parsed { name: string; attributes: Map<string, string> }

function parse(line: string): Parsed {
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const attributes = new Map(rest.map((a) => {
    const eq = a.indexOf('=');
    return eq < 0 ? [a.toLowerCase(), ''] : [a.slice(0, eq).toLowerCase(), a.slice(eq + 1)];
  }));
  return { name: pair!.slice(0, pair!.indexOf('=')), attributes };
}

/** What is wrong with one cookie, or undefined. */
function fault(cookie: Parsed, tenant: string): string | undefined {
  const a = cookie.attributes;
  if (!a.has('httponly')) return 'not HttpOnly';
  if (!a.has('secure')) return 'not Secure';
  if (a.get('samesite')?.toLowerCase() !== 'lax') return `SameSite=${a.get('samesite')}`;
  if (a.has('domain')) return 'has a Domain';
  const path = a.get('path') ?? '/';
  if (cookie.name.startsWith('__Host-')) return path === '/' ? undefined : `__Host- with Path=${path}`;
  if (!cookie.name.startsWith('__Secure-')) return 'neither __Host- nor __Secure-';
  if (path !== `/t/${tenant}` && !path.startsWith(`/t/${tenant}/`)) return `Path=${path} is not the tenant's own: it needs __Host-`;
  return undefined;
}

describe('cookies under https', () => {
  let t: { tenant: string } & TestUser;
  beforeAll(async () => { t = await tenantWithUser(stack.db); });

  it('a Journey API login, an OIDC code flow and a legacy login set only prefixed, confined cookies', async () => {
    const client = await createOidcClient(stack.db, t.tenant, { client_name: 'Web', redirect_uris: ['https://web.example/cb'], first_party: true });
    const browser = new OidcBrowser(stack.server.url, t.tenant);
    const url = new URL(`${stack.server.url}/t/${t.tenant}/oidc/auth`);
    const verifier = oidc.randomPKCECodeVerifier();
    url.search = new URLSearchParams({
      client_id: client.clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://web.example/cb', state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    let landing = await browser.login(url.href, { username: t.login, password: t.password });
    // The provider redirects to its https issuer: the same server, behind the proxy.
    while (landing.kind === 'callback' && landing.url.origin === PUBLIC_URL) {
      landing = await browser.follow(landing.url.href.replace(PUBLIC_URL, stack.server.url));
    }
    expect(landing.kind === 'callback' && landing.url.origin).toBe('https://web.example');

    // The legacy protocol's own cookie, from the session just made.
    await updateLegacySettings(stack.db, t.tenant, { allowedNext: ['https://app.example/'] });
    const legacy = await browser.request('GET', `/t/${t.tenant}/login?next=${encodeURIComponent('https://app.example/')}`);
    expect(legacy.headers.get('location')).toMatch(/^https:\/\/app\.example\/\?/);

    const names = new Set(seen.map((s) => parse(s.line).name));
    // The journey binding, the device, the SSO session, the legacy token and the provider's cookies.
    for (const name of ['tessera_jb', 'tessera_device', 'tessera_session', 'tessera_legacy_token', '_interaction', '_interaction_resume', '_session']) {
      expect(names, name).toContain(`__Secure-${name}`);
    }
    const faults = seen.map((s) => ({ ...s, fault: fault(parse(s.line), t.tenant) })).filter((s) => s.fault);
    expect(faults).toEqual([]);
  });
});
