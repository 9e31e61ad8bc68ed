// Logout at the upstream IdP when a federated session ends (issue 13): the browser, once signed out
// here, is sent to the upstream that signed it in, which sends it back to where the logout was
// going. Rules:
// - what the upstream needs comes from core/federation/upstream-sessions.ts, taken once (a second
//   logout does not go upstream again), never from the request, never logged;
// - OIDC: RP-initiated logout at the end_session_endpoint discovery gave at sign-in, with the
//   upstream's ID token as id_token_hint, our /federation/{alias}/logged-out as
//   post_logout_redirect_uri (to be registered upstream) and a single-use state;
// - SAML: a LogoutRequest (NameID, SessionIndex) signed on the Redirect binding to the IdP's SLO
//   service from its metadata, with a single-use RelayState; the IdP answers at our SP SLO endpoint;
// - an IdP that is gone, disabled, or offers no logout endpoint: nothing upstream, on to `next`.
import type { Db } from '../core/infra/db.ts';
import type { Config } from '../core/infra/config.ts';
import { upstreamUrls } from '../core/federation/federation-urls.ts';
import { getIdp } from '../core/federation/identity-providers.ts';
import { takeUpstreamSession } from '../core/federation/upstream-sessions.ts';
import { saveUpstreamReturn } from '../core/saml/logout-relays.ts';
import { tenantSamlCredentials } from '../core/saml/saml-credentials.ts';
import { idpMetadata } from '../activities/federation/saml-idp-metadata.ts';
import { logoutRequestXml, newSamlId, signedRedirectUrl } from './protocols/saml/slo-messages.ts';

/**
 * Where the browser goes to end the upstream session of this session family, coming back to
 * `next` afterwards; undefined when there is nothing to end upstream.
 */
export async function upstreamLogoutUrl(db: Db, config: Config, tenant: string, ssoId: string, next: string): Promise<string | undefined> {
  const session = await takeUpstreamSession(db, tenant, ssoId);
  if (!session) return undefined;
  const idp = await getIdp(db, tenant, session.idp);
  if (!idp?.enabled) return undefined;
  const urls = upstreamUrls(config.publicUrl, tenant, idp.alias);
  const { data } = session;
  if (idp.kind === 'oidc' && idp.oidc && data.idToken && data.endSessionEndpoint) {
    const url = URL.parse(data.endSessionEndpoint);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
    const state = await saveUpstreamReturn(db, tenant, { upstream: { idp: idp.alias, next } });
    url.searchParams.set('id_token_hint', data.idToken);
    url.searchParams.set('post_logout_redirect_uri', urls.loggedOut);
    url.searchParams.set('client_id', idp.oidc.clientId);
    url.searchParams.set('state', state);
    return url.href;
  }
  if (idp.kind === 'saml' && idp.saml && data.nameId) {
    const slo = idpMetadata(idp.saml.metadata).sloRedirectUrl;
    if (!slo) return undefined;
    const requestId = newSamlId();
    const relayState = await saveUpstreamReturn(db, tenant, { upstream: { idp: idp.alias, requestId, next } });
    const xml = logoutRequestXml({
      id: requestId, issuer: urls.spEntityId, destination: slo, nameId: data.nameId,
      nameIdFormat: data.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', sessionIndex: data.sessionIndex,
    });
    return signedRedirectUrl(slo, 'SAMLRequest', xml, relayState, await tenantSamlCredentials(db, tenant));
  }
  return undefined;
}
