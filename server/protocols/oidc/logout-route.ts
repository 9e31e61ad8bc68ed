// RP-initiated logout, finished here: either confirmed (the provider's logout page posts with the
// xsrf token the provider keeps in its session) or, without a page, after an id_token_hint of this
// very session (logout-source.ts marks the provider's session state `hinted`; GET). Rules: a
// missing or wrong token, or a GET without the mark, changes nothing (a page says so); otherwise
// the core SSO session ends (back-channel logout workflow started, row revoked, cookie cleared)
// and the provider session with it (grants revoked but those that persist logout), then the
// browser goes to the post_logout_redirect_uri the provider validated against the client's
// registered ones (with `state`), or to the provider's signed-out page — through the front-channel
// logout page first when clients of the session registered a frontchannel_logout_uri, then through
// the session's SAML SPs (a signed LogoutRequest to each, saml/slo-relay.ts) and the upstream
// IdP's logout when the session was federated (server/upstream-logout.ts). The token
// and the mark come from the provider's own session: never from the request.
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type Provider from 'oidc-provider';
import { logOut } from '../../sso-logout.ts';
import { currentSession } from '../../sso-session.ts';
import { relayAfterLogout } from '../saml/slo-relay.ts';
import type { OidcDeps } from './deps.ts';
import { frontchannelTargets, sendFrontchannelPage } from './frontchannel-logout.ts';
import { messagePageHtml, sendPage as page } from './page.ts';
import { issuerFor } from './provider-config.ts';
import { endProviderSession, loadProviderSession, type ProviderSession } from './provider-session.ts';
import type { ProviderFor } from './provider-types.ts';

interface LogoutState { secret?: string; postLogoutRedirectUri?: string; state?: string; clientId?: string; hinted?: boolean }

function sameText(a: string, b: unknown): boolean {
  return typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

async function finishLogout(deps: OidcDeps, provider: Provider, session: ProviderSession, state: LogoutState, req: Request, res: Response): Promise<void> {
  const tenant = req.tenant!.id;
  const core = await currentSession(deps.db, req, tenant, deps.cookies);
  // Read before the session ends: the back-channel workflow forgets the clients it notified.
  const frontchannel = core ? await frontchannelTargets(deps.db, tenant, issuerFor(deps.config.publicUrl, tenant), core.ssoId) : [];
  await logOut({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, cookies: deps.cookies }, req, res, tenant);
  await endProviderSession(provider, session);
  const target = state.postLogoutRedirectUri ? new URL(state.postLogoutRedirectUri) : undefined;
  if (target && state.state !== undefined) target.searchParams.set('state', state.state);
  const after = target?.href ?? `/t/${tenant}/oidc/session/end/success`;
  // The session's SAML SPs, then the upstream IdP of a federated session, then `after`.
  const next = (core && await relayAfterLogout(deps.db, deps.config, tenant, core.ssoId, after)) || after;
  if (frontchannel.length) return sendFrontchannelPage(res, tenant, frontchannel, next);
  res.redirect(303, next);
}

const expired = (res: Response, tenant: string) =>
  page(res, 400, messagePageHtml(tenant, 'This sign-out request has expired', 'Go back to the application and sign out again.'));

export function confirmLogout(deps: OidcDeps, providerFor: ProviderFor): RequestHandler {
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const provider = await providerFor(tenant);
    const session = await loadProviderSession(provider, req, res);
    const state = session.state as LogoutState | undefined;
    if (!state?.secret || !sameText(state.secret, req.body?.xsrf)) return expired(res, tenant);
    await finishLogout(deps, provider, session, state, req, res);
  };
}

/** GET: the logout an id_token_hint of this session asked for (marked by logout-source.ts). */
export function hintedLogout(deps: OidcDeps, providerFor: ProviderFor): RequestHandler {
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const provider = await providerFor(tenant);
    const session = await loadProviderSession(provider, req, res);
    const state = session.state as LogoutState | undefined;
    if (!state?.secret || state.hinted !== true) return expired(res, tenant);
    await finishLogout(deps, provider, session, state, req, res);
  };
}
