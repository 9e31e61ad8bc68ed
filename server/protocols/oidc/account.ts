// Accounts and claims for a tenant's provider: findAccount (sub = the user's id; only active users
// exist for the provider, so a disabled user's refresh tokens and codes stop working), the
// scope → claims table, each client's claim rules, and the extra claims of access tokens.
// Rules:
// - Claims come from core/accounts/user-claims.ts; the provider releases only what the scopes (and the
//   claims parameter) ask for; then the client's `claim_rules` (core/oidc/claim-rules.ts) reshape what
//   was released, in the ID token and at userinfo alike. Rules run after the provider's filter
//   because a renamed or added claim is not in any scope and would otherwise be dropped: the first
//   findAccount of a provider puts a Claims class that applies them on it (findAccount always runs
//   before claims are built, so nothing is built without the rules).
// - Stored rules that no longer parse fail the request (server_error) rather than release claims
//   a rule was meant to remove.
// - Access tokens of the client itself (client credentials, or a token-exchange service principal)
//   carry the client's `permissions` (VERB::path-regex, for guard/resource-guard.ts); a token
//   exchange's `act` is kept.
// - A user's JWT access token for a resource (its audience) carries what the user's groups allow
//   there (core/oidc/group-permissions.ts): one claim per API as the groups name it, `permissions`
//   by default. Read when the token is issued: a change applies to the next token.
import type Provider from 'oidc-provider';
import type { Client, Configuration } from 'oidc-provider';
import { applyClaimRules, ClaimRules, type ClaimRule } from '../../../core/oidc/claim-rules.ts';
import { loadUserClaims, userClaimsOfRow } from '../../../core/accounts/user-claims.ts';
import { userPermissionClaims } from '../../../core/oidc/group-permissions.ts';
import type { OidcDeps } from './deps.ts';
import { takeAccountRow } from './request-accounts.ts';
import { isServicePrincipal } from './token-exchange.ts';

export const claimsConfig: NonNullable<Configuration['claims']> = {
  openid: ['sub'],
  profile: [
    'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
    'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  groups: ['groups'],
};

const rulesOfClient = new WeakMap<Client, readonly ClaimRule[]>();

/** The client's claim rules. @throws Error when the stored rules do not parse. */
function claimRulesOf(client: Client): readonly ClaimRule[] {
  let rules = rulesOfClient.get(client);
  if (!rules) {
    const parsed = ClaimRules.safeParse((client as unknown as Record<string, unknown>).claim_rules ?? []);
    if (!parsed.success) throw new Error(`client ${client.clientId} has invalid claim_rules`);
    rules = parsed.data;
    rulesOfClient.set(client, rules);
  }
  return rules;
}

const withRules = new WeakSet<Provider>();

function installClaimRules(provider: Provider, tenant: string): void {
  if (withRules.has(provider)) return;
  withRules.add(provider);
  class ClaimsWithRules extends provider.Claims {
    override async result() {
      const claims = await super.result();
      const { client } = this as unknown as { client: Client };
      const rules = claimRulesOf(client);
      return rules.length ? applyClaimRules(claims, rules, { tenant, clientId: client.clientId }) : claims;
    }
  }
  // An own property shadows the prototype's getter, which userinfo and ID tokens read.
  Object.defineProperty(provider, 'Claims', { value: ClaimsWithRules, configurable: true });
}

export function findAccount(deps: OidcDeps, tenant: string): NonNullable<Configuration['findAccount']> {
  return async (ctx, sub) => {
    if (ctx?.oidc?.provider) installClaimRules(ctx.oidc.provider, tenant);
    const held = takeAccountRow(tenant, sub);
    const user = held ? userClaimsOfRow(held) : await loadUserClaims(deps.db, tenant, sub);
    if (!user || user.status !== 'active') return undefined;
    return { accountId: sub, claims: async () => user.claims };
  };
}

function permissionsOf(client: Client | undefined): string[] | undefined {
  const value = (client as unknown as Record<string, unknown> | undefined)?.permissions;
  return Array.isArray(value) && value.every((p) => typeof p === 'string') ? value : undefined;
}

/** oidc-provider's `extraTokenClaims` for the tenant. */
export function extraTokenClaims(deps: OidcDeps, tenant: string): NonNullable<Configuration['extraTokenClaims']> {
  return async (_ctx, token) => {
    const claims: Record<string, unknown> = {};
    // Put on the token by the token-exchange grant before saving.
    const act = token.extra?.act;
    if (act && typeof act === 'object') claims.act = act;
    const ofClient = token.kind === 'ClientCredentials' || isServicePrincipal(token.accountId, token.clientId);
    const permissions = ofClient ? permissionsOf(token.client) : undefined;
    if (permissions) claims.permissions = permissions;
    const audience = (token as { resourceServer?: { audience?: unknown } }).resourceServer?.audience;
    if (!ofClient && token.accountId && typeof audience === 'string') {
      Object.assign(claims, await userPermissionClaims(deps.db, tenant, token.accountId, audience));
    }
    return Object.keys(claims).length ? claims : undefined;
  };
}
