// ID tokens signed with the algorithm a client asks for (id_token_signed_response_alg): ES384,
// ES512, PS384, PS512, RS384 and RS512 besides the default ES256/RS256/PS256/EdDSA. A key for such
// an algorithm is made when a client first asks for it, published in the JWKS, advertised in
// discovery, and rotated with the others; each ID token verifies with jose against the JWKS.
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcClient, OidcClientInputError, updateOidcClient } from '../../core/oidc/oidc-clients.ts';
import { listSigningKeys, rotateSigningKeys } from '../../core/oidc/signing-keys.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const REDIRECT = 'https://rp.example/cb';
const EXTRA = ['ES384', 'ES512', 'PS384', 'PS512', 'RS384', 'RS512'] as const;
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let browser: OidcBrowser;

const jwks = async () => (await (await fetch(`${issuer}/oidc/jwks`)).json()) as JSONWebKeySet;

/** An ID token for the client, from a code flow as the signed-in user (token request by hand). */
async function idTokenFor(clientId: string, secret: string): Promise<string> {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = new URL(`${issuer}/oidc/auth`);
  url.search = String(new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }));
  const landing = await browser.login(String(url), { username: user.login, password: user.password });
  if (landing.kind !== 'callback') throw new Error(`expected the redirect_uri, got ${landing.kind}`);
  const tokens = await fetch(`${issuer}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${clientId}:${secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: landing.params.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier }),
  }).then((r) => r.json());
  expect(tokens.id_token, JSON.stringify(tokens)).toBeTypeOf('string');
  expect(decodeJwt(tokens.id_token).nonce).toBe(nonce);
  return tokens.id_token;
}

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  browser = new OidcBrowser(stack.url, user.tenant);
});

describe('signing algorithms a client asks for', () => {
  it('advertises every algorithm, and publishes keys for the extra ones only once a client asks', async () => {
    const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(new Set(meta.id_token_signing_alg_values_supported)).toEqual(new Set(['ES256', 'RS256', 'PS256', 'EdDSA', ...EXTRA]));
    expect((await jwks()).keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
  });

  it('signs each client\'s ID tokens with its algorithm, verifiable against the JWKS', async () => {
    for (const alg of EXTRA) {
      const client = await createOidcClient(stack.db, user.tenant, {
        client_name: `rp-${alg}`, redirect_uris: [REDIRECT], first_party: true, id_token_signed_response_alg: alg,
      });
      const published = (await jwks()).keys.filter((k) => k.alg === alg);
      expect(published, alg).toHaveLength(1);
      const token = await idTokenFor(client.clientId, client.metadata.client_secret!);
      const header = decodeProtectedHeader(token);
      expect(header, alg).toMatchObject({ alg, kid: published[0]!.kid });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`)), { issuer, audience: client.clientId, algorithms: [alg] });
      expect(payload.sub).toBe(user.user.id);
    }
  });

  it('makes the key when an existing client switches algorithm, and refuses unknown ones', async () => {
    const client = await createOidcClient(stack.db, user.tenant, { client_name: 'switch', redirect_uris: [REDIRECT], first_party: true });
    await updateOidcClient(stack.db, user.tenant, client.clientId, { id_token_signed_response_alg: 'ES512' });
    const token = await idTokenFor(client.clientId, client.metadata.client_secret!);
    expect(decodeProtectedHeader(token).alg).toBe('ES512');
    await expect(createOidcClient(stack.db, user.tenant, { redirect_uris: [REDIRECT], id_token_signed_response_alg: 'HS256' as never }))
      .rejects.toThrow(OidcClientInputError);
  });

  it('rotates the extra keys with the others', async () => {
    const before = await listSigningKeys(stack.db, user.tenant);
    const activeBefore = before.filter((k) => k.status === 'active');
    expect(activeBefore).toHaveLength(10);
    await rotateSigningKeys(stack.db, user.tenant, 60_000);
    const after = await listSigningKeys(stack.db, user.tenant);
    const active = after.filter((k) => k.status === 'active');
    expect(active.map((k) => k.alg).sort()).toEqual(activeBefore.map((k) => k.alg).sort());
    expect(active.some((k) => activeBefore.some((b) => b.kid === k.kid))).toBe(false);
    const client = await createOidcClient(stack.db, user.tenant, { client_name: 'after', redirect_uris: [REDIRECT], first_party: true, id_token_signed_response_alg: 'PS384' });
    const token = await idTokenFor(client.clientId, client.metadata.client_secret!);
    expect(decodeProtectedHeader(token).kid).toBe(active.find((k) => k.alg === 'PS384')!.kid);
  });
});
