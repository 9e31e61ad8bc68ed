// GET|POST /t/{tenant}/saml/sso — SP-initiated SSO (an AuthnRequest, Redirect or POST binding)
// and IdP-initiated SSO (`?sp=<entity id>[&RelayState=…]`, no SAMLRequest). Checks, each refused
// with a page and an audit event (inbound.ts does the size, DOCTYPE, schema and signature ones):
// - the Issuer must be a registered SP; its signature must verify when present, and be present
//   when its metadata says AuthnRequestsSigned (or its row requires it);
// - the ACS (URL or index) must be one of the SP's HTTP-POST ACS endpoints, ProtocolBinding (if
//   given) HTTP-POST, Destination (if given) this endpoint;
// - once the SP and its ACS are known, what the SP should hear is a posted error Response: an
//   IssueInstant far in the past or future (RequestDenied), a NameIDPolicy we cannot meet,
//   IsPassive without a session (NoPassive);
// - ForceAuthn: a new login journey even with a session; otherwise a live core SSO session is
//   answered at once, without a prompt (the session is the one OIDC uses too).
// The checked request waits server-side (core/saml/saml-pending.ts) while the journey runs.
import type { Request, RequestHandler, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import { findPending, consumePending, savePending, type PendingSso } from '../../../core/saml/saml-pending.ts';
import { tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { defaultAcs, getSamlSp, postAcs, POST_BINDING, type SamlSp } from '../../../core/saml/saml-sps.ts';
import type { Session } from '../../../core/accounts/sessions.ts';
import { loadUserClaims } from '../../../core/accounts/user-claims.ts';
import { ensureBinding } from '../../api/journeys/browser-binding.ts';
import { newJourneyId } from '../../api/journeys/journey-client.ts';
import { checkJourneyStart } from '../../api/journeys/start-policy.ts';
import { tenantLoginTree } from '../../../core/tenants/login-tree.ts';
import { ensureDevice } from '../../device-cookie.ts';
import { completeLogin, currentSession } from '../../sso-session.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { checkSignature, child, parseMessage, SamlInputError, textOf } from './inbound.ts';
import { errorResponse, loginResponse, NAME_ID_FORMATS, SamlStatusError, UNSPECIFIED_FORMAT } from './login-response.ts';
import { sendPostForm } from './post-form.ts';
import { refuse } from './refusal.ts';
import { STATUS } from './response-xml.ts';
import { journeyStartRefused } from '../../middleware/journey-start-limits.ts';
import { journeyLocation } from '../../tenant-ui.ts';

/** How far an AuthnRequest's IssueInstant may be from now. */
const MAX_AGE_MS = 5 * 60_000;
const MAX_SKEW_MS = 2 * 60_000;

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const clientName = (sp: SamlSp) => URL.parse(sp.entityId)?.host || sp.entityId;

/** Posts an error Response to a registered SP's registered ACS. */
async function postError(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, p: PendingSso, second: string, message: string): Promise<void> {
  const tenant = req.tenant!.id;
  const credentials = await tenantSamlCredentials(deps.db, tenant);
  const xml = errorResponse(sp, credentials, {
    issuer: idpUrls(deps.config.publicUrl, tenant).entityId, destination: p.acsUrl, inResponseTo: p.requestId,
    code: second === STATUS.noPassive || second === STATUS.invalidNameIdPolicy ? STATUS.responder : STATUS.requester, second, message,
  });
  await recordAudit(deps.db, { tenant, type: 'saml.sso_error', actor: 'anonymous', data: { sp: sp.entityId, status: second } });
  sendPostForm(res, tenant, { action: p.acsUrl, field: 'SAMLResponse', value: b64(xml), relayState: p.relayState });
}

/** The signed-in user's Response, posted to the ACS. */
async function answer(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, p: PendingSso, session: Session): Promise<void> {
  const tenant = req.tenant!.id;
  const user = await loadUserClaims(deps.db, tenant, session.userId);
  if (!user || user.status !== 'active') return postError(deps, req, res, sp, p, STATUS.requestDenied, 'The account cannot sign in.');
  let xml: string;
  try {
    xml = await loginResponse({
      db: deps.db, tenant, issuer: idpUrls(deps.config.publicUrl, tenant).entityId, credentials: await tenantSamlCredentials(deps.db, tenant),
      sp, acsUrl: p.acsUrl, requestId: p.requestId, session, claims: user.claims,
    });
  } catch (err) {
    if (err instanceof SamlStatusError) return postError(deps, req, res, sp, p, err.second, err.message);
    throw err;
  }
  await recordAudit(deps.db, {
    tenant, type: 'saml.sso', actor: `user:${session.userId}`, subject: session.userId,
    data: { sp: sp.entityId, binding: p.binding, ...(p.requestId ? { requestId: p.requestId.slice(0, 100) } : {}) },
  });
  sendPostForm(res, tenant, { action: p.acsUrl, field: 'SAMLResponse', value: b64(xml), relayState: p.relayState });
}

/** Starts a login journey whose success returns to /saml/resume/<id> (as the legacy login does). */
async function startJourney(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, p: PendingSso, session: Session | undefined): Promise<void> {
  const { db, journeys, cookies, idleTimeoutMs } = deps;
  const tenant = req.tenant!.id;
  const tree = await tenantLoginTree(db, tenant);
  const bundle = await checkJourneyStart(db, tenant, 'login', tree);
  if (await journeyStartRefused(db, req, res)) return;
  const id = await savePending(db, tenant, p);
  const returnTo = `/t/${tenant}/saml/resume/${id}`;
  const snapshot = await journeys.start({
    id: newJourneyId(), tenant, kind: 'login', tree, binding: ensureBinding(req, res, tenant, cookies), idleTimeoutMs, bundle,
    request: {
      ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300), returnTo, deviceId: ensureDevice(req, res, tenant, cookies),
      ...(session ? { ssoId: session.ssoId } : {}),
      authRequest: { clientId: sp.entityId, clientName: clientName(sp), ...(p.forceAuthn ? { prompt: ['login'] } : {}) },
    },
  });
  await completeLogin(db, req, res, snapshot, cookies);
  res.redirect(303, await journeyLocation(db, tenant, snapshot.view.id));
}

/** Answers from the session, or runs a journey first. */
async function proceed(deps: SamlDeps, req: Request, res: Response, sp: SamlSp, p: PendingSso): Promise<void> {
  const session = await currentSession(deps.db, req, req.tenant!.id, deps.cookies);
  if (session && !p.forceAuthn) return answer(deps, req, res, sp, p, session);
  if (p.isPassive) return postError(deps, req, res, sp, p, STATUS.noPassive, 'Signing in would need the user, and the request is passive.');
  return startJourney(deps, req, res, sp, p, session);
}

/** The ACS the request names (URL or index), or the default; undefined when it is not registered. */
function resolveAcs(sp: SamlSp, url: string | null, index: string | null): string | undefined {
  const post = postAcs(sp);
  if (url) return post.find((a) => a.url === url)?.url;
  if (index) return post.find((a) => String(a.index) === index)?.url;
  return defaultAcs(sp)?.url;
}

async function spInitiated(deps: SamlDeps, req: Request, res: Response): Promise<void> {
  const { db } = deps;
  const tenant = req.tenant!.id;
  let message;
  try {
    message = await parseMessage(req, 'SAMLRequest', 'AuthnRequest');
  } catch (err) {
    if (err instanceof SamlInputError) return refuse(db, req, res, { status: err.code === 'too_large' ? 413 : 400, code: err.code, message: err.message });
    throw err;
  }
  const root = message.root;
  const issuer = textOf(child(root, 'Issuer'));
  const sp = issuer ? await getSamlSp(db, tenant, issuer) : undefined;
  if (!sp) return refuse(db, req, res, { status: 400, code: 'unknown_sp', message: 'The service provider is not registered here.', sp: issuer });
  try {
    const signature = checkSignature(message, sp.signingCert);
    if (signature === 'unsigned' && (sp.authnRequestsSigned || sp.settings.requireSignedRequests)) {
      return refuse(db, req, res, { status: 400, code: 'unsigned_request', message: 'This service provider must sign its requests.', sp: sp.entityId });
    }
  } catch (err) {
    if (err instanceof SamlInputError) return refuse(db, req, res, { status: 400, code: err.code, message: err.message, sp: sp.entityId });
    throw err;
  }
  const binding = root.getAttribute('ProtocolBinding');
  if (binding && binding !== POST_BINDING) {
    return refuse(db, req, res, { status: 400, code: 'unsupported_binding', message: 'Responses are sent with the HTTP-POST binding only.', sp: sp.entityId });
  }
  const acsUrl = resolveAcs(sp, root.getAttribute('AssertionConsumerServiceURL'), root.getAttribute('AssertionConsumerServiceIndex'));
  if (!acsUrl) {
    return refuse(db, req, res, { status: 400, code: 'acs_not_registered', message: 'The address to answer at is not registered for this service provider.', sp: sp.entityId });
  }
  const destination = root.getAttribute('Destination');
  if (destination && destination !== idpUrls(deps.config.publicUrl, tenant).sso) {
    return refuse(db, req, res, { status: 400, code: 'wrong_destination', message: 'The request was meant for another endpoint.', sp: sp.entityId });
  }
  const pending: PendingSso = {
    spEntityId: sp.entityId, requestId: root.getAttribute('ID') ?? undefined, acsUrl, relayState: message.relayState,
    binding: message.binding, forceAuthn: root.getAttribute('ForceAuthn') === 'true' || root.getAttribute('ForceAuthn') === '1',
    isPassive: root.getAttribute('IsPassive') === 'true' || root.getAttribute('IsPassive') === '1',
  };
  const issued = Date.parse(root.getAttribute('IssueInstant') ?? '');
  if (!Number.isFinite(issued) || issued < Date.now() - MAX_AGE_MS || issued > Date.now() + MAX_SKEW_MS) {
    return postError(deps, req, res, sp, pending, STATUS.requestDenied, 'The request was issued too long ago, or in the future.');
  }
  const format = child(root, 'NameIDPolicy')?.getAttribute('Format');
  if (format && format !== UNSPECIFIED_FORMAT && format !== NAME_ID_FORMATS[sp.settings.nameIdFormat]) {
    return postError(deps, req, res, sp, pending, STATUS.invalidNameIdPolicy, 'This service provider is configured for another NameID format.');
  }
  return proceed(deps, req, res, sp, pending);
}

async function idpInitiated(deps: SamlDeps, req: Request, res: Response): Promise<void> {
  const { db } = deps;
  const entityId = req.query.sp;
  const relayState = req.query.RelayState;
  if (typeof entityId !== 'string' || !entityId) {
    return refuse(db, req, res, { status: 400, code: 'missing', message: 'The request carries no SAMLRequest and names no service provider (sp).' });
  }
  if (relayState !== undefined && (typeof relayState !== 'string' || relayState.length > 1024)) {
    return refuse(db, req, res, { status: 400, code: 'relay_state', message: 'RelayState must be one value of at most 1024 characters.' });
  }
  const sp = await getSamlSp(db, req.tenant!.id, entityId);
  if (!sp) return refuse(db, req, res, { status: 400, code: 'unknown_sp', message: 'The service provider is not registered here.', sp: entityId });
  if (!sp.settings.idpInitiated) {
    return refuse(db, req, res, { status: 403, code: 'idp_initiated_disabled', message: 'This service provider does not accept unsolicited sign-ins.', sp: entityId });
  }
  const acs = defaultAcs(sp)!;
  return proceed(deps, req, res, sp, {
    spEntityId: sp.entityId, acsUrl: acs.url, relayState: relayState as string | undefined, binding: 'idp-initiated', forceAuthn: false, isPassive: false,
  });
}

export function ssoHandler(deps: SamlDeps): RequestHandler {
  return async (req, res) => {
    const hasRequest = req.method === 'GET' ? req.query.SAMLRequest !== undefined : (req.body ?? {}).SAMLRequest !== undefined;
    if (hasRequest) return spInitiated(deps, req, res);
    if (req.method === 'GET') return idpInitiated(deps, req, res);
    return refuse(deps.db, req, res, { status: 400, code: 'missing', message: 'The request carries no SAMLRequest.' });
  };
}

/** GET /saml/resume/:id — where the login journey returns: answers the waiting request once. */
export function resumeHandler(deps: SamlDeps): RequestHandler {
  return async (req, res) => {
    const { db } = deps;
    const tenant = req.tenant!.id;
    const id = String(req.params.id);
    const pending = await findPending(db, tenant, id);
    if (!pending) return refuse(db, req, res, { status: 400, code: 'expired_request', message: 'This sign-in request has expired or was already answered. Start again from the application.' });
    const sp = await getSamlSp(db, tenant, pending.spEntityId);
    if (!sp) return refuse(db, req, res, { status: 400, code: 'unknown_sp', message: 'The service provider is no longer registered here.' });
    const session = await currentSession(db, req, tenant, deps.cookies);
    if (!session) return refuse(db, req, res, { status: 401, code: 'not_signed_in', message: 'The sign-in did not complete. Start again from the application.', sp: sp.entityId });
    if (pending.forceAuthn && session.authTime.getTime() < pending.createdAt.getTime() - 1000) {
      return refuse(db, req, res, { status: 401, code: 'reauthentication_required', message: 'The application asked for a fresh sign-in.', sp: sp.entityId });
    }
    if (!(await consumePending(db, tenant, id))) {
      return refuse(db, req, res, { status: 400, code: 'expired_request', message: 'This sign-in request has expired or was already answered.', sp: sp.entityId });
    }
    return answer(deps, req, res, sp, pending, session);
  };
}
