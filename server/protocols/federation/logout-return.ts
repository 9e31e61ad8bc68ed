// Where an upstream IdP sends the browser back after a logout there (server/upstream-logout.ts):
// - `GET /t/T/federation/A/logged-out?state=…` — OIDC post_logout_redirect_uri;
// - `GET|POST /t/T/federation/A/slo` — SAML: the IdP's LogoutResponse (RelayState).
// Rules: the state / RelayState is single-use and must belong to this IdP; then the browser goes
// where the logout was going (a registered post_logout_redirect_uri, or the signed-out page),
// decided before it left; a SAML LogoutResponse must answer our request (InResponseTo); anything
// else gets a "signed out" page (the session here has ended already) and changes nothing.
import express, { type Request, type Response, type Router } from 'express';
import { DOMParser } from '@xmldom/xmldom';
import { inflateRawSync } from 'node:zlib';
import type { Db } from '../../../core/infra/db.ts';
import { takeUpstreamReturn } from '../../../core/saml/logout-relays.ts';
import { pageHtml } from '../../html-page.ts';

const MAX_PARAM = 100_000;

function signedOut(req: Request, res: Response): void {
  res.status(200).type('html').send(pageHtml({ tenant: req.tenant!.id, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
}

/** InResponseTo of a LogoutResponse on either binding, or undefined when unreadable. */
function inResponseTo(req: Request): string | undefined {
  const raw = req.method === 'GET' ? req.query.SAMLResponse : (req.body as Record<string, unknown> | undefined)?.SAMLResponse;
  if (typeof raw !== 'string' || raw.length > MAX_PARAM || /<!DOCTYPE|<!ENTITY/i.test(raw)) return undefined;
  try {
    const bytes = Buffer.from(raw, 'base64');
    const xml = req.method === 'GET' ? inflateRawSync(bytes, { maxOutputLength: 64 * 1024 }).toString('utf8') : bytes.toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return undefined;
    const root = new DOMParser({ errorHandler: { warning: () => {}, error: () => {}, fatalError: () => {} } }).parseFromString(xml, 'text/xml').documentElement;
    return root?.localName === 'LogoutResponse' ? root.getAttribute('InResponseTo') ?? undefined : undefined;
  } catch {
    return undefined;
  }
}

export function logoutReturnRoutes(db: Db): Router {
  const router = express.Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '160kb', parameterLimit: 10 });

  router.get('/federation/:alias/logged-out', async (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    const back = state ? await takeUpstreamReturn(db, req.tenant!.id, state, req.params.alias as string) : undefined;
    if (!back) return signedOut(req, res);
    res.redirect(303, back.next);
  });

  const samlReturn = async (req: Request, res: Response) => {
    const relay = req.method === 'GET' ? req.query.RelayState : (req.body as Record<string, unknown> | undefined)?.RelayState;
    const back = typeof relay === 'string' ? await takeUpstreamReturn(db, req.tenant!.id, relay, req.params.alias as string) : undefined;
    if (!back || !back.requestId || inResponseTo(req) !== back.requestId) return signedOut(req, res);
    res.redirect(303, back.next);
  };
  router.get('/federation/:alias/slo', samlReturn);
  router.post('/federation/:alias/slo', form, samlReturn);
  return router;
}
