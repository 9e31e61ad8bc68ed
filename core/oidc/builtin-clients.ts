// Tessera's own consoles as OIDC clients every tenant has without registering them: the admin
// console (`tessera-admin`, at {PUBLIC_URL}/admin/) and the account console (`tessera-account`,
// at {PUBLIC_URL}/t/{tenant}/account/). Public clients (PKCE), first-party (no consent page),
// code flow only, with redirect URIs computed from PUBLIC_URL, so they follow a moved deployment.
// Rules: their ids are reserved (a registered client cannot take them); they exist in every tenant
// and cannot be edited or deleted; tokens they get are worth nothing without a role (admin API)
// or beyond the user's own account (account API).
import type { ClientMetadata } from './oidc-client-metadata.ts';

export const ADMIN_CONSOLE_CLIENT = 'tessera-admin';
export const ACCOUNT_CONSOLE_CLIENT = 'tessera-account';

export const isBuiltinClientId = (id: string) => id === ADMIN_CONSOLE_CLIENT || id === ACCOUNT_CONSOLE_CLIENT;

export const adminConsoleUrl = (publicUrl: string) => `${publicUrl}/admin/`;
export const accountConsoleUrl = (publicUrl: string, tenant: string) => `${publicUrl}/t/${tenant}/account/`;

/** The metadata of a built-in client of `tenant`, or undefined for any other id. */
export function builtinClient(publicUrl: string, tenant: string, id: string): ClientMetadata | undefined {
  const home = id === ADMIN_CONSOLE_CLIENT ? adminConsoleUrl(publicUrl) : id === ACCOUNT_CONSOLE_CLIENT ? accountConsoleUrl(publicUrl, tenant) : undefined;
  if (!home) return undefined;
  return {
    client_id: id,
    client_name: id === ADMIN_CONSOLE_CLIENT ? 'Tessera admin console' : 'Your account',
    token_endpoint_auth_method: 'none',
    first_party: true,
    redirect_uris: [home],
    post_logout_redirect_uris: [home],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid profile email',
  } as ClientMetadata;
}
