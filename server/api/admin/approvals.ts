// Admin API for accounts awaiting approval, under the admin router (bearer token checked,
// res.locals.admin set):
//   GET  /                 → 200 { approvals: [{ id, userId, email, name, requestedAt, remindedAt, deadlineAt }] } (pending)
//   POST /:id/approve      → 200 { id, status: 'approved' }   body optional: { reason }
//   POST /:id/reject       → 200 { id, status: 'rejected' }   body optional: { reason }
// Rules: an unknown or malformed id → 404; a decided approval or a finished workflow → 409
// already_decided; a body, when sent, is JSON, strict, with a reason of at most 500 characters;
// the decision is recorded as `admin:<token name>`.
import { Router, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../../core/infra/db.ts';
import { getApproval, listPendingApprovals, type PendingApproval } from '../../../core/registration/approvals.ts';
import { durationMs, getRegistrationSettings } from '../../../core/registration/registration-settings.ts';
import { HttpError, notFound } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { adminActor, type AdminIdentity } from './admin-auth.ts';
import { decideApproval, type DecisionKind } from './decide-approval.ts';

const DecisionBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

/** A decision needs no body: an empty request is `{}`; anything sent must be JSON. */
const optionalJsonBody: RequestHandler = (req, res, next) => {
  const empty = !req.get('transfer-encoding') && Number(req.get('content-length') ?? 0) === 0;
  if (empty) {
    req.body = {};
    return next();
  }
  jsonBody(req, res, next);
};

/**
 * `deadlineAt`: when the account is rejected without a decision, as the workflow recorded it
 * (rows from before that was recorded fall back to today's setting).
 */
function approvalJson(a: PendingApproval, deadlineMs: number) {
  return {
    id: a.id, userId: a.userId, email: a.email, name: a.name, requestedAt: a.requestedAt, remindedAt: a.remindedAt,
    deadlineAt: a.deadlineAt ?? new Date(a.requestedAt.getTime() + deadlineMs),
  };
}

export function approvalRoutes({ db, temporal }: { db: Db; temporal: Client }): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const tenant = req.tenant!.id;
    const [pending, settings] = await Promise.all([listPendingApprovals(db, tenant), getRegistrationSettings(db, tenant)]);
    const deadlineMs = durationMs(settings.moderation.deadline);
    res.json({ approvals: pending.map((a) => approvalJson(a, deadlineMs)) });
  });

  const decide = (kind: DecisionKind): RequestHandler => async (req, res) => {
    const approval = await getApproval(db, req.tenant!.id, String(req.params.id));
    if (!approval) throw notFound('No such approval.');
    const body = DecisionBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'invalid_request', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const by = adminActor(res.locals.admin as AdminIdentity);
    const result = await decideApproval(temporal, approval, kind, { by, ...(body.data.reason ? { reason: body.data.reason } : {}) });
    if (!result.ok) throw new HttpError(409, 'already_decided', 'This account has already been decided.');
    res.json({ id: approval.id, status: result.status });
  };
  router.post('/:id/approve', optionalJsonBody, decide('approve'));
  router.post('/:id/reject', optionalJsonBody, decide('reject'));

  return router;
}
