// A bare oidc-provider acting as an upstream OpenID Provider in tests of upstream federation
// (Tessera as relying party). Plain http on a free port of `localhost` (or 127.0.0.1), in-memory
// storage, no UI: an interaction signs in whoever `authorize` names and grants every requested
// scope and claim, so a test drives the whole authorization leg without a browser.
//
//   const op = await startUpstreamOp({ redirectUris: [urls.callback] });
//   const idp = oidcIdp(op.config('basic'));                 // an IdentityProvider for the adapter
//   const begun = await adapter.begin({ idp, urls, state });
//   const params = await op.authorize(begun.url, 'alice');   // the callback's query parameters
//   await op.close();
//
// Clients: `basic` (client_secret_basic), `public` (PKCE only); with `authMethods:
// ['client_secret_post']` the server advertises (and the basic client uses) only
// client_secret_post. Users: `op.users` (sub → claims), alice and bob at start.
// Tampering, for refusal tests: `rewriteNext('token' | 'userinfo', fn)` rewrites the JSON body of
// the next successful token or userinfo response; `reissueIdToken` re-signs a changed ID token
// with the provider's own key, another key under the same kid, or alg none.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';
import type { IdentityProvider, OidcUpstreamConfig } from '../../core/federation/federation-types.ts';

export type OpClientName = 'basic' | 'public';
export type RewrittenEndpoint = 'token' | 'userinfo';
type Rewrite = (body: Record<string, any>) => Record<string, any> | Promise<Record<string, any>>;

export interface UpstreamOpOptions {
  /** redirect_uris registered for every client. */
  redirectUris: string[];
  host?: 'localhost' | '127.0.0.1';
  /** Token endpoint authentication methods the server supports (and the confidential client uses). */
  authMethods?: ('client_secret_basic' | 'client_secret_post')[];
}

export interface UpstreamOp {
  /** http://localhost:PORT (no trailing slash). */
  issuer: string;
  clients: Record<OpClientName, { clientId: string; clientSecret?: string }>;
  /** Claims per subject, served in the ID token and from userinfo as the scopes allow. */
  users: Map<string, Record<string, unknown>>;
  /** Token endpoint requests received, with their client authentication style. */
  tokenRequests: { auth: 'basic' | 'post' | 'none' }[];
  /** The adapter's config for one of the clients (scopes openid email profile unless `extra` says). */
  config(client: OpClientName, extra?: Partial<OidcUpstreamConfig>): OidcUpstreamConfig;
  /**
   * Follows an authorization URL as `sub` (a fresh cookie jar: no SSO between calls) up to the
   * redirect toward the client; returns that redirect's query parameters.
   * @throws when the provider answers with anything but redirects.
   */
  authorize(url: string, sub?: string): Promise<Record<string, string>>;
  rewriteNext(endpoint: RewrittenEndpoint, fn: Rewrite): void;
  /** `idToken` with `change` applied to its claims, signed by `signer`. */
  reissueIdToken(idToken: string, change: (claims: JWTPayload) => JWTPayload, signer?: 'op' | 'other-key' | 'none'): Promise<string>;
  close(): Promise<void>;
}

const KID = 'upstream-op-1';

/** An enabled OIDC IdentityProvider around `oidc`, with JIT provisioning, for adapter tests. */
export function oidcIdp(oidc: OidcUpstreamConfig, alias = 'upstream', tenant = 'downstream'): IdentityProvider {
  return {
    tenant, alias, kind: 'oidc', displayName: alias, enabled: true, showOnLogin: true, oidc,
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: false }, claimRules: [],
  };
}

async function signingKey(): Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' } };
}

/** Wraps res.end so the JSON body of this response goes through `fn` first (200 responses only). */
function interceptJson(res: ServerResponse, fn: Rewrite): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (res.statusCode !== 200 || chunk === undefined || typeof chunk === 'function') return end(chunk);
    void (async () => {
      const out = JSON.stringify(await fn(JSON.parse(Buffer.from(chunk as string).toString('utf8'))));
      res.setHeader('content-length', Buffer.byteLength(out));
      end(out);
    })().catch(() => {
      res.statusCode = 500;
      end('{"error":"server_error"}');
    });
    return res;
  }) as typeof res.end;
}

