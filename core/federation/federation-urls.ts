// The URLs of one upstream IdP on this side: where it sends the browser back, and (SAML) our SP
// entity id and metadata. One place, so the protocol adapters and the routes agree.
import type { UpstreamUrls } from './federation-types.ts';

export function upstreamUrls(publicUrl: string, tenant: string, alias: string): UpstreamUrls & { base: string } {
  const base = `${publicUrl}/t/${encodeURIComponent(tenant)}/federation/${encodeURIComponent(alias)}`;
  return { base, callback: `${base}/callback`, acs: `${base}/acs`, spEntityId: `${base}/metadata`, spMetadata: `${base}/metadata` };
}
