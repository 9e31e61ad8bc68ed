// Creating and revoking invitations: the row and its workflow together. Used by the CLI, the admin
// API and the user API.
// Rules: the address is validated and stored lower-case; an address that already has an account is
// refused for admins (`already_registered`) but, for users, gets an invitation like any other whose
// mail is skipped by the workflow — the inviter cannot tell, and it counts against the quota as a
// sent one would, so the quota does not tell either; the quota check and the insert run in one
// transaction that locks the inviter's user row, so concurrent requests cannot exceed it; a row
// whose workflow could not be started is deleted. The workflow is started and updated by name
// because core/ does not import workflows/ (test/unit/invitation-contracts.test.ts checks the names).
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { recordAudit } from '../infra/audit.ts';
import type { Config } from '../infra/config.ts';
import type { Db } from '../infra/db.ts';
import { countQuotaInvitations, emailRegistered, getInvitation, invitationWorkflowId, type Invitation } from './invitations.ts';

export const INVITATION_WORKFLOW_NAME = 'invitationWorkflow';
export const REVOKE_UPDATE_NAME = 'revoke';
export const INVITATION_FINISHED = 'InvitationFinished';

export const MIN_TTL_MS = 60_000;
export const MAX_TTL_MS = 365 * 86_400_000;

export type InvitationErrorCode = 'invalid_email' | 'invalid_ttl' | 'already_registered' | 'quota_exceeded';

export class InvitationError extends Error {
  readonly code: InvitationErrorCode;

  constructor(code: InvitationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface NewInvitation {
  tenant: string;
  email: string;
  /** 'user:<uuid>', 'admin:<token name>' or 'cli'. */
  inviter: string;
  /** For a user's invitation: counted against `quota`, and the mail names the user. */
  inviterUserId?: string;
  quota?: number;
  ttlMs: number;
}

const Email = z.email().max(254);

/**
 * @throws InvitationError for a malformed address or ttl, an address with an account (admins
 * only), or a user past the quota.
 */
export async function createInvitation(db: Db, temporal: Client, config: Config, req: NewInvitation): Promise<Invitation> {
  const email = req.email.trim().toLowerCase();
  if (!Email.safeParse(email).success) throw new InvitationError('invalid_email', 'email is not a valid address');
  if (!Number.isInteger(req.ttlMs) || req.ttlMs < MIN_TTL_MS || req.ttlMs > MAX_TTL_MS) {
    throw new InvitationError('invalid_ttl', 'ttl must be between 1 minute and 365 days');
  }
  if (!req.inviterUserId && (await emailRegistered(db, req.tenant, email))) {
    throw new InvitationError('already_registered', 'an account with this email already exists');
  }
  const id = randomUUID();
  const workflowId = invitationWorkflowId(req.tenant, id);
  await db.begin(async (transaction) => {
    // postgres.js types a transaction apart from its pool; it runs the same tagged queries.
    const tx = transaction as unknown as Db;
    if (req.inviterUserId) {
      await tx`SELECT 1 FROM users WHERE tenant_id = ${req.tenant} AND id = ${req.inviterUserId} FOR UPDATE`;
      if (req.quota !== undefined && (await countQuotaInvitations(tx, req.tenant, req.inviterUserId)) >= req.quota) {
        throw new InvitationError('quota_exceeded', `you may have at most ${req.quota} invitations pending or accepted`);
      }
    }
    await tx`INSERT INTO invitations (tenant_id, id, email, inviter, inviter_user_id, status, workflow_id, expires_at)
      VALUES (${req.tenant}, ${id}, ${email}, ${req.inviter}, ${req.inviterUserId ?? null}, 'pending', ${workflowId},
              now() + make_interval(secs => ${req.ttlMs / 1000}::double precision))`;
  });
  try {
    await temporal.workflow.start(INVITATION_WORKFLOW_NAME, {
      workflowId, taskQueue: config.taskQueue, args: [{ tenant: req.tenant, invitationId: id, ttlMs: req.ttlMs }],
    });
  } catch (err) {
    await db`DELETE FROM invitations WHERE tenant_id = ${req.tenant} AND id = ${id}`;
    throw err;
  }
  return (await getInvitation(db, req.tenant, id))!;
}

export type RevokeResult = { ok: true; invitation: Invitation } | { ok: false; reason: 'unknown' | 'finished' };

function isFinished(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError) return err.cause instanceof ApplicationFailure && err.cause.type === INVITATION_FINISHED;
  return false;
}

function isGone(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message));
}

/** Revokes a pending invitation through its workflow, which records it (audit with `by`). */
export async function revokeInvitation(db: Db, temporal: Client, tenant: string, id: string, by: string): Promise<RevokeResult> {
  const invitation = await getInvitation(db, tenant, id);
  if (!invitation) return { ok: false, reason: 'unknown' };
  if (invitation.status !== 'pending') return { ok: false, reason: 'finished' };
  try {
    await temporal.workflow.getHandle(invitation.workflowId).executeUpdate(REVOKE_UPDATE_NAME, { args: [{ by }] });
  } catch (err) {
    if (isFinished(err)) return { ok: false, reason: 'finished' };
    if (!isGone(err)) throw err;
    // No workflow (terminated by an operator): revoke the row here so it cannot be accepted.
    const [row] = await db`UPDATE invitations SET status = 'revoked', revoked_at = now()
      WHERE tenant_id = ${tenant} AND id = ${id} AND status = 'pending' RETURNING id`;
    if (!row) return { ok: false, reason: 'finished' };
    await recordAudit(db, { tenant, type: 'invitation.revoked', actor: by, dedupeKey: `invitation.revoked:${id}`, data: { invitation: id } });
  }
  return { ok: true, invitation: (await getInvitation(db, tenant, id))! };
}
