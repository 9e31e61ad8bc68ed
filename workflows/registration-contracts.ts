// The registration workflow's input, state and messages. The server, the CLI and the register
// module import this file, never the workflow itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export interface RegistrationInput {
  tenant: string;
  userId: string;
  policy: 'invited' | 'verify' | 'moderation';
  /** The signup journey that created the account (kept in audit events). */
  journeyId?: string;
}

export type RegistrationStatus = 'awaiting-verification' | 'awaiting-approval' | 'active' | 'rejected' | 'expired';

/** Outgoing mail of this registration: `retrying` means a message could not be sent yet and will be. */
export interface MailState { state: 'none' | 'sending' | 'sent' | 'retrying'; attempts: number; lastError?: string }

export interface RegistrationState {
  status: RegistrationStatus;
  policy: RegistrationInput['policy'];
  mail: MailState;
  /** Epoch milliseconds (workflow time). */
  requestedAt: number;
  remindedAt?: number;
  /** When the registration gives up: the approval deadline, or the end of email verification. */
  deadlineAt?: number;
  decidedBy?: string;
  reason?: string;
}

/** An admin's decision: `by` is who decided ('admin:<token name>', 'cli'). */
export interface Decision { by: string; reason?: string }

export const REGISTRATION_WORKFLOW = 'registrationWorkflow';

export function registrationWorkflowId(tenant: string, userId: string): string {
  return `registration-${tenant}-${userId}`;
}

/** Approve an account awaiting approval; refused (AlreadyDecided) unless it still awaits one. */
export const approveUpdate = defineUpdate<RegistrationState, [Decision]>('approve');
/** Reject an account awaiting approval; refused (AlreadyDecided) unless it still awaits one. */
export const rejectUpdate = defineUpdate<RegistrationState, [Decision]>('reject');
/** The user followed a verification link (the server consumed it); refused unless awaiting verification. */
export const verifyEmailUpdate = defineUpdate<RegistrationState, []>('verifyEmail');
/** Mail a new verification link (at most 5 more, one a minute; extra requests are ignored). */
export const resendVerificationSignal = defineSignal<[]>('resendVerification');
export const registrationStateQuery = defineQuery<RegistrationState>('registrationState');

/** ApplicationFailure types of the updates' refusals. */
export const RegistrationFailures = { alreadyDecided: 'AlreadyDecided', notAwaitingVerification: 'NotAwaitingVerification' } as const;
