// The invitation workflow's activities: mail the invitation, and record how it ended.
// Rules: the code is made here and only its sha256 leaves (into the row and the mail's meta); the
// code is derived from the invitation's id under the codec key (core/infra/derived-secret.ts), so
// every attempt renders the same mail: a retry after a worker died mid-send sends it (at least
// once, never two different codes), a retry after it went out sends nothing and stores the hash
// of the code that went out (mail.send's meta is that message's); an address that has an account meanwhile gets no mail; ending writes the
// row and the audit event in one transaction, and reports what the row says, so a race between an
// acceptance and a revoke or the expiry ends the way the database decided.
import { ApplicationFailure } from '@temporalio/common';
import { recordAudit } from '../core/infra/audit.ts';
import type { Db } from '../core/infra/db.ts';
import { emailRegistered, hashInvitationCode, invitationLink, type InvitationStatus } from '../core/registration/invitations.ts';
import { derivedSecret } from '../core/infra/derived-secret.ts';
import { createMailer, MailError } from '../core/infra/mail.ts';
import { describeLifetime } from '../core/infra/mail-templates.ts';
import type { JourneyActivityDeps } from './journey.ts';

export interface InvitationRef { tenant: string; invitationId: string }

export interface InvitationEnd extends InvitationRef {
  outcome: 'accepted' | 'revoked' | 'expired';
  /** Who revoked. */
  by?: string;
  /** Who accepted, as the `accepted` signal said. */
  userId?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The time left, in the largest whole unit it rounds to ("7 days" just after a 7-day invitation was made). */
function remaining(ms: number): string {
  const unit = ms >= DAY ? DAY : ms >= HOUR ? HOUR : 60_000;
  return describeLifetime(Math.max(1, Math.round(ms / unit)) * unit);
}

export function createInvitationActivities({ db, config, now = () => new Date(), mail }: JourneyActivityDeps) {
  const mailer = mail ?? createMailer({ db, smtpUrl: config.smtpUrl, ...(config.mailFrom ? { from: config.mailFrom } : {}) });
  const invitationCode = derivedSecret(config, 'invitation code');

  return {
    /** @throws ApplicationFailure MailError (retryable) when the mail server refuses. */
    async sendInvitation({ tenant, invitationId }: InvitationRef): Promise<'sent' | 'skipped'> {
      const [row] = await db`SELECT i.email, i.inviter, i.status, i.code_hash, i.expires_at, t.name AS tenant_name,
          u.name AS user_name, u.email AS user_email
        FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          LEFT JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.inviter_user_id
        WHERE i.tenant_id = ${tenant} AND i.id = ${invitationId}`;
      if (row?.code_hash) return 'sent';
      const left = row ? row.expires_at.getTime() - now().getTime() : 0;
      if (!row || row.status !== 'pending' || left <= 0) return 'skipped';
      if (await emailRegistered(db, tenant, row.email)) {
        await recordAudit(db, {
          tenant, type: 'invitation.not_sent', actor: row.inviter, dedupeKey: `invitation.not_sent:${invitationId}`,
          data: { invitation: invitationId, email: row.email, reason: 'registered' },
        });
        return 'skipped';
      }
      const code = await invitationCode(`${tenant}\0${invitationId}`);
      let meta: Record<string, unknown>;
      try {
        ({ meta } = await mailer.send({
          tenant, to: row.email, template: 'invitation', dedupeKey: `invitation:${invitationId}`,
          vars: {
            tenant, inviter: row.user_name || row.user_email || row.tenant_name || tenant,
            expires: remaining(left), link: invitationLink(config.publicUrl, tenant, code),
          },
          meta: { hash: hashInvitationCode(code) },
        }));
      } catch (err) {
        if (err instanceof MailError) throw ApplicationFailure.retryable(err.message, 'MailError');
        throw err;
      }
      await db.begin(async (transaction) => {
        const tx = transaction as unknown as Db;
        await tx`UPDATE invitations SET code_hash = ${meta.hash as string}
          WHERE tenant_id = ${tenant} AND id = ${invitationId} AND code_hash IS NULL`;
        await recordAudit(tx, {
          tenant, type: 'invitation.sent', actor: row.inviter, dedupeKey: `invitation.sent:${invitationId}`,
          data: { invitation: invitationId, email: row.email },
        });
      });
      return 'sent';
    },

    /** Marks the row revoked or expired (accepted is already written by acceptInvitation) and audits what it says. */
    async finishInvitation(end: InvitationEnd): Promise<{ status: InvitationStatus; userId?: string }> {
      const { tenant, invitationId } = end;
      return db.begin(async (transaction) => {
        const tx = transaction as unknown as Db;
        if (end.outcome === 'revoked') {
          await tx`UPDATE invitations SET status = 'revoked', revoked_at = now()
            WHERE tenant_id = ${tenant} AND id = ${invitationId} AND status = 'pending'`;
        } else if (end.outcome === 'expired') {
          await tx`UPDATE invitations SET status = 'expired' WHERE tenant_id = ${tenant} AND id = ${invitationId} AND status = 'pending'`;
        }
        const [row] = await tx`SELECT status, email, accepted_user_id FROM invitations WHERE tenant_id = ${tenant} AND id = ${invitationId}`;
        // The tenant (and with it the row) was deleted: nothing to record.
        if (!row) return { status: end.outcome === 'accepted' ? 'expired' : end.outcome };
        const status = row.status as InvitationStatus;
        if (status === 'pending') return { status };
        const data = { invitation: invitationId, email: row.email };
        await recordAudit(tx, {
          tenant, type: `invitation.${status}`, dedupeKey: `invitation.${status}:${invitationId}`, data,
          ...(status === 'revoked' && end.by ? { actor: end.by } : {}),
          ...(status === 'accepted' ? { actor: `user:${row.accepted_user_id}`, subject: row.accepted_user_id } : {}),
        });
        return status === 'accepted' ? { status, userId: row.accepted_user_id } : { status };
      });
    },
  };
}

export type InvitationActivities = ReturnType<typeof createInvitationActivities>;
