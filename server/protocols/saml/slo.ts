// GET|POST /t/{tenant}/saml/slo — an SP's LogoutRequest (Redirect or POST binding), or an SP's
// LogoutResponse to a LogoutRequest relayed to it (slo-relay.ts); GET /saml/slo/continue picks up a
// relay by its token (slo-relay.ts). Rules:
// - the same input checks as SSO (inbound.ts); the Issuer must be a registered SP; a signature
//   must verify when present, and be present when the SP signs (AuthnRequestsSigned or its row);
// - the browser's core SSO session ends (with everything hanging off it, exactly as
//   /api/session/logout: server/sso-logout.ts, then the `onLogout` hooks) only when that session
//   signed in to this SP under the NameID the request names; otherwise nothing ends (a request
//   forged for another user's session changes nothing) and the answer says UnknownPrincipal;
// - the session's other SAML SPs are then visited with a LogoutRequest each (slo-relay.ts), and a
//   federated session's upstream IdP after them (server/upstream-logout.ts), before the answer:
//   Success, or PartialLogout when one of the SPs did not confirm;
// - the LogoutResponse goes to the SP's registered SLO URL (signed Redirect, or POST), never to
//   an address the request names; an SP without one gets a "signed out" page.
import type { Request, RequestHandler, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import { tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { getSamlSp, type SamlSp } from '../../../core/saml/saml-sps.ts';
import { forgetSessionSps, sessionSps } from '../../../core/saml/saml-subjects.ts';
import { pageHtml } from '../../html-page.ts';
import { currentSession } from '../../sso-session.ts';
import { logOut } from '../../sso-logout.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { checkSignature, child, parseMessage, SamlInputError, textOf } from './inbound.ts';
import { refuse } from './refusal.ts';
import { logoutResponseXml, STATUS } from './response-xml.ts';
import { sendToSlo } from './slo-messages.ts';
import { continueRelay, PARTIAL_LOGOUT, relayLogout, resumeRelay, type Answer } from './slo-relay.ts';

const UNKNOWN_PRINCIPAL = 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal';

/** The answer's status: top-level Success (with PartialLogout when so), or Requester with the reason. */
type Outcome = { code: string; second?: string };

async function respond(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, inResponseTo: string, outcome: Outcome, relayState?: string): Promise<void> {
  const tenant = req.tenant!.id;
  if (!sp.sloUrl) {
    res.status(200).type('html').send(pageHtml({ tenant, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
    return;
  }
  const credentials = await tenantSamlCredentials(deps.db, tenant);
  const xml = logoutResponseXml({
    issuer: idpUrls(deps.config.publicUrl, tenant).entityId, destination: sp.sloUrl, inResponseTo, code: outcome.code, second: outcome.second,
  });
  sendToSlo(res, tenant, sp, 'SAMLResponse', xml, relayState, credentials);
}

/** The final answer of a relayed logout, to the SP that started it. */
function answerOrigin(deps: SamlDeps): Answer {
  return async (req, res, origin, partial) => {
    const sp = await getSamlSp(deps.db, req.tenant!.id, origin.entityId);
    if (!sp) {
      res.status(200).type('html').send(pageHtml({ tenant: req.tenant!.id, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
      return;
    }
    await respond(deps, req, res, sp, origin.requestId, partial ? { code: STATUS.success, second: PARTIAL_LOGOUT } : { code: STATUS.success }, origin.relayState);
  };
}

const carries = (req: Request, field: string) => (req.method === 'GET' ? field in req.query : typeof (req.body as Record<string, unknown> | undefined)?.[field] === 'string');

export function sloHandler(deps: SamlDeps): RequestHandler {
  return async (req, res) => {
    const { db } = deps;
    const tenant = req.tenant!.id;
    const responding = carries(req, 'SAMLResponse') && !carries(req, 'SAMLRequest');
    let message;
    try {
      message = await parseMessage(req, responding ? 'SAMLResponse' : 'SAMLRequest', responding ? 'LogoutResponse' : 'LogoutRequest');
    } catch (err) {
      if (err instanceof SamlInputError) return refuse(db, req, res, { status: err.code === 'too_large' ? 413 : 400, code: err.code, message: err.message, event: 'saml.logout_refused' });
      throw err;
    }
    if (responding) return continueRelay(deps, req, res, message, answerOrigin(deps));
    const root = message.root;
    const issuer = textOf(child(root, 'Issuer'));
    const sp = issuer ? await getSamlSp(db, tenant, issuer) : undefined;
    if (!sp) return refuse(db, req, res, { status: 400, code: 'unknown_sp', message: 'The service provider is not registered here.', sp: issuer, event: 'saml.logout_refused' });
    try {
      const signature = checkSignature(message, sp.signingCert);
      if (signature === 'unsigned' && (sp.authnRequestsSigned || sp.settings.requireSignedRequests)) {
        return refuse(db, req, res, { status: 400, code: 'unsigned_request', message: 'This service provider must sign its requests.', sp: sp.entityId, event: 'saml.logout_refused' });
      }
    } catch (err) {
      if (err instanceof SamlInputError) return refuse(db, req, res, { status: 400, code: err.code, message: err.message, sp: sp.entityId, event: 'saml.logout_refused' });
      throw err;
    }
    const nameId = textOf(child(root, 'NameID'));
    const requestId = root.getAttribute('ID') ?? '';
    const session = await currentSession(db, req, tenant, deps.cookies);
    if (session) {
      const sps = await sessionSps(db, tenant, session.ssoId);
      const known = sps.find((s) => s.entityId === sp.entityId && s.nameId === nameId);
      if (known) {
        await logOut({ db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, cookies: deps.cookies }, req, res, tenant);
        for (const hook of deps.onLogout ?? []) await hook(req, res, tenant);
        await forgetSessionSps(db, tenant, session.ssoId);
        await recordAudit(db, { tenant, type: 'saml.logout', actor: `user:${session.userId}`, subject: session.userId, data: { sp: sp.entityId } });
        const others = sps.filter((s) => s.entityId !== sp.entityId);
        // After the other SPs, the upstream IdP of a federated session, then the answer to this SP.
        return relayLogout(deps, req, res, others, { entityId: sp.entityId, requestId, relayState: message.relayState }, answerOrigin(deps), session.ssoId);
      }
      await recordAudit(db, { tenant, type: 'saml.logout_refused', actor: 'anonymous', data: { sp: sp.entityId, code: 'unknown_principal' } });
      return respond(deps, req, res, sp, requestId, { code: STATUS.requester, second: UNKNOWN_PRINCIPAL }, message.relayState);
    }
    return respond(deps, req, res, sp, requestId, { code: STATUS.success }, message.relayState);
  };
}

/** GET /saml/slo/continue?relay=…: a relay picked up after a logout started elsewhere, or back from the upstream IdP. */
export function sloContinueHandler(deps: SamlDeps): RequestHandler {
  return (req, res) => resumeRelay(deps, req, res, answerOrigin(deps));
}
