// The parts of a tenant's oidc-provider configuration that connect it to journeys, the core SSO
// session, consent, logout and the device flow (merged by provider-config.ts over its own):
// - interactions: at /t/T/oidc/interaction/<uid> (interaction-routes.ts), with Tessera's policy
//   (interaction-policy.ts: acr_values, login_hint, select_account);
// - loadExistingGrant: first-party clients skip consent, third-party consent is remembered, and
//   each signed-in client is recorded for back-channel logout (existing-grant.ts);
// - RP-initiated logout (logout-source.ts: no confirmation for an id_token_hint of this session)
//   and device flow pages (provider-pages.ts); wrong user codes are counted for the device code
//   throttle (device-code-throttle.ts);
// - back-channel logout: enabled so that clients may register backchannel_logout_uri and ID
//   tokens carry `sid`; the provider itself never delivers logout tokens here, since logout goes
//   through the interaction routes, which end the core session and start the back-channel
//   logout workflow (retries, audit) instead of the provider's one-shot delivery.
import type { Request } from 'express';
import type { Configuration } from 'oidc-provider';
import { recordWrongUserCode } from './device-code-throttle.ts';
import type { OidcDeps } from './deps.ts';
import { loadExistingGrant } from './existing-grant.ts';
import { interactionPolicyFor } from './interaction-policy.ts';
import { logoutSourceFor } from './logout-source.ts';
import {
  deviceSuccessSource, postLogoutSuccessSource, userCodeConfirmSource, userCodeInputSource,
} from './provider-pages.ts';

/**
 * What the journey achieved goes into every ID token (the `openid` scope's claims; oidc-provider
 * releases top-level claims only when asked for with the claims parameter): acr, amr, auth_time.
 * `sid` (the per-client session id that back-channel logout tokens name) is added by the provider
 * for clients with a backchannel_logout_uri. Merged over the scope → claims table (account.ts).
 */
const SESSION_CLAIMS = { openid: ['sub', 'acr', 'amr', 'auth_time'], acr: null, amr: null, auth_time: null, sid: null, iss: null };

/**
 * ACRs advertised in discovery (and allowed as a client's default_acr_values): those of the
 * default trees. A tenant tree with an ACR of its own works the same (acr_values selects it and
 * the ID token names it); the provider keeps `acr` in ID tokens only when this list is not empty.
 */
export const ADVERTISED_ACRS = ['urn:tessera:acr:password', 'urn:tessera:acr:mfa', 'urn:tessera:acr:passkey', 'urn:tessera:acr:email'];

/** Where the provider sends the browser when it needs the user. */
export const interactionPath = (tenant: string, uid: string) => `/t/${tenant}/oidc/interaction/${uid}`;

/** Configuration merged (deeply, for `features`) into the provider configuration of `tenant`. */
export function providerHooks(deps: OidcDeps, tenant: string): Partial<Configuration> {
  return {
    interactions: {
      url: (_ctx, interaction) => interactionPath(tenant, interaction.uid),
      policy: interactionPolicyFor(deps, tenant),
    },
    loadExistingGrant: loadExistingGrant(deps, tenant) as Configuration['loadExistingGrant'],
    claims: SESSION_CLAIMS,
    acrValues: ADVERTISED_ACRS,
    // OIDC Front-Channel Logout 1.0 is Tessera's own (frontchannel-logout.ts): the provider dropped it.
    discovery: { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true },
    features: {
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: logoutSourceFor(deps, tenant),
        postLogoutSuccessSource: postLogoutSuccessSource(tenant),
      },
      backchannelLogout: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: userCodeInputSource(tenant, (ctx) => recordWrongUserCode(deps.db, tenant, (ctx.req as unknown as Request).ip)),
        userCodeConfirmSource: userCodeConfirmSource(tenant) as never,
        successSource: deviceSuccessSource(tenant),
      },
    },
  };
}
