// Mailed links (core/journeys/link-tokens.ts), followed: `POST /t/{tenant}/api/links { token }`. The page a
// link opens (/ui/link#token=…) posts the token only when the user confirms, so a mail scanner
// that fetches links uses nothing up.
// - recovery: the journey that mailed the link continues in this browser (followLink);
// - verify-email: the registration workflow activates the account, then a `link-sign-in`
//   journey signs the user in (the server passes the consumed link's user as the proof);
// - sign-in (mailed on approval): the same sign-in journey;
// - email-change (the account console's new address): the account journey that mailed it goes on,
//   but only in its own browser: in another one the link is refused (409 other_browser) and kept.
// A used or expired link answers 410 and, for verification, offers a new link
// (`POST …/links/resend { token }`, which answers the same whatever happens).
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../../core/infra/db.ts';
import { consumeLink, hashToken, peekLink, type LinkRecord } from '../../../core/journeys/link-tokens.ts';
import { resendVerificationSignal, verifyEmailUpdate } from '../../../workflows/registration-contracts.ts';
import type { CookieSettings } from '../../cookies.ts';
import { HttpError } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { completeLogin } from '../../sso-session.ts';
import { bindingOf, ensureBinding } from '../journeys/browser-binding.ts';
import { newJourneyId, type JourneyClient } from '../journeys/journey-client.ts';
import { checkJourneyStart } from '../journeys/start-policy.ts';

const Body = z.object({ token: z.string().max(100) }).strict();

export interface LinkRouteDeps { db: Db; temporal: Client; journeys: JourneyClient; cookies: CookieSettings; idleTimeoutMs: number }

function tokenOf(req: Request): string {
  const body = Body.safeParse(req.body);
  if (!body.success) throw new HttpError(400, 'invalid_request', 'Send { "token": "…" }.');
  return body.data.token;
}

function gone(reason: 'used' | 'expired', link: LinkRecord): HttpError {
  const message = reason === 'used' ? 'This link has already been used.' : 'This link has expired.';
  return new HttpError(410, `link_${reason}`, message, { resend: link.purpose === 'verify-email' });
}

export function linkRoutes({ db, temporal, journeys, cookies, idleTimeoutMs }: LinkRouteDeps): Router {
  const router = Router({ mergeParams: true });

  /** Starts the journey that signs in the user a consumed link named. */
  async function signIn(req: Request, res: Response, tenant: string, userId: string, via: 'verify-email' | 'sign-in') {
    const bundle = await checkJourneyStart(db, tenant, 'login', 'link-sign-in');
    const snapshot = await journeys.start({
      id: newJourneyId(), tenant, kind: 'login', tree: 'link-sign-in', binding: ensureBinding(req, res, tenant, cookies), idleTimeoutMs, bundle,
      request: { ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300), proof: { userId, via } },
    });
    await completeLogin(db, req, res, snapshot, cookies);
    res.status(201).json(snapshot.view);
  }

  /** An email-change link opened in another browser than its journey's is refused before it is used. */
  async function checkSameBrowser(req: Request, tenant: string, token: string) {
    const peeked = await peekLink(db, tenant, token);
    if (peeked?.purpose !== 'email-change' || !peeked.workflowId) return;
    const binding = bindingOf(req, cookies);
    const here = binding ? await journeys.read(tenant, peeked.workflowId, binding).then(() => true, () => false) : false;
    if (!here) throw new HttpError(409, 'other_browser', 'Open this link in the browser where you asked to change your email address.');
  }

  router.post('/', jsonBody, async (req, res) => {
    const tenant = req.tenant!.id;
    const token = tokenOf(req);
    await checkSameBrowser(req, tenant, token);
    const link = await consumeLink(db, tenant, token);
    if (!link.ok) {
      if (link.reason === 'unknown') throw new HttpError(404, 'link_unknown', 'This link is not valid.');
      throw gone(link.reason, link);
    }
    switch (link.purpose) {
      case 'recovery':
      case 'email-change': {
        if (!link.workflowId) throw new HttpError(404, 'link_unknown', 'This link is not valid.');
        const snapshot = await journeys.followLink(tenant, link.workflowId, hashToken(token), ensureBinding(req, res, tenant, cookies));
        await completeLogin(db, req, res, snapshot, cookies);
        res.status(201).json(snapshot.view);
        return;
      }
      case 'verify-email': {
        if (!link.workflowId || !link.userId) throw new HttpError(404, 'link_unknown', 'This link is not valid.');
        try {
          await temporal.workflow.getHandle(link.workflowId).executeUpdate(verifyEmailUpdate);
        } catch {
          // The registration ended (expired) or no longer waits for this address: the link is dead.
          throw new HttpError(410, 'link_expired', 'This link has expired.', { resend: false });
        }
        await signIn(req, res, tenant, link.userId, 'verify-email');
        return;
      }
      case 'sign-in': {
        if (!link.userId) throw new HttpError(404, 'link_unknown', 'This link is not valid.');
        await signIn(req, res, tenant, link.userId, 'sign-in');
        return;
      }
    }
  });

  router.post('/resend', jsonBody, async (req, res) => {
    const link = await peekLink(db, req.tenant!.id, tokenOf(req));
    if (link?.purpose === 'verify-email' && link.workflowId) {
      // The workflow decides whether a new link is due (still unverified, within its resend limits).
      await temporal.workflow.getHandle(link.workflowId).signal(resendVerificationSignal).catch(() => undefined);
    }
    res.status(202).json({ status: 'requested' });
  });

  return router;
}
