// The invitation workflow's input, state and messages. The server, the CLI and the register
// module import this file, never the workflow. core/registration/invitations.ts starts the workflow and sends
// `revoke` by name (core may not import workflows/); test/unit/invitation-contracts.test.ts keeps
// those names and these definitions in step.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export interface InvitationInput {
  tenant: string;
  /** The invitations row (uuid); the mailed code is made by the activity and never passes here. */
  invitationId: string;
  ttlMs: number;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/**
 * `skipped`: nothing was mailed because the address already has an account (the inviter is not
 * told) or the invitation ended first. `retrying`: the mail server refused; the workflow tries
 * again with backoff and never gives up while the invitation is pending.
 */
export interface InvitationMailState { state: 'none' | 'sending' | 'sent' | 'skipped' | 'retrying'; attempts: number; lastError?: string }

export interface InvitationState {
  status: InvitationStatus;
  mail: InvitationMailState;
  /** Epoch ms, by the workflow clock. */
  expiresAt: number;
  acceptedUserId?: string;
  revokedBy?: string;
}

export const INVITATION_WORKFLOW = 'invitationWorkflow';

export const InvitationFailures = { finished: 'InvitationFinished' } as const;

/** Sent by the register module after acceptInvitation() marked the row accepted. */
export const invitationAcceptedSignal = defineSignal<[{ userId: string }]>('accepted');

/** Refused (InvitationFinished) unless the invitation is pending; answers once the row is revoked. */
export const revokeUpdate = defineUpdate<InvitationState, [{ by: string }]>('revoke');

export const invitationStateQuery = defineQuery<InvitationState>('invitationState');
