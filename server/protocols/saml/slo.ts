// GET|POST /t/{tenant}/saml/slo — an SP's LogoutRequest (Redirect or POST binding). Rules:
// - the same input checks as SSO (inbound.ts); the Issuer must be a registered SP; a signature
//   must verify when present, and be present when the SP signs (AuthnRequestsSigned or its row);
// - the browser's core SSO session ends (with everything hanging off it, exactly as
//   /api/session/logout: server/sso-logout.ts, then the `onLogout` hooks) only when that session
//   signed in to this SP under the NameID the request names; otherwise nothing ends (a request
//   forged for another user's session changes nothing) and the answer says UnknownPrincipal;
// - the LogoutResponse goes to the SP's registered SLO URL (signed Redirect, or POST), never to
//   an address the request names; an SP without one gets a "signed out" page.
import { deflateRawSync } from 'node:zlib';
import { createPrivateKey, sign } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import { tenantSamlCredentials, type SamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { getSamlSp, REDIRECT_BINDING, type SamlSp } from '../../../core/saml/saml-sps.ts';
import { forgetSessionSps, sessionSps } from '../../../core/saml/saml-subjects.ts';
import { pageHtml } from '../../html-page.ts';
import { currentSession } from '../../sso-session.ts';
import { logOut } from '../../sso-logout.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { checkSignature, child, parseMessage, SamlInputError, textOf } from './inbound.ts';
import { sendPostForm } from './post-form.ts';
import { refuse } from './refusal.ts';
import { logoutResponseXml, STATUS } from './response-xml.ts';
import { signElement } from './xml-signature.ts';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const UNKNOWN_PRINCIPAL = 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal';

/** The Redirect binding's URL: deflated, base64, signed over the exact query (SAML bindings §3.4.4.1). */
export function signedRedirectUrl(location: string, field: string, xml: string, relayState: string | undefined, credentials: SamlCredentials): string {
  const parts = [`${field}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
  const octets = parts.join('&');
  const signature = sign('sha256', Buffer.from(octets), createPrivateKey(credentials.privateKeyPem)).toString('base64');
  return `${location}${location.includes('?') ? '&' : '?'}${octets}&Signature=${encodeURIComponent(signature)}`;
}

async function respond(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, inResponseTo: string, status: string, relayState?: string): Promise<void> {
  const tenant = req.tenant!.id;
  if (!sp.sloUrl) {
    res.status(200).type('html').send(pageHtml({ tenant, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
    return;
  }
  const credentials = await tenantSamlCredentials(deps.db, tenant);
  const xml = logoutResponseXml({
    issuer: idpUrls(deps.config.publicUrl, tenant).entityId, destination: sp.sloUrl, inResponseTo,
    code: status === STATUS.success ? STATUS.success : STATUS.requester, second: status === STATUS.success ? undefined : status,
  });
  if (sp.sloBinding === REDIRECT_BINDING) return void res.redirect(302, signedRedirectUrl(sp.sloUrl, 'SAMLResponse', xml, relayState, credentials));
  const signed = signElement(xml, "/*[local-name(.)='LogoutResponse']", credentials);
  sendPostForm(res, tenant, { action: sp.sloUrl, field: 'SAMLResponse', value: Buffer.from(signed).toString('base64'), relayState, title: 'Signing you out…' });
}

export function sloHandler(deps: SamlDeps): RequestHandler {
  return async (req, res) => {
    const { db } = deps;
    const tenant = req.tenant!.id;
    let message;
    try {
      message = await parseMessage(req, 'SAMLRequest', 'LogoutRequest');
    } catch (err) {
      if (err instanceof SamlInputError) return refuse(db, req, res, { status: err.code === 'too_large' ? 413 : 400, code: err.code, message: err.message, event: 'saml.logout_refused' });
      throw err;
    }
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
    let status: string = STATUS.success;
    if (session) {
      const known = (await sessionSps(db, tenant, session.ssoId)).find((s) => s.entityId === sp.entityId && s.nameId === nameId);
      if (known) {
        await logOut({ db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, cookies: deps.cookies }, req, res, tenant);
        for (const hook of deps.onLogout ?? []) await hook(req, res, tenant);
        await forgetSessionSps(db, tenant, session.ssoId);
        await recordAudit(db, { tenant, type: 'saml.logout', actor: `user:${session.userId}`, subject: session.userId, data: { sp: sp.entityId } });
      } else {
        status = UNKNOWN_PRINCIPAL;
        await recordAudit(db, { tenant, type: 'saml.logout_refused', actor: 'anonymous', data: { sp: sp.entityId, code: 'unknown_principal' } });
      }
    }
    return respond(deps, req, res, sp, requestId, status, message.relayState);
  };
}
