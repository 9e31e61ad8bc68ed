// Invitations sent by signed-in users, mounted at /t/{tenant}/api/invitations:
//   POST / { email } → 201 invitation      GET / → 200 { invitations: [...] } (the user's own)
// Rules, in order: a cross-site request (Origin of another site, or Sec-Fetch-Site: cross-site)
// → 403, so another site cannot make a signed-in browser invite; no live SSO session → 401; the
// tenant does not let users invite (settings.invitations.usersMayInvite) → 403; bodies are JSON
// only (a cross-site form cannot send that type without a preflight) and strict; beyond the
// quota (pending + accepted) → 403 quota_exceeded. An address that already has an account gets
// the same 201 and a listed invitation, but no mail (core/registration/invitation-lifecycle.ts): the answer
// never tells who is registered.
import { Router, type Request, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { parseDuration } from '../../../core/infra/duration.ts';
import { createInvitation } from '../../../core/registration/invitation-lifecycle.ts';
import { listInvitations, type Invitation } from '../../../core/registration/invitations.ts';
import { getRegistrationSettings } from '../../../core/registration/registration-settings.ts';
import type { Session } from '../../../core/accounts/sessions.ts';
import { HttpError } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { currentSession } from '../../sso-session.ts';
import { invitationHttpError } from '../admin/resources/invitations.ts';

const CreateBody = z.object({ email: z.string().max(254) }).strict();

function userInvitationJson(i: Invitation) {
  return { id: i.id, email: i.email, status: i.status, expiresAt: i.expiresAt, createdAt: i.createdAt, acceptedAt: i.acceptedAt };
}

function isCrossSite(req: Request, publicUrl: string): boolean {
  if (req.get('sec-fetch-site') === 'cross-site') return true;
  const origin = req.get('origin');
  if (origin === undefined) return false;
  return origin !== new URL(publicUrl).origin && origin !== `${req.protocol}://${req.get('host')}`;
}

export function userInvitationRoutes({ db, temporal, config }: { db: Db; temporal: Client; config: Config }): Router {
  const cookies = { secure: config.publicUrl.startsWith('https:') };
  const router = Router({ mergeParams: true });
  const session = (res: { locals: Record<string, any> }) => res.locals.session as Session;

  const sameSite: RequestHandler = (req, _res, next) => {
    next(isCrossSite(req, config.publicUrl) ? new HttpError(403, 'cross_site_request', 'Cross-site requests are not allowed here.') : undefined);
  };
  const signedIn: RequestHandler = async (req, res, next) => {
    const found = await currentSession(db, req, req.tenant!.id, cookies);
    if (!found) return next(new HttpError(401, 'unauthenticated', 'Sign in first.'));
    res.locals.session = found;
    next();
  };
  router.use(sameSite, signedIn);

  router.get('/', async (req, res) => {
    const mine = await listInvitations(db, req.tenant!.id, { inviterUserId: session(res).userId });
    res.json({ invitations: mine.map(userInvitationJson) });
  });

  router.post('/', async (req, _res, next) => {
    const settings = (await getRegistrationSettings(db, req.tenant!.id)).invitations;
    if (!settings.usersMayInvite) return next(new HttpError(403, 'invitations_disabled', 'Users may not send invitations here.'));
    next();
  }, jsonBody, async (req, res) => {
    const body = CreateBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'invalid_request', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const tenant = req.tenant!.id;
    const { userId } = session(res);
    const settings = (await getRegistrationSettings(db, tenant)).invitations;
    try {
      const invitation = await createInvitation(db, temporal, config, {
        tenant, email: body.data.email, inviter: `user:${userId}`, inviterUserId: userId, quota: settings.quota,
        ttlMs: parseDuration(settings.ttl),
      });
      res.status(201).json(userInvitationJson(invitation));
    } catch (err) {
      throw invitationHttpError(err);
    }
  });

  return router;
}
