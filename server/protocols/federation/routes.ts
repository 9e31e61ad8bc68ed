// Where the browser goes to an upstream identity provider and comes back (issue 6), per tenant
// and IdP alias:
// - `GET  /t/T/federation/A/go?journey=J` — the journey's redirect step: a 303 to the upstream
//   (the URL with the state is looked up here, for the journey's browser only);
// - `GET  /t/T/federation/A/callback` — OIDC / OAuth 2 redirect_uri (code, state, iss, error…);
// - `POST /t/T/federation/A/acs`      — SAML Assertion Consumer Service (SAMLResponse, RelayState);
// - `GET  /t/T/federation/A/resume`   — the same browser, back on a top-level GET after the ACS
//   (the cross-site POST carried no SameSite cookies, so the journey's browser binding is only
//   checked here);
// - `GET  /t/T/federation/A/metadata` — our SAML SP metadata for a SAML IdP;
// - `/logged-out`, `/slo` — back from a logout at the upstream (logout-return.ts).
// Rules: the journey is found only through the sha256 of the state the upstream echoes; a state
// that is unknown, expired, already answered, or another tenant's or IdP's is refused (400, an
// audit event, nothing changes); the answer counts only in the browser the journey belongs to
// (the journey's update validator decides: a callback in another browser is refused, no login
// CSRF). The upstream's answer is recorded in PostgreSQL and judged by the journey (the idp node),
// never here; then the browser goes back to the login UI, which shows where the journey stands —
// or, for an `account` journey (linking an upstream account), to the account console's page of it.
import express, { type Request, type Response, type Router } from 'express';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import { answeredJourney, recordFederationCallback, upstreamRedirect } from '../../../core/federation/federation-states.ts';
import { upstreamUrls } from '../../../core/federation/federation-urls.ts';
import { getIdp } from '../../../core/federation/identity-providers.ts';
import { tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { sha256 } from '../../../core/infra/secret-token.ts';
import { samlSpMetadata } from '../../../activities/federation/saml-upstream.ts';
import { bindingOf } from '../../api/journeys/browser-binding.ts';
import type { JourneyClient } from '../../api/journeys/journey-client.ts';
import type { CookieSettings } from '../../cookies.ts';
import { escapeHtml, pageHtml } from '../../html-page.ts';
import { HttpError } from '../../http-error.ts';
import { completeLogin } from '../../sso-session.ts';
import { callbackParams } from './callback-params.ts';
import { logoutReturnRoutes } from './logout-return.ts';
import { journeyLocation } from '../../tenant-ui.ts';

export interface FederationDeps { db: Db; config: Config; journeys: JourneyClient; cookies: CookieSettings }

/** A SAMLResponse larger than this is refused unread (the adapter bounds it again). */
const MAX_SAML_RESPONSE = 512 * 1024;
const MAX_OIDC_VALUE = 4096;
const acsBody = express.urlencoded({ extended: false, limit: '700kb', parameterLimit: 10 });

function refusePage(res: Response, status: number, message: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store')
    .send(pageHtml({ title: 'This sign-in cannot be completed', body: `<p>${escapeHtml(message)}</p><p><a href="../../ui/login">Start again</a></p>` }));
}

export function federationRoutes({ db, config, journeys, cookies }: FederationDeps): Router {
  const router = express.Router({ mergeParams: true });

  async function refused(req: Request, res: Response, alias: string, code: string, status = 400): Promise<void> {
    await recordAudit(db, { tenant: req.tenant!.id, type: 'federation.refused', data: { idp: alias.slice(0, 63), code, ip: req.ip ?? null } });
    refusePage(res, status, code === 'wrong_browser'
      ? 'This sign-in was started in another browser. Start again here.'
      : 'This answer from your identity provider does not belong to a sign-in in progress here. Start again.');
  }

  /** Hands the recorded answer to the journey waiting for it, in this browser, and shows the journey. */
  async function resume(req: Request, res: Response, alias: string, journeyId: string, hash: string): Promise<void> {
    const tenant = req.tenant!.id;
    const binding = bindingOf(req, cookies);
    try {
      // Read first: a browser the journey does not belong to gets its own refusal (and audit event).
      await journeys.read(tenant, journeyId, binding);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return refused(req, res, alias, 'wrong_browser');
      throw err;
    }
    let snapshot;
    try {
      snapshot = await journeys.followLink(tenant, journeyId, hash, binding!);
    } catch (err) {
      if (err instanceof HttpError) return refused(req, res, alias, 'journey_not_waiting', err.status);
      throw err;
    }
    await completeLogin(db, req, res, snapshot, cookies);
    if (snapshot.view.kind === 'account') {
      return res.redirect(303, `/t/${tenant}/account/#/change/link/${encodeURIComponent(alias)}/${snapshot.view.id}`);
    }
    res.redirect(303, await journeyLocation(db, tenant, snapshot.view.id));
  }

  // The journey's redirect step: on to the upstream, for the journey's own browser only.
  router.get('/federation/:alias/go', async (req, res) => {
    const tenant = req.tenant!.id;
    const alias = req.params.alias as string;
    const journeyId = typeof req.query.journey === 'string' ? req.query.journey : '';
    const snapshot = await journeys.read(tenant, journeyId, bindingOf(req, cookies));
    const url = snapshot.view.status === 'waiting' ? await upstreamRedirect(db, tenant, alias, journeyId) : undefined;
    if (!url) throw new HttpError(404, 'not_found', 'This sign-in is not waiting for an identity provider.');
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').redirect(303, url);
  });

  router.get('/federation/:alias/callback', async (req, res) => {
    const alias = req.params.alias as string;
    const params = callbackParams(req.query, MAX_OIDC_VALUE);
    if (!params.state) return refused(req, res, alias, 'missing_state');
    const hash = sha256(params.state);
    // Already recorded (the same browser again, or a refused other browser first): the journey's
    // own browser may still bring it in.
    const journeyId = (await recordFederationCallback(db, req.tenant!.id, alias, hash, params)) ?? (await answeredJourney(db, req.tenant!.id, alias, hash));
    if (!journeyId) return refused(req, res, alias, 'unknown_state');
    await resume(req, res, alias, journeyId, hash);
  });

  router.post('/federation/:alias/acs', acsBody, async (req, res) => {
    const alias = req.params.alias as string;
    const params = callbackParams(req.body, MAX_SAML_RESPONSE);
    if (!params.RelayState || !params.SAMLResponse) return refused(req, res, alias, 'missing_relay_state');
    const journeyId = await recordFederationCallback(db, req.tenant!.id, alias, sha256(params.RelayState), params);
    if (!journeyId) return refused(req, res, alias, 'unknown_state');
    // Back on a same-site GET, which carries the browser's SameSite cookies (the POST did not).
    res.redirect(303, `/t/${req.tenant!.id}/federation/${encodeURIComponent(alias)}/resume?state=${encodeURIComponent(params.RelayState)}`);
  });

  router.get('/federation/:alias/resume', async (req, res) => {
    const alias = req.params.alias as string;
    const state = typeof req.query.state === 'string' && req.query.state.length <= 200 ? req.query.state : undefined;
    const hash = state ? sha256(state) : undefined;
    const journeyId = hash ? await answeredJourney(db, req.tenant!.id, alias, hash) : undefined;
    if (!journeyId || !hash) return refused(req, res, alias, 'unknown_state');
    await resume(req, res, alias, journeyId, hash);
  });

  router.use(logoutReturnRoutes(db, config));

  router.get('/federation/:alias/metadata', async (req, res) => {
    const tenant = req.tenant!.id;
    const idp = await getIdp(db, tenant, req.params.alias as string);
    if (!idp?.enabled || idp.kind !== 'saml') throw new HttpError(404, 'not_found', 'No such SAML identity provider.');
    const xml = samlSpMetadata(idp, upstreamUrls(config.publicUrl, tenant, idp.alias), await tenantSamlCredentials(db, tenant));
    res.type('application/samlmetadata+xml').send(xml);
  });

  return router;
}
