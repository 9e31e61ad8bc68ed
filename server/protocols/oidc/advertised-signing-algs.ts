// Discovery advertises every ID token signing algorithm a client may ask for
// (core/oidc/signing-keys.ts SIGNING_ALGS), not only those the tenant has keys for yet: keys for
// ES384/ES512/PS384/PS512/RS384/RS512 are made when a client first asks for one
// (core/oidc/oidc-clients.ts, before the client is saved; the provider is then rebuilt with it).
// oidc-provider derives the list from the keys it was built with (initialize_keystore.js), and the
// same list is what its client schema accepts, so it is completed here once the provider is built,
// as plain-token-response.ts does for response types.
// @ts-expect-error oidc-provider's internal helper has no type declarations
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import type Provider from 'oidc-provider';
import { SIGNING_ALGS } from '../../../core/oidc/signing-keys.ts';

export function advertiseAllSigningAlgs(provider: Provider): void {
  const configuration = (instance as (p: Provider) => { configuration?: { idTokenSigningAlgValues?: string[] } })(provider)?.configuration;
  const algs = configuration?.idTokenSigningAlgValues;
  if (!Array.isArray(algs)) throw new Error('oidc-provider internals changed: cannot advertise the signing algorithms');
  for (const alg of SIGNING_ALGS) if (!algs.includes(alg)) algs.push(alg);
}