function tokenAuthStyle(req: IncomingMessage, body: string): 'basic' | 'post' | 'none' {
  if (req.headers.authorization?.startsWith('Basic ')) return 'basic';
  return new URLSearchParams(body).has('client_secret') ? 'post' : 'none';
}

export async function startUpstreamOp(options: UpstreamOpOptions): Promise<UpstreamOp> {
  const host = options.host ?? 'localhost';
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://${host}:${port}`;
  const key = await signingKey();
  const users = new Map<string, Record<string, unknown>>([
    ['alice', { email: 'alice@upstream.example', email_verified: true, name: 'Alice Upstream', preferred_username: 'alice' }],
    ['bob', { email: 'bob@upstream.example', email_verified: false, name: 'Bob Upstream', preferred_username: 'bob' }],
  ]);
  const authMethods = options.authMethods ?? ['client_secret_basic', 'client_secret_post'];
  const clients: UpstreamOp['clients'] = {
    basic: { clientId: 'rp-confidential', clientSecret: `secret-${randomBytes(16).toString('hex')}` },
    public: { clientId: 'rp-public' },
  };
  const common: Partial<ClientMetadata> = { redirect_uris: options.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] };
  const provider = new Provider(issuer, {
    clients: [
      { ...common, client_id: clients.basic.clientId, client_secret: clients.basic.clientSecret, token_endpoint_auth_method: authMethods[0] },
      { ...common, client_id: clients.public.clientId, token_endpoint_auth_method: 'none' },
    ],
    clientAuthMethods: [...authMethods, 'none'],
    jwks: { keys: [key.jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...(users.get(sub) ?? {}) }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'picture'] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  });
  const handle = provider.callback();
  const rewrites = new Map<RewrittenEndpoint, Rewrite>();
  const tokenRequests: UpstreamOp['tokenRequests'] = [];

  async function interaction(req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname.startsWith('/interaction/')) {
      interaction(req, res, url.searchParams.get('sub') ?? 'alice').catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    const endpoint: RewrittenEndpoint | undefined = url.pathname === '/token' ? 'token' : url.pathname === '/me' ? 'userinfo' : undefined;
    const rewrite = endpoint && rewrites.get(endpoint);
    if (endpoint && rewrite) {
      rewrites.delete(endpoint);
      interceptJson(res, rewrite);
    }
    if (endpoint === 'token') {
      // Peek at the form body for the record, then hand the same bytes to the provider.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        tokenRequests.push({ auth: tokenAuthStyle(req, body.toString('utf8')) });
        (req as IncomingMessage & { body?: unknown }).body = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        void handle(req, res);
      });
      return;
    }
    void handle(req, res);
  });

  async function authorize(start: string, sub = 'alice'): Promise<Record<string, string>> {
    const jar = new Map<string, string>();
    let url = new URL(start);
    for (let hop = 0; hop < 20; hop++) {
      if (url.origin !== new URL(issuer).origin) return Object.fromEntries(url.searchParams);
      if (url.pathname.startsWith('/interaction/')) url.searchParams.set('sub', sub);
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        throw new Error(`the upstream OP answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
      }
      await res.body?.cancel();
      url = new URL(location, url);
    }
    throw new Error('too many redirects at the upstream OP');
  }

  return {
    issuer, clients, users, tokenRequests, authorize,
    config(client, extra = {}) {
      return { issuer, clientId: clients[client].clientId, clientSecret: clients[client].clientSecret, scopes: ['openid', 'email', 'profile'], ...extra };
    },
    rewriteNext(endpoint, fn) {
      rewrites.set(endpoint, fn);
    },
    async reissueIdToken(idToken, change, signer = 'op') {
      const claims = change(decodeJwt(idToken));
      if (signer === 'none') {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none' })}.${part(claims)}.`;
      }
      const signing = signer === 'op' ? key.privateKey : (await signingKey()).privateKey;
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' }).sign(signing);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
