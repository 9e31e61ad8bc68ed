// The provider's logoutSource (GET/POST /oidc/session/end, after it has validated id_token_hint,
// client_id and post_logout_redirect_uri and stored them in its own session state): with an
// id_token_hint of this very session (logout-hint.ts) the browser goes straight to the logout
// route, marked in the provider's server-side session state (never from the request), without a
// confirmation page; otherwise the confirmation page (provider-pages.ts).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Request } from 'express';
import type { OidcDeps } from './deps.ts';
import { hintEndsThisSession } from './logout-hint.ts';
import { logoutSource } from './provider-pages.ts';
import { coreSessionOf } from './request-session.ts';

export const hintedLogoutPath = (tenant: string) => `/t/${tenant}/oidc/interaction/logout`;

export function logoutSourceFor(deps: OidcDeps, tenant: string) {
  const confirmationPage = logoutSource(tenant);
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const core = await coreSessionOf(deps.db, ctx.req as Request, tenant, deps.cookies);
    if (hintEndsThisSession(ctx, core)) {
      (ctx.oidc.session!.state as Record<string, unknown>).hinted = true;
      ctx.status = 303;
      ctx.redirect(hintedLogoutPath(tenant));
      return;
    }
    await confirmationPage(ctx);
  };
}
