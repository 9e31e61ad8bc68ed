// Admin API for invitations, mounted under the admin router (which has checked the bearer token
// and set res.locals.admin = { name }):
//   POST /            { email, ttl? }  → 201 invitation (never its code, which only the mail holds)
//   GET  /                             → 200 { invitations: [...] }
//   POST /:id/revoke                   → 200 invitation; 404 unknown; 409 already ended
// Rules: bodies are JSON, strict and bounded; an address that has an account → 409
// already_registered (admins may know who is registered); the inviter and revoker recorded are
// `admin:<token name>`.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { isDuration, parseDuration } from '../../../core/infra/duration.ts';
import { createInvitation, InvitationError, revokeInvitation } from '../../../core/registration/invitation-lifecycle.ts';
import { listInvitations, type Invitation } from '../../../core/registration/invitations.ts';
import { getRegistrationSettings } from '../../../core/registration/registration-settings.ts';
import { HttpError, notFound } from '../../http-error.ts';
import { adminActor, type AdminIdentity } from './admin-auth.ts';
import { jsonBody } from '../../middleware/json-body.ts';

const CreateBody = z.object({
  email: z.string().max(254),
  ttl: z.string().max(16).refine(isDuration, 'must be a duration such as 12h or 7d').optional(),
}).strict();

export function adminInvitationJson(i: Invitation) {
  return {
    id: i.id, email: i.email, status: i.status, inviter: i.inviter, expiresAt: i.expiresAt, createdAt: i.createdAt,
    acceptedAt: i.acceptedAt, acceptedUserId: i.acceptedUserId, revokedAt: i.revokedAt,
  };
}

/** @throws HttpError 400 / 409 for an InvitationError; anything else unchanged. */
export function invitationHttpError(err: unknown): unknown {
  if (!(err instanceof InvitationError)) return err;
  const status = err.code === 'already_registered' ? 409 : err.code === 'quota_exceeded' ? 403 : 400;
  return new HttpError(status, err.code, `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`);
}

export function invitationAdminRoutes({ db, temporal, config }: { db: Db; temporal: Client; config: Config }): Router {
  const router = Router({ mergeParams: true });
  const admin = (locals: Record<string, any>) => adminActor(locals.admin as AdminIdentity);

  router.post('/', jsonBody, async (req, res) => {
    const body = CreateBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'invalid_request', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const tenant = req.tenant!.id;
    const ttlMs = parseDuration(body.data.ttl ?? (await getRegistrationSettings(db, tenant)).invitations.ttl);
    try {
      const invitation = await createInvitation(db, temporal, config, { tenant, email: body.data.email, inviter: admin(res.locals), ttlMs });
      res.status(201).json(adminInvitationJson(invitation));
    } catch (err) {
      throw invitationHttpError(err);
    }
  });

  router.get('/', async (req, res) => {
    res.json({ invitations: (await listInvitations(db, req.tenant!.id)).map(adminInvitationJson) });
  });

  router.post('/:id/revoke', async (req, res) => {
    const result = await revokeInvitation(db, temporal, req.tenant!.id, String(req.params.id), admin(res.locals));
    if (!result.ok && result.reason === 'unknown') throw notFound('No such invitation.');
    if (!result.ok) throw new HttpError(409, 'invitation_finished', 'The invitation has already been accepted, revoked or has expired.');
    res.json(adminInvitationJson(result.invitation));
  });

  return router;
}
