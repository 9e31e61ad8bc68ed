// What a relying party may be: validation of client registrations into oidc-provider client
// metadata — standard properties plus Tessera's own, which the provider is told about through
// `extraClientMetadata` (server/protocols/oidc/provider-config.ts). Pure.
// Rules enforced here, at the edge, so that the provider never meets an unusable client:
// - client_id: given (3–200 URL-safe characters, never starting with `-`, which a command line
//   would read as an option; an absolute URI is allowed so that it can also name a resource) or
//   128 random bits (22 characters, first one a letter or digit). client_secret: given (≥ 32
//   characters) or 256 random bits, only for confidential clients; public clients (`none`) have none.
// - redirect URIs are absolute, without fragment: https; http only to localhost/127.0.0.1/[::1];
//   or a private-use scheme with a dot (com.example.app:/cb) for native apps.
// - response_types follow from grant_types (code for authorization_code, every implicit and
//   hybrid combination when implicit is allowed too), or are a given subset of those.
// - scope: only the scopes every tenant's provider supports; API rights are `permissions`.
// - Public clients cannot use client_credentials, token exchange or the password grant (nothing
//   authenticates them). The password grant (ROPC) is never a default: a client opts in by listing it.
// - Token lifetimes (access_token_ttl, id_token_ttl, refresh_token_ttl, seconds) are optional and
//   bounded; the provider's defaults apply when absent (server/protocols/oidc/provider-config.ts).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ClaimRules } from './claim-rules.ts';
import { parsePermission } from '../../guard/permissions.ts';
import { SIGNING_ALGS } from './signing-keys.ts';

export const GRANT_TYPES = [
  'authorization_code', 'implicit', 'refresh_token', 'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange',
  'password',
] as const;

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;

/** Tessera's own client metadata, declared to the provider as extraClientMetadata. */
export const EXTRA_CLIENT_METADATA = [
  'first_party', 'claim_rules', 'token_exchange', 'permissions', 'access_token_ttl', 'id_token_ttl', 'refresh_token_ttl',
  'frontchannel_logout_uri',
] as const;

/** Bounds of the per-client token lifetimes, in seconds: signed tokens within the default key
 * rotation grace (24 h, core/oidc/signing-keys.ts), refresh tokens within their grant (30 days). */
export const TOKEN_TTL_BOUNDS = {
  access_token_ttl: { min: 60, max: 12 * 3600 },
  id_token_ttl: { min: 60, max: 12 * 3600 },
  refresh_token_ttl: { min: 300, max: 30 * 86_400 },
} as const;

const ttl = (name: keyof typeof TOKEN_TTL_BOUNDS) => z.number().int().min(TOKEN_TTL_BOUNDS[name].min).max(TOKEN_TTL_BOUNDS[name].max)
  .describe(`Lifetime in seconds (${TOKEN_TTL_BOUNDS[name].min}-${TOKEN_TTL_BOUNDS[name].max}); the tenant's default when absent.`);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const CLIENT_ID = /^[A-Za-z0-9._~:/@+][A-Za-z0-9._~:/@+-]{2,199}$/;

/** 128 random bits as base64url, redrawn while the first character is `-` (1 in 64 draws). */
export function newClientId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export class OidcClientInputError extends Error {}

function uriProblem(value: string, kind: 'redirect' | 'web'): string | undefined {
  const url = URL.parse(value);
  if (!url) return 'must be an absolute URI';
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'must name a host';
  if (url.protocol === 'http:') return LOOPBACK.has(url.hostname) ? undefined : 'may use http only for localhost or 127.0.0.1';
  if (kind === 'redirect' && /^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol)) return undefined;
  return kind === 'redirect' ? 'must be https, http on localhost, or a private-use scheme such as com.example.app:/callback'
    : 'must be an https URL (http only on localhost)';
}

const uri = (kind: 'redirect' | 'web') => z.string().max(2000).superRefine((value, ctx) => {
  const problem = uriProblem(value, kind);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The scopes a client may register (what every tenant's provider supports, claims scopes
 * included). API authorization is expressed with `permissions`, not with custom scopes. */
export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'address', 'phone', 'groups'] as const;
const ScopeList = z.string().max(1000).superRefine((value, ctx) => {
  const unknown = value.split(' ').filter((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (unknown.length) ctx.addIssue({ code: 'custom', message: `has unsupported scopes (${unknown.join(', ').slice(0, 200)}); supported: ${SUPPORTED_SCOPES.join(' ')}` });
});

// Checked by the guard's own parser, so an entry the guard would ignore (e.g. a pattern that
// escapes its anchoring) is refused here, where the admin sees why.
const Permission = z.string().max(1000).refine((value) => parsePermission(value) !== null,
  'must look like VERB::path-regex (e.g. GET::/api/items/[0-9]+), with a pattern that compiles on its own');

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) });

