// The GitHub preset (OAuth 2 only) of the upstream OIDC adapter against a small fake GitHub in
// this file: authorize redirects straight back with a code; the token endpoint behaves as
// GitHub's (client_secret_post, JSON only when asked, errors as 200 {error}, PKCE checked); the
// REST API serves /user and /user/emails for the bearer token it issued.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcUpstream } from '../../activities/federation/oidc-upstream.ts';
import { presetDefaults } from '../../activities/federation/social-presets.ts';
import { UpstreamError, type IdentityProvider, type OidcUpstreamConfig } from '../../core/federation/federation-types.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { oidcIdp } from '../support/upstream-op.ts';

const urls = upstreamUrls('https://rp.example', 'downstream', 'github');
const CLIENT = { clientId: 'gh-client', clientSecret: `gh-secret-${randomBytes(8).toString('hex')}` };

interface Pending { challenge: string; redirectUri: string }
const fake = {
  server: undefined as unknown as Server,
  base: '',
  codes: new Map<string, Pending>(),
  tokens: new Set<string>(),
  authorizeQueries: [] as URLSearchParams[],
  tokenRequests: [] as { accept?: string; basic: boolean; body: URLSearchParams }[],
  user: { id: 4242, login: 'octo', name: 'Octo Cat', avatar_url: 'https://avatars.example/octo', html_url: 'https://github.com/octo' } as Record<string, unknown>,
  emails: [] as Record<string, unknown>[],
  userStatus: 200,
};

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

beforeAll(async () => {
  fake.server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/login/oauth/authorize') {
      fake.authorizeQueries.push(url.searchParams);
      const code = randomBytes(10).toString('hex');
      fake.codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      fake.tokenRequests.push({ accept: req.headers.accept, basic: !!req.headers.authorization, body: form });
      const pending = fake.codes.get(form.get('code') ?? '');
      fake.codes.delete(form.get('code') ?? '');
      const ok = pending && form.get('client_id') === CLIENT.clientId && form.get('client_secret') === CLIENT.clientSecret
        && s256(form.get('code_verifier') ?? '') === pending.challenge && form.get('redirect_uri') === pending.redirectUri;
      if (!req.headers.accept?.includes('application/json')) {
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end('error=not_json');
        return;
      }
      if (!ok) return json(200, { error: 'bad_verification_code', error_description: `The code ${form.get('code')} is incorrect or expired.` });
      const token = `gho_${randomBytes(12).toString('hex')}`;
      fake.tokens.add(token);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const bearer = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !fake.tokens.has(bearer)) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return json(fake.userStatus, fake.userStatus === 200 ? fake.user : { message: 'Server Error' });
    if (url.pathname === '/user/emails') return json(200, fake.emails);
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.base = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  fake.server.closeAllConnections();
  await new Promise((resolve) => fake.server.close(resolve));
});

const adapter = createOidcUpstream();
const config = (): OidcUpstreamConfig => presetDefaults('github', {
  ...CLIENT,
  authorizationEndpoint: `${fake.base}/login/oauth/authorize`,
  tokenEndpoint: `${fake.base}/login/oauth/access_token`,
  userinfoEndpoint: `${fake.base}/user`,
}) as OidcUpstreamConfig;
const github = (): IdentityProvider => oidcIdp(config(), 'github');

async function flow() {
  const state = `state-${randomBytes(32).toString('hex')}`;
  const begun = await adapter.begin({ idp: github(), urls, state, loginHint: 'octo' });
  const res = await fetch(begun.url, { redirect: 'manual' });
  const params = Object.fromEntries(new URL(res.headers.get('location')!).searchParams);
  return { begun, params, state };
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

describe('GitHub preset against a fake GitHub', () => {
  it('signs in: PKCE, client_secret_post, JSON token response, user and primary verified email mapped to OIDC claims', async () => {
    fake.emails = [
      { email: 'old@octo.example', primary: false, verified: true },
      { email: 'octo@octo.example', primary: true, verified: true },
    ];
    const { begun, params, state } = await flow();
    const query = fake.authorizeQueries.at(-1)!;
    expect(Object.fromEntries(query)).toMatchObject({ client_id: CLIENT.clientId, scope: 'read:user user:email', state, login: 'octo', code_challenge_method: 'S256', redirect_uri: urls.callback });
    expect(query.has('nonce')).toBe(false);
    const identity = await adapter.finish({ idp: github(), urls, params, kept: begun.kept });
    expect(identity).toEqual({
      subject: '4242',
      claims: {
        sub: '4242', preferred_username: 'octo', name: 'Octo Cat', email: 'octo@octo.example', email_verified: true,
        picture: 'https://avatars.example/octo', profile: 'https://github.com/octo',
      },
    });
    const request = fake.tokenRequests.at(-1)!;
    expect(request.accept).toContain('application/json');
    expect(request.basic).toBe(false);
  });

  it('returns no email when GitHub has no primary verified one', async () => {
    fake.emails = [
      { email: 'octo@octo.example', primary: true, verified: false },
      { email: 'other@octo.example', primary: false, verified: true },
    ];
    const { begun, params } = await flow();
    const identity = await adapter.finish({ idp: github(), urls, params, kept: begun.kept });
    expect(identity.subject).toBe('4242');
    expect(identity.claims).not.toHaveProperty('email');
    expect(identity.claims).not.toHaveProperty('email_verified');
  });

  it('refuses a replayed code (GitHub answers 200 with an error), without repeating GitHub\'s text', async () => {
    const { begun, params } = await flow();
    await adapter.finish({ idp: github(), urls, params, kept: begun.kept });
    const error = await refusal(adapter.finish({ idp: github(), urls, params, kept: begun.kept }));
    expect(error.code).toBe('token_error');
    expect(`${error.message} ${error.stack}`).not.toContain(params.code);
    expect(`${error.message} ${error.stack}`).not.toContain(CLIENT.clientSecret);
  });

  it('refuses a wrong state and an upstream error', async () => {
    const { begun, params } = await flow();
    expect((await refusal(adapter.finish({ idp: github(), urls, params: { ...params, state: 'forged' }, kept: begun.kept }))).code).toBe('invalid_state');
    expect((await refusal(adapter.finish({ idp: github(), urls, params: { state: params.state!, error: 'access_denied' }, kept: begun.kept }))).code).toBe('access_denied');
  });

  it('refuses when the user API fails', async () => {
    fake.userStatus = 500;
    try {
      const { begun, params } = await flow();
      expect((await refusal(adapter.finish({ idp: github(), urls, params, kept: begun.kept }))).code).toBe('userinfo_error');
    } finally {
      fake.userStatus = 200;
    }
  });
});
