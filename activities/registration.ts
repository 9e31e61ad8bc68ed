// The registration workflow's side effects: the tenant's settings (read once, at its start), the
// account's status, the approvals row, audit events, and mail.
// Rules: every write is idempotent (a status changes only from `pending`, audit events and mail
// carry dedupe keys derived from the workflow id), and each decision's writes commit together;
// a mail failure is raised as a retryable `MailError` whose message carries no secret, so the
// workflow can show it while it keeps retrying.
import { ApplicationFailure } from '@temporalio/common';
import { recordAudit } from '../core/infra/audit.ts';
import type { Db } from '../core/infra/db.ts';
import { closeApproval, markApprovalReminded, openApproval } from '../core/registration/approvals.ts';
import { sendLink } from '../core/journeys/link-tokens.ts';
import { createMailer, MailError } from '../core/infra/mail.ts';
import { durationMs, getRegistrationSettings } from '../core/registration/registration-settings.ts';
import { getUser } from '../core/accounts/users.ts';
import type { JourneyActivityDeps } from './journey.ts';

/** Which registration an activity acts for. */
export interface RegistrationRef { tenant: string; userId: string; workflowId: string; journeyId?: string }

/** The tenant's settings as the workflow keeps them from its start. */
export interface RegistrationPlan {
  verificationTtlMs: number;
  signInLinkTtlMs: number;
  reminderAfterMs: number;
  deadlineMs: number;
  /** Admins mailed about the account. */
  notify: string[];
}

/** One message; admin messages name their recipient, the others go to the user. */
export type RegistrationMail =
  | { kind: 'verify'; n: number; ttlMs: number }
  | { kind: 'pending' }
  | { kind: 'approval-request'; to: string; deadlineAt: number }
  | { kind: 'approval-reminder'; to: string; requestedAt: number; deadlineAt: number }
  | { kind: 'approved'; ttlMs: number }
  | { kind: 'rejected'; reason?: string };

export type RegistrationOutcome = 'approved' | 'rejected' | 'expired';

/** "2025-06-01 14:00 UTC": dates in mail, the same for every reader. */
export function mailDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const DEADLINE_REASON = 'No decision was made in time.';

