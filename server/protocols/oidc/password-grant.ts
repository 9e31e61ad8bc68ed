// The resource owner password credentials grant (RFC 6749 §4.3, grant_type=password), for the
// clients that opt in by listing `password` in their grant_types (never by default; confidential
// clients only, core/oidc/oidc-client-metadata.ts). The provider answers unauthorized_client to
// every other client before this runs.
// Rules:
// - The password is checked by the client's login tree, run as a journey like any sign-in (the
//   tree of the first of the client's default_acr_values some tree achieves, else `login`): the
//   same modules, throttling, lockout, account status and audit as in a browser. The journey is
//   walked without a user: a form step that asks only for the username and/or the password gets
//   them (hidden fields keep their value); anything else (a one-time code, a captcha, a passkey,
//   a choice, the password asked again after a wrong one) ends the walk with invalid_grant and a
//   description saying why. The abandoned journey expires on its own (short idle timeout).
// - Success issues what the authorization code flow would: an access token (opaque for userinfo,
//   or a JWT for one `resource`), an ID token with `openid`, a refresh token with
//   `offline_access` when the client may refresh; scopes are those requested within the client's
//   registered ones. The grant is recorded like any other (revocation, refresh).
// - Nothing of the password reaches logs or errors; the journey's history is encrypted (codec).
// - A client that has not opted in gets unauthorized_client (RFC 6749 §5.2). oidc-provider answers
//   invalid_request for a grant type a client may not use (lib/actions/token.js
//   allowedGrantTypeCheck); that step is wrapped, once per process, to answer unauthorized_client
//   for this grant type (other grant types keep the provider's answer).
// - A grant starts a journey like a browser's sign-in does, so the same start policy
//   (server/api/journeys/start-policy.ts: the tree must be one a login journey may run) and the
//   same journey-start limits per address and per tenant apply (journey-start-limits.ts); over a
//   limit the answer is 429 with Retry-After and the OAuth error `rate_limited`, before any journey
//   starts; a tree the policy refuses is invalid_grant saying why.
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
// @ts-expect-error oidc-provider's internal modules have no type declarations
import tokenEndpoint from 'oidc-provider/lib/actions/token.js';
// @ts-expect-error oidc-provider's internal modules have no type declarations
import { issueIdToken } from 'oidc-provider/lib/helpers/grant_common.js';
import type { JourneySnapshot } from '../../../core/journeys/journey-types.ts';
import { ensureDefaultTree } from '../../../core/journeys/trees.ts';
import { ipBucket } from '../../../core/accounts/throttle.ts';
import { HttpError } from '../../http-error.ts';
import { newJourneyId } from '../../api/journeys/journey-client.ts';
import { checkJourneyStart } from '../../api/journeys/start-policy.ts';
import { enforceLimits, RateLimited } from '../../middleware/journey-start-limits.ts';
import { findAccount } from './account.ts';
import { sharedAcrTrees } from './acr-trees.ts';
import type { OidcDeps } from './deps.ts';
import { resourceIndicators } from './resource-policy.ts';

export const PASSWORD_GRANT = 'password';
const PARAMETERS = ['username', 'password', 'scope', 'resource'];
const MAX_STEPS = 8;
const IDLE_MS = 60_000;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const invalidGrant = (description: string) => new errors.CustomOIDCProviderError('invalid_grant', description);
const NEEDS_MORE = 'this sign-in needs more than a username and password (e.g. a one-time code or a captcha): use the authorization code flow';

function param(ctx: KoaContextWithOIDC, name: string, max: number): string {
  const value = ctx.oidc.params?.[name];
  if (typeof value !== 'string' || value === '') throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  if (value.length > max || CONTROL.test(value)) throw new errors.InvalidRequest(`${name} is invalid`);
  return value;
}

