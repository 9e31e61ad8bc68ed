// Invitations (routes kept from before the management API):
//   POST /invitations              { email, ttl? } → 201 (never the code: only the mail holds it)
//   GET  /invitations              newest first, `?status=`
//   GET  /invitations/{id}
//   POST /invitations/{id}/revoke  404 unknown; 409 already ended
// Rules: an address that has an account → 409 already_registered (admins may know who is
// registered); the inviter and revoker recorded are the caller's actor. Lists also answer under
// `invitations`, the name they had before `items`.
import { z } from 'zod';
import { isDuration, parseDuration } from '../../../../core/infra/duration.ts';
import { createInvitation, InvitationError, revokeInvitation } from '../../../../core/registration/invitation-lifecycle.ts';
import { getInvitation, listInvitationsPage, type Invitation } from '../../../../core/registration/invitations.ts';
import { getRegistrationSettings } from '../../../../core/registration/registration-settings.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const Status = z.enum(['pending', 'accepted', 'revoked', 'expired']);
const InvitationJson = z.object({
  id: z.uuid(), email: z.string(), status: Status, inviter: z.string(), expiresAt: Timestamp, createdAt: Timestamp,
  acceptedAt: Timestamp.nullable(), acceptedUserId: z.uuid().nullable(), revokedAt: Timestamp.nullable(),
});
const CreateBody = z.object({
  email: z.string().max(254),
  ttl: z.string().max(16).refine(isDuration, 'must be a duration such as 12h or 7d').optional(),
}).strict();
const Cursor = z.object({ createdAt: z.string(), id: z.uuid() });

export function adminInvitationJson(i: Invitation) {
  return {
    id: i.id, email: i.email, status: i.status, inviter: i.inviter, expiresAt: i.expiresAt, createdAt: i.createdAt,
    acceptedAt: i.acceptedAt, acceptedUserId: i.acceptedUserId, revokedAt: i.revokedAt,
  };
}

/** @throws HttpError 400 / 403 / 409 for an InvitationError; anything else unchanged. */
export function invitationHttpError(err: unknown): unknown {
  if (!(err instanceof InvitationError)) return err;
  const status = err.code === 'already_registered' ? 409 : err.code === 'quota_exceeded' ? 403 : 400;
  return new HttpError(status, err.code, `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`);
}

const read = { area: 'approvals', write: false } as const;
const write = { area: 'approvals', write: true } as const;

export const operations: Operation[] = [
  defineOperation({
    id: 'invitations.list', method: 'GET', path: '/invitations', scope: 'tenant', tag: 'invitations', summary: 'Invitations, newest first',
    access: read, query: ListQuery.extend({ status: Status.optional() }),
    response: z.object({ items: z.array(InvitationJson), next: z.string().nullable(), invitations: z.array(InvitationJson).describe('Same as items (the older name).') }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const rows = await listInvitationsPage(db, tenant, { status: query.status, before: after, limit: query.limit + 1 });
      const result = page(rows, query.limit, (i) => ({ createdAt: i.createdAt.toISOString(), id: i.id }), adminInvitationJson);
      return { ...result, invitations: result.items };
    },
  }),
  defineOperation({
    id: 'invitations.create', method: 'POST', path: '/invitations', scope: 'tenant', tag: 'invitations',
    summary: 'Invite an address (the invitation is mailed)', access: write, body: CreateBody, response: InvitationJson, status: 201,
    async run(ctx, { body }) {
      const ttlMs = parseDuration(body.ttl ?? (await getRegistrationSettings(ctx.db, ctx.tenant)).invitations.ttl);
      try {
        const invitation = await createInvitation(ctx.db, await ctx.temporal(), ctx.config, { tenant: ctx.tenant, email: body.email, inviter: ctx.principal.actor, ttlMs });
        ctx.note({ subject: invitation.id });
        return adminInvitationJson(invitation);
      } catch (err) {
        throw invitationHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'invitations.get', method: 'GET', path: '/invitations/{id}', scope: 'tenant', tag: 'invitations', summary: 'One invitation',
    access: read, params: IdParams, response: InvitationJson,
    async run({ db, tenant }, { params }) {
      const invitation = await getInvitation(db, tenant, params.id);
      if (!invitation) throw notFound('No invitation with this id.');
      return adminInvitationJson(invitation);
    },
  }),
  defineOperation({
    id: 'invitations.revoke', method: 'POST', path: '/invitations/{id}/revoke', scope: 'tenant', tag: 'invitations',
    summary: 'Revoke a pending invitation', access: write, params: IdParams, response: InvitationJson,
    async run(ctx, { params }) {
      const result = await revokeInvitation(ctx.db, await ctx.temporal(), ctx.tenant, params.id, ctx.principal.actor);
      if (!result.ok && result.reason === 'unknown') throw notFound('No invitation with this id.');
      if (!result.ok) throw new HttpError(409, 'invitation_finished', 'The invitation has already ended (accepted, revoked or expired).');
      return adminInvitationJson(result.invitation);
    },
  }),
];
