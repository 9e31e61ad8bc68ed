// Counts the token endpoint's grants (tessera_token_grants_total) from the provider's own events.
// The grant type is a label only when it is one the provider knows: any other value a client sends
// is counted as "other", so that a caller cannot grow the metric's label set.
import type Provider from 'oidc-provider';
import { tokenGrants } from '../../../core/infra/metrics.ts';

const KNOWN_GRANTS = new Set([
  'authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
]);

interface GrantContext { oidc?: { params?: { grant_type?: unknown } } }

function grantTypeOf(ctx: GrantContext): string {
  const type = ctx?.oidc?.params?.grant_type;
  return typeof type === 'string' && KNOWN_GRANTS.has(type) ? type : 'other';
}

export function countGrants(provider: Provider, tenant: string): void {
  provider.on('grant.success', (ctx: GrantContext) => tokenGrants.inc({ tenant, grant_type: grantTypeOf(ctx), outcome: 'success' }));
  provider.on('grant.error', (ctx: GrantContext) => tokenGrants.inc({ tenant, grant_type: grantTypeOf(ctx), outcome: 'error' }));
}
