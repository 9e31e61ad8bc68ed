// Single logout relayed to the session's SAML SPs (SAML profiles §4.4.3.2, front channel): after
// the session ended — at one SP's LogoutRequest (slo.ts), or elsewhere (RP-initiated OIDC logout,
// POST /api/session/logout: relayAfterLogout) — the browser visits each SP that has an SLO
// endpoint with a signed LogoutRequest naming the NameID and SessionIndex that SP was given, one
// after the other; then, when the session was federated, the upstream IdP's logout
// (server/upstream-logout.ts); and finally the SP that asked gets its LogoutResponse, or the
// browser goes where the logout was going. Rules:
// - the browser carries only a random single-use token (RelayState, or `relay` on
//   GET /saml/slo/continue) per hop (core/saml/logout-relays.ts); the session's SPs are taken
//   once, so a second logout does not visit them again;
// - an SP's LogoutResponse counts only from that SP (Issuer), for the request it was sent
//   (InResponseTo), with a valid signature when it signs, and with status Success; anything else,
//   or an SP without an SLO endpoint, makes the final status PartialLogout — the chain goes on
//   (the session here has ended already), it never stops half-way;
// - where the browser finally goes was decided when the logout started (a validated
//   post_logout_redirect_uri, the login page, or the asking SP's registered SLO URL);
// - an unknown or used token changes nothing and gets a page.
import type { Request, Response } from 'express';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import { saveRelay, takeRelay, type LogoutRelay, type RelayHop, type SpOrigin } from '../../../core/saml/logout-relays.ts';
import { tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { getSamlSp } from '../../../core/saml/saml-sps.ts';
import { takeSessionSps, type SessionSp } from '../../../core/saml/saml-subjects.ts';
import { upstreamLogoutUrl } from '../../upstream-logout.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { checkSignature, child, SamlInputError, textOf, type Inbound } from './inbound.ts';
import { refuse } from './refusal.ts';
import { STATUS } from './response-xml.ts';
import { logoutRequestXml, newSamlId, sendToSlo } from './slo-messages.ts';

export const PARTIAL_LOGOUT = 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout';

/** What finally answers the SP that started the logout (slo.ts). */
export type Answer = (req: Request, res: Response, origin: SpOrigin, partial: boolean) => Promise<void>;

const hopsOf = (sps: SessionSp[]): RelayHop[] => sps.map(({ entityId, nameId, nameIdFormat, sessionIndex }) => ({ entityId, nameId, nameIdFormat, sessionIndex }));

/** Where the browser picks up a relay that awaits no SP (GET, the token as `relay`). */
export const relayContinuePath = (tenant: string, token: string) => `/t/${tenant}/saml/slo/continue?relay=${encodeURIComponent(token)}`;

/**
 * Starts the relay through `others` (the session's SPs but the one that asked), then the upstream
 * IdP of `upstreamOf` when given, or answers at once.
 */
export async function relayLogout(deps: SamlDeps, req: Request, res: Response, others: SessionSp[], origin: SpOrigin, answer: Answer, upstreamOf?: string): Promise<void> {
  return nextHop(deps, req, res, { pending: hopsOf(others), origin, partial: false, ...(upstreamOf ? { upstreamOf } : {}) }, answer);
}

/**
 * After a session family ended elsewhere than at a SAML SP: where the browser goes to end it at
 * its SAML SPs (taken here, once), then at the upstream IdP, coming back to `next` in the end; or,
 * with no SAML SP, straight to the upstream IdP's logout; undefined when there is nothing to end.
 */
export async function relayAfterLogout(db: Db, config: Config, tenant: string, ssoId: string, next: string): Promise<string | undefined> {
  const sps = await takeSessionSps(db, tenant, ssoId);
  if (!sps.length) return upstreamLogoutUrl(db, config, tenant, ssoId, next);
  const token = await saveRelay(db, tenant, { pending: hopsOf(sps), origin: { next }, partial: false, upstreamOf: ssoId });
  return relayContinuePath(tenant, token);
}

async function nextHop(deps: SamlDeps, req: Request, res: Response, relay: LogoutRelay, answer: Answer): Promise<void> {
  const tenant = req.tenant!.id;
  for (let hop = relay.pending.shift(); hop; hop = relay.pending.shift()) {
    const sp = await getSamlSp(deps.db, tenant, hop.entityId);
    if (!sp?.sloUrl) {
      relay.partial = true;
      continue;
    }
    const requestId = newSamlId();
    const token = await saveRelay(deps.db, tenant, { ...relay, awaiting: { entityId: sp.entityId, requestId } });
    const xml = logoutRequestXml({
      id: requestId, issuer: idpUrls(deps.config.publicUrl, tenant).entityId, destination: sp.sloUrl,
      nameId: hop.nameId, nameIdFormat: hop.nameIdFormat, sessionIndex: hop.sessionIndex,
    });
    return sendToSlo(res, tenant, sp, 'SAMLRequest', xml, token, await tenantSamlCredentials(deps.db, tenant));
  }
  return finish(deps, req, res, relay, answer);
}

/** Every SP visited: the upstream IdP's logout when one is due, then the end of the logout. */
async function finish(deps: SamlDeps, req: Request, res: Response, relay: LogoutRelay, answer: Answer): Promise<void> {
  const tenant = req.tenant!.id;
  const { origin } = relay;
  if (relay.upstreamOf) {
    // The upstream sends the browser back to `back`: the end itself, or a relay that answers the SP.
    const token = 'next' in origin ? undefined : await saveRelay(deps.db, tenant, { pending: [], origin, partial: relay.partial });
    const back = token ? relayContinuePath(tenant, token) : (origin as { next: string }).next;
    const upstream = await upstreamLogoutUrl(deps.db, deps.config, tenant, relay.upstreamOf, back);
    if (upstream) return res.redirect(303, upstream);
    if (token) await takeRelay(deps.db, tenant, token);
  }
  if ('next' in origin) return res.redirect(303, origin.next);
  return answer(req, res, origin, relay.partial);
}

/** Whether an SP's LogoutResponse confirms the hop it answers. */
async function confirms(deps: SamlDeps, tenant: string, message: Inbound, awaiting: NonNullable<LogoutRelay['awaiting']>): Promise<boolean> {
  const root = message.root;
  if (textOf(child(root, 'Issuer')) !== awaiting.entityId || root.getAttribute('InResponseTo') !== awaiting.requestId) return false;
  const sp = await getSamlSp(deps.db, tenant, awaiting.entityId);
  try {
    if (!sp || (checkSignature(message, sp.signingCert) === 'unsigned' && sp.signingCert)) return false;
  } catch (err) {
    if (err instanceof SamlInputError) return false;
    throw err;
  }
  const code = child(root, 'Status') && child(child(root, 'Status')!, 'StatusCode');
  return code?.getAttribute('Value') === STATUS.success;
}

const expired = (deps: SamlDeps, req: Request, res: Response) =>
  refuse(deps.db, req, res, { status: 400, code: 'unknown_relay', message: 'This sign-out has expired or was already completed.', event: 'saml.logout_refused' });

/** An SP's LogoutResponse to a relayed LogoutRequest: on to the next SP, or the end. */
export async function continueRelay(deps: SamlDeps, req: Request, res: Response, message: Inbound, answer: Answer): Promise<void> {
  const tenant = req.tenant!.id;
  const relay = message.relayState ? await takeRelay(deps.db, tenant, message.relayState) : undefined;
  if (!relay?.awaiting) return expired(deps, req, res);
  if (!(await confirms(deps, tenant, message, relay.awaiting))) {
    relay.partial = true;
    await recordAudit(deps.db, { tenant, type: 'saml.logout_partial', actor: 'anonymous', data: { sp: relay.awaiting.entityId } });
  }
  return nextHop(deps, req, res, { ...relay, awaiting: undefined }, answer);
}

/** GET /saml/slo/continue?relay=…: a relay that awaits no SP's answer, picked up by its token. */
export async function resumeRelay(deps: SamlDeps, req: Request, res: Response, answer: Answer): Promise<void> {
  const token = typeof req.query.relay === 'string' && req.query.relay.length <= 200 ? req.query.relay : undefined;
  const relay = token ? await takeRelay(deps.db, req.tenant!.id, token) : undefined;
  if (!relay || relay.awaiting) return expired(deps, req, res);
  return nextHop(deps, req, res, relay, answer);
}