/** The answers to a form step, or undefined when the step asks for something else. */
function answers(snapshot: JourneySnapshot, credentials: { username: string; password: string }, given: Set<string>): Record<string, string> | undefined {
  const step = snapshot.view.step;
  if (!step || step.type !== 'form' || !step.fields?.length) return undefined;
  const values: Record<string, string> = {};
  for (const field of step.fields) {
    if (field.name === 'username' || field.name === 'password') {
      // Asked again: the previous answer was refused (wrong password, unknown account).
      if (given.has(field.name) && field.type !== 'hidden') throw invalidGrant('invalid username or password');
      values[field.name] = field.type === 'hidden' && field.value !== undefined ? String(field.value) : credentials[field.name];
    } else if (field.type === 'hidden' && field.value !== undefined) {
      values[field.name] = String(field.value);
    } else if (field.required) {
      return undefined;
    }
  }
  return values;
}

/** Counts the journey start against the address and the tenant. @throws a 429 rate_limited error past a limit. */
async function countStart(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string): Promise<void> {
  try {
    await enforceLimits(deps.db, tenant, [['journeyStartsPerAddress', ipBucket(ctx.ip)], ['journeyStartsPerTenant', '*']]);
  } catch (err) {
    if (!(err instanceof RateLimited)) throw err;
    ctx.set('Retry-After', String(err.retryAfterS));
    throw Object.assign(new errors.OIDCProviderError(429, 'rate_limited'), {
      error_description: `too many sign-ins were started from here or for this service; try again in ${err.retryAfterS} s`,
    });
  }
}

/** The journey-start policy's verdict on `tree`, with its tree snapshot. @throws InvalidGrant when refused. */
async function checkStart(deps: OidcDeps, tenant: string, tree: string) {
  try {
    return await checkJourneyStart(deps.db, tenant, 'login', tree);
  } catch (err) {
    if (err instanceof HttpError && err.status < 500) throw invalidGrant(`this client's sign-in cannot run: ${err.message}`);
    throw err;
  }
}

/** Walks the journey to its end. @returns the signed-in user's AuthResult. @throws InvalidGrant. */
async function signIn(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string, tree: string, credentials: { username: string; password: string }) {
  await countStart(ctx, deps, tenant);
  const bundle = await checkStart(deps, tenant, tree);
  const binding = randomBytes(32).toString('base64url');
  const id = newJourneyId();
  let snapshot = await deps.journeys.start({
    id, tenant, kind: 'login', tree, binding, idleTimeoutMs: IDLE_MS, bundle,
    request: {
      ip: ctx.ip, userAgent: ctx.get('user-agent')?.slice(0, 300),
      authRequest: { clientId: ctx.oidc.client!.clientId, ...(ctx.oidc.client!.clientName ? { clientName: ctx.oidc.client!.clientName } : {}) },
    },
  });
  const given = new Set<string>();
  for (let i = 0; i < MAX_STEPS && snapshot.view.status === 'waiting'; i += 1) {
    const values = answers(snapshot, credentials, given);
    if (!values) throw invalidGrant(NEEDS_MORE);
    for (const name of Object.keys(values)) given.add(name);
    try {
      snapshot = await deps.journeys.submit(tenant, id, binding, snapshot.view.step!.id, values);
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) throw invalidGrant('invalid username or password');
      throw err;
    }
  }
  if (snapshot.view.status === 'waiting') throw invalidGrant(NEEDS_MORE);
  if (snapshot.view.status !== 'succeeded' || !snapshot.result) throw invalidGrant('invalid username or password, or the account cannot sign in');
  return snapshot.result;
}

async function treeOf(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string): Promise<string> {
  const acrs = (ctx.oidc.client as unknown as { defaultAcrValues?: string[] }).defaultAcrValues ?? [];
  const tree = (await sharedAcrTrees(deps.db).treeFor(tenant, acrs))?.tree ?? 'login';
  if (!(await ensureDefaultTree(deps.db, tenant, tree))) throw new Error(`tenant has no tree "${tree}"`);
  return tree;
}

