// The HTTP-POST binding arrives as a cross-site POST, which carries no SameSite=Lax cookie: the
// browser's SSO session (and journey binding) would be invisible, so a signed-in user would be
// asked to sign in again and a LogoutRequest could not end the session. A POST the browser marks
// `Sec-Fetch-Site: cross-site` is therefore answered with a page that posts the same SAMLRequest
// and RelayState to the same URL from this origin (same-origin: the cookies come along); nothing
// is read or changed before that. Clients that send no Sec-Fetch-Site are served directly.
import type { RequestHandler } from 'express';
import { sendPostForm } from './post-form.ts';

export const sameSiteBounce: RequestHandler = (req, res, next) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (req.get('sec-fetch-site') !== 'cross-site' || typeof body.SAMLRequest !== 'string') return next();
  sendPostForm(res, req.tenant!.id, {
    action: req.originalUrl, field: 'SAMLRequest', value: body.SAMLRequest,
    relayState: typeof body.RelayState === 'string' ? body.RelayState : undefined, title: 'Continuing…',
  });
};
