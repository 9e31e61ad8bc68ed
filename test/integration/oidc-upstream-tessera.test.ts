// The upstream OIDC adapter against a second Tessera tenant acting as the upstream IdP: a tenant,
// a user and a confidential and a public OIDC client there; the adapter begins, the browser
// (test/support/oidc-browser.ts) logs in through the tenant's journey, the adapter finishes with
// the tenant's subject and claims. Also the mix-up case between two real issuers.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcUpstream } from '../../activities/federation/oidc-upstream.ts';
import { UpstreamError, type IdentityProvider } from '../../core/federation/federation-types.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, type Landing } from '../support/oidc-browser.ts';
import { oidcIdp } from '../support/upstream-op.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
// The downstream side's callback: not served here, the browser stops when it is sent there.
const urls = upstreamUrls('https://rp.example', 'downstream', 'tessera');
const adapter = createOidcUpstream();
let upstream: Awaited<ReturnType<typeof tenantWithUser>>;
let issuer: string;
let confidential: OidcClient;
let publicClient: OidcClient;

const idpFor = (client: OidcClient): IdentityProvider => oidcIdp({
  issuer, clientId: client.clientId, clientSecret: client.metadata.client_secret as string | undefined, scopes: ['openid', 'email', 'profile'],
});

beforeAll(async () => {
  upstream = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${upstream.tenant}`;
  const common = { redirect_uris: [urls.callback], first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'] };
  confidential = await createOidcClient(stack.db, upstream.tenant, { ...common, client_name: 'Downstream' });
  publicClient = await createOidcClient(stack.db, upstream.tenant, { ...common, client_name: 'Downstream SPA', public: true });
});

function callbackParams(landing: Landing): Record<string, string> {
  if (landing.kind !== 'callback') throw new Error(`expected the callback, got ${landing.kind}`);
  expect(landing.url.origin + landing.url.pathname).toBe(urls.callback);
  return Object.fromEntries(landing.params);
}

async function signIn(idp: IdentityProvider) {
  const state = `state-${crypto.randomUUID()}-${crypto.randomUUID()}`;
  const begun = await adapter.begin({ idp, urls, state, loginHint: upstream.login });
  expect(begun.url.startsWith(`${issuer}/oidc/`)).toBe(true);
  const browser = new OidcBrowser(stack.url, upstream.tenant);
  let landing = await browser.login(begun.url, { username: upstream.login, password: upstream.password });
  if (landing.kind === 'page' && /name="decision"/.test(landing.html)) landing = await browser.submit(landing, 'Allow');
  return { begun, params: callbackParams(landing) };
}

describe('a Tessera tenant as upstream IdP', () => {
  it('confidential client: begin → log in at the tenant → finish gives its subject and claims', async () => {
    const idp = idpFor(confidential);
    const { begun, params } = await signIn(idp);
    expect(params.iss).toBe(issuer);
    const identity = await adapter.finish({ idp, urls, params, kept: begun.kept });
    expect(identity.subject).toBe(upstream.user.id);
    expect(identity.claims).toMatchObject({ sub: upstream.user.id, email: upstream.login, iss: issuer });
    expect(typeof identity.claims.email_verified).toBe('boolean');
  });

  it('public client (PKCE only)', async () => {
    const idp = idpFor(publicClient);
    const { begun, params } = await signIn(idp);
    expect((await adapter.finish({ idp, urls, params, kept: begun.kept })).subject).toBe(upstream.user.id);
  });

  it('refuses a callback carrying another tenant\'s issuer (mix-up), and a replayed code', async () => {
    const idp = idpFor(confidential);
    const { begun, params } = await signIn(idp);
    const other = `${stack.url}/t/another-tenant`;
    const mixed = adapter.finish({ idp, urls, params: { ...params, iss: other }, kept: begun.kept });
    await expect(mixed).rejects.toBeInstanceOf(UpstreamError);
    await expect(mixed).rejects.toMatchObject({ code: 'iss_mismatch' });
    await adapter.finish({ idp, urls, params, kept: begun.kept });
    await expect(adapter.finish({ idp, urls, params, kept: begun.kept })).rejects.toMatchObject({ code: 'token_error' });
  });
});
