// RP-initiated logout, confirmed: the provider's logout page (provider-pages.ts) posts here with
// the xsrf token the provider keeps in its session. Rules: a missing or wrong token changes
// nothing (a page says so); otherwise the core SSO session ends (back-channel logout workflow
// started, row revoked, cookie cleared) and the provider session with it (grants revoked but those
// that persist logout), then the browser goes to the post_logout_redirect_uri the provider
// validated against the client's registered ones (with `state`), or to the provider's
// signed-out page. The token comes from the provider's own session: never from the request.
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { logOut } from '../../sso-logout.ts';
import type { OidcDeps } from './deps.ts';
import { messagePageHtml, sendPage as page } from './page.ts';
import { endProviderSession, loadProviderSession } from './provider-session.ts';
import type { ProviderFor } from './provider-types.ts';

interface LogoutState { secret?: string; postLogoutRedirectUri?: string; state?: string; clientId?: string }

function sameText(a: string, b: unknown): boolean {
  return typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function confirmLogout(deps: OidcDeps, providerFor: ProviderFor): RequestHandler {
  const logoutDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, cookies: deps.cookies };
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const provider = await providerFor(tenant);
    const session = await loadProviderSession(provider, req, res);
    const state = session.state as LogoutState | undefined;
    if (!state?.secret || !sameText(state.secret, req.body?.xsrf)) {
      return page(res, 400, messagePageHtml(tenant, 'This sign-out request has expired', 'Go back to the application and sign out again.'));
    }
    await logOut(logoutDeps, req, res, tenant);
    await endProviderSession(provider, session);
    const target = state.postLogoutRedirectUri ? new URL(state.postLogoutRedirectUri) : undefined;
    if (target && state.state !== undefined) target.searchParams.set('state', state.state);
    res.redirect(303, target?.href ?? `/t/${tenant}/oidc/session/end/success`);
  };
}
