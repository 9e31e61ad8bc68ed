// Runs before the provider's authorization and device endpoints so that the provider's own
// session never outlives, or disagrees with, the core SSO session (the one source of truth).
// Rules, on a new authorization request (/oidc/auth) or device code entry (/oidc/device):
// - a provider session signed in while the browser has no live core session, or one of another
//   user, is ended (its grants revoked): the provider then asks for an interaction, which the
//   interaction routes answer from the core session or with a journey; one of the same user takes
//   over the core session's latest sign-in (time, ACR, AMR) if the user signed in again elsewhere;
// - prompt=none with a live core session but no signed-in provider session: the provider session
//   is signed in as the core session's user first (prompt=none allows no interaction, so this is
//   the only way a core session reaches the provider in that case);
// - responses of /oidc/auth may be oidc-provider's form_post page, which submits itself to the
//   client's redirect_uri: the CSP form-action names that URI's origin (see page.ts) — only when
//   the client registered it; an unknown client or redirect_uri adds nothing.
// The core session read here is shared with the provider's hooks (request-session.ts).
import type { Request, RequestHandler, Response } from 'express';
import type Provider from 'oidc-provider';
import type { Session } from '../../../core/accounts/sessions.ts';
import type { OidcDeps } from './deps.ts';
import { withFormAction } from './page.ts';
import type { ProviderFor } from './provider-types.ts';
import {
  endProviderSession, loadProviderSession, mirrorCoreSession, mirrors, providerSessionCookie, refreshFromCore,
} from './provider-session.ts';
import { coreSessionOf } from './request-session.ts';

const UID = /^[A-Za-z0-9_-]{10,64}$/;

type Route = 'authorize' | 'resume' | 'device' | 'device-resume' | 'other';

function routeOf(path: string): Route {
  if (path === '/oidc/auth') return 'authorize';
  if (path === '/oidc/device') return 'device';
  const [, base, uid, ...rest] = path.split('/').slice(1);
  if (rest.length || !uid || !UID.test(uid)) return 'other';
  if (base === 'auth') return 'resume';
  return base === 'device' && uid !== 'auth' ? 'device-resume' : 'other';
}

const queryText = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/**
 * Where this authorization request may send the browser: its redirect_uri when the client has
 * registered it (the provider checks it after this runs, and a refused request's error page must
 * not allow posting anywhere else), else the client's registered URIs (PAR and request objects
 * carry redirect_uri inside, bound by them).
 */
async function redirectTargets(provider: Provider, req: Request, route: Route): Promise<string[]> {
  if (route === 'resume') {
    // An interaction exists only for a request the provider has already checked.
    const interaction = await provider.Interaction.find(req.path.split('/').pop()!);
    const uri = interaction?.params.redirect_uri;
    return typeof uri === 'string' ? [uri] : [];
  }
  const clientId = queryText(req, 'client_id');
  const client = clientId && clientId.length <= 200 ? await provider.Client.find(clientId).catch(() => undefined) : undefined;
  if (!client) return [];
  const uri = queryText(req, 'redirect_uri');
  if (uri !== undefined) return client.redirectUriAllowed(uri) ? [uri] : [];
  return [...(client.redirectUris ?? [])];
}

async function allowFormPost(provider: Provider, req: Request, res: Response, route: Route): Promise<void> {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') return;
  res.setHeader('Content-Security-Policy', withFormAction(csp, await redirectTargets(provider, req, route)));
}

/** Brings the provider session in line with the core one; true when the browser was redirected. */
async function syncSessions(provider: Provider, req: Request, res: Response, tenant: string, core: Session | undefined): Promise<boolean> {
  let session = await loadProviderSession(provider, req, res);
  if (session.accountId) {
    if (session.accountId === core?.userId) {
      // Signed in again elsewhere (the login UI, another protocol): the provider must not go on
      // answering with the older sign-in's time and ACR.
      if (!mirrors(session, core)) await refreshFromCore(session, core);
      return false;
    }
    await endProviderSession(provider, session);
    session = await loadProviderSession(provider, req, res);
  }
  if (!core || req.method !== 'GET' || !/(^| )none( |$)/.test(queryText(req, 'prompt') ?? '')) return false;
  const cookieId = providerSessionCookie(provider, req, res);
  if (cookieId) {
    await mirrorCoreSession(session, core, cookieId);
    return false;
  }
  // No provider cookie yet: create one (as the provider would: signed, HttpOnly, Lax, under the
  // tenant's path) and come back, so that the provider finds the session.
  await mirrorCoreSession(session, core, session.jti);
  provider.createContext(req, res).cookies.set(provider.cookieName('session'), session.jti, {
    httpOnly: true, sameSite: 'lax', path: `/t/${tenant}`, expires: core.expiresAt,
  });
  res.redirect(303, req.originalUrl);
  return true;
}

export function ssoGuard(deps: OidcDeps, providerFor: ProviderFor): RequestHandler {
  return async (req, res, next) => {
    const route = routeOf(req.path);
    if (route === 'other') return next();
    try {
      const tenant = req.tenant!.id;
      const provider = await providerFor(tenant);
      const core = await coreSessionOf(deps.db, req, tenant, deps.cookies);
      if ((route === 'authorize' || route === 'device') && await syncSessions(provider, req, res, tenant, core)) return;
      if (route === 'authorize' || route === 'resume') await allowFormPost(provider, req, res, route);
      next();
    } catch (err) {
      next(err);
    }
  };
}
