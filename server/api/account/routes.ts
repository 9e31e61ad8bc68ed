// The account API (`/t/{tenant}/api/account`): what the signed-in user sees and changes of their
// own account, for the account console (/t/{tenant}/account/). Every route is behind
// authenticate.ts (an access token of `tessera-account` for this API) and acts on the token's
// subject only — no route takes a user id. Sensitive changes (password, authenticator app,
// passkeys added or removed, email, linked accounts linked or unlinked) are `account` journeys of
// the Journey API, not routes here.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { CookieSettings } from '../../cookies.ts';
import { HttpError } from '../../http-error.ts';
import { applicationRoutes } from './applications.ts';
import { authenticateAccount } from './authenticate.ts';
import { credentialRoutes } from './credentials.ts';
import { linkedAccountRoutes } from './linked-accounts.ts';
import { profileRoutes } from './profile.ts';
import { sessionRoutes } from './sessions.ts';

export interface AccountDeps { db: Db; temporal: Client; config: Config; cookies: CookieSettings }

/** Mounted at /t/:tenant/api/account, after the tenant is loaded. */
export function accountRoutes(deps: AccountDeps): Router {
  const router = Router({ mergeParams: true });
  router.use(authenticateAccount(deps.db, deps.config));
  router.use(profileRoutes(deps.db));
  router.use(credentialRoutes(deps.db));
  router.use(sessionRoutes(deps));
  router.use(applicationRoutes(deps.db));
  router.use(linkedAccountRoutes(deps.db));
  router.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'No such account resource.')));
  return router;
}
