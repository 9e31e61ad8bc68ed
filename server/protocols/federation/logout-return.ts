// Where an upstream IdP sends the browser back after a logout there (server/upstream-logout.ts):
// - `GET /t/T/federation/A/logged-out?state=…` — OIDC post_logout_redirect_uri;
// - `GET|POST /t/T/federation/A/slo` — SAML: the IdP's LogoutResponse (RelayState).
// Rules: the state / RelayState is single-use (spent by any attempt) and must belong to this IdP;
// a SAML LogoutResponse must pass activities/federation/saml-logout-response.ts — signed with the
// IdP's metadata certificate (Redirect: query signature; POST: XML signature; SHA-1 refused),
// issued by that IdP, answering our request, status Success; then the browser goes where the
// logout was going (a registered post_logout_redirect_uri, or the signed-out page), decided
// before it left. Anything else gets a generic "signed out" page (the session here has ended
// already and stays ended), an audit event `federation.logout_refused`, and the cause in the
// server log (a code and a detail, never the document).
import express, { type Request, type Response, type Router } from 'express';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import { UpstreamError } from '../../../core/federation/federation-types.ts';
import { upstreamUrls } from '../../../core/federation/federation-urls.ts';
import { getIdp } from '../../../core/federation/identity-providers.ts';
import { takeUpstreamReturn } from '../../../core/saml/logout-relays.ts';
import { idpMetadata } from '../../../activities/federation/saml-idp-metadata.ts';
import { checkLogoutResponse } from '../../../activities/federation/saml-logout-response.ts';
import { pageHtml } from '../../html-page.ts';
import { readMessage, SamlInputError } from '../saml/inbound.ts';
import { logger } from '../../../core/infra/logger.ts';

function signedOut(req: Request, res: Response): void {
  res.status(200).type('html').set('Cache-Control', 'no-store')
    .send(pageHtml({ tenant: req.tenant!.id, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
}

/** The checked LogoutResponse's verdict: undefined when accepted, else the refusal. */
async function refusalOf(db: Db, config: Config, req: Request, alias: string, requestId: string): Promise<UpstreamError | undefined> {
  const tenant = req.tenant!.id;
  const idp = await getIdp(db, tenant, alias);
  if (!idp?.enabled || idp.kind !== 'saml' || !idp.saml) return new UpstreamError('unknown_idp', 'No such SAML identity provider.');
  try {
    const message = readMessage(req, 'SAMLResponse');
    const metadata = idpMetadata(idp.saml.metadata);
    await checkLogoutResponse(message, {
      certificates: metadata.signingCertificates, idpEntityId: metadata.entityId,
      destination: upstreamUrls(config.publicUrl, tenant, idp.alias).slo, requestId,
    });
    return undefined;
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    if (err instanceof SamlInputError) return new UpstreamError(err.code === 'too_large' ? 'too_large' : 'malformed', err.message);
    throw err;
  }
}

export function logoutReturnRoutes(db: Db, config: Config): Router {
  const router = express.Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '160kb', parameterLimit: 10 });

  router.get('/federation/:alias/logged-out', async (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    const back = state ? await takeUpstreamReturn(db, req.tenant!.id, state, req.params.alias as string) : undefined;
    if (!back) return signedOut(req, res);
    res.redirect(303, back.next);
  });

  const samlReturn = async (req: Request, res: Response) => {
    const tenant = req.tenant!.id;
    const alias = req.params.alias as string;
    const relay = req.method === 'GET' ? req.query.RelayState : (req.body as Record<string, unknown> | undefined)?.RelayState;
    const back = typeof relay === 'string' ? await takeUpstreamReturn(db, tenant, relay, alias) : undefined;
    const refusal = !back?.requestId ? new UpstreamError('unknown_relay', 'The logout is unknown or was already completed.')
      : await refusalOf(db, config, req, alias, back.requestId);
    if (!refusal) return res.redirect(303, back!.next);
    logger.warn(`[saml-sp] tenant=${tenant} idp=${alias.slice(0, 63)} refused a logout response: ${refusal.code}${refusal.detail ? ` (${refusal.detail})` : ''}`);
    await recordAudit(db, { tenant, type: 'federation.logout_refused', data: { idp: alias.slice(0, 63), code: refusal.code, ip: req.ip ?? null } });
    signedOut(req, res);
  };
  router.get('/federation/:alias/slo', samlReturn);
  router.post('/federation/:alias/slo', form, samlReturn);
  return router;
}
