// response_type=token (OAuth 2.0 implicit without an ID token). The issue asks for every
// response_type combination; oidc-provider 9 still implements `token` (process_response_types.js
// tokenHandler, scopes/nonce checks) but its configuration check refuses to list it alone. So the
// provider is built with the other seven and `token` is added to the same list afterwards, which
// is what discovery, the authorization endpoint and the client metadata schema all read.
// @ts-expect-error oidc-provider's internal helper has no type declarations
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import type Provider from 'oidc-provider';

export function allowPlainTokenResponse(provider: Provider): void {
  const types: string[] | undefined = (instance as (p: Provider) => { configuration?: { responseTypes?: string[] } })(provider)?.configuration?.responseTypes;
  if (!Array.isArray(types)) throw new Error('oidc-provider internals changed: cannot enable response_type=token');
  if (!types.includes('token')) types.push('token');
}