const ExternalIssuer = z.object({
  issuer: z.string().min(1).max(500),
  subject: z.string().min(1).max(500),
  /** The `aud` the external JWT must carry; default: the tenant issuer or the client_id. */
  audience: z.string().min(1).max(500).optional(),
  jwks_uri: uri('web').optional(),
  jwks: Jwks.optional(),
}).strict().refine((e) => !!e.jwks_uri !== !!e.jwks, 'needs exactly one of jwks_uri and jwks');

export const TokenExchangeSettings = z.object({
  audiences: z.array(z.string().min(1).max(200)).max(50).optional(),
  external: z.array(ExternalIssuer).max(20).optional(),
}).strict();

/** Schemas of Tessera's own metadata, also checked by the provider whenever it loads a client. */
export const EXTRA_METADATA_SCHEMAS: Record<(typeof EXTRA_CLIENT_METADATA)[number], z.ZodType> = {
  first_party: z.boolean(),
  claim_rules: ClaimRules,
  token_exchange: TokenExchangeSettings,
  permissions: z.array(Permission).max(200),
  access_token_ttl: ttl('access_token_ttl'),
  id_token_ttl: ttl('id_token_ttl'),
  refresh_token_ttl: ttl('refresh_token_ttl'),
  frontchannel_logout_uri: uri('web'),
};

const ALL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'token', 'code id_token', 'code token', 'code id_token token', 'none'] as const;

export const ClientInput = z.object({
  client_id: z.string().regex(CLIENT_ID, 'must be 3–200 URL-safe characters, not starting with "-"').optional(),
  client_secret: z.string().min(32, 'must be at least 32 characters').max(500).optional()
    .describe('Confidential clients only; 256 random bits when absent.'),
  client_name: z.string().min(1).max(200).optional(),
  public: z.boolean().optional().describe('A public client (SPA, native app): no secret, token_endpoint_auth_method none.'),
  token_endpoint_auth_method: z.enum(AUTH_METHODS).optional(),
  redirect_uris: z.array(uri('redirect')).max(20).optional(),
  post_logout_redirect_uris: z.array(uri('redirect')).max(20).optional(),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1).max(GRANT_TYPES.length).optional(),
  response_types: z.array(z.enum(ALL_RESPONSE_TYPES)).max(ALL_RESPONSE_TYPES.length).optional()
    .describe('A subset of what the grant types allow; all of it when absent.'),
  scope: ScopeList.optional().describe(`Space-separated scopes the client may ask for, of: ${SUPPORTED_SCOPES.join(' ')}.`),
  backchannel_logout_uri: uri('web').optional().describe('Where a signed logout token is POSTed when a session ends.'),
  frontchannel_logout_uri: uri('web').optional()
    .describe('OIDC Front-Channel Logout 1.0: loaded in an iframe (with iss and sid) when a session ends in the browser.'),
  logo_uri: uri('web').optional(),
  client_uri: uri('web').optional(),
  policy_uri: uri('web').optional(),
  tos_uri: uri('web').optional(),
  jwks_uri: uri('web').optional(),
  jwks: Jwks.optional(),
  id_token_signed_response_alg: z.enum(SIGNING_ALGS).optional()
    .describe('How ID tokens for this client are signed; RS256 when absent. Keys for ES384/ES512/PS384/PS512/RS384/RS512 are made when a client first asks for them.'),
  first_party: z.boolean().optional().describe('First-party clients are never asked for consent.'),
  claim_rules: ClaimRules.optional().describe('Ordered rename / add / remove rules applied to the claims the client receives.'),
  token_exchange: TokenExchangeSettings.optional()
    .describe('RFC 8693: audiences a user token may be exchanged for, external JWT issuers for service tokens.'),
  permissions: z.array(Permission).max(200).optional().describe('API rights carried by access tokens: VERB::path-regex.'),
  access_token_ttl: ttl('access_token_ttl').optional(),
  id_token_ttl: ttl('id_token_ttl').optional(),
  refresh_token_ttl: ttl('refresh_token_ttl').optional(),
}).strict();
export type ClientInput = z.input<typeof ClientInput>;

/** What the provider reads (snake_case oidc-provider metadata plus Tessera's properties). */
export type ClientMetadata = Record<string, unknown> & { client_id: string; client_secret?: string };


