// Single logout relayed to the session's other SAML SPs (SAML profiles §4.4.3.2, front channel):
// after one SP's LogoutRequest ended the session, the browser visits each other SP that has an SLO
// endpoint with a signed LogoutRequest naming the NameID and SessionIndex that SP was given, one
// after the other, and finally the SP that asked gets its LogoutResponse. Rules:
// - the browser carries only a random single-use token (RelayState) per hop (core/saml/logout-relays.ts);
// - an SP's LogoutResponse counts only from that SP (Issuer), for the request it was sent
//   (InResponseTo), with a valid signature when it signs, and with status Success; anything else,
//   or an SP without an SLO endpoint, makes the final status PartialLogout — the chain goes on
//   (the session here has ended already), it never stops half-way;
// - an unknown or used token changes nothing and gets a page.
import type { Request, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import { saveRelay, takeRelay, type LogoutRelay, type RelayHop } from '../../../core/saml/logout-relays.ts';
import { tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { getSamlSp } from '../../../core/saml/saml-sps.ts';
import type { SessionSp } from '../../../core/saml/saml-subjects.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { checkSignature, child, SamlInputError, textOf, type Inbound } from './inbound.ts';
import { refuse } from './refusal.ts';
import { STATUS } from './response-xml.ts';
import { logoutRequestXml, newSamlId, sendToSlo } from './slo-messages.ts';

export const PARTIAL_LOGOUT = 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout';

/** What finally answers the SP that started the logout (slo.ts). */
export type Answer = (req: Request, res: Response, origin: LogoutRelay['origin'], partial: boolean) => Promise<void>;

/** Starts the relay through `others` (the session's SPs but the one that asked), or answers at once. */
export async function relayLogout(deps: SamlDeps, req: Request, res: Response, others: SessionSp[], origin: LogoutRelay['origin'], answer: Answer): Promise<void> {
  const pending: RelayHop[] = others.map(({ entityId, nameId, nameIdFormat, sessionIndex }) => ({ entityId, nameId, nameIdFormat, sessionIndex }));
  return nextHop(deps, req, res, { pending, origin, partial: false }, answer);
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
  return answer(req, res, relay.origin, relay.partial);
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

/** An SP's LogoutResponse to a relayed LogoutRequest: on to the next SP, or the final answer. */
export async function continueRelay(deps: SamlDeps, req: Request, res: Response, message: Inbound, answer: Answer): Promise<void> {
  const tenant = req.tenant!.id;
  const relay = message.relayState ? await takeRelay(deps.db, tenant, message.relayState) : undefined;
  if (!relay?.awaiting) {
    return refuse(deps.db, req, res, { status: 400, code: 'unknown_relay', message: 'This sign-out has expired or was already completed.', event: 'saml.logout_refused' });
  }
  if (!(await confirms(deps, tenant, message, relay.awaiting))) {
    relay.partial = true;
    await recordAudit(deps.db, { tenant, type: 'saml.logout_partial', actor: 'anonymous', data: { sp: relay.awaiting.entityId } });
  }
  return nextHop(deps, req, res, { ...relay, awaiting: undefined }, answer);
}
