// The Express application: security headers, health, and per-tenant routes. Stateless: journey
// state lives in Temporal, sessions in PostgreSQL, so any number of replicas can serve.
import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../core/infra/config.ts';
import type { Db } from '../core/infra/db.ts';
import { journeyRoutes } from './api/journeys/routes.ts';
import { linkRoutes } from './api/links/routes.ts';
import { adminRoutes, globalAdminRoutes } from './api/admin/routes.ts';
import { CODEC_MOUNT, codecServerRoutes } from './api/admin/codec-server.ts';
import { userInvitationRoutes } from './api/invitations/routes.ts';
import { legacyRoutes } from './protocols/legacy/routes.ts';
import { federationRoutes } from './protocols/federation/routes.ts';
import { oidcRoutes } from './protocols/oidc/router.ts';
import { samlIdpRoutes } from './protocols/saml/router.ts';
import { createProviderCache } from './protocols/oidc/provider-cache.ts';
import { endOidcBrowserSession } from './protocols/oidc/provider-session.ts';
import { sessionRoutes } from './api/session/routes.ts';
import { JourneyClient } from './api/journeys/journey-client.ts';
import { devMailRoutes } from './dev-mail.ts';
import { health } from './health.ts';
import { HttpError } from './http-error.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { journeyCors } from './middleware/journey-cors.ts';
import { loadTenant } from './middleware/load-tenant.ts';
import { jsonBody } from './middleware/json-body.ts';
import { limitJourneyStarts } from './middleware/journey-start-limits.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { requestContext } from './middleware/request-context.ts';
import { temporalDeadline } from './middleware/temporal-deadline.ts';
import { metricsRoute } from './metrics-route.ts';
import { uiAssets, uiPages } from './ui-routes.ts';
import { adminConsoleRoutes } from './admin-console.ts';
import { accountRoutes } from './api/account/routes.ts';
import { accountConsoleRoutes } from './account-console.ts';
import { scimRoutes } from './protocols/scim/routes.ts';
import { servePublicUrl } from '../core/tenants/tenant-ui.ts';

export interface AppDeps { config: Config; db: Db; temporal: Client }

export function createApp({ config, db, temporal }: AppDeps): express.Express {
  const https = config.publicUrl.startsWith('https:');
  const cookies = { secure: https };
  // A tenant's login UI must be on this site to use the Journey API from a browser.
  servePublicUrl(config.publicUrl);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext());
  app.use(temporalDeadline(temporal, config.journeyAnswerTimeoutMs));
  app.use(securityHeaders(https));
  app.get('/healthz', health(db, temporal));
  app.get('/metrics', metricsRoute(db, config.metricsToken));
  app.get('/', (_req, res) => res.redirect('/t/demo/ui/login'));
  app.use(uiAssets());
  app.use(adminConsoleRoutes());
  // The dev mailbox shows sign-in codes: only when asked for (TESSERA_DEV_MAIL, or the demo).
  if (config.devMail) app.use(devMailRoutes(db));
  app.use(CODEC_MOUNT, codecServerRoutes({ db, config }));
  app.use('/api/admin', globalAdminRoutes({ db, temporal, config }));

  const tenant = express.Router({ mergeParams: true });
  const journeys = new JourneyClient(temporal, config.taskQueue);
  const idleTimeoutMs = config.journeyIdleTimeoutMs;
  // Journey starts are rate-limited per address and per tenant, before the route starts one; the
  // tenant's own login UI (a decoupled UI) gets CORS first, preflight included.
  tenant.use('/api/journeys', journeyCors(db));
  tenant.post('/api/journeys', jsonBody, limitJourneyStarts(db));
  tenant.use('/api/journeys', journeyRoutes({ db, journeys, cookies, idleTimeoutMs }));
  tenant.use('/api/links', linkRoutes({ db, temporal, journeys, cookies, idleTimeoutMs }));
  tenant.use('/api/admin', adminRoutes({ db, temporal, config }));
  tenant.use('/api/invitations', userInvitationRoutes({ db, temporal, config }));
  tenant.use('/api/account', accountRoutes({ db, temporal, config, cookies }));
  tenant.use('/scim/v2', scimRoutes({ db, temporal, config }));
  tenant.use(legacyRoutes({ db, journeys, cookies, idleTimeoutMs, config }));
  tenant.use(federationRoutes({ db, config, journeys, cookies }));
  // One provider per tenant, shared by the OIDC routes and the logout that also ends its session.
  const providerFor = createProviderCache({ db, config, temporal, journeys, cookies, idleTimeoutMs });
  tenant.use('/api/session', sessionRoutes({ db, temporal, config, cookies, onLogout: [endOidcBrowserSession(providerFor)] }));
  tenant.use(oidcRoutes({ db, config, temporal, journeys, cookies, idleTimeoutMs }, providerFor));
  tenant.use(samlIdpRoutes({ db, config, temporal, journeys, cookies, idleTimeoutMs, onLogout: [endOidcBrowserSession(providerFor)] }));
  tenant.use(uiPages(db));
  tenant.use(accountConsoleRoutes());
  app.use('/t/:tenant', loadTenant(db), tenant);

  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'No such route.')));
  app.use(errorHandler);
  return app;
}
