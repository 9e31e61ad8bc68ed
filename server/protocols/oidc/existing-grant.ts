// The provider's `loadExistingGrant`: which Grant an authorization request of a signed-in user
// starts from, which decides whether the consent prompt runs. Rules:
// - the grant this session (or the consent just given) holds for the client, if any;
// - first-party clients (metadata first_party) get everything they request: no consent, ever;
// - third-party clients get what the user allowed them before (consent-store.ts), per scope,
//   claim and resource scope: consent asks only for what is new.
// It also runs on every authorization of a signed-in user, SSO included, so it records which
// relying parties the core SSO session signed in to, with the `sid` each gets (the provider's
// per-client session id, which ID tokens and logout tokens carry): what back-channel logout
// notifies when the session ends.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Request } from 'express';
import { recordSessionClient } from '../../../core/oidc/session-clients.ts';
import type { OidcDeps } from './deps.ts';
import { findConsent, type Consent } from './consent-store.ts';
import { coreSessionOf } from './request-session.ts';

/** Claims the consent prompt never asks about (oidc-provider's op_claims_missing check). */
const ALWAYS_ALLOWED_CLAIMS = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss']);

type Grant = InstanceType<KoaContextWithOIDC['oidc']['provider']['Grant']>;

/** What the request asks for: OIDC scopes, claims, and scopes per resource server. */
export function requested(ctx: KoaContextWithOIDC): Consent {
  const { oidc } = ctx;
  const resources: Record<string, string[]> = {};
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    const scopes = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
    if (scopes.length) resources[indicator] = scopes;
  }
  return {
    scopes: [...oidc.requestParamOIDCScopes],
    claims: [...oidc.requestParamClaims].filter((claim) => !ALWAYS_ALLOWED_CLAIMS.has(claim)),
    resources,
  };
}

/** Adds to `grant` what `allowed` covers of `wanted`; true when anything was added. */
function extend(grant: Grant, wanted: Consent, allowed: Consent | 'all'): boolean {
  const allows = (list: (c: Consent) => readonly string[], value: string) => allowed === 'all' || list(allowed).includes(value);
  const scopes = new Set(grant.getOIDCScope().split(' '));
  const newScopes = wanted.scopes.filter((s) => !scopes.has(s) && allows((c) => c.scopes, s));
  const claims = new Set(grant.getOIDCClaims());
  const newClaims = wanted.claims.filter((c) => !claims.has(c) && allows((a) => a.claims, c));
  if (newScopes.length) grant.addOIDCScope(newScopes);
  if (newClaims.length) grant.addOIDCClaims(newClaims);
  let changed = newScopes.length > 0 || newClaims.length > 0;
  for (const [indicator, wantedScopes] of Object.entries(wanted.resources)) {
    const held = new Set(grant.getResourceScope(indicator).split(' '));
    const add = wantedScopes.filter((s) => !held.has(s) && allows((c) => c.resources[indicator] ?? [], s));
    if (add.length) {
      grant.addResourceScope(indicator, add.join(' '));
      changed = true;
    }
  }
  return changed;
}

async function recordClient(deps: OidcDeps, tenant: string, ctx: KoaContextWithOIDC): Promise<void> {
  const { session, client } = ctx.oidc;
  const core = await coreSessionOf(deps.db, ctx.req as Request, tenant, deps.cookies);
  if (!session?.accountId || !client || core?.userId !== session.accountId) return;
  session.ensureClientContainer(client.clientId);
  await recordSessionClient(deps.db, {
    tenant, ssoId: core.ssoId, clientId: client.clientId, sid: session.sidFor(client.clientId)!, userId: session.accountId,
  });
}

export function loadExistingGrant(deps: OidcDeps, tenant: string) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { oidc } = ctx;
    const client = oidc.client!;
    const accountId = oidc.session!.accountId!;
    await recordClient(deps, tenant, ctx);
    const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    // A grant of another account or client (a switched user) is not this request's.
    if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;
    const firstParty = (client as unknown as { first_party?: boolean }).first_party === true;
    const remembered = firstParty ? undefined : await findConsent(deps.db, tenant, accountId, client.clientId);
    if (!firstParty && !remembered) return grant;
    grant ??= new oidc.provider.Grant({ accountId, clientId: client.clientId });
    if (extend(grant, requested(ctx), firstParty ? 'all' : remembered!) || !grant.jti) await grant.save();
    return grant;
  };
}
