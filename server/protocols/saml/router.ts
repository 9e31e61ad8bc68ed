// Tessera as a SAML 2.0 identity provider, mounted by server/app.ts at /t/{tenant}:
//   GET       /saml/metadata     the IdP metadata (metadata.ts)
//   GET|POST  /saml/sso          SP-initiated (Redirect, POST) and IdP-initiated SSO (sso.ts)
//   GET       /saml/resume/:id   where the login journey returns (sso.ts)
//   GET|POST  /saml/slo          an SP's LogoutRequest, or its LogoutResponse in a relayed logout (slo.ts)
//   GET       /saml/slo/continue a relayed logout picked up by its token (slo.ts, slo-relay.ts)
// Form bodies are bounded (a larger one is refused with a page before any parsing); a cross-site
// POST is first re-posted from this origin so that the session cookie comes along (same-site-bounce.ts).
import express, { Router, type ErrorRequestHandler } from 'express';
import type { SamlDeps } from './deps.ts';
import { metadataHandler } from './metadata.ts';
import { refuse } from './refusal.ts';
import { sameSiteBounce } from './same-site-bounce.ts';
import { sloContinueHandler, sloHandler } from './slo.ts';
import { resumeHandler, ssoHandler } from './sso.ts';

export type { SamlDeps } from './deps.ts';

export function samlIdpRoutes(deps: SamlDeps): Router {
  const router = Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '160kb', parameterLimit: 10 });
  const tooLarge: ErrorRequestHandler = (err, req, res, next) => {
    if ((err as { type?: string }).type === 'entity.too.large') {
      return void refuse(deps.db, req, res, { status: 413, code: 'too_large', message: 'The SAML message is too large.' }).catch(next);
    }
    next(err);
  };
  router.get('/saml/metadata', metadataHandler(deps));
  router.get('/saml/sso', ssoHandler(deps));
  router.post('/saml/sso', form, sameSiteBounce, ssoHandler(deps), tooLarge);
  router.get('/saml/resume/:id', resumeHandler(deps));
  router.get('/saml/slo/continue', sloContinueHandler(deps));
  router.get('/saml/slo', sloHandler(deps));
  router.post('/saml/slo', form, sameSiteBounce, sloHandler(deps), tooLarge);
  return router;
}
