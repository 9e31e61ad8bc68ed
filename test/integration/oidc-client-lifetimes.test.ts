// Per-client token lifetimes (client metadata access_token_ttl, id_token_ttl, refresh_token_ttl):
// each sets its token's lifetime for that client only; a client without them gets the defaults
// (access token 15 min, ID token 1 h, refresh token 14 days). Tokens come from the password grant
// (the quickest way to an ID token and a refresh token without a browser) and from refreshing.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 60_000 });

const stack = useStack({ localhost: true });
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let short: OidcClient;
let plain: OidcClient;
const LIFETIMES = { access_token_ttl: 120, id_token_ttl: 600, refresh_token_ttl: 900 };

async function post(client: OidcClient, path: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(`${stack.url}/t/${user.tenant}/oidc/${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${client.clientId}:${client.metadata.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

const signIn = (client: OidcClient) =>
  post(client, 'token', { grant_type: 'password', username: user.login, password: user.password, scope: 'openid offline_access' });

/** The ID token's and the refresh token's lifetimes (exp - iat, seconds), and the access token's expires_in. */
async function lifetimes(client: OidcClient, tokens: { access_token: string; id_token: string; refresh_token: string; expires_in: number }) {
  const id = decodeJwt(tokens.id_token);
  const refresh = await post(client, 'introspect', { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
  expect(refresh).toMatchObject({ active: true, client_id: client.clientId, exp: expect.any(Number), iat: expect.any(Number) });
  return { access: tokens.expires_in, id: id.exp! - id.iat!, refresh: refresh.exp - refresh.iat, refreshExp: refresh.exp as number };
}

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  const common = { grant_types: ['password', 'refresh_token'] as ('password' | 'refresh_token')[], scope: 'openid offline_access' };
  short = await createOidcClient(stack.db, user.tenant, { client_name: 'short-lived', ...common, ...LIFETIMES });
  plain = await createOidcClient(stack.db, user.tenant, { client_name: 'defaults', ...common });
});

describe('per-client token lifetimes', () => {
  it('set the access, ID and refresh tokens\' lifetimes of that client only', async () => {
    expect(await lifetimes(short, await signIn(short))).toMatchObject({
      access: LIFETIMES.access_token_ttl, id: LIFETIMES.id_token_ttl, refresh: LIFETIMES.refresh_token_ttl,
    });
    expect(await lifetimes(plain, await signIn(plain))).toMatchObject({ access: 900, id: 3600, refresh: 14 * 86_400 });
  });

  it('hold for tokens from a refresh: the new ID token lives id_token_ttl, the refresh token never outlives refresh_token_ttl', async () => {
    const first = await signIn(short);
    const before = await lifetimes(short, first);
    const refreshed = await post(short, 'token', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    const after = await lifetimes(short, refreshed);
    expect(after.access).toBe(LIFETIMES.access_token_ttl);
    expect(after.id).toBe(LIFETIMES.id_token_ttl);
    expect(after.refresh).toBeLessThanOrEqual(LIFETIMES.refresh_token_ttl);
    expect(after.refreshExp).toBeLessThanOrEqual(before.refreshExp + 5);
  });
});
