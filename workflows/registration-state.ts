// A registration's state apart from Temporal: what the updates may do, the decision waiting to be
// applied, the verification resend budget, and the mail summary the query shows. Pure, so it is
// unit-tested without a server.
// Rules: a decision (approve, reject, verify, or the timer's own) is recorded once, synchronously,
// by whoever comes first; every later one is refused before it reaches history.
import { ApplicationFailure } from '@temporalio/common';
import {
  RegistrationFailures, type Decision, type MailState, type RegistrationInput, type RegistrationState, type RegistrationStatus,
} from './registration-contracts.ts';

/** An unverified account is given up after 30 days (it stays pending). */
export const VERIFICATION_EXPIRY_MS = 30 * 86_400_000;
/** Verification links a user may ask for after the first, and how often. */
export const MAX_RESENDS = 5;
export const RESEND_INTERVAL_MS = 60_000;

/** What the main loop is to apply next. `expire` is the deadline's own decision. */
export type Pending =
  | { kind: 'approve' | 'reject'; decision: Decision }
  | { kind: 'verify' }
  | { kind: 'expire' };

interface MailJob { state: 'sending' | 'retrying' | 'sent'; failures: number; lastError?: string; failedAt?: number }

const MAX_BY = 200;
const MAX_REASON = 500;

export class RegistrationRecord {
  readonly state: RegistrationState;
  pending?: Pending;
  /** Verification links mailed so far (the n of their dedupe keys). */
  sends = 0;
  #lastSendAt = Number.NEGATIVE_INFINITY;
  #resendWanted = false;
  #mail: MailJob[] = [];
  #failureCount = 0;

  constructor(input: RegistrationInput, now: number) {
    const status: RegistrationStatus = input.policy === 'moderation' ? 'awaiting-approval' : 'awaiting-verification';
    this.state = { status, policy: input.policy, mail: { state: 'none', attempts: 0 }, requestedAt: now };
  }

  view(): RegistrationState {
    return { ...this.state, mail: { ...this.state.mail } };
  }

  /** Validator of approve and reject. @throws ApplicationFailure AlreadyDecided, or InvalidDecision. */
  validateDecision(decision: Decision): void {
    if (this.state.status !== 'awaiting-approval' || this.pending) {
      throw ApplicationFailure.nonRetryable('This registration has already been decided.', RegistrationFailures.alreadyDecided);
    }
    const ok = typeof decision?.by === 'string' && decision.by.length > 0 && decision.by.length <= MAX_BY
      && (decision.reason === undefined || (typeof decision.reason === 'string' && decision.reason.length <= MAX_REASON));
    if (!ok) throw ApplicationFailure.nonRetryable('A decision names who decided, and a reason of at most 500 characters.', 'InvalidDecision');
  }

  /** Validator of verifyEmail. @throws ApplicationFailure NotAwaitingVerification. */
  validateVerify(): void {
    if (this.state.policy !== 'verify' || this.state.status !== 'awaiting-verification' || this.pending) {
      throw ApplicationFailure.nonRetryable('This registration is not awaiting email verification.', RegistrationFailures.notAwaitingVerification);
    }
  }

  /** Records what the main loop applies; callers validated first. */
  record(pending: Pending): void {
    this.pending ??= pending;
  }

  /** True once a decision was applied: what an update waits for before answering. */
  get settled(): boolean {
    return this.state.status !== 'awaiting-approval' && this.state.status !== 'awaiting-verification';
  }

  settle(status: RegistrationStatus, decision?: { by?: string; reason?: string }): void {
    this.state.status = status;
    if (decision?.by) this.state.decidedBy = decision.by;
    if (decision?.reason) this.state.reason = decision.reason;
  }

  /** A verification link is mailed now; returns its number. */
  nextSend(now: number): number {
    this.#lastSendAt = now;
    this.#resendWanted = false;
    return ++this.sends;
  }

  /** The resend signal: taken while awaiting verification, within budget and not within a minute of the last. */
  requestResend(now: number): void {
    if (this.state.policy !== 'verify' || this.state.status !== 'awaiting-verification' || this.pending) return;
    if (this.sends > MAX_RESENDS || now - this.#lastSendAt < RESEND_INTERVAL_MS) return;
    this.#resendWanted = true;
  }

  get resendWanted(): boolean {
    return this.#resendWanted && !this.pending && this.sends <= MAX_RESENDS;
  }

  /** A message joins the outbox; returns its handle for the calls below. */
  mailQueued(): number {
    this.#mail.push({ state: 'sending', failures: 0 });
    this.#summarize();
    return this.#mail.length - 1;
  }

  mailSending(job: number): void {
    this.#mail[job]!.state = 'sending';
    this.#summarize();
  }

  mailFailed(job: number, error: string): void {
    const m = this.#mail[job]!;
    m.state = 'retrying';
    m.failures++;
    m.lastError = error;
    m.failedAt = ++this.#failureCount;
    this.#summarize();
  }

  /** Sent, or no longer worth sending (a verification link after the registration ended). */
  mailDone(job: number): void {
    const m = this.#mail[job]!;
    m.state = 'sent';
    m.failures = 0;
    delete m.lastError;
    this.#summarize();
  }

  /** One summary for all messages: retrying wins over sending over sent. */
  #summarize(): void {
    const open = this.#mail.filter((m) => m.state !== 'sent');
    const state: MailState['state'] = open.some((m) => m.state === 'retrying') ? 'retrying'
      : open.length > 0 ? 'sending' : this.#mail.length > 0 ? 'sent' : 'none';
    const failed = open.filter((m) => m.failures > 0);
    const mail: MailState = { state, attempts: failed.reduce((n, m) => Math.max(n, m.failures), 0) };
    const lastError = failed.reduce<MailJob | undefined>((a, m) => (!a || m.failedAt! > a.failedAt! ? m : a), undefined)?.lastError;
    if (lastError) mail.lastError = lastError;
    this.state.mail = mail;
  }
}
