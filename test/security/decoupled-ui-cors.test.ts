// The Journey API answers CORS for the tenant's own login UI origin only (issue 13, decoupled UI):
// raw HTTP with Origin headers. Any other origin — a look-alike host, another scheme or port,
// `null`, another tenant's UI — gets no CORS header (so the browser withholds the answer) and its
// preflight a 403; the login UI URL itself must be https (http only on localhost) and on the site of
// PUBLIC_URL (here http://localhost:<port>; another port is the same site), since the browser
// sends the SameSite=Lax journey cookie to no other.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getUiSettings, journeyUiUrl, setLoginUrl, TenantUiError } from '../../core/tenants/tenant-ui.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';
import { fromOrigin, preflight } from '../support/ui-origin.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
const UI = 'http://localhost:5173';
const OTHER_UI = 'http://localhost:5174';
let tenant: string;
let other: string;

beforeAll(async () => {
  [tenant, other] = (await Promise.all([tenantWithUser(db), tenantWithUser(db)])).map((t) => t.tenant) as [string, string];
  await setLoginUrl(db, tenant, `${UI}/app`);
  await setLoginUrl(db, other, `${OTHER_UI}/`);
});

const journeys = () => `${stack.url}/t/${tenant}/api/journeys`;
const FOREIGN = [
  'https://evil.example', 'http://localhost.evil.example:5173', 'http://evil-localhost:5173', 'https://localhost:5173',
  'http://localhost:8443', 'null', OTHER_UI, 'http://LOCALHOST:5173/', 'http://127.0.0.1:5173',
];

describe('CORS on the Journey API', () => {
  it('the UI origin: allowed with credentials on a real request, and its preflight', async () => {
    const started = await fromOrigin(journeys(), UI, { method: 'POST', body: { kind: 'login' } });
    expect(started.status).toBe(201);
    expect(started.headers.get('access-control-allow-origin')).toBe(UI);
    expect(started.headers.get('access-control-allow-credentials')).toBe('true');
    const pre = await preflight(journeys(), UI);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(UI);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
  });

  for (const origin of FOREIGN) {
    it(`no CORS for ${origin}, and its preflight is refused`, async () => {
      const res = await fromOrigin(journeys(), origin, { method: 'POST', body: { kind: 'login' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const pre = await preflight(journeys(), origin);
      expect(pre.status).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    });
  }

  it('never `*`, and no CORS on other tenant routes for the UI origin', async () => {
    const res = await fromOrigin(`${stack.url}/t/${tenant}/oidc/jwks`, UI);
    expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
    const session = await fromOrigin(`${stack.url}/t/${tenant}/api/session/logout`, UI, { method: 'POST', body: {} });
    expect(session.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the login UI URL', () => {
  it('must be https (http only on localhost), without user info or fragment', async () => {
    for (const bad of ['http://login.example.com/', 'javascript:alert(1)', 'data:text/html,x', 'https://user:pw@login.example.com/',
      'https://login.example.com/#x', '//login.example.com/', 'ftp://login.example.com/', 'https:///nohost']) {
      await expect(setLoginUrl(db, other, bad)).rejects.toBeInstanceOf(TenantUiError);
    }
    expect(await getUiSettings(db, other)).toEqual({ loginUrl: `${OTHER_UI}/` });
    await setLoginUrl(db, other, 'http://localhost:5173/login');
    expect(journeyUiUrl(other, 'j1', await getUiSettings(db, other))).toBe('http://localhost:5173/login?journey=j1');
  });

  it('must be on the site of PUBLIC_URL, saying why', async () => {
    for (const crossSite of ['https://login.example.com/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', 'http://[::1]:5173/']) {
      await expect(setLoginUrl(db, other, crossSite), crossSite).rejects.toThrow(/loginUrl must be on the same site as PUBLIC_URL \(http:\/\/localhost\).*SameSite=Lax/);
    }
    expect(await getUiSettings(db, other)).toEqual({ loginUrl: 'http://localhost:5173/login' });
  });

  it('a stored value that does not parse is ignored: the default UI', async () => {
    await db`UPDATE tenants SET settings = jsonb_set(settings, '{ui}', '{"loginUrl": "javascript:alert(1)"}') WHERE id = ${other}`;
    expect(await getUiSettings(db, other)).toEqual({});
    expect(journeyUiUrl(other, 'j1', await getUiSettings(db, other))).toBe(`/t/${other}/ui/journey/j1`);
  });
});
