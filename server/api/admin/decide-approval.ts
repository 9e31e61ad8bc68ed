// Hands an admin's decision on a pending account to its registration workflow, which alone
// decides: the admin API and `tessera users approve|reject` both come through here.
// Rules: a row that is no longer pending, a workflow that refuses (AlreadyDecided) and a workflow
// that has finished all mean "already decided"; anything else is an error of ours.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Approval } from '../../../core/registration/approvals.ts';
import {
  approveUpdate, rejectUpdate, RegistrationFailures, type Decision, type RegistrationState,
} from '../../../workflows/registration-contracts.ts';

export type DecisionKind = 'approve' | 'reject';

export type DecisionResult =
  | { ok: true; status: 'approved' | 'rejected'; state: RegistrationState }
  | { ok: false; reason: 'already_decided' };

const ALREADY = { ok: false, reason: 'already_decided' } as const;

function isAlreadyDecided(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause.type === RegistrationFailures.alreadyDecided;
  return err instanceof Error && /already completed/i.test(err.message);
}

/** @throws whatever Temporal raised that is not a refusal (the server answers 500). */
export async function decideApproval(temporal: Client, approval: Approval, kind: DecisionKind, decision: Decision): Promise<DecisionResult> {
  if (approval.status !== 'pending') return ALREADY;
  try {
    const handle = temporal.workflow.getHandle(approval.workflowId);
    const state = await handle.executeUpdate(kind === 'approve' ? approveUpdate : rejectUpdate, { args: [decision] });
    return { ok: true, status: kind === 'approve' ? 'approved' : 'rejected', state };
  } catch (err) {
    if (isAlreadyDecided(err)) return ALREADY;
    throw err;
  }
}
