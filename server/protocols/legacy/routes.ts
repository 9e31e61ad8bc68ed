// The legacy (Astakos-compatible) login protocol, mounted by server/app.ts at /t/{tenant}. It
// runs on the core alone — journeys, the SSO session, users — and touches nothing of other
// protocols: GET /login starts or reuses the SSO session and returns to `next` with a user token;
// GET /account/v1.0/authenticate lets a registered service learn whose token it holds.
import { Router } from 'express';
import { authenticateHandler } from './authenticate.ts';
import type { LegacyDeps } from './deps.ts';
import { loginHandler } from './login.ts';

export type { LegacyDeps } from './deps.ts';

export function legacyRoutes(deps: LegacyDeps): Router {
  const router = Router({ mergeParams: true });
  router.get('/login', loginHandler(deps));
  router.get('/account/v1.0/authenticate', authenticateHandler(deps));
  return router;
}
