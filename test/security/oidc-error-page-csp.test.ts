// The OIDC error page (an authorization request the provider refuses: unregistered redirect_uri,
// unknown client) must not widen its CSP form-action to the request's unchecked redirect_uri; a
// registered one is still named, so the form_post response can post to it.
import { beforeAll, expect, it } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
let tenant: string;
let client: OidcClient;

beforeAll(async () => {
  tenant = uniqueTenantId('csp');
  await createTenant(stack.db, tenant);
  client = await createOidcClient(stack.db, tenant, { client_name: 'App', redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code'] });
});

async function authorize(params: Record<string, string>): Promise<{ status: number; csp: string }> {
  const query = new URLSearchParams({ response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', ...params });
  const res = await fetch(`${stack.url}/t/${tenant}/oidc/auth?${query}`, { redirect: 'manual' });
  await res.text();
  return { status: res.status, csp: res.headers.get('content-security-policy') ?? '' };
}

it('adds no unregistered redirect_uri to the error page\'s form-action', async () => {
  for (const params of [
    { client_id: client.clientId, redirect_uri: 'https://evil.example/cb' },
    { client_id: 'no-such-client', redirect_uri: 'https://evil.example/cb' },
    { client_id: client.clientId, redirect_uri: 'https://rp.example/cb?x=1' },
  ]) {
    const page = await authorize(params);
    expect(page.status).toBe(400);
    expect(page.csp).toMatch(/form-action 'self'(;|$)/);
    expect(page.csp).not.toContain('evil.example');
  }
});

it('still names a registered redirect_uri', async () => {
  const page = await authorize({ client_id: client.clientId, redirect_uri: 'https://rp.example/cb', response_mode: 'form_post', state: 's' });
  expect(page.csp).toMatch(/form-action 'self' https:\/\/rp\.example(;|$)/);
});