export function createRegistrationActivities({ db, config, mail }: JourneyActivityDeps) {
  const mailer = mail ?? createMailer({ db, smtpUrl: config.smtpUrl, ...(config.mailFrom ? { from: config.mailFrom } : {}) });

  const audit = (tx: Db, ref: RegistrationRef, type: string, extra: { actor?: string; data?: Record<string, unknown> } = {}) =>
    recordAudit(tx, { tenant: ref.tenant, type, subject: ref.userId, journeyId: ref.journeyId, dedupeKey: `${type}:${ref.workflowId}`, ...extra });

  /** Runs `fn` in one transaction (postgres.js types a transaction apart from its pool). */
  const atomically = (fn: (tx: Db) => Promise<void>) => db.begin((tx) => fn(tx as unknown as Db));

  async function deliver(ref: RegistrationRef, m: RegistrationMail): Promise<void> {
    const user = await getUser(db, ref.tenant, ref.userId);
    // A deleted account has nobody to write to or about.
    if (!user?.email) return;
    const name = user.name ?? user.email;
    const key = `registration:${ref.workflowId}:${m.kind}`;
    const link = { tenant: ref.tenant, to: user.email, vars: { name }, userId: ref.userId, workflowId: ref.workflowId };
    switch (m.kind) {
      case 'verify':
        await sendLink(db, mailer, config.publicUrl, { ...link, purpose: 'verify-email', template: 'verify-email', ttlMs: m.ttlMs, dedupeKey: `verify:${ref.workflowId}:${m.n}` });
        return;
      case 'approved':
        await sendLink(db, mailer, config.publicUrl, { ...link, purpose: 'sign-in', template: 'registration-approved', ttlMs: m.ttlMs, dedupeKey: `sign-in:${ref.workflowId}` });
        return;
      case 'pending':
        await mailer.send({ tenant: ref.tenant, to: user.email, template: 'registration-pending', vars: { tenant: ref.tenant, name }, dedupeKey: key });
        return;
      case 'rejected':
        await mailer.send({ tenant: ref.tenant, to: user.email, template: 'registration-rejected', vars: { tenant: ref.tenant, name, reason: m.reason ?? '' }, dedupeKey: key });
        return;
      case 'approval-request':
      case 'approval-reminder': {
        const vars: Record<string, string> = { tenant: ref.tenant, name, email: user.email, deadline: mailDate(m.deadlineAt) };
        if (m.kind === 'approval-reminder') vars.requested = mailDate(m.requestedAt);
        await mailer.send({ tenant: ref.tenant, to: m.to, template: m.kind, vars, dedupeKey: `${key}:${m.to.toLowerCase()}` });
      }
    }
  }

  return {
    async loadRegistrationPlan(input: { tenant: string }): Promise<RegistrationPlan> {
      const s = await getRegistrationSettings(db, input.tenant);
      return {
        verificationTtlMs: durationMs(s.verificationTtl), signInLinkTtlMs: durationMs(s.signInLinkTtl),
        reminderAfterMs: durationMs(s.moderation.reminderAfter), deadlineMs: durationMs(s.moderation.deadline),
        notify: s.moderation.notify,
      };
    },

    /** Invited, or the email was verified: the account becomes active with its email counted as verified. */
    async activateRegistration(input: RegistrationRef & { reason: 'invited' | 'email_verified' }): Promise<void> {
      await atomically(async (tx) => {
        await tx`UPDATE users SET status = 'active', email_verified_at = COALESCE(email_verified_at, now()), updated_at = now()
          WHERE tenant_id = ${input.tenant} AND id = ${input.userId} AND status = 'pending'`;
        if (input.reason === 'email_verified') await audit(tx, input, 'registration.email_verified');
        await audit(tx, input, 'registration.activated', { data: { reason: input.reason } });
      });
    },

    async openRegistrationApproval(input: RegistrationRef & { requestedAt: number; deadlineAt?: number }): Promise<void> {
      await atomically(async (tx) => {
        const { deadlineAt, requestedAt, ...ref } = input;
        await openApproval(tx, { ...ref, requestedAt: new Date(requestedAt), ...(deadlineAt ? { deadlineAt: new Date(deadlineAt) } : {}) });
        await audit(tx, input, 'registration.approval_requested');
      });
    },

    async markRegistrationReminded(input: RegistrationRef & { at: number }): Promise<void> {
      await atomically(async (tx) => {
        await markApprovalReminded(tx, input.tenant, input.userId, new Date(input.at));
        await audit(tx, input, 'registration.reminder_sent');
      });
    },

    /** Approved: active. Rejected, or no decision by the deadline: disabled. */
    async decideRegistration(input: RegistrationRef & { outcome: RegistrationOutcome; by?: string; reason?: string }): Promise<void> {
      await atomically(async (tx) => {
        if (!(await closeApproval(tx, { tenant: input.tenant, userId: input.userId, status: input.outcome, by: input.by, reason: input.reason }))) return;
        const status = input.outcome === 'approved' ? 'active' : 'disabled';
        await tx`UPDATE users SET status = ${status}, updated_at = now()
          WHERE tenant_id = ${input.tenant} AND id = ${input.userId} AND status = 'pending'`;
        if (status === 'disabled') {
          await tx`UPDATE sessions SET revoked_at = now() WHERE tenant_id = ${input.tenant} AND user_id = ${input.userId} AND revoked_at IS NULL`;
        }
        const data = input.reason ? { reason: input.reason } : {};
        await audit(tx, input, `registration.${input.outcome}`, { ...(input.by ? { actor: input.by } : {}), data });
      });
    },

    /** Nobody followed a verification link in time; the account stays pending. */
    async expireRegistration(input: RegistrationRef): Promise<void> {
      await audit(db, input, 'registration.expired', { data: { reason: 'verification' } });
    },

    /** @throws ApplicationFailure MailError (retryable) when the message could not be sent. */
    async sendRegistrationMail(input: RegistrationRef & { mail: RegistrationMail }): Promise<void> {
      const m = input.mail.kind === 'rejected' && input.mail.reason === 'deadline' ? { ...input.mail, reason: DEADLINE_REASON } : input.mail;
      try {
        await deliver(input, m);
      } catch (err) {
        if (err instanceof MailError) throw ApplicationFailure.retryable(err.message, 'MailError');
        throw err;
      }
    },
  };
}

export type RegistrationActivities = ReturnType<typeof createRegistrationActivities>;