async function passwordGrant(ctx: KoaContextWithOIDC, deps: OidcDeps, tenant: string): Promise<void> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client!;
  if (client.clientAuthMethod === 'none') throw new errors.UnauthorizedClient('the password grant requires an authenticated client');
  const credentials = { username: param(ctx, 'username', 254), password: param(ctx, 'password', 1024) };
  const allowed = new Set(client.scope?.split(' ') ?? ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
  const requested = (typeof ctx.oidc.params?.scope === 'string' ? ctx.oidc.params.scope : 'openid').split(' ').filter(Boolean);
  const extra = requested.filter((s) => !allowed.has(s) && s !== 'openid');
  if (extra.length) throw new errors.InvalidScope('requested scope is not allowed for this client', extra.join(' '));
  const resource = ctx.oidc.params?.resource;
  if (Array.isArray(resource)) throw new errors.InvalidTarget('an access token is for one resource at a time: send one resource parameter');

  const result = await signIn(ctx, deps, tenant, await treeOf(ctx, deps, tenant), credentials);
  const account = await findAccount(deps, tenant)(ctx, result.subject);
  if (!account) throw invalidGrant('invalid username or password, or the account cannot sign in');
  ctx.oidc.entity('Account', account);

  const scopes = new Set(requested);
  const scope = [...scopes].join(' ');
  const grant = new provider.Grant({ accountId: result.subject, clientId: client.clientId });
  grant.addOIDCScope(scope);
  let resourceServer;
  if (typeof resource === 'string' && resource) {
    const info = await resourceIndicators(deps.db, tenant, provider.issuer).getResourceServerInfo!(ctx, resource, client);
    resourceServer = new provider.ResourceServer(resource, info);
    grant.addResourceScope(resource, scope);
  }
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);

  const at = new provider.AccessToken({ accountId: result.subject, client, grantId, gty: PASSWORD_GRANT } as never);
  if (resourceServer) {
    at.resourceServer = resourceServer;
    at.scope = grant.getResourceScopeFiltered(resource as string, [...scopes].filter((s) => resourceServer.scopes.has(s)));
  } else {
    at.scope = grant.getOIDCScopeFiltered(scopes);
  }
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  const source = {
    accountId: result.subject, acr: result.acr, amr: result.amr, authTime: result.authTime, scope, scopes, grantId,
  };
  let refreshToken: string | undefined;
  if (scopes.has('offline_access') && client.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({ ...source, client, gty: PASSWORD_GRANT, rotations: 0 } as never);
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }
  const idToken = await issueIdToken(provider, ctx, source, at, grant);
  ctx.body = {
    access_token: accessToken, expires_in: at.expiration, token_type: at.tokenType, scope: at.scope || undefined,
    ...(idToken ? { id_token: idToken } : {}), ...(refreshToken ? { refresh_token: refreshToken } : {}),
  };
}

type Middleware = ((ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>) & { wrapped?: true };

function answerUnauthorizedClient(stack: Middleware[]): void {
  const at = stack.findIndex((m) => m.name === 'allowedGrantTypeCheck');
  if (at === -1) {
    if (stack.some((m) => m.wrapped)) return;
    throw new Error('oidc-provider internals changed: cannot find the token endpoint\'s grant type check');
  }
  const original = stack[at]!;
  const wrapped: Middleware = async (ctx, next) => {
    if (ctx.oidc.params?.grant_type === PASSWORD_GRANT && !ctx.oidc.client?.grantTypeAllowed(PASSWORD_GRANT)) {
      throw new errors.UnauthorizedClient('this client may not use the password grant');
    }
    return original(ctx, next);
  };
  wrapped.wrapped = true;
  stack[at] = wrapped;
}

answerUnauthorizedClient(tokenEndpoint as Middleware[]);

export function registerPasswordGrant(provider: Provider, deps: OidcDeps, tenant: string): void {
  provider.registerGrantType(PASSWORD_GRANT, (ctx) => passwordGrant(ctx, deps, tenant), PARAMETERS);
}
