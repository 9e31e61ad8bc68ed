// The provider's `claimsParameter.assertClaimsParameter`: what a relying party may ask for with
// the OIDC `claims` request parameter. Rules:
// - members of `userinfo` and `id_token` are null or objects (the provider's own check), else
//   invalid_request;
// - a claim that belongs to scopes is kept only when the client may use one of those scopes (its
//   registered `scope`; a client that registered none may use every scope): the claims parameter
//   never reaches further than the scope parameter could. Claims outside every scope (acr, amr,
//   auth_time, sid, iss) stay requestable. Anything else is dropped, silently, as OIDC lets a
//   provider do with claims it will not release;
// - what is kept is what the rest of the request (consent included) sees: the request's `claims`
//   parameter is rewritten before the provider reads it further.
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** scope → its claims, and claims of no scope as `claim: null` (the provider's `claims` setting). */
export type ClaimsTable = Record<string, readonly string[] | null>;

type ClaimsParameter = Record<string, unknown>;

const CONTAINERS = ['userinfo', 'id_token'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The scopes each claim belongs to, and the claims that belong to none. */
function indexClaims(table: ClaimsTable): { scopesOf: Map<string, string[]>; standalone: Set<string> } {
  const scopesOf = new Map<string, string[]>();
  const standalone = new Set<string>();
  for (const [key, value] of Object.entries(table)) {
    if (value === null) {
      standalone.add(key);
      continue;
    }
    for (const claim of value) scopesOf.set(claim, [...(scopesOf.get(claim) ?? []), key]);
  }
  return { scopesOf, standalone };
}

/** `claims` with only what a client allowed `allowedScopes` (undefined: every scope) may ask for. */
export function limitClaims(claims: ClaimsParameter, table: ClaimsTable, allowedScopes: ReadonlySet<string> | undefined): ClaimsParameter {
  const { scopesOf, standalone } = indexClaims(table);
  const covered = (claim: string) => standalone.has(claim)
    || (scopesOf.get(claim) ?? []).some((scope) => allowedScopes === undefined || allowedScopes.has(scope));
  const limited: ClaimsParameter = { ...claims };
  for (const container of CONTAINERS) {
    const members = claims[container];
    if (!isObject(members)) continue;
    limited[container] = Object.fromEntries(Object.entries(members).filter(([claim]) => covered(claim)));
  }
  return limited;
}

/** @throws errors.InvalidRequest when a member of `userinfo` or `id_token` is neither null nor an object. */
export function assertClaimsParameter(table: ClaimsTable) {
  return async (ctx: KoaContextWithOIDC, claims: ClaimsParameter, client: { scope?: string }): Promise<void> => {
    for (const container of CONTAINERS) {
      const members = claims[container];
      if (!isObject(members)) continue;
      for (const value of Object.values(members)) {
        if (value !== null && !isObject(value)) throw new errors.InvalidRequest(`claims.${container} members must be null or objects`);
      }
    }
    const allowed = client.scope ? new Set(client.scope.split(' ').filter(Boolean)) : undefined;
    const limited = limitClaims(claims, table, allowed);
    if (JSON.stringify(limited) !== JSON.stringify(claims)) ctx.oidc.params!.claims = JSON.stringify(limited);
  };
}

export type AssertClaimsParameter = NonNullable<NonNullable<NonNullable<Configuration['features']>['claimsParameter']>['assertClaimsParameter']>;
