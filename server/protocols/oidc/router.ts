// The OIDC routes of a tenant, mounted at /t/:tenant after loadTenant: discovery and /oidc/*.
// Rules:
// - The tenant's provider sees paths relative to its issuer (/t/T): Express has already stripped
//   the mount from req.url (/oidc/token) and kept it in req.originalUrl (/t/T/oidc/token), which is
//   how oidc-provider finds its mount path (OIDCContext.urlFor: originalUrl minus url), so
//   discovery and every redirect carry absolute URLs under /t/T.
// - Interactions (O2) answer before the provider; the SSO guard (O2) runs before the endpoints
//   that can sign a user in (authorization and device), so the core SSO session stays the source
//   of truth. Before both, an authorization request's unusable login_hint is dropped. Code entries at /oidc/device pass the device code throttle first.
// - Dynamic client registration answers before the provider (registration-routes.ts).
// - Anything else under the tenant is not ours: next().
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { OidcDeps } from './deps.ts';
import { interactionRoutes } from './interaction-routes.ts';
import { registrationRoutes } from './registration-routes.ts';
import { createProviderCache } from './provider-cache.ts';
import type { ProviderFor } from './provider-types.ts';
import { ssoGuard } from './sso-guard.ts';
import { dropUnusableHint } from './unusable-hint.ts';
import { deviceCodeThrottle } from './device-code-throttle.ts';

const DISCOVERY = new Set(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']);

const handlers = new WeakMap<Provider, (req: Request, res: Response) => unknown>();

function handOff(providerFor: ProviderFor): RequestHandler {
  return async (req, res, next) => {
    if (!req.path.startsWith('/oidc/') && !DISCOVERY.has(req.path)) return next();
    try {
      const provider = await providerFor(req.tenant!.id);
      let handle = handlers.get(provider);
      if (!handle) {
        handle = provider.callback() as (req: Request, res: Response) => unknown;
        handlers.set(provider, handle);
      }
      await handle(req, res);
    } catch (err) {
      next(err);
    }
  };
}

export function oidcRoutes(deps: OidcDeps, providerFor: ProviderFor = createProviderCache(deps)): Router {
  const router = Router({ mergeParams: true });
  router.use('/oidc/interaction', interactionRoutes(deps, providerFor));
  router.post('/oidc/device', deviceCodeThrottle(deps.db));
  // Dynamic client registration (RFC 7591/7592) is Tessera's own, through core/oidc/oidc-clients.ts.
  router.use('/oidc/reg', registrationRoutes(deps));
  const guard = ssoGuard(deps, providerFor);
  // .all (not .use) keeps req.url whole for the guard and for the provider after it.
  router.all('/oidc/auth', dropUnusableHint);
  router.all(['/oidc/auth', '/oidc/auth/{*rest}', '/oidc/device', '/oidc/device/{*rest}'], guard);
  router.use(handOff(providerFor));
  return router;
}
