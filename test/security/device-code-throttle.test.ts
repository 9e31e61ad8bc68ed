// Guessing device-flow user codes is throttled: after the tenant's number of wrong codes from one
// address, code entries from it are refused with 429 and Retry-After without being checked (the
// right code included), until the window ends.
import * as oidc from 'openid-client';
import { beforeAll, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 60_000 });

const stack = useStack({ localhost: true });
let tenant: string;
let device: OidcClient;

beforeAll(async () => {
  tenant = uniqueTenantId('dev');
  await createTenant(stack.db, tenant);
  await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{rateLimits}', '{"deviceCodeFailuresPerAddress": {"limit": 3, "window": "15m"}}') WHERE id = ${tenant}`;
  device = await createOidcClient(stack.db, tenant, { client_name: 'TV', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], first_party: true });
});

function page(landing: Landing): Extract<Landing, { kind: 'page' }> {
  if (landing.kind !== 'page') throw new Error(`expected a page, got ${landing.kind}`);
  return landing;
}

it('refuses code entries after too many wrong codes, the right one included', async () => {
  const config = await oidc.discovery(new URL(`${stack.url}/t/${tenant}`), device.clientId, device.metadata.client_secret as string, undefined,
    { execute: [oidc.allowInsecureRequests] });
  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  const browser = new OidcBrowser(stack.url, tenant);
  let entry = page(await browser.follow(started.verification_uri));
  for (let i = 0; i < 3; i++) {
    entry = page(await browser.submit(entry, 'Continue', { user_code: `WRONG-COD${i}` }));
    expect(entry.status).toBe(200);
    expect(entry.html).toContain('That code is not valid');
  }
  const form = new URLSearchParams({ xsrf: /name="xsrf" value="([^"]*)"/.exec(entry.html)![1]!, user_code: started.user_code });
  const refused = await browser.request('POST', `/t/${tenant}/oidc/device`, form);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await refused.text()).toContain('Too many wrong codes');

  // Once the window has passed (its counters gone), the right code works again.
  await stack.db`DELETE FROM rate_limit_hits WHERE tenant_id = ${tenant}`;
  const confirm = page(await browser.submit(entry, 'Continue', { user_code: started.user_code }));
  expect(confirm.html).toContain('Sign in on TV?');
});
