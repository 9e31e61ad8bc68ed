// The one way other files reach a tenant's provider (built and cached by provider-cache.ts).
import type Provider from 'oidc-provider';

/** The tenant's provider, built on first use and rebuilt when its keys change. */
export type ProviderFor = (tenant: string) => Promise<Provider>;
