// SCIM 2.0 service provider (RFC 7643/7644) of a tenant, mounted at /t/{tenant}/scim/v2: the
// discovery endpoints (public), then /Users and /Groups behind a SCIM token of the tenant. Bulk
// and /Me are not offered (501); anything else is a SCIM 404; every error is a SCIM Error body.
import { Router } from 'express';
import { ScimError } from '../../../core/scim/scim-error.ts';
import type { ScimDeps } from './admin-calls.ts';
import { authenticateScim } from './authenticate.ts';
import { discoveryRoutes } from './discovery.ts';
import { groupRoutes } from './groups.ts';
import { scimErrors } from './scim-http.ts';
import { userRoutes } from './users.ts';

export function scimRoutes(deps: ScimDeps): Router {
  const router = Router({ mergeParams: true });
  router.use(discoveryRoutes(deps));
  router.use(authenticateScim(deps.db));
  router.use('/Users', userRoutes(deps));
  router.use('/Groups', groupRoutes(deps));
  router.use(['/Bulk', '/Me'], () => { throw new ScimError(501, 'Not offered by this service provider (see /ServiceProviderConfig).'); });
  router.use(() => { throw new ScimError(404, 'No such SCIM endpoint.'); });
  router.use(scimErrors);
  return router;
}
