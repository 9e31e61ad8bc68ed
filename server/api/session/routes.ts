// The browser's core SSO session, for the login UI: `POST /t/{tenant}/api/session/logout` ends it
// everywhere — the session row and cookie, every relying party it signed in to (back-channel
// logout workflow), and what protocols keep for it (`onLogout`, e.g. the OIDC provider's own
// session and grants). JSON only (jsonBody), which a cross-site form cannot send: CSRF-proof.
// Answers 200 { status: "signed_out" } whether or not a session was live (idempotent), with
// `redirectTo` when there is more to end through the browser: the session's SAML SPs (a signed
// LogoutRequest to each, protocols/saml/slo-relay.ts) and, for a federated session, the upstream
// IdP's logout (server/upstream-logout.ts), which end on the login page.
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { CookieSettings } from '../../cookies.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { logOut } from '../../sso-logout.ts';
import { relayAfterLogout } from '../../protocols/saml/slo-relay.ts';

export interface SessionRouteDeps {
  db: Db;
  temporal: Client;
  config: Config;
  cookies: CookieSettings;
  /** What protocols end along with the core session (run after it ended). */
  onLogout?: ((req: Request, res: Response, tenant: string) => Promise<void>)[];
}

export function sessionRoutes({ db, temporal, config, cookies, onLogout = [] }: SessionRouteDeps): Router {
  const router = Router({ mergeParams: true });

  router.post('/logout', jsonBody, async (req, res) => {
    const tenant = req.tenant!.id;
    const session = await logOut({ db, temporal, taskQueue: config.taskQueue, cookies }, req, res, tenant);
    for (const hook of onLogout) await hook(req, res, tenant);
    const onward = session && await relayAfterLogout(db, config, tenant, session.ssoId, `/t/${tenant}/ui/login`);
    res.json({ status: 'signed_out', ...(onward ? { redirectTo: onward } : {}) });
  });

  return router;
}
