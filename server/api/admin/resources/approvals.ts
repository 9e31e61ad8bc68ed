// Accounts awaiting an admin's decision (routes kept from before the management API):
//   GET  /approvals                 pending first-come first-served (`?status=` for decided ones)
//   GET  /approvals/{id}
//   POST /approvals/{id}/approve    body optional: { reason }
//   POST /approvals/{id}/reject     body optional: { reason }
// Rules: the registration workflow alone decides (decide-approval.ts); a decided approval or a
// finished workflow → 409 already_decided; the decision is recorded as the caller's actor.
// Lists also answer under `approvals`, the name they had before `items`.
import { z } from 'zod';
import { getApproval, getApprovalWithUser, listApprovals, type PendingApproval } from '../../../../core/registration/approvals.ts';
import type { Db } from '../../../../core/infra/db.ts';
import { durationMs, getRegistrationSettings } from '../../../../core/registration/registration-settings.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { decideApproval, type DecisionKind } from '../decide-approval.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams, Reason, Timestamp } from '../schemas.ts';

const access = { area: 'approvals', write: false } as const;
const Status = z.enum(['pending', 'approved', 'rejected', 'expired']);

const ApprovalJson = z.object({
  id: z.uuid(), userId: z.uuid(), email: z.string().nullable(), name: z.string().nullable(), status: Status,
  attributes: z.record(z.string(), z.string()).describe('The profile attributes the applicant entered (what approvers decide on).'),
  requestedAt: Timestamp, remindedAt: Timestamp.nullable(),
  reminderAt: Timestamp.nullable().describe('When the approvers are reminded (requestedAt + the tenant\'s reminderAfter); null once sent, '
    + 'when it would not come before the deadline, or when the request is decided.'),
  deadlineAt: Timestamp.describe('When the request is rejected without a decision.'),
  decidedAt: Timestamp.nullable(), decidedBy: z.string().nullable(), reason: z.string().nullable(),
});
const ApprovalList = z.object({ items: z.array(ApprovalJson), next: z.string().nullable(), approvals: z.array(ApprovalJson).describe('Same as items (the older name).') });
const Decision = z.object({ reason: Reason.optional() }).strict();
const Decided = z.object({ id: z.uuid(), status: z.enum(['approved', 'rejected']) });
const Cursor = z.object({ requestedAt: z.string(), id: z.uuid() });

interface Timing { reminderMs: number; deadlineMs: number }

/** The tenant's moderation timing now (the workflow planned its reminder with the setting of its start). */
async function timing(db: Db, tenant: string): Promise<Timing> {
  const { moderation } = await getRegistrationSettings(db, tenant);
  return { reminderMs: durationMs(moderation.reminderAfter), deadlineMs: durationMs(moderation.deadline) };
}

/**
 * Rows from before the deadline was recorded fall back to today's setting. The reminder, as the
 * registration workflow sends it: once, while pending, only when it comes before the deadline.
 */
function approvalJson(a: PendingApproval, { reminderMs, deadlineMs }: Timing) {
  const deadlineAt = a.deadlineAt ?? new Date(a.requestedAt.getTime() + deadlineMs);
  const reminderAt = new Date(a.requestedAt.getTime() + reminderMs);
  return {
    id: a.id, userId: a.userId, email: a.email, name: a.name, status: a.status, attributes: a.attributes, requestedAt: a.requestedAt, remindedAt: a.remindedAt,
    reminderAt: a.status === 'pending' && !a.remindedAt && reminderAt < deadlineAt ? reminderAt : null,
    deadlineAt, decidedAt: a.decidedAt, decidedBy: a.decidedBy, reason: a.reason,
  };
}

function decide(kind: DecisionKind) {
  return defineOperation({
    id: `approvals.${kind}`, method: 'POST', path: `/approvals/{id}/${kind}`, scope: 'tenant', tag: 'approvals',
    summary: kind === 'approve' ? 'Approve a pending account (the user is mailed a sign-in link)' : 'Reject a pending account (the user is told)',
    access: { area: 'approvals', write: true }, params: IdParams, body: Decision, optionalBody: true, response: Decided,
    async run(ctx, { params, body }) {
      const approval = await getApproval(ctx.db, ctx.tenant, params.id);
      if (!approval) throw notFound('No such approval.');
      const result = await decideApproval(await ctx.temporal(), approval, kind, { by: ctx.principal.actor, ...(body.reason ? { reason: body.reason } : {}) });
      if (!result.ok) throw new HttpError(409, 'already_decided', 'This account has already been decided.');
      ctx.note({ subject: approval.userId, data: { approval: approval.id, ...(body.reason ? { reason: body.reason } : {}) } });
      return { id: approval.id, status: result.status };
    },
  });
}

export const operations: Operation[] = [
  defineOperation({
    id: 'approvals.list', method: 'GET', path: '/approvals', scope: 'tenant', tag: 'approvals',
    summary: 'Accounts awaiting approval, oldest first', access,
    query: ListQuery.extend({ status: Status.default('pending') }), response: ApprovalList,
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const [rows, times] = await Promise.all([listApprovals(db, tenant, { status: query.status, after, limit: query.limit + 1 }), timing(db, tenant)]);
      const result = page(rows, query.limit, (a) => ({ requestedAt: a.requestedAt.toISOString(), id: a.id }), (a) => approvalJson(a, times));
      return { ...result, approvals: result.items };
    },
  }),
  defineOperation({
    id: 'approvals.get', method: 'GET', path: '/approvals/{id}', scope: 'tenant', tag: 'approvals',
    summary: 'One approval', access, params: IdParams, response: ApprovalJson,
    async run({ db, tenant }, { params }) {
      const approval = await getApprovalWithUser(db, tenant, params.id);
      if (!approval) throw notFound('No such approval.');
      return approvalJson(approval, await timing(db, tenant));
    },
  }),
  decide('approve'),
  decide('reject'),
];
