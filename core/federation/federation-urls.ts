// The URLs of one upstream IdP on this side: where it sends the browser back, and (SAML) our SP
// entity id and metadata, and where it returns after a logout. One place, so the protocol adapters and the routes agree.
import type { UpstreamUrls } from './federation-types.ts';

export function upstreamUrls(publicUrl: string, tenant: string, alias: string): UpstreamUrls & { base: string; loggedOut: string; slo: string } {
  const base = `${publicUrl}/t/${encodeURIComponent(tenant)}/federation/${encodeURIComponent(alias)}`;
  return {
    base, callback: `${base}/callback`, acs: `${base}/acs`, spEntityId: `${base}/metadata`, spMetadata: `${base}/metadata`,
    // Where the upstream sends the browser back after a logout there: OIDC post_logout_redirect_uri, SAML SP SLO.
    loggedOut: `${base}/logged-out`, slo: `${base}/slo`,
  };
}
