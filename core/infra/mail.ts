// Outgoing mail: nodemailer over SMTP_URL, or the dev mailbox when SMTP_URL is unset.
// Rules: a message is sent at most once per (tenant, dedupe key): its row is claimed before
// sending and released only when the SMTP server refused it, so a retried activity never mails
// twice; mail that went out over SMTP keeps no body (bodies hold codes and links); errors never
// carry the body; the From address comes from MAIL_FROM (config.mailFrom).
// Each recipient gets at most the tenant's mailsPerRecipient (core/infra/rate-limit-settings.ts):
// past it a message is claimed as usual but recorded as `suppressed` (no body) and never sent, and
// the caller is answered exactly as for a message that went out, so the journey behind it answers
// the same and nothing tells whether the address was being flooded.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from './db.ts';
import { devMailLogLine } from './dev-mailbox.ts';
import { renderTemplate, type TemplateName } from './mail-templates.ts';
import { hit, limitKey } from './rate-limit.ts';
import { getRateLimits, ruleOf } from './rate-limit-settings.ts';

export const DEFAULT_FROM = 'Tessera <no-reply@localhost>';

export interface MailRequest {
  tenant: string;
  to: string;
  template: TemplateName;
  vars: Record<string, string>;
  /** Unique per tenant: a second send with the same key sends nothing. */
  dedupeKey: string;
  /** Stored with the message; a duplicate send returns the first send's meta. */
  meta?: Record<string, unknown>;
}

/** `sent` is false when the key was already used; `meta` is then the first send's. */
export interface MailReceipt { sent: boolean; meta: Record<string, unknown> }

export interface Mailer {
  readonly transport: 'smtp' | 'dev';
  /** @throws MailError when the recipient is malformed or the SMTP server refuses the message. */
  send(request: MailRequest): Promise<MailReceipt>;
  close(): void;
}

export interface MailerOptions { db: Db; smtpUrl?: string; from?: string; log?: (line: string) => void }

export class MailError extends Error {}

const ADDRESS = /^[^\s@<>",;]{1,64}@[^\s@<>",;]{1,255}$/;

/** @throws MailError when smtpUrl is set but is not an smtp:// or smtps:// URL. */
export function createMailer({ db, smtpUrl, from = DEFAULT_FROM, log = (line) => console.log(line) }: MailerOptions): Mailer {
  if (smtpUrl && !/^smtps?:\/\//i.test(smtpUrl)) throw new MailError('SMTP_URL must be an smtp:// or smtps:// URL');
  const transport = smtpUrl ? 'smtp' : 'dev';
  let smtp: Transporter | undefined;
  const transporter = () => (smtp ??= nodemailer.createTransport({
    url: smtpUrl, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000,
  } as Parameters<typeof nodemailer.createTransport>[0]));

  async function template(tenant: string, name: TemplateName): Promise<unknown> {
    const [row] = await db`SELECT settings->'mail'->${name} AS t FROM tenants WHERE id = ${tenant}`;
    return row?.t ?? undefined;
  }

  async function overRecipientLimit(tenant: string, to: string): Promise<boolean> {
    const rule = ruleOf(await getRateLimits(db, tenant), 'mailsPerRecipient');
    return !(await hit(db, tenant, limitKey('mailsPerRecipient', to.toLowerCase()), rule)).allowed;
  }

  return {
    transport,
    async send(req) {
      if (!ADDRESS.test(req.to)) throw new MailError('recipient is not a valid email address');
      const content = renderTemplate(req.template, req.vars, await template(req.tenant, req.template));
      const dev = transport === 'dev';
      const meta = req.meta ?? {};
      const [claimed] = await db`INSERT INTO mail_messages
          (tenant_id, dedupe_key, template, recipient, subject, transport, text_body, html_body, meta)
        VALUES (${req.tenant}, ${req.dedupeKey}, ${req.template}, ${req.to}, ${content.subject}, ${transport},
                ${dev ? content.text : null}, ${dev ? content.html : null}, ${db.json(meta as never)})
        ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`;
      if (!claimed) {
        const [first] = await db`SELECT meta FROM mail_messages WHERE tenant_id = ${req.tenant} AND dedupe_key = ${req.dedupeKey}`;
        return { sent: false, meta: first?.meta ?? {} };
      }
      if (await overRecipientLimit(req.tenant, req.to)) {
        await db`UPDATE mail_messages SET transport = 'suppressed', text_body = NULL, html_body = NULL
          WHERE tenant_id = ${req.tenant} AND id = ${claimed.id}`;
        log(`[mail] ${req.template} mail suppressed: its recipient is over the tenant's mailsPerRecipient limit`);
        return { sent: true, meta };
      }
      if (dev) {
        log(devMailLogLine(req.to, content.subject));
        return { sent: true, meta };
      }
      try {
        await transporter().sendMail({ from, to: req.to, subject: content.subject, text: content.text, html: content.html });
      } catch (err) {
        // Nothing went out: free the key so the retried activity sends.
        await db`DELETE FROM mail_messages WHERE tenant_id = ${req.tenant} AND id = ${claimed.id}`;
        const code = (err as { code?: string; responseCode?: number }).responseCode ?? (err as { code?: string }).code ?? 'error';
        throw new MailError(`mail server refused the message (${code})`);
      }
      return { sent: true, meta };
    },
    close() {
      smtp?.close();
    },
  };
}
