// The upstream OIDC adapter (activities/federation/oidc-upstream.ts) against a bare oidc-provider
// (test/support/upstream-op.ts): the full begin → authorize → finish round trip for confidential
// (basic and post) and public clients, and every refusal of a callback or token response, each
// shown to depend on its own check (the same flow untampered succeeds).
import { createServer } from 'node:http';
import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { UpstreamError, type IdentityProvider, type UpstreamIdentity } from '../../core/federation/federation-types.ts';
import { createOidcUpstream } from '../../activities/federation/oidc-upstream.ts';
import { oidcIdp, startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';

vi.setConfig({ testTimeout: 60_000 });

const urls = upstreamUrls('https://rp.example', 'downstream', 'upstream');
let op: UpstreamOp;
let idp: IdentityProvider;
const adapter = createOidcUpstream();

beforeAll(async () => {
  op = await startUpstreamOp({ redirectUris: [urls.callback] });
  idp = oidcIdp(op.config('basic'));
});
afterAll(() => op?.close());

let counter = 0;
const newState = () => `state-${Date.now()}-${counter++}-${'x'.repeat(40)}`;

/** begin, then the browser leg at the OP: the callback parameters and what begin kept. */
async function flow(on: IdentityProvider = idp, sub = 'alice', upstream = op) {
  const state = newState();
  const begun = await adapter.begin({ idp: on, urls, state, loginHint: `${sub}@upstream.example` });
  const params = await upstream.authorize(begun.url, sub);
  return { state, begun, params, kept: begun.kept };
}

async function refusal(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

/** Every refusal seen, to check afterwards that none leaks a code or the client secret. */
const seen: { error: UpstreamError; code: string }[] = [];
async function refused(f: Awaited<ReturnType<typeof flow>>, change: { params?: Record<string, string | undefined>; kept?: Record<string, string> } = {}, on = idp) {
  const params = Object.fromEntries(Object.entries({ ...f.params, ...change.params }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const error = await refusal(adapter.finish({ idp: on, urls, params, kept: { ...f.kept, ...change.kept } }));
  seen.push({ error, code: f.params.code ?? '' });
  return error;
}

describe('round trip', () => {
  it('begins a code flow with PKCE S256, nonce, state, redirect_uri, scopes and login_hint; keeps no state in clear', async () => {
    const state = newState();
    const begun = await adapter.begin({ idp, urls, state, loginHint: 'alice@upstream.example' });
    const url = new URL(begun.url);
    expect(url.origin + url.pathname).toBe(`${op.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: op.clients.basic.clientId, response_type: 'code', redirect_uri: urls.callback, scope: 'openid email profile',
      state, code_challenge_method: 'S256', login_hint: 'alice@upstream.example', nonce: begun.kept.nonce,
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(Object.values(begun.kept)).not.toContain(state);
    expect(begun.kept.codeVerifier).toMatch(/^[\w-]{43,}$/);
  });

  it('finishes with the subject and the claims (from userinfo when the ID token lacks them), client_secret_basic', async () => {
    const f = await flow();
    expect(f.params.iss).toBe(op.issuer);
    const before = op.tokenRequests.length;
    const identity: UpstreamIdentity = await adapter.finish({ idp, urls, params: f.params, kept: f.kept });
    expect(identity.subject).toBe('alice');
    expect(identity.claims).toMatchObject({ sub: 'alice', email: 'alice@upstream.example', email_verified: true, name: 'Alice Upstream', iss: op.issuer });
    expect(identity.claims).not.toHaveProperty('nonce');
    expect(identity.claims).not.toHaveProperty('aud');
    expect(op.tokenRequests.slice(before)).toEqual([{ auth: 'basic' }]);
  });

  it('passes email_verified on as the upstream stated it', async () => {
    const f = await flow(idp, 'bob');
    expect((await adapter.finish({ idp, urls, params: f.params, kept: f.kept })).claims).toMatchObject({ sub: 'bob', email_verified: false });
  });

  it('works for a public client (PKCE, no secret)', async () => {
    const pub = oidcIdp(op.config('public'));
    const f = await flow(pub);
    const before = op.tokenRequests.length;
    expect((await adapter.finish({ idp: pub, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
    expect(op.tokenRequests.slice(before)).toEqual([{ auth: 'none' }]);
  });

  it('uses client_secret_post when the server advertises only that', async () => {
    const postOnly = await startUpstreamOp({ redirectUris: [urls.callback], authMethods: ['client_secret_post'] });
    try {
      const on = oidcIdp(postOnly.config('basic'));
      const f = await flow(on, 'alice', postOnly);
      expect((await adapter.finish({ idp: on, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
      expect(postOnly.tokenRequests).toEqual([{ auth: 'post' }]);
    } finally {
      await postOnly.close();
    }
  });
});

describe('refusals', () => {
  it('an upstream error=access_denied, and another upstream error code', async () => {
    const f = await flow();
    const denied = await refused(f, { params: { code: undefined, error: 'access_denied', error_description: 'no <b>way</b>' } });
    expect(denied.code).toBe('access_denied');
    expect(denied.message).not.toContain('way');
    expect((await refused(f, { params: { code: undefined, error: 'temporarily_unavailable' } })).code).toBe('temporarily_unavailable');
    expect((await refused(f, { params: { code: undefined, error: 'Evil <script>' } })).code).toBe('upstream_error');
  });

  it('a missing or wrong state', async () => {
    const f = await flow();
    expect((await refused(f, { params: { state: undefined } })).code).toBe('invalid_state');
    expect((await refused(f, { params: { state: newState() } })).code).toBe('invalid_state');
    expect((await adapter.finish({ idp, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
  });

  it('an ID token minted for another nonce', async () => {
    const other = await adapter.begin({ idp, urls, state: newState() });
    const f = await flow();
    expect((await refused(f, { kept: { nonce: other.kept.nonce! } })).code).toBe('invalid_nonce');
  });

  it('an `iss` of another issuer (mix-up), or none when the server advertises it', async () => {
    const f = await flow();
    expect((await refused(f, { params: { iss: 'https://attacker.example' } })).code).toBe('iss_mismatch');
    expect((await refused(f, { params: { iss: undefined } })).code).toBe('iss_mismatch');
    expect((await adapter.finish({ idp, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
  });

  it('a replayed code', async () => {
    const f = await flow();
    await adapter.finish({ idp, urls, params: f.params, kept: f.kept });
    expect((await refused(f)).code).toBe('token_error');
  });

  it('an ID token for another audience', async () => {
    const f = await flow();
    op.rewriteNext('token', async (body) => ({ ...body, id_token: await op.reissueIdToken(body.id_token, (c) => ({ ...c, aud: 'someone-else' })) }));
    expect((await refused(f)).code).toBe('invalid_id_token');
  });

  it('an ID token signed with another key, or with alg none', async () => {
    for (const signer of ['other-key', 'none'] as const) {
      const f = await flow();
      op.rewriteNext('token', async (body) => ({ ...body, id_token: await op.reissueIdToken(body.id_token, (c) => c, signer) }));
      expect((await refused(f)).code).toBe('invalid_id_token');
    }
    // The same re-signing with the provider's own key passes: what failed was the signature.
    const f = await flow();
    op.rewriteNext('token', async (body) => ({ ...body, id_token: await op.reissueIdToken(body.id_token, (c) => c, 'op') }));
    expect((await adapter.finish({ idp, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
  });

  it('an expired ID token', async () => {
    const f = await flow();
    op.rewriteNext('token', async (body) => ({ ...body, id_token: await op.reissueIdToken(body.id_token, (c) => ({ ...c, iat: 1_000_000, exp: 1_000_600 })) }));
    expect((await refused(f)).code).toBe('invalid_id_token');
  });

  it('userinfo about another subject', async () => {
    const f = await flow();
    op.rewriteNext('userinfo', (body) => ({ ...body, sub: 'bob' }));
    expect((await refused(f)).code).toBe('userinfo_sub_mismatch');
  });

  it('a callback for a flow that began at another issuer or callback URL', async () => {
    const f = await flow();
    expect((await refused(f, { kept: { issuer: 'https://elsewhere.example' } })).code).toBe('config_changed');
    expect((await refused(f, { kept: { redirectUri: 'https://rp.example/other' } })).code).toBe('config_changed');
  });

  it('never puts the code, the client secret or upstream text in a refusal', async () => {
    const f = await flow();
    op.rewriteNext('token', async (body) => ({ ...body, id_token: await op.reissueIdToken(body.id_token, (c) => ({ ...c, aud: op.clients.basic.clientSecret })) }));
    seen.push({ error: await refusal(adapter.finish({ idp, urls, params: f.params, kept: f.kept })), code: f.params.code! });
    expect(seen.length).toBeGreaterThan(10);
    for (const { error, code } of seen) {
      const shown = [error.message, String(error), error.stack ?? '', JSON.stringify(error)].join('\n');
      expect(error.cause).toBeUndefined();
      if (code) expect(shown).not.toContain(code);
      expect(shown).not.toContain(op.clients.basic.clientSecret!);
      expect(shown).not.toMatch(/eyJ/);
    }
  });
});

describe('transport', () => {
  it('refuses plain http to a host other than loopback unless allowed', async () => {
    const remote = oidcIdp({ ...op.config('basic'), issuer: 'http://upstream.invalid' });
    expect((await refusal(adapter.begin({ idp: remote, urls, state: newState() }))).code).toBe('invalid_config');
    const lax = createOidcUpstream({ allowInsecure: true, timeoutSeconds: 2 });
    expect((await refusal(lax.begin({ idp: remote, urls, state: newState() }))).code).toBe('upstream_unreachable');
  });

  it('works at 127.0.0.1 too, and refuses an override toward a remote http endpoint', async () => {
    const local = await startUpstreamOp({ redirectUris: [urls.callback], host: '127.0.0.1' });
    try {
      const on = oidcIdp(local.config('basic'));
      const f = await flow(on, 'alice', local);
      expect((await adapter.finish({ idp: on, urls, params: f.params, kept: f.kept })).subject).toBe('alice');
      const bad = oidcIdp(local.config('basic', { tokenEndpoint: 'http://token.invalid/token' }));
      expect((await refusal(adapter.begin({ idp: bad, urls, state: newState() }))).code).toBe('invalid_config');
    } finally {
      await local.close();
    }
  });

  it('caches discovery per issuer and client', async () => {
    let discoveries = 0;
    const counting = createOidcUpstream({
      fetch: (input, init) => {
        if (String(input).endsWith('/.well-known/openid-configuration')) discoveries++;
        return fetch(input, init);
      },
    });
    await counting.begin({ idp, urls, state: newState() });
    await counting.begin({ idp, urls, state: newState() });
    expect(discoveries).toBe(1);
  });

  it('bounds response sizes and waits a bounded time', async () => {
    const small = createOidcUpstream({ maxResponseBytes: 200 });
    expect((await refusal(small.begin({ idp, urls, state: newState() }))).code).toBe('response_too_large');

    const silent = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const slow = createOidcUpstream({ timeoutSeconds: 1 });
      const started = Date.now();
      const error = await refusal(slow.begin({ idp: oidcIdp({ ...op.config('basic'), issuer: `http://127.0.0.1:${port}` }), urls, state: newState() }));
      expect(error.code).toBe('upstream_unreachable');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