const IMPLICIT_TYPES = ['id_token', 'id_token token', 'token'];
const HYBRID_TYPES = ['code id_token', 'code token', 'code id_token token'];

export function responseTypesFor(grants: readonly string[]): string[] {
  const code = grants.includes('authorization_code');
  const implicit = grants.includes('implicit');
  if (code && implicit) return ['code', ...IMPLICIT_TYPES, ...HYBRID_TYPES, 'none'];
  if (implicit) return [...IMPLICIT_TYPES, 'none'];
  return code ? ['code'] : [];
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'client'} ${i.message}`).join('; ');
}

/** Validated provider metadata for `input` (with generated id/secret where absent).
 * @throws OidcClientInputError naming every problem. */
export function buildClientMetadata(input: unknown): ClientMetadata {
  const parsed = ClientInput.safeParse(input);
  if (!parsed.success) throw new OidcClientInputError(describe(parsed.error));
  const c = parsed.data;
  const method = c.token_endpoint_auth_method ?? (c.public ? 'none' : 'client_secret_basic');
  const isPublic = method === 'none';
  if (c.public && method !== 'none') throw new OidcClientInputError('a public client authenticates with "none"');
  if (isPublic && c.client_secret) throw new OidcClientInputError('a public client has no secret');
  const redirects = c.redirect_uris ?? [];
  const grants = [...new Set(c.grant_types ?? (redirects.length ? ['authorization_code', 'refresh_token'] : ['client_credentials']))];
  if (isPublic && grants.some((g) => g === 'client_credentials' || g === 'password' || g.endsWith(':token-exchange'))) {
    throw new OidcClientInputError('a public client cannot use client_credentials, the password grant or token exchange');
  }
  const allowedTypes = responseTypesFor(grants);
  const foreign = c.response_types?.filter((t) => !allowedTypes.includes(t)) ?? [];
  if (foreign.length) throw new OidcClientInputError(`response_types ${foreign.join(', ')} not allowed by the grant types`);
  const responseTypes = c.response_types ? [...new Set(c.response_types)] : allowedTypes;
  if (allowedTypes.length && responseTypes.length === 0) throw new OidcClientInputError('response_types must not be empty with authorization_code or implicit');
  if (responseTypes.length && redirects.length === 0) throw new OidcClientInputError('redirect_uris are required for authorization_code and implicit');
  if (method === 'private_key_jwt' && !c.jwks && !c.jwks_uri) throw new OidcClientInputError('private_key_jwt needs jwks or jwks_uri');
  if (c.token_exchange && !grants.some((g) => g.endsWith(':token-exchange'))) {
    throw new OidcClientInputError('token_exchange settings need the token-exchange grant type');
  }
  const native = redirects.some((u) => !/^https?:/.test(u));
  const usesSecret = method.startsWith('client_secret');
  const metadata: ClientMetadata = {
    client_id: c.client_id ?? newClientId(),
    ...(usesSecret ? { client_secret: c.client_secret ?? randomBytes(32).toString('base64url') } : {}),
    ...(c.client_name ? { client_name: c.client_name } : {}),
    application_type: native ? 'native' : 'web',
    token_endpoint_auth_method: method,
    grant_types: grants,
    response_types: responseTypes,
    redirect_uris: redirects,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    ...(c.scope ? { scope: c.scope } : {}),
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
    ...(c.frontchannel_logout_uri ? { frontchannel_logout_uri: c.frontchannel_logout_uri } : {}),
    ...(c.logo_uri ? { logo_uri: c.logo_uri } : {}),
    ...(c.client_uri ? { client_uri: c.client_uri } : {}),
    ...(c.policy_uri ? { policy_uri: c.policy_uri } : {}),
    ...(c.tos_uri ? { tos_uri: c.tos_uri } : {}),
    ...(c.jwks_uri ? { jwks_uri: c.jwks_uri } : {}),
    ...(c.jwks ? { jwks: c.jwks } : {}),
    ...(c.id_token_signed_response_alg ? { id_token_signed_response_alg: c.id_token_signed_response_alg } : {}),
    first_party: c.first_party ?? false,
    ...(c.claim_rules ? { claim_rules: c.claim_rules } : {}),
    ...(c.token_exchange ? { token_exchange: c.token_exchange } : {}),
    ...(c.permissions ? { permissions: c.permissions } : {}),
    ...(c.access_token_ttl ? { access_token_ttl: c.access_token_ttl } : {}),
    ...(c.id_token_ttl ? { id_token_ttl: c.id_token_ttl } : {}),
    ...(c.refresh_token_ttl ? { refresh_token_ttl: c.refresh_token_ttl } : {}),
  };
  return metadata;
}
